import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from '../ui/logger.js';
import { pgMigrationNames, pgSql, sqlError } from './sql.js';

/** The advisory lock key that serialises migrations of every sales-etl run on a server. */
export const MIGRATION_LOCK_KEY = 0x5a1e5e71;

/**
 * Apply the `sql/pg/NNN_*.sql` migrations not yet recorded in
 * `schema_migrations`, in order, each in its own transaction. Two runs at once
 * take turns on an advisory lock, so the second finds nothing left to do.
 * Returns the names applied now.
 */
export async function migratePg(pool: pg.Pool, log: Logger): Promise<string[]> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    const got = await client.query<{ locked: boolean }>(await text('migrations-try-lock.sql'), [MIGRATION_LOCK_KEY]);
    if (!got.rows[0]?.locked) {
      const whoHolds = await text('migrations-lock-holder.sql');
      const holder = await client.query<{ pid: number }>(whoHolds, [MIGRATION_LOCK_KEY]);
      log.info(
        `PostgreSQL: another run is migrating the schema (backend pid ${holder.rows[0]?.pid ?? '?'}); waiting for it`,
      );
      await client.query(await text('migrations-lock.sql'), [MIGRATION_LOCK_KEY]);
    }
    try {
      return await applyPending(client, log);
    } finally {
      await client.query(await text('migrations-unlock.sql'), [MIGRATION_LOCK_KEY]);
    }
  } catch (error) {
    broken = error as Error;
    throw error;
  } finally {
    client.release(broken);
  }
}

async function applyPending(client: pg.PoolClient, log: Logger): Promise<string[]> {
  await client.query(await text('migrations-table.sql'));
  const applied = await client.query<{ name: string; sha256: string }>(await text('migrations-applied.sql'));
  const done = new Map(applied.rows.map((r) => [r.name, r.sha256]));
  const newly: string[] = [];
  for (const name of await pgMigrationNames()) {
    const file = await pgSql(name);
    const sha256 = createHash('sha256').update(file.text).digest('hex');
    const recorded = done.get(name);
    if (recorded !== undefined) {
      if (recorded !== sha256)
        log.warn(`PostgreSQL: ${file.name} changed after it was applied; the change is not applied again`);
      continue;
    }
    await client.query('BEGIN');
    try {
      await client.query(file.text).catch((error: unknown) => {
        throw sqlError(file, error);
      });
      await client.query(await text('migrations-record.sql'), [name, sha256]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    log.debug(`PostgreSQL: applied ${file.name}`);
    newly.push(name);
  }
  return newly;
}

/** The text of a statement file of this module. */
async function text(name: string): Promise<string> {
  return (await pgSql(name)).text;
}
