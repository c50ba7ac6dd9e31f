import type pg from 'pg';
import { loadSql, migrationNames, sqlError, withNames, type SqlFile, type SqlNames } from '../core/sql.js';

export { sqlError, type SqlFile } from '../core/sql.js';

/**
 * Read `sql/pg/<name>` (see `loadSql`); with `names`, each `{{name}}` in it filled in (see `withNames`: a file
 * that asks for a name not given is refused). Line numbers stay those of the file.
 */
export async function pgSql(name: string, names?: Readonly<Record<string, SqlNames>>): Promise<SqlFile> {
  const file = await loadSql('pg', name);
  return names ? withNames(file, names) : file;
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
  client: pg.ClientBase | pg.Pool,
  file: SqlFile,
  values?: unknown[],
): Promise<pg.QueryResult<R>> {
  try {
    return await client.query<R>(file.text, values);
  } catch (error) {
    throw sqlError(file, error);
  }
}
