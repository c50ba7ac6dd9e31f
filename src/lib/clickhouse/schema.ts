import type { ClickHouseClient } from '@clickhouse/client';
import { clickHouseSql, clickHouseStatement } from './sql.js';
import { migrationNames, sqlError } from '../core/sql.js';

/**
 * Create the database and tables if missing, from the numbered files of
 * `sql/clickhouse/` (one statement each) in order. Every statement is
 * idempotent (`IF NOT EXISTS`), so this runs on every open; a failing
 * statement names its file.
 */
export async function applyClickHouseSchema(client: ClickHouseClient): Promise<void> {
  for (const name of await migrationNames('clickhouse')) {
    const file = await clickHouseSql(name);
    try {
      await client.command({ query: file.text });
    } catch (cause) {
      throw sqlError(file, cause);
    }
  }
}

/**
 * Give the published tables of an embedded engine made before the DDL said so a cleanup pass every
 * second (see sql/clickhouse/002_sales_agg.sql): with the default 30 s, the parts each publication
 * replaces were never removed by a run of the embedded engine, and piled up on disk to be loaded at
 * every open. Altered once; the tables say so from then on. The names of those altered.
 */
export async function scheduleCleanup(client: ClickHouseClient): Promise<string[]> {
  const missing = await client.query({
    query: await clickHouseStatement('publish-cleanup-missing.sql'),
    format: 'JSONEachRow',
  });
  const names = ((await missing.json()) as { name: string }[]).map((r) => r.name);
  for (const name of names) {
    const table = `sales_etl.${name}`;
    await client.command({ query: await clickHouseStatement('publish-cleanup-setting.sql', { table }) });
  }
  return names;
}
