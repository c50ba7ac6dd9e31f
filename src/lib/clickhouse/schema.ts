import type { ClickHouseClient } from '@clickhouse/client';
import { clickHouseSql } from './sql.js';
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
