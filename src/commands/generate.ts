import path from 'node:path';
import { describeWeeks, previousWeek, weeksApart, type Week } from '../lib/core/calendar.js';
import type { Context } from '../lib/core/config.js';
import { during } from '../lib/core/interrupt.js';
import { describeError, UsageError } from '../lib/core/errors.js';
import { removeStaleTemps } from '../lib/files/layout.js';
import type { Region } from '../lib/core/regions.js';
import { planPeriod, type PlanFlags, type StorePlan } from '../lib/core/plan.js';
import { ledgerCacheWeek, writeWeekCachingLedger } from '../lib/generator/ledger-cache.js';
import { salesModelFor } from '../lib/generator/model-cache.js';
import type { SalesModel } from '../lib/generator/sales.js';
import { openPlan, savePlan, Schedule, type GeneratorPlan } from '../lib/generator/store-plan.js';
import { writeCustomers, writeProducts } from '../lib/generator/write-dims.js';
import { worthASecondThread, writeWeeksOnWorker } from '../lib/generator/week-worker.js';

/** Options of `generate`; the plan flags apply only when `store.json` is created. */
export interface GenerateOptions extends PlanFlags {
  ctx: Context;
  /** Weeks to generate; undefined means the plan's whole period. */
  weeks?: Week[] | undefined;
  /** Replace an existing plan with a new one from the plan flags (how a plan of an older model is renewed). */
  newPlan?: boolean | undefined;
  /** The current time, for the default period and the "week has ended" check (tests); default now. */
  now?: number | undefined;
}

/** One generated week. */
export interface GeneratedWeek {
  week: string;
  /** Valid unique sales in the week's delivered files (before dirt is added). */
  validSales: number;
  /** Valid sales of a region whose file the outage kept back (0 without one). */
  undeliveredSales: number;
  files: Array<{ region: Region; rows: number; path: string }>;
  missingRegions: Region[];
}

/** What `generate` did. */
export interface GenerateResult {
  plan: StorePlan;
  planCreated: boolean;
  /** Customers in dim/customers.csv (0 when no week was asked for). */
  customers: number;
  /** Products in dim/products.csv (0 when no week was asked for). */
  products: number;
  weeks: GeneratedWeek[];
}

/**
 * Generate the plan (once), the dimensions and the weeks' raw files. Weeks
 * are written in calendar order whatever order they were asked in; each is a
 * pure function of the plan, so the bytes do not depend on it.
 */
export async function generate(opts: GenerateOptions): Promise<GenerateResult> {
  const { ctx } = opts;
  const layout = ctx.config.layout;
  const now = opts.now ?? Date.now();
  const { plan, created } = await openPlan(layout, opts, ctx.log, now);
  const schedule = new Schedule(plan);

  const byIndex = weeksByIndex(opts.weeks ?? planPeriod(plan), schedule, plan, previousWeek(now));
  const indices = [...byIndex.keys()].sort((a, b) => a - b);
  if (created) await savePlan(layout, plan, ctx.log);
  if (indices.length === 0) {
    // An empty list (backfill's way to create the plan): the plan alone, nothing else written.
    return { plan, planCreated: created, customers: 0, products: 0, weeks: [] };
  }
  const horizon = Math.max(plan.weeks - 1, ...indices);

  const label =
    indices.length === 1 ? `generate ${byIndex.get(indices[0] as number)?.id}` : `generate ${indices.length} weeks`;
  const writing = await WeekWriting.start(ctx, plan, schedule, indices, horizon);
  const { model } = writing;
  let customers: number;
  let weeks: GeneratedWeek[];
  try {
    customers = await writeDimensions(ctx, model, plan, indices);
    weeks = await ctx.log.task(label, (progress) => writing.write(progress));
  } finally {
    await writing.settled();
  }
  const valid = weeks.reduce((n, w) => n + w.validSales, 0);
  ctx.log.success(
    `generated ${weeks.length} week${weeks.length === 1 ? '' : 's'}: ${valid.toLocaleString('en-US')} valid sales, ` +
      `${customers.toLocaleString('en-US')} customers, ${model.products.length} products in ${layout.root}`,
  );
  return { plan, planCreated: created, customers, products: model.products.length, weeks };
}

/** The asked weeks by their index in the plan's schedule; a week before the plan or not yet ended is an error. */
function weeksByIndex(asked: Week[], schedule: Schedule, plan: StorePlan, lastComplete: Week): Map<number, Week> {
  const byIndex = new Map<number, Week>();
  for (const week of asked) {
    const index = schedule.indexOf(week);
    if (index < 0) throw new UsageError(`generate: week ${week.id} is before the plan's first week ${plan.startWeek}`);
    if (weeksApart(lastComplete, week) > 0) {
      throw new UsageError(
        `generate: week ${week.id} has not ended yet (the last complete week is ${lastComplete.id})`,
      );
    }
    byIndex.set(index, week);
  }
  return byIndex;
}

/** Write dim/products.csv and dim/customers.csv for the weeks at `indices`; the number of customers. */
async function writeDimensions(ctx: Context, model: SalesModel, plan: StorePlan, indices: number[]): Promise<number> {
  const layout = ctx.config.layout;
  // What a killed run left half written under a temporary name (the plan, the dimensions).
  for (const dir of [layout.root, path.dirname(layout.dim('products'))]) await removeStaleTemps(dir);
  await writeProducts(layout, model.products);
  // Everyone registered by the end of the period at once (the period is all in the past when
  // the plan is made), so the period generated week by week writes the file once and load-pg
  // finds it unchanged; a week after the period extends it.
  const through = Math.max(plan.weeks, (indices.at(-1) as number) + 1);
  return ctx.log.task('generate: customers', () =>
    writeCustomers(layout, model.schedule, model.schedule.customersBefore(through)),
  );
}

/**
 * The raw files of the weeks at `indices`: the later ones on a second thread
 * (src/lib/generator/week-worker.ts) when there are enough of them, started at
 * once so that it works while this thread writes the dimension files and the
 * earlier weeks. The second thread builds its own model and replays the buyer
 * ledger up to its first week; this one writes the dimension files first, so
 * the second takes 60% of the weeks (measured: the two end together).
 * Whichever thread writes the last week, when that is the period's last or
 * later (the weekly job's), caches the buyer ledger where that week starts.
 */
class WeekWriting {
  /** This thread's model, built by `start` once the second thread has started (it takes a moment). */
  model!: SalesModel;
  private readonly written = new Map<number, GeneratedWeek>();
  private readonly here: number[];
  private readonly second: Promise<void>;
  private progress: ((text: string) => void) | undefined;

  private constructor(
    private readonly ctx: Context,
    plan: GeneratorPlan,
    private readonly schedule: Schedule,
    private readonly indices: number[],
    horizon: number,
  ) {
    const split = worthASecondThread(indices.length) ? Math.floor(indices.length * 0.4) : indices.length;
    this.here = indices.slice(0, split);
    const later = indices.slice(split);
    const root = ctx.config.layout.root;
    let n = 0;
    this.second =
      later.length === 0
        ? Promise.resolve()
        : during(`generate of ${describeWeeks(later.map((i) => schedule.week(i)))}`, () =>
            writeWeeksOnWorker(
              { root, plan, horizon, indices: later, cacheLedgerAt: ledgerCacheWeek(plan, indices) },
              (week) => this.done(later[n++]!, week),
            ),
          );
    // Awaited by `write`, or by `settled` when something before it failed.
    this.second.catch(() => undefined);
  }

  /** Start the second thread (when worth it), then build this thread's model. */
  static async start(
    ctx: Context,
    plan: GeneratorPlan,
    schedule: Schedule,
    indices: number[],
    horizon: number,
  ): Promise<WeekWriting> {
    const writing = new WeekWriting(ctx, plan, schedule, indices, horizon);
    try {
      // Continues the buyer ledger of an earlier call in this process (backfill's week after week),
      // or of an earlier process (the cache).
      writing.model = await salesModelFor(ctx.config.layout, plan, horizon, writing.here[0] ?? 0);
    } catch (error) {
      await writing.settled();
      throw error;
    }
    return writing;
  }

  /** Write this thread's weeks, then wait for the other thread's; the weeks in `indices` order. */
  async write(progress: (text: string) => void): Promise<GeneratedWeek[]> {
    this.progress = progress;
    const layout = this.ctx.config.layout;
    const cacheAt = ledgerCacheWeek(this.model.plan, this.indices);
    const uncached = (error: unknown) =>
      this.ctx.log.debug(`generate: the buyer ledger was not cached: ${describeError(error)}`);
    for (const index of this.here) {
      const week = this.schedule.week(index);
      const written = await during(`generate of ${week.id}`, () =>
        writeWeekCachingLedger(this.model, layout, index, index === cacheAt, uncached),
      );
      this.done(index, written);
    }
    await this.second;
    return this.indices.map((index) => this.written.get(index)!);
  }

  /** Once the second thread has stopped (a failure on this one must not leave it writing). */
  settled(): Promise<void> {
    return this.second.catch(() => undefined);
  }

  private done(index: number, week: GeneratedWeek): void {
    this.written.set(index, week);
    this.progress?.(`${week.week} (${this.written.size}/${this.indices.length})`);
    if (week.missingRegions.length > 0) {
      this.ctx.log.info(`${week.week}: simulated outage, no file for ${week.missingRegions.join(', ')}`);
    }
  }
}
