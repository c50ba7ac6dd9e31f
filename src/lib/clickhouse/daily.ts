import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Week } from '../core/calendar.js';
import type { ClickHouseDatabase } from './database.js';
import { replacePartitionFromCsv } from './partition.js';
import { clickHouseStatement } from './sql.js';
import { StageError } from '../core/errors.js';
import { inTransaction, READ_ONLY_SNAPSHOT, type PgDatabase } from '../pg/database.js';
import { pgSql, runSql } from '../pg/sql.js';
import { toKopecks } from '../core/money.js';

const COLUMNS = [
  'week_start',
  'sale_date',
  'region',
  'category',
  'sales_count',
  'quantity_sum',
  'amount_sum',
  'imported_at',
] as const;

/**
 * Publish one week of sales by day, region and category to ClickHouse's
 * `sales_daily` (the report's calendar view), as its own atomic partition
 * swap, then reconcile its count and revenue with the PostgreSQL sales it
 * was copied from (one snapshot for both). Runs after the week's aggregates
 * are in: a reader may briefly see new aggregates beside the old daily rows,
 * never a half-loaded week. Returns the rows published.
 */
export async function publishDailyWeek(
  pgDb: PgDatabase,
  ch: ClickHouseDatabase,
  week: Week,
  importedAt: string,
): Promise<number> {
  const { rows, expected } = await inTransaction(
    pgDb,
    async (client) => {
      const expected = await pgDailyFigures(client, week);
      const params = [week.start, importedAt, importedAt.slice(0, 10), week.start];
      await runSql(client, await pgSql('migrate-click-params.sql'), params);
      const file = await pgSql('migrate-click-sales-daily.sql');
      const csv = client.query(copyTo(file.text));
      const partition = { weekStart: week.start };
      try {
        const swapped = await replacePartitionFromCsv(ch.client, 'sales_daily', partition, COLUMNS, csv);
        return { rows: swapped.rows, expected };
      } catch (cause) {
        csv.destroy();
        const what = `${week.id} to sales_daily in ${ch.target} (${file.name})`;
        throw new Error(`migrate-click: cannot publish ${what}`, { cause });
      }
    },
    { begin: READ_ONLY_SNAPSHOT, discardOnError: true },
  );
  await compareDaily(ch, week, expected);
  return rows;
}

/** What PostgreSQL's sales of a week add up to: what its published sales_daily must hold. */
interface DailyFigures {
  count: string;
  amount: string;
}

async function pgDailyFigures(client: pg.ClientBase, week: Week): Promise<DailyFigures> {
  const {
    rows: [figures],
  } = await runSql<{ sales_count: string; amount_sum: string }>(
    client,
    await pgSql('migrate-click-daily-figures.sql'),
    [week.start],
  );
  return { count: figures?.sales_count ?? '0', amount: figures?.amount_sum ?? '0' };
}

/** Fail unless ClickHouse's sales_daily of the week holds the sales and revenue PostgreSQL has. */
async function compareDaily(ch: ClickHouseDatabase, week: Week, expected: DailyFigures): Promise<void> {
  const result = await ch.client.query({
    query: await clickHouseStatement('sales-daily-figures.sql'),
    query_params: { week_start: week.start },
    format: 'JSONEachRow',
  });
  const [published] = (await result.json()) as { sales_count: string; amount_sum: string }[];
  const count = published?.sales_count ?? '0';
  const amount = published?.amount_sum ?? '0';
  if (count !== expected.count || toKopecks(amount) !== toKopecks(expected.amount)) {
    throw new StageError(
      `migrate-click: ${week.id} sales_daily in ${ch.target} holds ${count} sales for ${amount}, ` +
        `PostgreSQL ${expected.count} for ${expected.amount}`,
      'migrate-click',
    );
  }
}

/** `migrate-click --verify-only` for sales_daily: compare the week without copying anything. */
export async function verifyDailyWeek(pgDb: PgDatabase, ch: ClickHouseDatabase, week: Week): Promise<void> {
  const expected = await inTransaction(pgDb, (client) => pgDailyFigures(client, week), { begin: READ_ONLY_SNAPSHOT });
  await compareDaily(ch, week, expected);
}
