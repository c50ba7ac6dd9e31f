import type pg from 'pg';
import { loadSql, migrationNames, sqlError, type SqlFile } from '../core/sql.js';

export { sqlError, type SqlFile } from '../core/sql.js';

/** Read `sql/pg/<name>` (see `loadSql`). */
export function pgSql(name: string): Promise<SqlFile> {
  return loadSql('pg', name);
}

/** The numbered migration files, `NNN_name.sql`, in order. */
export function pgMigrationNames(): Promise<string[]> {
  return migrationNames('pg');
}

/**
 * Run a statement file; a failure names the file and the line the server
 * pointed at, and keeps the server's error as the cause.
 */
export async function runSql<R extends pg.QueryResultRow = pg.QueryResultRow>(
  client: pg.ClientBase,
  file: SqlFile,
  values?: unknown[],
): Promise<pg.QueryResult<R>> {
  try {
    return await client.query<R>(file.text, values);
  } catch (error) {
    throw sqlError(file, error);
  }
}
