import { describeWeeks, previousWeek, type Week } from '../lib/core/calendar.js';
import type { ClickHouseDatabase } from '../lib/clickhouse/database.js';
import type { Context } from '../lib/core/config.js';
import { describeError, StageError, UsageError } from '../lib/core/errors.js';
import { during, interrupted, InterruptedError, type StopSignal } from '../lib/core/interrupt.js';
import { failureOf, notified, notifyFailure, type NotifyOutcome } from '../lib/ops/notify.js';
import { recordRunApart, type PgDatabase } from '../lib/pg/database.js';
import { Connections } from '../lib/pipeline/connections.js';
import type { Slot } from '../lib/pipeline/weeks.js';
import { aggregate } from './aggregate.js';
import { clean } from './clean.js';
import { generate } from './generate.js';
import { loadPg } from './load-pg.js';
import { migrateClick } from './migrate-click.js';

/** The five stages, in the order run-week chains them. */
export const STAGES = ['generate', 'clean', 'load-pg', 'aggregate', 'migrate-click'] as const;
export type StageName = (typeof STAGES)[number];

/** The stage functions run-week calls (replaceable in tests). */
export interface StageFunctions {
  generate: typeof generate;
  clean: typeof clean;
  loadPg: typeof loadPg;
  aggregate: typeof aggregate;
  migrateClick: typeof migrateClick;
}

const REAL_STAGES: StageFunctions = { generate, clean, loadPg, aggregate, migrateClick };

/** What a chain of the stages takes, for one week (`run-week`) or many (`backfill`). */
export interface StagesOptions {
  ctx: Context;
  /** Leave the raw files as they are (they must exist). */
  skipGenerate?: boolean | undefined;
  /** Passed to clean. */
  maxRejectRate?: number | undefined;
  /** Databases to use and leave open (default: opened for the run, closed after). */
  pg?: PgDatabase | undefined;
  ch?: ClickHouseDatabase | undefined;
  /** Send a failure notification (default true). */
  notify?: boolean | undefined;
  /** The stage functions (tests replace them). */
  stages?: StageFunctions | undefined;
}

/** Options of `run-week`. */
export interface RunWeekOptions extends StagesOptions {
  /** The week to run; default the previous complete week in Moscow time. */
  week?: Week | undefined;
}

/** One stage of one week. */
export interface StageRun {
  stage: StageName;
  status: 'ok' | 'failed' | 'skipped' | 'not run';
  /** Rows the stage wrote: raw rows, clean rows, sales, sales_agg rows, ClickHouse rows. */
  rows: number;
  seconds: number;
  error?: string;
  /** generate only: the valid unique sales it made (what clean should write). */
  validSales?: number;
}

/** What one week's chain did. */
export interface RunWeekResult {
  week: string;
  ok: boolean;
  stages: StageRun[];
  warnings: string[];
  /** The first stage that failed. */
  failedStage?: StageName;
  error?: string;
  /** When that failure was a stop signal, e.g. `SIGTERM`. */
  signal?: StopSignal;
  seconds: number;
  /** On failure: each notifier's answer, and whether any took it. */
  notifications?: NotifyOutcome[];
  notified?: boolean;
}

/** Options of one week's chain inside run-week or backfill. */
export interface ChainOptions {
  ctx: Context;
  week: Week;
  skipGenerate?: boolean | undefined;
  maxRejectRate?: number | undefined;
  connections: Connections;
  stages?: StageFunctions | undefined;
  /** Called as each stage starts (for a progress bar). */
  onStage?: ((stage: StageName) => void) | undefined;
}

/** The failure of a chain, kept whole so the top level can name the stage and exit with the right code. */
export interface ChainFailure {
  stage: StageName;
  error: unknown;
}

const seconds = (since: number) => Math.round((performance.now() - since) / 10) / 100;
const sum = <T>(items: T[], f: (item: T) => number) => items.reduce((n, item) => n + f(item), 0);

/** A week's chain in progress: `newChain`, then `runStages` (in stage order), then `finishChain`. */
export interface Chain {
  readonly opts: ChainOptions;
  readonly runs: StageRun[];
  readonly warnings: string[];
  readonly started: number;
  readonly startedAt: Date;
  failure?: ChainFailure | undefined;
}

/**
 * Run the five stages for one week, stopping at the first that fails. Never
 * throws for a stage's failure: the result says which stage failed and why,
 * and `failure` keeps the error itself.
 */
export async function runChain(opts: ChainOptions): Promise<RunWeekResult & { failure?: ChainFailure }> {
  const chain = newChain(opts);
  await runStages(chain, STAGES);
  return finishChain(chain);
}

/** A chain with no stage run yet. */
export function newChain(opts: ChainOptions): Chain {
  return {
    opts,
    runs: STAGES.map((stage) => ({ stage, status: 'not run', rows: 0, seconds: 0 })),
    warnings: [],
    started: performance.now(),
    startedAt: new Date(),
  };
}

/** The chain's result, once its stages have run (or one failed): its warnings logged, its etl_runs row written. */
export async function finishChain(chain: Chain): Promise<RunWeekResult & { failure?: ChainFailure }> {
  const { opts, runs, warnings } = chain;
  const { ctx, week, connections } = opts;
  for (const w of warnings) ctx.log.warn(w);

  const result: RunWeekResult & { failure?: ChainFailure } = {
    week: week.id,
    ok: chain.failure === undefined,
    stages: runs,
    warnings,
    seconds: seconds(chain.started),
  };
  if (chain.failure) {
    result.failedStage = chain.failure.stage;
    result.error = describeError(chain.failure.error);
    if (chain.failure.error instanceof InterruptedError) result.signal = chain.failure.error.signal;
    result.failure = chain.failure;
  }
  await recordChain(ctx, connections, result, chain.startedAt);
  return result;
}

/** What `runStages` says when load-pg rolled its week back to be loaded again alone. */
export const AGAIN = Symbol('again');

/**
 * Run the given stages of a chain in order, unless an earlier one failed.
 * backfill runs a week's stages in groups, overlapping with other weeks; with
 * `slot`, load-pg loads the week beside another (load-pg's `slot`), and a week
 * it must load again alone ends the group early with `AGAIN`, its stage not run.
 */
export async function runStages(
  chain: Chain,
  names: readonly StageName[],
  slot?: Slot,
): Promise<typeof AGAIN | undefined> {
  const { opts, runs } = chain;
  const { ctx, week } = opts;
  const steps = stageSteps(chain, slot);
  for (const run of runs.filter((r) => names.includes(r.stage))) {
    if (chain.failure) break;
    if (run.stage === 'generate' && opts.skipGenerate) {
      run.status = 'skipped';
      continue;
    }
    const t = performance.now();
    opts.onStage?.(run.stage);
    try {
      const rows = await during(`${run.stage} of ${week.id}`, steps[run.stage]);
      if (rows === AGAIN) return AGAIN;
      run.rows = rows;
      run.status = 'ok';
      run.seconds = seconds(t);
      ctx.log.debug(`${week.id} ${run.stage}: ${run.rows.toLocaleString('en-US')} rows in ${run.seconds}s`);
    } catch (thrown) {
      // After a stop signal, whatever a stage throws (a rolled-back transaction, a refused start) is the interruption.
      const error = interrupted() ?? thrown;
      run.status = 'failed';
      run.seconds = seconds(t);
      run.error = describeError(error);
      chain.failure = { stage: run.stage, error };
    }
  }
  return undefined;
}

/**
 * migrate-click for several chains' consecutive weeks in one call (backfill: the weeks that are
 * loaded and aggregated by the time ClickHouse is free go together, so a publication's cost per
 * statement is paid once for them), each chain's stage recorded as `runStages` records it: the
 * weeks published are `ok` (the time split between them as they went in), the first that is not
 * has failed with the error, and the chains after it are left as they were, not run.
 */
export async function publishTogether(chains: readonly Chain[]): Promise<void> {
  const first = chains[0];
  if (!first || chains.some((c) => c.failure)) throw new Error('publishTogether: chains that failed already');
  const { ctx, connections } = first.opts;
  const fns = first.opts.stages ?? REAL_STAGES;
  const runOf = (chain: Chain) => chain.runs.find((r) => r.stage === 'migrate-click')!;
  const weeks = chains.map((c) => c.opts.week);
  let t = performance.now();
  const published = (rows: number, chain: Chain | undefined) => {
    if (!chain || runOf(chain).status === 'ok') return;
    Object.assign(runOf(chain), { status: 'ok', rows, seconds: seconds(t) });
    t = performance.now();
    ctx.log.debug(`${chain.opts.week.id} migrate-click: ${rows.toLocaleString('en-US')} rows`);
  };
  const byWeek = (id: string) => chains.find((c) => c.opts.week.id === id);
  first.opts.onStage?.('migrate-click');
  try {
    const result = await during(`migrate-click of ${describeWeeks(weeks)}`, async () =>
      fns.migrateClick({
        ctx,
        weeks,
        pg: await connections.pg(),
        ch: await connections.ch(),
        onWeek: (w) => published(w.rows, byWeek(w.week)),
      }),
    );
    for (const w of result.weeks) published(w.rows, byWeek(w.week));
  } catch (thrown) {
    const error = interrupted() ?? thrown;
    const failed = chains.find((c) => runOf(c).status !== 'ok');
    if (!failed) throw error;
    Object.assign(runOf(failed), { status: 'failed', seconds: seconds(t), error: describeError(error) });
    failed.failure = { stage: 'migrate-click', error };
  }
}

/** Each stage's call for the chain's week, returning the rows it wrote. */
function stageSteps(chain: Chain, slot?: Slot): Record<StageName, () => Promise<number | typeof AGAIN>> {
  const { opts, runs, warnings } = chain;
  const { ctx, week, connections } = opts;
  const fns = opts.stages ?? REAL_STAGES;
  const weeks = [week];
  return {
    generate: async () => {
      const r = await fns.generate({ ctx, weeks });
      runs[0]!.validSales = sum(r.weeks, (w) => w.validSales);
      return sum(r.weeks, (w) => sum(w.files, (f) => f.rows));
    },
    clean: async () => {
      const r = await fns.clean({ ctx, weeks, maxRejectRate: opts.maxRejectRate });
      for (const w of r.weeks) {
        if (w.missingRegions.length > 0) {
          warnings.push(
            `${w.week}: no raw file for ${w.missingRegions.join(', ')} (region missing; the week is loaded without it)`,
          );
        }
      }
      return sum(r.weeks, (w) => w.written);
    },
    'load-pg': async () => {
      const pg = connections.pg();
      if (!opts.stages) connections.warmCh();
      const loaded = await fns.loadPg({ ctx, weeks, pg: await pg, slot });
      return loaded.again ? AGAIN : sum(loaded.weeks, (w) => w.rows);
    },
    aggregate: async () => sum((await fns.aggregate({ ctx, weeks, pg: await connections.pg() })).weeks, (w) => w.rows),
    'migrate-click': async () =>
      sum(
        (await fns.migrateClick({ ctx, weeks, pg: await connections.pg(), ch: await connections.ch() })).weeks,
        (w) => w.rows,
      ),
  };
}

/** Record the chain in etl_runs when PostgreSQL is open; bookkeeping never fails the run. */
async function recordChain(
  ctx: Context,
  connections: Connections,
  result: RunWeekResult,
  startedAt: Date,
): Promise<void> {
  const db = await connections.openedPg();
  if (!db) return;
  const rows = (stage: StageName) => result.stages.find((s) => s.stage === stage)?.rows ?? 0;
  try {
    await recordRunApart(db, {
      stage: 'run-week',
      week: result.week,
      status: result.ok ? 'ok' : 'failed',
      rowsIn: rows('clean'),
      rowsOut: rows('migrate-click'),
      startedAt,
      message: result.ok ? result.warnings.join('; ') || null : `${result.failedStage}: ${result.error}`,
    });
  } catch (error) {
    ctx.log.warn(`could not record the run of ${result.week} in etl_runs: ${describeError(error)}`);
  }
}

/**
 * The error a failed chain is reported with (`run-week 2024-W20: load-pg failed`, or `backfill ...`): names
 * the command, the week and the stage, keeps the cause and its exit code, and carries what the command did.
 */
export function chainError(
  command: 'run-week' | 'backfill',
  week: string,
  failure: ChainFailure,
  result?: object,
): Error {
  const message = `${command} ${week}: ${failure.stage} failed`;
  return failure.error instanceof UsageError
    ? new UsageError(message, { cause: failure.error })
    : new StageError(message, failure.stage, { cause: failure.error, result });
}

/**
 * generate → clean → load-pg → aggregate → migrate-click for one week, on one
 * PostgreSQL and one ClickHouse connection, stopping at the first failure. A
 * failure (a stop signal too) is notified (Telegram, webhook) and thrown as a
 * StageError naming the stage, with the result so far; a missing region is only a warning.
 */
export async function runWeek(opts: RunWeekOptions): Promise<RunWeekResult> {
  const { ctx } = opts;
  const week = opts.week ?? previousWeek();
  const connections = new Connections(ctx, { pg: opts.pg, ch: opts.ch });
  let result: RunWeekResult & { failure?: ChainFailure };
  // The embedded PostgreSQL starts in processes of its own, and the embedded ClickHouse on a second
  // thread, while generate and clean run here.
  if (!opts.stages) {
    connections.warmPg();
    connections.warmChEngine();
  }
  try {
    ctx.log.info(`run-week ${week.id} (${week.start} to ${week.end})`);
    result = await runChain({
      ctx,
      week,
      skipGenerate: opts.skipGenerate,
      maxRejectRate: opts.maxRejectRate,
      connections,
      stages: opts.stages,
    });
  } finally {
    await connections.close();
  }
  const { failure, ...summary } = result;
  if (failure) {
    // An interruption is said once, by the top level.
    if (!(failure.error instanceof InterruptedError)) {
      ctx.log.error(`${week.id}: ${failure.stage} failed: ${summary.error}`);
    }
    if (opts.notify ?? true) {
      summary.notifications = await notifyFailure(failureOf([week.id], failure.stage, failure.error), ctx.log);
    }
    summary.notified = notified(summary.notifications ?? []);
    throw chainError('run-week', week.id, failure, summary);
  }
  return summary;
}

/** `generate 20,154 · clean 19,180 · load-pg 19,180 · aggregate 3,950 · migrate-click 3,950`. */
export function stageRowsLine(result: RunWeekResult): string {
  return result.stages
    .map((s) => `${s.stage} ${s.status === 'ok' ? s.rows.toLocaleString('en-US') : s.status}`)
    .join(' · ');
}
