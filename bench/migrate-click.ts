/**
 * migrate-click's time for a full year of aggregates, as a ratio against a
 * baseline measured in the same run: one plain `COPY sales_agg TO STDOUT` of
 * the same rows streamed into one ClickHouse insert, with no staging, no
 * partition swap and no reconciliation.
 *
 *   node dist/bench/migrate-click.js [DATA_DIR]   publish every week DATA_DIR's PostgreSQL has aggregates for
 *                                                 (default: a synthetic year, 52 weeks × 4 regions × 1000
 *                                                 products ≈ 208k rows, in a temp dir)
 *
 * DATA_DIR's PostgreSQL (embedded, or DATABASE_URL) is only read; the
 * ClickHouse side is always a fresh embedded engine in a temporary directory
 * (or the server of CLICKHOUSE_URL).
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { to as copyTo } from 'pg-copy-streams';
import { migrateClick } from '../src/commands/migrate-click.js';
import { addWeeks, parseWeek, weekOfDate, type Week } from '../src/lib/core/calendar.js';
import { openClickHouse } from '../src/lib/clickhouse/database.js';
import { createContext, resolveConfig } from '../src/lib/core/config.js';
import { silentLogger } from '../src/lib/ui/logger.js';
import { openPg, type PgDatabase } from '../src/lib/pg/database.js';

/** What `benchMigrateClick` measured. */
export interface MigrateClickBench {
  weeks: number;
  rows: number;
  /** migrate-click over every week (copy, swap, reconcile). */
  migrateSeconds: number;
  migrateRowsPerSecond: number;
  /** migrate-click --verify-only over every week. */
  verifySeconds: number;
  /** One COPY of the same rows into one insert. */
  baselineSeconds: number;
  baselineRowsPerSecond: number;
  /** migrate-click's time over the baseline's: 1 means as fast as a bare copy. */
  ratio: number;
  peakRssMiB: number;
  target: string;
}

export interface MigrateClickBenchOptions {
  /** A data directory whose PostgreSQL already holds aggregates; undefined: a synthetic year in a temp dir. */
  dataDir?: string | undefined;
  /** Products per region and week of the synthetic year (default 1000). */
  products?: number | undefined;
}

const peakRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

/** Time migrate-click over a year of aggregates and the bare-copy baseline. */
export async function benchMigrateClick(options: MigrateClickBenchOptions = {}): Promise<MigrateClickBench> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'sales-etl-bench-click-'));
  // Run as root, the embedded cluster runs as postgres, which must be able to enter it.
  await chmod(scratch, 0o755);
  const pgCtx = { ...createContext(resolveConfig({ dataDir: options.dataDir ?? scratch })), log: silentLogger() };
  const chCtx = { ...createContext(resolveConfig({ dataDir: scratch })), log: silentLogger() };
  const pgDb = await openPg(pgCtx);
  try {
    if (options.dataDir === undefined) await seedYear(pgDb, options.products ?? 1000);
    const weeks = await weeksWithAggregates(pgDb);
    if (weeks.length === 0) throw new Error(`no aggregates in ${pgDb.target}: run \`sales-etl aggregate\` first`);
    const ch = await openClickHouse(chCtx);
    try {
      let started = performance.now();
      const result = await migrateClick({ ctx: chCtx, weeks, pg: pgDb, ch });
      const migrateSeconds = (performance.now() - started) / 1000;
      const rows = result.weeks.reduce((n, w) => n + w.rows, 0);

      started = performance.now();
      await migrateClick({ ctx: chCtx, weeks, pg: pgDb, ch, verifyOnly: true });
      const verifySeconds = (performance.now() - started) / 1000;

      // Baseline: the same rows, one COPY straight into one insert.
      await ch.client.command({ query: 'DROP TABLE IF EXISTS sales_etl.bench_baseline SYNC' });
      await ch.client.command({ query: 'CREATE TABLE sales_etl.bench_baseline AS sales_etl.sales_agg' });
      const client = await pgDb.pool.connect();
      started = performance.now();
      try {
        const csv = client.query(
          copyTo(`COPY (SELECT to_char(week_start, 'YYYY-MM-DD'), region, product_id,
                    sales_count, quantity_sum, amount_sum,
                    avg_sale_amount, revenue_rank, revenue_share, region_revenue_ytd,
                    to_char(aggregated_at AT TIME ZONE 'Europe/Moscow', 'YYYY-MM-DD HH24:MI:SS.US'),
                    '2024-01-01 00:00:00', '2024-01-01' FROM sales_agg) TO STDOUT WITH (FORMAT csv)`),
        );
        await ch.client.insert({ table: 'sales_etl.bench_baseline', values: csv, format: 'CSV' });
      } finally {
        client.release();
      }
      const baselineSeconds = (performance.now() - started) / 1000;
      await ch.client.command({ query: 'DROP TABLE sales_etl.bench_baseline SYNC' });
      return {
        weeks: weeks.length,
        rows,
        migrateSeconds,
        migrateRowsPerSecond: Math.round(rows / migrateSeconds),
        verifySeconds,
        baselineSeconds,
        baselineRowsPerSecond: Math.round(rows / baselineSeconds),
        ratio: migrateSeconds / baselineSeconds,
        peakRssMiB: peakRssMiB(),
        target: ch.target,
      };
    } finally {
      await ch.close();
    }
  } finally {
    await pgDb.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

async function weeksWithAggregates(pgDb: PgDatabase): Promise<Week[]> {
  const { rows } = await pgDb.pool.query<{ week_start: string }>(
    'SELECT DISTINCT week_start FROM sales_agg ORDER BY 1',
  );
  return rows.map((r) => weekOfDate(r.week_start));
}

/** 52 weeks × 4 regions × `products` rows of plausible aggregates, made by PostgreSQL itself. */
async function seedYear(pgDb: PgDatabase, products: number): Promise<void> {
  const first = parseWeek('2024-W01');
  await pgDb.pool.query(
    `INSERT INTO sales_agg (week_start, region, product_id, sales_count, quantity_sum, amount_sum, avg_sale_amount,
                            revenue_rank, revenue_share, region_revenue_ytd)
     SELECT w, region, p, c, c * 3, a, round(a / c, 2),
            row_number() OVER (PARTITION BY w, region ORDER BY a DESC, p),
            round(a / sum(a) OVER (PARTITION BY w, region), 6),
            sum(a) OVER (PARTITION BY region ORDER BY w RANGE UNBOUNDED PRECEDING)
     FROM generate_series($1::date, $2::date, interval '7 days') AS g(w),
          unnest(ARRAY['North','South','East','West']) AS r(region),
          generate_series(1, $3::int) AS p,
          LATERAL (SELECT 1 + (p * 7 + extract(doy FROM w)::int) % 9 AS c,
                          ((p * 7919 + extract(doy FROM w)::int * 104729) % 9999999 + 1)::numeric / 100 AS a) AS x
     ON CONFLICT DO NOTHING`,
    [first.start, addWeeks(first, 51).start, products],
  );
}

async function main(args: string[]): Promise<void> {
  const r = await benchMigrateClick({ dataDir: args[0] });
  const f = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 2 });
  process.stdout.write(
    [
      `migrate-click: ${r.weeks} weeks, ${f(r.rows)} rows into ${r.target}`,
      `  migrate-click  ${f(r.migrateSeconds)} s  (${f(r.migrateRowsPerSecond)} rows/s)`,
      `  verify-only    ${f(r.verifySeconds)} s`,
      `  baseline       ${f(r.baselineSeconds)} s  (${f(r.baselineRowsPerSecond)} rows/s: one COPY into one insert)`,
      `  ratio          ${f(r.ratio)}× the baseline; peak RSS ${r.peakRssMiB} MiB`,
      '',
    ].join('\n'),
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv.slice(2));
}
