import { createReadStream } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseWeek, type Week } from '../lib/core/calendar.js';
import { createContext, SMOKE_DEFAULTS, type Context } from '../lib/core/config.js';
import { StageError } from '../lib/core/errors.js';
import { fromKopecks, toKopecks, twoDecimals } from '../lib/core/money.js';
import { REGIONS } from '../lib/core/regions.js';
import { clickHouseStatement } from '../lib/clickhouse/sql.js';
import type { ClickHouseDatabase } from '../lib/clickhouse/database.js';
import { Layout } from '../lib/files/layout.js';
import { withLock } from '../lib/files/lock.js';
import type { PgDatabase } from '../lib/pg/database.js';
import { pgSql, runSql } from '../lib/pg/sql.js';
import type { Logger } from '../lib/ui/logger.js';
import { quietLogger } from '../lib/ui/progress.js';
import { backfill } from './backfill.js';
import { Connections } from '../lib/pipeline/connections.js';
import { runChain, type RunWeekResult } from './run-week.js';

/** Options of `smoke`. */
export interface SmokeOptions {
  ctx: Context;
  /** Valid sales in the small plan (default SMOKE_DEFAULTS.total). */
  total?: number | undefined;
  /** Weeks in the small plan (default SMOKE_DEFAULTS.weeks). */
  weeks?: number | undefined;
  /** Keep the temporary data directory (default: removed). */
  keep?: boolean | undefined;
}

/** One check of the smoke run. */
export interface SmokeCheck {
  week: string;
  what: string;
  expected: string;
  actual: string;
  ok: boolean;
}

/** What `smoke` found. */
export interface SmokeResult {
  ok: boolean;
  dataDir: string;
  weeks: string[];
  checks: SmokeCheck[];
  seconds: number;
}

/** The checks made so far; a failed one is logged as it is made. */
export class Checks {
  readonly all: SmokeCheck[] = [];
  constructor(private readonly log: Logger) {}

  check(week: string, what: string, expected: string | number, actual: string | number): void {
    const ok = String(expected) === String(actual);
    this.all.push({ week, what, expected: String(expected), actual: String(actual), ok });
    if (!ok) this.log.error(`smoke ${week}: ${what}: expected ${expected}, got ${actual}`);
  }
}

/** Rows and the exact amount sum of a week's clean files, read back from the files themselves. */
async function cleanFigures(layout: Layout, week: string): Promise<{ rows: number; amount: string }> {
  let rows = 0;
  let kopecks = 0n;
  for (const region of REGIONS) {
    const input = createReadStream(layout.clean(week, region)).on('error', () => undefined);
    const lines = createInterface({ input });
    let header = true;
    try {
      for await (const line of lines) {
        if (header || line === '') {
          header = false;
          continue;
        }
        kopecks += toKopecks(line.split(',')[5] ?? '0');
        rows++;
      }
    } catch {
      // a region without a clean file (an outage) adds nothing
    }
  }
  return { rows, amount: fromKopecks(kopecks) };
}

/** A week's figures in PostgreSQL and ClickHouse, by the stages' own queries; sums as the databases spell them. */
export interface SmokeFigures {
  sales: { rows: string; amount: string };
  agg: { rows: string; amountSum: string; salesCount: string };
  clickhouse: { rows: string; amountSum: string; salesCount: string };
}

/** `sales` and `sales_agg` of a week, by smoke-week-sales.sql and migrate-click-figures.sql. */
async function pgFigures(db: PgDatabase, week: Week): Promise<Omit<SmokeFigures, 'clickhouse'>> {
  const client = await db.pool.connect();
  try {
    type Sales = { sales_count: string; amount_sum: string };
    const sales = (await runSql<Sales>(client, await pgSql('smoke-week-sales.sql'), [week.start])).rows[0]!;
    type Agg = { rows: string; amount_sum: string; sales_count: string };
    const agg = (await runSql<Agg>(client, await pgSql('migrate-click-figures.sql'), [week.start, week.start])).rows;
    const a = agg[0] ?? { rows: '0', amount_sum: '0', sales_count: '0' };
    return {
      sales: { rows: sales.sales_count, amount: sales.amount_sum },
      agg: { rows: a.rows, amountSum: a.amount_sum, salesCount: a.sales_count },
    };
  } finally {
    client.release();
  }
}

/** ClickHouse's sales_agg of a week, by migrate-click's reconciliation query (week-figures.sql). */
async function chFigures(ch: ClickHouseDatabase, week: Week): Promise<SmokeFigures['clickhouse']> {
  const result = await ch.client.query({
    query: await clickHouseStatement('week-figures.sql'),
    query_params: { weeks: [week.start] },
    format: 'JSONEachRow',
  });
  const row = (await result.json<{ rows: string; amount_sum: string; sales_count: string }>())[0];
  return { rows: row?.rows ?? '0', amountSum: row?.amount_sum ?? '0', salesCount: row?.sales_count ?? '0' };
}

async function weekFigures(db: PgDatabase, ch: ClickHouseDatabase, week: Week): Promise<SmokeFigures> {
  return { ...(await pgFigures(db, week)), clickhouse: await chFigures(ch, week) };
}

/** What must stay the same when the week is run again. */
const fingerprint = ({ sales, clickhouse }: SmokeFigures) =>
  `${sales.rows}/${sales.amount}/${clickhouse.rows}/${clickhouse.amountSum}`;

/** Check that one week's counts and sums agree from stage to stage. */
export async function checkWeek(checks: Checks, layout: Layout, f: SmokeFigures, result: RunWeekResult): Promise<void> {
  const week = result.week;
  const stage = (name: string) => result.stages.find((s) => s.stage === name);
  const file = await cleanFigures(layout, week);
  const cleanRows = stage('clean')?.rows ?? -1;
  const generated = stage('generate')?.validSales ?? 'a count from generate';
  checks.check(week, 'clean rows = generated valid sales', generated, cleanRows);
  checks.check(week, 'clean rows = clean files', cleanRows, file.rows);
  checks.check(week, 'PostgreSQL sales rows = clean rows', file.rows, f.sales.rows);
  checks.check(week, 'PostgreSQL sales amount = clean amount', file.amount, twoDecimals(f.sales.amount));
  checks.check(week, 'sales_agg sales_count sum = sales rows', f.sales.rows, f.agg.salesCount);
  const amount = twoDecimals(f.sales.amount);
  checks.check(week, 'sales_agg amount_sum sum = sales amount', amount, twoDecimals(f.agg.amountSum));
  checks.check(week, 'ClickHouse rows = sales_agg rows', f.agg.rows, f.clickhouse.rows);
  checks.check(week, 'ClickHouse sales = PostgreSQL sales', f.sales.rows, f.clickhouse.salesCount);
  checks.check(week, 'ClickHouse amount = PostgreSQL amount', amount, twoDecimals(f.clickhouse.amountSum));
}

/** The plan through backfill, every week checked, then the last week run again: it must change nothing. */
async function smokeRun(ctx: Context, opts: SmokeOptions, checks: Checks, connections: Connections): Promise<string[]> {
  const [pg, ch] = [await connections.pg(), await connections.ch()];
  const plan = { total: opts.total ?? SMOKE_DEFAULTS.total, periodWeeks: opts.weeks ?? SMOKE_DEFAULTS.weeks };
  const run = await backfill({ ctx, ...plan, seed: 1, pg, ch, notify: false });
  const fingerprints = new Map<string, string>();
  for (const result of run.weeks) {
    const figures = await weekFigures(pg, ch, parseWeek(result.week));
    await checkWeek(checks, ctx.config.layout, figures, result);
    fingerprints.set(result.week, fingerprint(figures));
  }
  const last = parseWeek(run.weeks.at(-1)!.week);
  const again = await runChain({ ctx: { config: ctx.config, log: quietLogger(ctx.log) }, week: last, connections });
  checks.check(last.id, 'second run-week succeeds', 'ok', again.ok ? 'ok' : `${again.failedStage}: ${again.error}`);
  const after = fingerprint(await weekFigures(pg, ch, last));
  checks.check(last.id, 'a second run changes nothing', fingerprints.get(last.id) ?? '', after);
  return run.weeks.map((w) => w.week);
}

/**
 * Every stage on a small plan in a temporary data directory with the embedded
 * databases (never the servers of DATABASE_URL / CLICKHOUSE_URL: the smoke plan
 * would replace their weeks and dimensions), then check that the counts and
 * sums agree from stage to stage and that a second run changes nothing.
 */
export async function smoke(opts: SmokeOptions): Promise<SmokeResult> {
  const started = performance.now();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sales-etl-smoke-'));
  // mkdtemp makes it private; the embedded PostgreSQL may run as another user (root runs it as postgres).
  await chmod(dataDir, 0o711);
  const { config, log } = opts.ctx;
  const layout = new Layout(dataDir);
  // Its own context (and logger) for the lock and the connections; the stages log to the caller's.
  const own = createContext({ ...config, dataDir, layout, pgUrl: undefined, clickhouseUrl: undefined });
  const ctx = { config: own.config, log };
  const checks = new Checks(log);
  const total = (opts.total ?? SMOKE_DEFAULTS.total).toLocaleString('en-US');
  log.info(`smoke: a ${opts.weeks ?? SMOKE_DEFAULTS.weeks}-week plan of ${total} sales in ${dataDir}`);
  const connections = new Connections({ config: own.config, log: own.log });
  let weeks: string[] = [];
  try {
    weeks = await withLock(own, 'smoke', () => smokeRun(ctx, opts, checks, connections));
  } finally {
    await connections.close();
    if (!opts.keep) await rm(dataDir, { recursive: true, force: true });
  }
  const seconds = Math.round((performance.now() - started) / 10) / 100;
  const failed = checks.all.filter((c) => !c.ok);
  const first = failed[0];
  if (first) {
    throw new StageError(
      `smoke: ${failed.length} of ${checks.all.length} checks failed; ` +
        `first: ${first.week} ${first.what}: expected ${first.expected}, got ${first.actual}`,
      'smoke',
    );
  }
  return { ok: true, dataDir, weeks, checks: checks.all, seconds };
}
