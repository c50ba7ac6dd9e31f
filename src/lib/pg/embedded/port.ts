import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { Logger } from '../../ui/logger.js';
import { killNow, readiness, type StartingServer } from './process.js';
import type { ServerLog } from './server-log.js';

/** A TCP port nobody listens on right now, on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

const PORT_TAKEN = /could not bind|Address already in use/i;
const PORT_ATTEMPTS = 3;

/** A server ready on its port, or why none became ready. */
export type Started = { ok: true; child: ChildProcess; port: number } | { ok: false; error: unknown };

/**
 * Start a server on a free port. The port may be taken by someone else before
 * the server binds it: then another is tried, three in all. `spawnOn` starts
 * the server on a port; a server that does not become ready is killed.
 */
export async function startOnFreePort(
  spawnOn: (port: number) => StartingServer,
  serverLog: ServerLog,
  log: Logger,
): Promise<Started> {
  let port = await freePort();
  for (let attempt = 1; ; attempt++) {
    const server = spawnOn(port);
    const outcome = await readiness(server);
    if (outcome.ready) return { ok: true, child: server.child, port };
    await killNow(server.child);
    if (attempt >= PORT_ATTEMPTS || !serverLog.recentLines().some((line) => PORT_TAKEN.test(line))) {
      return { ok: false, error: outcome.error };
    }
    log.debug(`embedded PostgreSQL: port ${port} was taken; trying another`);
    serverLog.forget();
    port = await freePort();
  }
}
