import { loadSql, type SqlFile } from '../core/sql.js';

/** Read `sql/clickhouse/<name>`: its one statement (see `loadSql`). */
export function clickHouseSql(name: string): Promise<SqlFile> {
  return loadSql('clickhouse', name);
}
