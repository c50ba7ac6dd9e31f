import { loadSql, withNames, type SqlFile, type SqlNames } from '../core/sql.js';

/** Read `sql/clickhouse/<name>`: its one statement (see `loadSql`). */
export function clickHouseSql(name: string): Promise<SqlFile> {
  return loadSql('clickhouse', name);
}

/**
 * The statement of `sql/clickhouse/<name>`, ready to send: each `{{name}}` in it filled in from `names`
 * (see `withNames`; a file that asks for a name not given is refused). Values are bound as `query_params`.
 */
export async function clickHouseStatement(
  name: string,
  names: Readonly<Record<string, SqlNames>> = {},
): Promise<string> {
  return withNames(await clickHouseSql(name), names).text;
}
