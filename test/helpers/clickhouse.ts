import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Week } from '../../src/lib/core/calendar.js';
import { resolveConfig, type Context, type GlobalFlags } from '../../src/lib/core/config.js';
import { createLogger } from '../../src/lib/ui/logger.js';
import { inTransaction } from '../../src/lib/pg/database.js';
import { pgSql, runSql } from '../../src/lib/pg/sql.js';

/** A fresh data directory under the system's temp directory; `remove()` deletes it. */
export async function tempDataDir(name: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `sales-etl-${name}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A context for a data directory, with the environment ignored (tests choose their own databases). */
export function chTestContext(flags: GlobalFlags, env: NodeJS.ProcessEnv = {}): Context {
  const config = resolveConfig({ color: false, ...flags }, env);
  const quiet = process.env.TEST_VERBOSE ? undefined : { write: () => true };
  return {
    config,
    log: createLogger({
      interactive: false,
      verbose: config.verbose,
      ...(quiet ? { stream: quiet as unknown as NodeJS.WritableStream } : {}),
    }),
  };
}

/** Shape of the seeded aggregates: how many products per region. */
export interface SeedOptions {
  products: number;
  /** Varies the figures, so a re-seeded week differs from the first seed. */
  salt?: number;
}

const REGIONS = ['North', 'South', 'East', 'West'];

/**
 * Put a week of aggregates straight into PostgreSQL's `sales_agg` (4 regions
 * × `products` rows, amounts with kopecks), and some sales for its buyers,
 * replacing whatever the week had. The figures are arbitrary but consistent
 * enough to look like the aggregate stage's output.
 */
export async function seedWeek(pool: pg.Pool, week: Week, options: SeedOptions): Promise<void> {
  const salt = options.salt ?? 0;
  await inTransaction({ pool }, async (client) => {
    await client.query('DELETE FROM sales_agg WHERE week_start = $1', [week.start]);
    await client.query('DELETE FROM sales WHERE sale_date BETWEEN $1::date AND $1::date + 6', [week.start]);
    await client.query(
      `INSERT INTO sales_agg (week_start, region, product_id, sales_count, quantity_sum, amount_sum, avg_sale_amount,
                              revenue_rank, revenue_share, region_revenue_ytd, aggregated_at)
       SELECT $1::date, region, p, c, c * 2, a, round(a / c, 2),
              row_number() OVER (PARTITION BY region ORDER BY a DESC, p),
              round(a / sum(a) OVER (PARTITION BY region), 6),
              sum(a) OVER (PARTITION BY region) * 10,
              now()
       FROM unnest($2::text[]) AS r(region), generate_series(1, $3::int) AS p,
            LATERAL (SELECT 1 + (p * 7 + length(region) + $4::int) % 13 AS c,
                            ((p * 7919 + length(region) * 104729 + $4::int * 31) % 9999999 + 1)::numeric / 100
                              AS a) AS x`,
      [week.start, REGIONS, options.products, salt],
    );
    await client.query(
      `INSERT INTO sales (sale_id, customer_id, product_id, quantity, sale_date, sale_amount, region)
       SELECT (extract(epoch FROM $1::date)::bigint / 86400) * 100000 + i,
              1 + (i * 37 + $2::int) % 300, 1 + i % 50, 1, $1::date + i % 7, 10.50,
              (ARRAY['North','South','East','West'])[1 + i % 4]
       FROM generate_series(1, 500) AS i`,
      [week.start, salt],
    );
    await keepRegionWeeks(client, week);
    await keepDailyAndBuyers(client, week);
  });
}

/**
 * Bring the week's sales_region_weeks rows in step with its sales, as load-pg does in the
 * transaction that loads them (with load-pg's own statements): a test that writes `sales` itself.
 */
export async function keepRegionWeeks(client: pg.PoolClient, week: Week): Promise<void> {
  await runSql(client, await pgSql('load-pg-delete-region-weeks.sql'), [week.start]);
  await runSql(client, await pgSql('load-pg-week-figures.sql'), [week.start, week.end]);
}

/**
 * Rebuild the week's sales_daily and week_buyers from its sales, as aggregate does in the transaction
 * that rebuilds its sales_agg (with aggregate's own statements): a test that writes `sales` itself.
 */
export async function keepDailyAndBuyers(client: pg.PoolClient, week: Week): Promise<void> {
  await client.query('DELETE FROM sales_daily WHERE week_start = $1', [week.start]);
  await client.query('DELETE FROM week_buyers WHERE week_start = $1', [week.start]);
  await runSql(client, await pgSql('aggregate-week-daily.sql'), [week.start, week.end]);
  await runSql(client, await pgSql('aggregate-week-buyers.sql'), [week.start, week.end]);
}

/** Rows of a ClickHouse query, as JSON objects. */
export async function chRows<T = Record<string, unknown>>(
  client: ClickHouseClient,
  query: string,
  params: Record<string, unknown> = {},
): Promise<T[]> {
  const result = await client.query({ query, query_params: params, format: 'JSONEachRow' });
  return (await result.json()) as T[];
}

/** The week's sales_agg in ClickHouse, every column as text, in key order. */
export async function chWeekRows(client: ClickHouseClient, week: Week): Promise<string[][]> {
  const rows = await chRows<Record<string, string>>(
    client,
    `SELECT toString(week_start) AS c01, region, toString(product_id) AS c02,
            toString(sales_count) AS c03, toString(quantity_sum) AS c04,
            toDecimalString(amount_sum, 2) AS c05, toDecimalString(avg_sale_amount, 2) AS c06,
            toString(revenue_rank) AS c07, toDecimalString(revenue_share, 6) AS c08,
            toDecimalString(region_revenue_ytd, 2) AS c09, toString(aggregated_at) AS c10
     FROM sales_etl.sales_agg WHERE week_start = {w:Date} ORDER BY region, product_id`,
    { w: week.start },
  );
  return rows.map((r) => Object.values(r));
}

/** The week's sales_agg in PostgreSQL, every column as text in ClickHouse's spelling, in key order. */
export async function pgWeekRows(pool: pg.Pool, week: Week): Promise<string[][]> {
  const { rows } = await pool.query<Record<string, string>>(
    `SELECT to_char(week_start, 'YYYY-MM-DD') AS week_start, region, product_id::text, sales_count::text,
            quantity_sum::text, amount_sum::text, avg_sale_amount::text, revenue_rank::text, revenue_share::text,
            region_revenue_ytd::text,
            to_char(aggregated_at AT TIME ZONE 'Europe/Moscow', 'YYYY-MM-DD HH24:MI:SS.US') AS aggregated_at
     FROM sales_agg WHERE week_start = $1 ORDER BY sales_agg.region COLLATE "C", sales_agg.product_id`,
    [week.start],
  );
  return rows.map((r) => Object.values(r));
}
