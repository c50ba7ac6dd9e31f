import { readdir, readFile } from 'node:fs/promises';
import type { ClickHouseClient } from '@clickhouse/client';

/** `sql/clickhouse/` of the package, found from this file whether it runs from `src/` or `dist/src/`. */
export const CLICKHOUSE_SQL_DIR = new URL(
  import.meta.url.includes('/dist/') ? '../../../../sql/clickhouse/' : '../../../sql/clickhouse/',
  import.meta.url,
);

/**
 * Split a SQL file into statements on `;` outside quotes and comments. The
 * client sends one statement per request, so multi-statement files are split
 * here. Comments are dropped; empty statements are skipped.
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end - 1;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 1;
      current += ' ';
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < sql.length && sql[j] !== c) j += sql[j] === '\\' ? 2 : 1;
      current += sql.slice(i, j + 1);
      i = j;
      continue;
    }
    if (c === ';') {
      if (current.trim()) statements.push(current.trim());
      current = '';
      continue;
    }
    current += c;
  }
  if (current.trim()) statements.push(current.trim());
  return statements;
}

/** The numbered DDL files (`NNN_name.sql`), in order. */
export async function schemaFiles(dir: URL = CLICKHOUSE_SQL_DIR): Promise<string[]> {
  return (await readdir(dir)).filter((name) => /^\d+_.*\.sql$/.test(name)).sort();
}

/**
 * Create the database and tables if missing. Every statement is idempotent
 * (`IF NOT EXISTS`), so this runs on every open; a failing statement names
 * its file.
 */
export async function applyClickHouseSchema(client: ClickHouseClient, dir: URL = CLICKHOUSE_SQL_DIR): Promise<void> {
  for (const file of await schemaFiles(dir)) {
    const text = await readFile(new URL(file, dir), 'utf8');
    for (const statement of splitStatements(text)) {
      try {
        await client.command({ query: statement });
      } catch (cause) {
        throw new Error(`sql/clickhouse/${file} failed`, { cause });
      }
    }
  }
}

/** A named statement, `sql/clickhouse/<name>.sql`, as text. */
export async function clickHouseSql(name: string, dir: URL = CLICKHOUSE_SQL_DIR): Promise<string> {
  try {
    return await readFile(new URL(`${name}.sql`, dir), 'utf8');
  } catch (cause) {
    throw new Error(`cannot read sql/clickhouse/${name}.sql`, { cause });
  }
}
