import type { Week } from '../lib/core/calendar.js';
import type { ClickHouseDatabase } from '../lib/clickhouse/database.js';
import type { Context } from '../lib/core/config.js';
import { StageError } from '../lib/core/errors.js';
import { interrupted } from '../lib/core/interrupt.js';
import { failureOf, notified, notifyFailure, type NotifyOutcome } from '../lib/ops/notify.js';
import type { PgDatabase } from '../lib/pg/database.js';
import { planPeriod, readPlan } from '../lib/core/plan.js';
import { formatDuration, ProgressBar, quietLogger } from '../lib/ui/progress.js';
import { formatTable } from '../lib/ui/table.js';
import { Connections } from '../lib/pipeline/connections.js';
import {
  chainError,
  finishChain,
  newChain,
  runStages,
  STAGES,
  stageRowsLine,
  type Chain,
  type ChainFailure,
  type ChainOptions,
  type RunWeekResult,
  type StageFunctions,
  type StageName,
} from './run-week.js';

/** Options of `backfill`; the plan flags apply only when the plan is created. */
export interface BackfillOptions {
  ctx: Context;
  /** Weeks to run, in order; undefined means the plan's whole period (the plan is created when missing). */
  weeks?: Week[] | undefined;
  /** Run the remaining weeks after a failure (default: stop at the first). */
  keepGoing?: boolean | undefined;
  skipGenerate?: boolean | undefined;
  maxRejectRate?: number | undefined;
  seed?: number | undefined;
  total?: number | undefined;
  startWeek?: Week | undefined;
  periodWeeks?: number | undefined;
  simulateOutage?: boolean | undefined;
  pg?: PgDatabase | undefined;
  ch?: ClickHouseDatabase | undefined;
  /** Send a failure notification (default true). */
  notify?: boolean | undefined;
  stages?: StageFunctions | undefined;
}

/** What `backfill` did. */
export interface BackfillResult {
  ok: boolean;
  weeks: RunWeekResult[];
  /** Weeks not run because an earlier one failed (without --keep-going). */
  notRun: string[];
  /** Rows per stage over all weeks. */
  totals: Record<(typeof STAGES)[number], number>;
  warnings: number;
  failed: number;
  seconds: number;
  /** On failure: each notifier's answer, and whether any took it. */
  notifications?: NotifyOutcome[];
  notified?: boolean;
}

/**
 * run-week for every week in order, on one PostgreSQL and one ClickHouse for
 * the whole run: a progress bar on a terminal, a plain line per week
 * otherwise. Stops at the first failing week unless `keepGoing` (at a stop signal
 * always); a failure is notified once and thrown with the summary as its result.
 */
export async function backfill(opts: BackfillOptions): Promise<BackfillResult> {
  const { ctx } = opts;
  const fns = opts.stages;
  const weeks = opts.weeks ?? (await planWeeks(opts));
  if (weeks.length === 0) throw new StageError('backfill: no weeks to run');
  const log = ctx.log;
  const bar = log.interactive ? new ProgressBar(log, ctx.config.verbose) : undefined;
  const stageCtx: Context = { config: ctx.config, log: bar ? bar.log : quietLogger(log) };
  const connections = new Connections(stageCtx, { pg: opts.pg, ch: opts.ch });
  const started = performance.now();
  const results: Array<RunWeekResult & { failure?: unknown }> = [];
  let rows = 0;
  log.info(`backfill ${weeks[0]!.id} to ${weeks.at(-1)!.id}: ${weeks.length} weeks`);
  let firstWeekMs: number | undefined;
  const progress = (current: string) =>
    bar?.update({
      done: results.length,
      total: weeks.length,
      rows,
      elapsedMs: performance.now() - started,
      firstWeekMs,
      current,
    });
  // Set when a week fails (without --keep-going, or by a stop signal) or the run ends: no week starts another group.
  const halt = { on: false, onFailure: !opts.keepGoing };
  const chains: Array<Promise<Chain | undefined>> = [];
  try {
    if (!fns) connections.warmPg();
    const done: Promise<void>[][] = [];
    for (const week of weeks) {
      chains.push(
        pipelined(done, halt, {
          onStage: (stage) => progress(`${week.id} ${stage}`),
          ctx: stageCtx,
          week,
          skipGenerate: opts.skipGenerate,
          maxRejectRate: opts.maxRejectRate,
          connections,
          stages: fns,
        }),
      );
    }
    for (const [i, week] of weeks.entries()) {
      progress(week.id);
      const chain = await chains[i]!;
      if (!chain) break;
      const result = await finishChain(chain);
      results.push(result);
      firstWeekMs ??= performance.now() - started;
      rows += result.stages.find((s) => s.stage === 'clean')?.rows ?? 0;
      // An interruption is said once, by the top level.
      if (!result.signal && !bar) {
        const line = `${week.id} ${result.ok ? 'ok' : `FAILED at ${result.failedStage}`} in ${result.seconds.toFixed(1)}s: ${stageRowsLine(result)}`;
        if (result.ok) log.info(line);
        else log.error(`${line}: ${result.error}`);
      } else if (!result.signal && !result.ok) {
        bar?.log.error(`${week.id}: ${result.failedStage} failed: ${result.error}`);
      }
      if (!result.ok && (!opts.keepGoing || result.signal)) break;
    }
  } finally {
    halt.on = true;
    // Later weeks that had begun when a week failed: what they did stays done (every stage is re-runnable).
    for (const chain of (await Promise.all(chains)).slice(results.length)) {
      const ran = chain?.runs.filter((r) => r.status === 'ok').map((r) => r.stage) ?? [];
      if (chain && ran.length > 0) {
        (bar?.log ?? log).info(`${chain.opts.week.id}: not finished; ${ran.join(', ')} had already run for it`);
      }
    }
    bar?.done();
    await connections.close();
  }

  const done = results.map(({ failure: _f, ...r }) => r);
  const failedRuns = results.filter((r) => !r.ok);
  const totals = Object.fromEntries(STAGES.map((s) => [s, 0])) as BackfillResult['totals'];
  for (const r of done) for (const s of r.stages) if (s.status === 'ok') totals[s.stage] += s.rows;
  const summary: BackfillResult = {
    ok: failedRuns.length === 0,
    weeks: done,
    notRun: weeks.slice(done.length).map((w) => w.id),
    totals,
    warnings: done.reduce((n, r) => n + r.warnings.length, 0),
    failed: failedRuns.length,
    seconds: Math.round((performance.now() - started) / 10) / 100,
  };
  const first = failedRuns[0];
  if (first?.failure) {
    const failure = first.failure as ChainFailure;
    const failedWeeks = failedRuns.map((r) => r.week);
    if (opts.notify ?? true) {
      const note = failureOf(failedWeeks, failure.stage, failure.error);
      if (failedRuns.length > 1) note.error += ` (and ${failedRuns.length - 1} more failed weeks)`;
      summary.notifications = await notifyFailure(note, log);
    }
    summary.notified = notified(summary.notifications ?? []);
    // The top level prints the table (or the JSON) from the error's result, as on success.
    const error = chainError('backfill', first.week, failure, summary);
    if (failedRuns.length > 1) error.message += ` (${failedRuns.length} weeks failed: ${failedWeeks.join(', ')})`;
    throw error;
  }
  return summary;
}

/**
 * The stages in the groups backfill overlaps across weeks: while PostgreSQL
 * takes week i (load-pg and aggregate, in the server's own processes), the
 * week before is published to ClickHouse (its engine's threads) and the week
 * after is generated and cleaned (this process's own thread).
 */
const PHASES: readonly (readonly StageName[])[] = [['generate', 'clean'], ['load-pg', 'aggregate'], ['migrate-click']];

/**
 * One week's chain in groups of stages. Group p of week i starts once group
 * p-1 of week i, group p of week i-1, and group p+1 of week i-2 are done: one
 * week per group at a time, in week order, and never more than two weeks
 * ahead of the last one published. `done` holds each earlier week's groups;
 * this week's are appended. Once a week fails (with `halt.onFailure`) no week
 * starts another group: the ones after it stop where they are (undefined if
 * they had not begun).
 */
async function pipelined(
  done: Promise<void>[][],
  halt: { on: boolean; onFailure: boolean },
  opts: ChainOptions,
): Promise<Chain | undefined> {
  const i = done.length;
  const mine: Promise<void>[] = [];
  done.push(mine);
  let chain: Chain | undefined;
  for (const [p, stages] of PHASES.entries()) {
    const after = [mine[p - 1], done[i - 1]?.[p], done[i - 2]?.[p + 1]];
    mine.push(
      Promise.all(after).then(async () => {
        if (halt.on) return;
        if (p === 0) chain = newChain(opts);
        if (!chain) return;
        // After a stop signal the next stage refuses to start: the chain fails there, and halts the rest.
        await runStages(chain, stages);
        if (chain.failure && (halt.onFailure || interrupted())) halt.on = true;
      }),
    );
  }
  await mine.at(-1);
  return chain;
}

/** The plan's period, creating the plan (with the plan flags) when there is none. */
async function planWeeks(opts: BackfillOptions): Promise<Week[]> {
  const layout = opts.ctx.config.layout;
  let plan = await readPlan(layout);
  if (!plan) {
    if (opts.skipGenerate) {
      throw new StageError(`backfill: no plan in ${layout.root}; run without --skip-generate or give --from/--to`, 'generate');
    }
    const generate = opts.stages?.generate ?? (await import('./generate.js')).generate;
    try {
      plan = (
        await generate({
          ctx: opts.ctx,
          weeks: [],
          seed: opts.seed,
          total: opts.total,
          startWeek: opts.startWeek,
          periodWeeks: opts.periodWeeks,
          simulateOutage: opts.simulateOutage,
        })
      ).plan;
    } catch (error) {
      throw new StageError(`backfill: cannot create the plan in ${layout.root}`, 'generate', { cause: error });
    }
  }
  return planPeriod(plan);
}

/** The table's heading of each stage's column: `click` is what migrate-click published to ClickHouse. */
const STAGE_HEADS: Record<StageName, string> = {
  generate: 'generate',
  clean: 'clean',
  'load-pg': 'load-pg',
  aggregate: 'aggregate',
  'migrate-click': 'click',
};

/** A week's status cell: `ok`, `1 warn`, `FAILED`, `stopped` (a signal). */
function weekStatus(r: RunWeekResult): string {
  if (r.signal) return 'stopped';
  if (!r.ok) return 'FAILED';
  return r.warnings.length > 0 ? `${r.warnings.length} warn` : 'ok';
}

/**
 * The summary table: one line per week, rows per stage (the stage that failed says `failed`, or
 * `stopped` after a signal), the week's status and time, and a total line. A whole year fits 80 columns.
 */
export function backfillTable(result: BackfillResult): string {
  const head = ['week', ...STAGES.map((s) => STAGE_HEADS[s]), 'status', 'time'];
  const cell = (r: RunWeekResult, stage: (typeof STAGES)[number]) => {
    const s = r.stages.find((x) => x.stage === stage);
    if (!s) return '';
    if (s.status === 'failed' && r.signal) return 'stopped';
    return s.status === 'ok' ? s.rows.toLocaleString('en-US') : s.status;
  };
  const rows = result.weeks.map((r) => [
    r.week,
    ...STAGES.map((s) => cell(r, s)),
    weekStatus(r),
    `${r.seconds.toFixed(1)}s`,
  ]);
  for (const w of result.notRun) rows.push([w, ...STAGES.map(() => ''), 'not run', '']);
  const total = result.weeks.some((r) => r.signal)
    ? 'stopped'
    : result.failed
      ? `${result.failed} failed`
      : result.warnings
        ? `${result.warnings} warn`
        : 'ok';
  const sums = STAGES.map((s) => result.totals[s].toLocaleString('en-US'));
  rows.push(['total', ...sums, total, formatDuration(result.seconds * 1000)]);
  return formatTable(head, rows, [false, ...STAGES.map(() => true), false, true]);
}

/** The final one-line summary of a backfill. */
export function backfillLine(result: BackfillResult): string {
  return (
    `backfill: ${result.weeks.length} week${result.weeks.length === 1 ? '' : 's'} ` +
    `in ${formatDuration(result.seconds * 1000)}, ` +
    `${result.totals.clean.toLocaleString('en-US')} clean rows, ${result.totals['migrate-click'].toLocaleString('en-US')} ClickHouse rows, ` +
    `${result.warnings} warnings, ${result.failed} failed`
  );
}
