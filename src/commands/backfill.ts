import { weeksApart, type Week } from '../lib/core/calendar.js';
import type { Context } from '../lib/core/config.js';
import { describeError, StageError } from '../lib/core/errors.js';
import { interrupted } from '../lib/core/interrupt.js';
import { failureOf, notified, notifyFailure, type NotifyOutcome } from '../lib/ops/notify.js';
import { deferred, runWeeks, type Slot, type StepOutcome, type WeeksRun } from '../lib/pipeline/weeks.js';
import { planPeriod, readPlan, type PlanFlags } from '../lib/core/plan.js';
import { formatDuration, ProgressBar, quietLogger } from '../lib/ui/progress.js';
import { formatTable } from '../lib/ui/table.js';
import { Connections } from '../lib/pipeline/connections.js';
import {
  chainError,
  finishChain,
  newChain,
  AGAIN,
  publishTogether,
  runStages,
  STAGES,
  stageRowsLine,
  type Chain,
  type ChainFailure,
  type ChainOptions,
  type StagesOptions,
  type RunWeekResult,
  type StageName,
} from './run-week.js';

/** Options of `backfill`; the plan flags apply only when the plan is created. */
export interface BackfillOptions extends StagesOptions, PlanFlags {
  /** Weeks to run, in order; undefined means the plan's whole period (the plan is created when missing). */
  weeks?: Week[] | undefined;
  /** Run the remaining weeks after a failure (default: stop at the first). */
  keepGoing?: boolean | undefined;
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
  const weeks = opts.weeks ?? (await planWeeks(opts));
  if (weeks.length === 0) throw new StageError('backfill: no weeks to run');
  const bar = ctx.log.interactive ? new ProgressBar(ctx.log, ctx.config.verbose) : undefined;
  const stageCtx: Context = { config: ctx.config, log: bar ? bar.log : quietLogger(ctx.log) };
  const connections = new Connections(stageCtx, { pg: opts.pg, ch: opts.ch });
  const progress = new Progress(weeks.length, bar);
  ctx.log.info(`backfill ${weeks[0]!.id} to ${weeks.at(-1)!.id}: ${weeks.length} weeks`);
  if (!opts.stages) connections.warmPg();
  const chainOpts = weeks.map((week) => ({
    onStage: (stage: StageName) => progress.show(`${week.id} ${stage}`),
    ctx: stageCtx,
    week,
    skipGenerate: opts.skipGenerate,
    maxRejectRate: opts.maxRejectRate,
    connections,
    stages: opts.stages,
  }));
  const overlap = overlapWeeks(chainOpts, !opts.keepGoing);
  const writing = writeOutWhenLoaded(overlap, connections, stageCtx);
  const results: Array<RunWeekResult & { failure?: unknown }> = [];
  try {
    await finishWeeks(ctx, overlap, progress, opts.keepGoing ?? false, results);
  } finally {
    // Later weeks that had begun when a week failed: what they did stays done (every stage is re-runnable).
    overlap.run.stop();
    await overlap.run.settled;
    for (const chain of overlap.chains.slice(results.length)) {
      const ran = chain?.runs.filter((r) => r.status === 'ok').map((r) => r.stage) ?? [];
      if (chain && ran.length > 0) {
        (bar?.log ?? ctx.log).info(`${chain.opts.week.id}: not finished; ${ran.join(', ')} had already run for it`);
      }
    }
    bar?.done();
    await writing.settled();
    await connections.close();
  }
  return summarize(opts, weeks, results, progress.seconds());
}

/**
 * Once every week is loaded and aggregated, the embedded PostgreSQL writes out what the loads dirtied
 * (`PgDatabase.writeOut`) while ClickHouse publishes the last weeks, instead of in its stop after them:
 * a second of writing off the end of the run. `settled` waits for it, before the databases close.
 */
function writeOutWhenLoaded(overlap: OverlappedWeeks, connections: Connections, ctx: Context) {
  let over = false;
  let written: Promise<void> = Promise.resolve();
  void overlap.allLoaded.then(async () => {
    const db = over ? undefined : await connections.openedPg();
    if (!db || over) return;
    written = db.writeOut().catch((error: unknown) => ctx.log.debug(`${db.target}: ${describeError(error)}`));
  });
  return {
    settled: () => {
      over = true;
      return written;
    },
  };
}

/** The progress bar's figures (on a terminal), kept as the weeks finish. */
class Progress {
  private readonly started = performance.now();
  private done = 0;
  private rows = 0;
  private firstWeekMs: number | undefined;

  constructor(
    private readonly total: number,
    private readonly bar: ProgressBar | undefined,
  ) {}

  show(current: string): void {
    const { done, total, rows, firstWeekMs } = this;
    this.bar?.update({ done, total, rows, elapsedMs: performance.now() - this.started, firstWeekMs, current });
  }

  finished(cleanRows: number): void {
    this.done++;
    this.rows += cleanRows;
    this.firstWeekMs ??= performance.now() - this.started;
  }

  seconds(): number {
    return Math.round((performance.now() - this.started) / 10) / 100;
  }
}

/**
 * Each week's chain finished in week order (its result appended to `results`), its line logged;
 * stops at a failure unless `keepGoing`.
 */
async function finishWeeks(
  ctx: Context,
  overlap: OverlappedWeeks,
  progress: Progress,
  keepGoing: boolean,
  results: Array<RunWeekResult & { failure?: unknown }>,
): Promise<void> {
  const bar = ctx.log.interactive;
  for (const [i, opts] of overlap.weeks.entries()) {
    const week = opts.week;
    progress.show(week.id);
    const chain = await overlap.chain(i);
    if (!chain) break;
    const result = await finishChain(chain);
    results.push(result);
    progress.finished(result.stages.find((s) => s.stage === 'clean')?.rows ?? 0);
    // An interruption is said once, by the top level.
    if (!result.signal && !bar) {
      const outcome = result.ok ? 'ok' : `FAILED at ${result.failedStage}`;
      const line = `${week.id} ${outcome} in ${result.seconds.toFixed(1)}s: ${stageRowsLine(result)}`;
      if (result.ok) ctx.log.info(line);
      else ctx.log.error(`${line}: ${result.error}`);
    } else if (!result.signal && !result.ok) {
      opts.ctx.log.error(`${week.id}: ${result.failedStage} failed: ${result.error}`);
    }
    if (!result.ok && (!keepGoing || result.signal)) break;
  }
}

/** The summary of the run; on a failure, notified once and thrown with the summary as its result. */
async function summarize(
  opts: BackfillOptions,
  weeks: Week[],
  results: Array<RunWeekResult & { failure?: unknown }>,
  seconds: number,
): Promise<BackfillResult> {
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
    seconds,
  };
  const first = failedRuns[0];
  if (!first?.failure) return summary;
  const failure = first.failure as ChainFailure;
  const failedWeeks = failedRuns.map((r) => r.week);
  if (opts.notify ?? true) {
    const note = failureOf(failedWeeks, failure.stage, failure.error);
    if (failedRuns.length > 1) note.error += ` (and ${failedRuns.length - 1} more failed weeks)`;
    summary.notifications = await notifyFailure(note, opts.ctx.log);
  }
  summary.notified = notified(summary.notifications ?? []);
  // The top level prints the table (or the JSON) from the error's result, as on success.
  const error = chainError('backfill', first.week, failure, summary);
  if (failedRuns.length > 1) error.message += ` (${failedRuns.length} weeks failed: ${failedWeeks.join(', ')})`;
  throw error;
}

/**
 * The stages in the groups backfill overlaps across weeks: while PostgreSQL
 * takes week i (load-pg and aggregate, in the server's own processes), the
 * week before is published to ClickHouse (its engine's threads) and the week
 * after is generated and cleaned (this process's own thread).
 */
const PHASES: readonly (readonly StageName[])[] = [['generate', 'clean'], ['load-pg', 'aggregate'], ['migrate-click']];

/** The weeks' chains as they run through `runWeeks`. */
interface OverlappedWeeks {
  readonly weeks: readonly ChainOptions[];
  readonly run: WeeksRun<void>;
  /** Each week's chain, once it has begun (undefined until then, and for ever if it never does). */
  readonly chains: readonly (Chain | undefined)[];
  /** The week's chain once it is over, or undefined if it never began. */
  chain(i: number): Promise<Chain | undefined>;
  /** Resolved once the databases' group has loaded and aggregated every week (never, if one did not). */
  readonly allLoaded: Promise<void>;
}

/**
 * The most weeks published to ClickHouse together (one run of migrate-click's): a publication's
 * cost is mostly per statement, and ClickHouse's group waits for the databases' group to finish
 * them while the two cores go to the other groups. A quarter keeps a backfill's first weeks from
 * waiting for the whole year.
 */
const PUBLISH_TOGETHER = 13;

/**
 * How many weeks a group may run ahead of the next one (`runWeeks`' lead): enough for the
 * databases' group to go on with the next publication's weeks while ClickHouse publishes the
 * last ones (with one publication's worth, it would wait for each publication to end).
 */
const LEAD = 2 * PUBLISH_TOGETHER;

/**
 * The weeks' chains in groups of stages (PHASES), one `runWeeks` stage per group: one week per
 * group at a time, in week order, and never more than `LEAD` weeks ahead of the group after it.
 * ClickHouse's group publishes the week it takes together with the consecutive weeks after it,
 * up to `PUBLISH_TOGETHER`, once the databases' group has finished them (or will not: a failure,
 * a stop); their own turns then find them done (`publishReady`). A week whose chain fails (with
 * `haltOnFailure`, or by a stop signal) fails its group, so the weeks after it start no other
 * group: they stop where they are.
 */
function overlapWeeks(weeks: readonly ChainOptions[], haltOnFailure: boolean): OverlappedWeeks {
  const chains: (Chain | undefined)[] = weeks.map(() => undefined);
  /** Each week's end in the databases' group: true when it loaded and aggregated it. */
  const loaded = weeks.map(() => deferred<boolean>());
  /** Resolved once no week may start another group (a week failed, or the run was stopped). */
  const halted = deferred<boolean>();
  const stages = PHASES.map((names, p) => ({
    width: names.includes('load-pg') ? 2 : 1,
    step: async (i: number, slot: Slot): Promise<StepOutcome<void>> => {
      let outcome: StepOutcome<void> = { kind: 'failed', error: new Error('a backfill group threw') };
      try {
        if (p === 0) chains[i] = newChain(weeks[i]!);
        const chain = chains[i]!;
        // After a stop signal the next stage refuses to start: the chain fails there, and halts the rest.
        if (names.includes('migrate-click')) await publishReady(i);
        else if ((await runStages(chain, names, names.includes('load-pg') ? slot : undefined)) === AGAIN) {
          outcome = { kind: 'again' };
          return outcome;
        }
        const failed = chain.failure && (haltOnFailure || interrupted());
        outcome = failed ? { kind: 'failed', error: chain.failure!.error } : { kind: 'committed', value: undefined };
        return outcome;
      } finally {
        if (outcome.kind === 'failed') {
          halted.resolve(false);
          loaded[i]!.resolve(false);
        }
        if (names.includes('aggregate') && outcome.kind !== 'again') loaded[i]!.resolve(!chains[i]?.failure);
      }
    },
  }));
  const isLoaded = (k: number) => Promise.race([loaded[k]!.promise, halted.promise]);
  /** Publish week i, unless published with an earlier one, together with the loaded consecutive weeks after it. */
  const publishReady = async (i: number): Promise<void> => {
    const chain = chains[i]!;
    if (chain.failure || chain.runs.some((r) => r.stage === 'migrate-click' && r.status !== 'not run')) return;
    const together = [chain];
    for (let k = i + 1; k < weeks.length && together.length < PUBLISH_TOGETHER; k++) {
      if (!(await isLoaded(k)) || weeksApart(together.at(-1)!.opts.week, chains[k]!.opts.week) !== 1) break;
      together.push(chains[k]!);
    }
    await publishTogether(together);
  };
  const run = runWeeks(
    weeks.map((_, i) => i),
    stages,
    { lead: LEAD },
  );
  const stop = () => {
    halted.resolve(false);
    run.stop();
  };
  const chain = async (i: number) => {
    await run.weeks[i];
    return chains[i];
  };
  const allLoaded = Promise.all(loaded.map((l) => l.promise)).then((ok) =>
    ok.every(Boolean) ? undefined : new Promise<void>(() => undefined),
  );
  return { weeks, run: { ...run, stop }, chains, chain, allLoaded };
}

/** The plan's period, creating the plan (with the plan flags) when there is none. */
async function planWeeks(opts: BackfillOptions): Promise<Week[]> {
  const layout = opts.ctx.config.layout;
  let plan = await readPlan(layout);
  if (!plan) {
    if (opts.skipGenerate) {
      throw new StageError(
        `backfill: no plan in ${layout.root}; run without --skip-generate or give --from/--to`,
        'generate',
      );
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
    `${result.totals.clean.toLocaleString('en-US')} clean rows, ` +
    `${result.totals['migrate-click'].toLocaleString('en-US')} ClickHouse rows, ` +
    `${result.warnings} warnings, ${result.failed} failed`
  );
}
