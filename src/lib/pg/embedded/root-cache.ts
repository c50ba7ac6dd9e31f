import { chmod } from 'node:fs/promises';
import path from 'node:path';
import { makeDirectory } from '../../files/layout.js';

/**
 * Where root keeps what the `postgres` user must reach but cannot where it
 * is: a copy of the PostgreSQL binaries, and clusters whose data directory
 * is out of its reach. Owned by root, world-traversable.
 * `SALES_ETL_PG_CACHE` moves it (tests use a temporary one).
 */
export function rootCache(): string {
  return path.resolve(process.env.SALES_ETL_PG_CACHE || '/var/lib/sales-etl');
}

/** Make a directory of the cache (and its parents up to the cache) root-owned and world-traversable. */
export async function mkdirOpen(dir: string): Promise<void> {
  const cache = rootCache();
  await makeDirectory(dir, 0o755);
  // The umask may have taken bits away (root's is often 077).
  const inCache = (current: string) => current === cache || current.startsWith(`${cache}${path.sep}`);
  for (let current = dir; inCache(current); current = path.dirname(current)) {
    await chmod(current, 0o755);
  }
}
