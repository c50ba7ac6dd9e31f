import { createReadStream } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseWeek } from '../lib/core/calendar.js';
import type { Context } from '../lib/core/config.js';
import { createContext } from '../lib/core/config.js';
import { StageError } from '../lib/core/errors.js';
import { Layout } from '../lib/files/layout.js';
import { REGIONS } from '../lib/core/regions.js';
import { withLock } from '../lib/files/lock.js';
import { quietLogger } from '../lib/ui/progress.js';
import { backfill } from './backfill.js';
import { Connections } from '../lib/pipeline/connections.js';
import { runChain } from './run-week.js';

/** Options of `smoke`. */
export interface SmokeOptions {
  ctx: Context;
  /** Valid sales in the small plan (default 6000). */
  total?: number | undefined;
  /** Weeks in the small plan (default 3). */
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

/** Rows and the exact amount sum (kopecks) of a week's clean files. */
async function cleanFigures(layout: Layout, week: string): Promise<{ rows: number; kopecks: bigint }> {
  let rows = 0;
  let kopecks = 0n;
  for (const region of REGIONS) {
    const lines = createInterface({ input: createReadStream(layout.clean(week, region)).on('error', () => undefined) });
    let header = true;
    try {
      for await (const line of lines) {
        if (header || line === '') {
          header = false;
          continue;
        }
        const amount = line.split(',')[5] ?? '0';
        kopecks += BigInt(amount.replace('.', ''));
        rows++;
      }
    } catch {
      // a region without a clean file (an outage) adds nothing
    }
  }
  return { rows, kopecks };
}

const money = (kopecks: bigint) => `${kopecks / 100n}.${String(kopecks % 100n).padStart(2, '0')}`;

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
  const parent = opts.ctx;
  const ctx = createContext({ ...parent.config, dataDir, layout: new Layout(dataDir), pgUrl: undefined, clickhouseUrl: undefined });
  const log = parent.log;
  const checks: SmokeCheck[] = [];
  const check = (week: string, what: string, expected: string | number, actual: string | number) => {
    const ok = String(expected) === String(actual);
    checks.push({ week, what, expected: String(expected), actual: String(actual), ok });
    if (!ok) log.error(`smoke ${week}: ${what}: expected ${expected}, got ${actual}`);
  };
  log.info(`smoke: a ${opts.weeks ?? 3}-week plan of ${(opts.total ?? 6000).toLocaleString('en-US')} sales in ${dataDir}`);
  const connections = new Connections({ config: ctx.config, log: ctx.log });
  let weeks: string[] = [];
  try {
    await withLock(ctx, 'smoke', async () => {
      const pg = await connections.pg();
      const ch = await connections.ch();
      const run = await backfill({
        ctx: { config: ctx.config, log },
        total: opts.total ?? 6000,
        periodWeeks: opts.weeks ?? 3,
        seed: 1,
        pg,
        ch,
        notify: false,
      });
      weeks = run.weeks.map((w) => w.week);
      const checksums = new Map<string, string>();
      for (const result of run.weeks) {
        const week = parseWeek(result.week);
        const rows = (stage: string) => result.stages.find((s) => s.stage === stage)?.rows ?? -1;
        const file = await cleanFigures(ctx.config.layout, week.id);
        const generated = result.stages.find((s) => s.stage === 'generate')?.validSales;
        check(week.id, 'clean rows = generated valid sales', generated ?? 'a count from generate', rows('clean'));
        check(week.id, 'clean rows = clean files', rows('clean'), file.rows);
        const pgFigures = await pg.pool.query<{ rows: string; amount: string; agg_count: string; agg_amount: string; agg_rows: string }>(
          `SELECT (SELECT count(*) FROM sales WHERE sale_date BETWEEN $1 AND $2)::text AS rows,
                  (SELECT coalesce(sum(sale_amount), 0) FROM sales WHERE sale_date BETWEEN $1 AND $2)::text AS amount,
                  (SELECT coalesce(sum(sales_count), 0) FROM sales_agg WHERE week_start = $1)::text AS agg_count,
                  (SELECT coalesce(sum(amount_sum), 0) FROM sales_agg WHERE week_start = $1)::text AS agg_amount,
                  (SELECT count(*) FROM sales_agg WHERE week_start = $1)::text AS agg_rows`,
          [week.start, week.end],
        );
        const p = pgFigures.rows[0]!;
        check(week.id, 'PostgreSQL sales rows = clean rows', file.rows, p.rows);
        check(week.id, 'PostgreSQL sales amount = clean amount', money(file.kopecks), Number(p.amount).toFixed(2));
        check(week.id, 'sales_agg sales_count sum = sales rows', p.rows, p.agg_count);
        check(week.id, 'sales_agg amount_sum sum = sales amount', Number(p.amount).toFixed(2), Number(p.agg_amount).toFixed(2));
        const chFigures = await ch.client.query({
          query: `SELECT toString(count()) AS rows, toString(sum(amount_sum)) AS amount, toString(sum(sales_count)) AS sales
                  FROM sales_etl.sales_agg WHERE week_start = {week:Date}`,
          query_params: { week: week.start },
          format: 'JSONEachRow',
        });
        const c = (await chFigures.json<{ rows: string; amount: string; sales: string }>())[0]!;
        check(week.id, 'ClickHouse rows = sales_agg rows', p.agg_rows, c.rows);
        check(week.id, 'ClickHouse sales = PostgreSQL sales', p.rows, c.sales);
        check(week.id, 'ClickHouse amount = PostgreSQL amount', Number(p.amount).toFixed(2), Number(c.amount).toFixed(2));
        checksums.set(week.id, `${p.rows}/${p.amount}/${c.rows}/${c.amount}`);
      }
      // A second run of the last week must leave the same figures behind.
      const last = parseWeek(weeks.at(-1)!);
      const again = await runChain({ ctx: { config: ctx.config, log: quietLogger(log) }, week: last, connections });
      check(last.id, 'second run-week succeeds', 'ok', again.ok ? 'ok' : `${again.failedStage}: ${again.error}`);
      const p = (
        await pg.pool.query<{ rows: string; amount: string }>(
          `SELECT count(*)::text AS rows, coalesce(sum(sale_amount), 0)::text AS amount FROM sales WHERE sale_date BETWEEN $1 AND $2`,
          [last.start, last.end],
        )
      ).rows[0]!;
      const c = (
        await (
          await ch.client.query({
            query: `SELECT toString(count()) AS rows, toString(sum(amount_sum)) AS amount FROM sales_etl.sales_agg WHERE week_start = {week:Date}`,
            query_params: { week: last.start },
            format: 'JSONEachRow',
          })
        ).json<{ rows: string; amount: string }>()
      )[0]!;
      check(last.id, 'a second run changes nothing', checksums.get(last.id) ?? '', `${p.rows}/${p.amount}/${c.rows}/${c.amount}`);
    });
  } finally {
    await connections.close();
    if (!opts.keep) await rm(dataDir, { recursive: true, force: true });
  }
  const failed = checks.filter((c) => !c.ok);
  const result: SmokeResult = {
    ok: failed.length === 0,
    dataDir,
    weeks,
    checks,
    seconds: Math.round((performance.now() - started) / 10) / 100,
  };
  if (failed.length > 0) {
    throw new StageError(`smoke: ${failed.length} of ${checks.length} checks failed; first: ${failed[0]!.week} ${failed[0]!.what}: expected ${failed[0]!.expected}, got ${failed[0]!.actual}`, 'smoke');
  }
  return result;
}
