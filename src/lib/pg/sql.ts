import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type pg from 'pg';

/** `sql/pg` of the installed package (this file is built to `dist/src/lib/pg`). */
export const PG_SQL_DIR = fileURLToPath(new URL('../../../../sql/pg/', import.meta.url));

/** A statement file under `sql/pg`, loaded by name. */
export interface SqlFile {
  /** For messages: `sql/pg/aggregate-week.sql`. */
  readonly name: string;
  readonly text: string;
}

const cache = new Map<string, Promise<SqlFile>>();

/** Read `sql/pg/<name>` (cached: the files do not change while the process runs). */
export function pgSql(name: string): Promise<SqlFile> {
  let file = cache.get(name);
  if (!file) {
    file = readFile(path.join(PG_SQL_DIR, name), 'utf8').then(
      (text) => ({ name: `sql/pg/${name}`, text }),
      (error: unknown) => {
        cache.delete(name);
        throw new Error(`cannot read sql/pg/${name}`, { cause: error });
      },
    );
    cache.set(name, file);
  }
  return file;
}

/** The numbered migration files, `NNN_name.sql`, in order. */
export async function pgMigrationNames(): Promise<string[]> {
  const names = await readdir(PG_SQL_DIR);
  return names.filter((n) => /^\d{3,}_[\w-]+\.sql$/.test(n)).sort();
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

/** An error naming the `.sql` file (and line) a server error came from. */
export function sqlError(file: SqlFile, error: unknown): Error {
  const position = Number((error as { position?: unknown }).position);
  const where = Number.isInteger(position) && position > 0 ? `:${file.text.slice(0, position - 1).split('\n').length}` : '';
  return new Error(`${file.name}${where} failed`, { cause: error });
}
