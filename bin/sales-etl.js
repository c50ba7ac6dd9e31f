#!/usr/bin/env -S node --max-old-space-size=512 --max-semi-space-size=4
// The stop signals first, before the quarter of a second the rest takes to load (src/cli-signals.ts).
await import('../dist/src/cli-signals.js');
await import('../dist/src/cli.js');
