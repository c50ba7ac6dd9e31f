#!/usr/bin/env -S node --max-old-space-size=512 --max-semi-space-size=4
// The stop signals first, before the quarter of a second the rest takes to load (src/cli-signals.ts).
await import('../dist/src/cli-signals.js');
// pg asks whether it runs in a Cloudflare Worker, and where there is no `navigator` (Node 20; Node 21
// and later have one) it does so by building a fetch Response, which loads undici: 40 ms of every
// start, for an HTTP client nothing here uses. Node 21's own `navigator` answers the question as well.
globalThis.navigator ??= { userAgent: `Node.js/${process.versions.node.split('.')[0]}` };
await import('../dist/src/cli.js');
