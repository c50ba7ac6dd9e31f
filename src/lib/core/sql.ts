import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Every SQL statement of the pipeline lives in a file of `sql/pg/` or `sql/clickhouse/`, loaded by name here.
 *
 * Values are bound by the server: `$1` for PostgreSQL, `{name:Type}` with `query_params` for ClickHouse.
 * A name that must be dynamic (a staging table, a ready table) is written `{{name}}` in the file and filled in
 * by `withNames`, through `quoteIdentifier` and nothing else. ClickHouse's own `{name:Identifier}` is no help
 * there: `REPLACE PARTITION ... FROM` refuses it, and it takes `db.table` for one name.
 */
export type SqlDialect = 'pg' | 'clickhouse';

/** `sql/` of the installed package (this file is built to `dist/src/lib/core`). */
export const SQL_DIR = fileURLToPath(new URL('../../../../sql/', import.meta.url));

/** A statement file, loaded by name. */
export interface SqlFile {
  /** For messages: `sql/pg/aggregate-week.sql`. */
  readonly name: string;
  /** What is sent: a PostgreSQL file as it is; a ClickHouse file as its one statement (see `oneStatement`). */
  readonly text: string;
}

const cache = new Map<string, Promise<SqlFile>>();

/** Read `sql/<dialect>/<name>` (cached: the files do not change while the process runs). */
export function loadSql(dialect: SqlDialect, name: string): Promise<SqlFile> {
  const shown = `sql/${dialect}/${name}`;
  let file = cache.get(shown);
  if (!file) {
    file = readFile(path.join(SQL_DIR, dialect, name), 'utf8').then(
      (text) => ({ name: shown, text: dialect === 'clickhouse' ? oneStatement(shown, text) : text }),
      (error: unknown) => {
        cache.delete(shown);
        throw new Error(`cannot read ${shown}`, { cause: error });
      },
    );
    cache.set(shown, file);
  }
  return file;
}

/** The numbered files of a dialect, `NNN_name.sql`, in order: PostgreSQL's migrations, ClickHouse's DDL. */
export async function migrationNames(dialect: SqlDialect): Promise<string[]> {
  const names = await readdir(path.join(SQL_DIR, dialect));
  return names.filter((n) => /^\d{3,}_[\w-]+\.sql$/.test(n)).sort();
}

/**
 * The one statement of a ClickHouse file, without its comments and final `;`: the client sends one statement a
 * request (and appends `FORMAT ...` to a query). A file with a second statement is refused.
 */
export function oneStatement(name: string, sql: string): string {
  const statements: string[] = [];
  let current = '';
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end - 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 1;
      current += ' ';
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < sql.length && sql[j] !== c) j += sql[j] === '\\' ? 2 : 1;
      current += sql.slice(i, j + 1);
      i = j;
    } else if (c === ';') {
      if (current.trim()) statements.push(current.trim());
      current = '';
    } else current += c;
  }
  if (current.trim()) statements.push(current.trim());
  if (statements.length !== 1) throw new Error(`${name}: ${statements.length} statements, not one`);
  return statements[0]!;
}

/**
 * A name as an identifier both servers read alike: each dot-separated part in double quotes, a `"` in it
 * doubled. A backslash (an escape to ClickHouse, a letter to PostgreSQL) or a NUL is refused, as is an empty part.
 */
export function quoteIdentifier(name: string): string {
  return name
    .split('.')
    .map((part) => {
      if (part === '' || /[\\\0]/.test(part)) throw new Error(`cannot quote ${JSON.stringify(name)} as an identifier`);
      return `"${part.replaceAll('"', '""')}"`;
    })
    .join('.');
}

/** What fills a `{{name}}`: one name, a list of names (`a, b`), or a list of pairs (`a TO b, c TO d`, RENAME's). */
export type SqlNames = string | readonly string[] | readonly (readonly [string, string])[];

/**
 * `file` with each `{{name}}` filled in from `names` through `quoteIdentifier`; a name missing or unused, or an
 * empty list, is refused.
 */
export function withNames(file: SqlFile, names: Readonly<Record<string, SqlNames>>): SqlFile {
  const used = new Set<string>();
  const text = file.text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = names[key];
    if (value === undefined) throw new Error(`${file.name}: no name given for {{${key}}}`);
    used.add(key);
    if (typeof value === 'string') return quoteIdentifier(value);
    if (value.length === 0) throw new Error(`${file.name}: an empty list for {{${key}}}`);
    const quoted = value.map((v) => (typeof v === 'string' ? quoteIdentifier(v) : v.map(quoteIdentifier).join(' TO ')));
    return quoted.join(', ');
  });
  const unused = Object.keys(names).filter((key) => !used.has(key));
  if (unused.length > 0) throw new Error(`${file.name}: no {{${unused[0]}}} to fill in`);
  return { name: file.name, text };
}

/** An error naming the `.sql` file (and line, when the server gave a position) a server error came from. */
export function sqlError(file: SqlFile, error: unknown): Error {
  const position = Number((error as { position?: unknown }).position);
  const line = Number.isInteger(position) && position > 0 ? file.text.slice(0, position - 1).split('\n').length : 0;
  return new Error(`${file.name}${line > 0 ? `:${line}` : ''} failed`, { cause: error });
}
