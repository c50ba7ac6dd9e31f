import path from 'node:path';
import { previousWeek, weeksApart, type Week } from '../lib/core/calendar.js';
import type { Context } from '../lib/core/config.js';
import { during } from '../lib/core/interrupt.js';
import { UsageError } from '../lib/core/errors.js';
import { removeStaleTemps } from '../lib/files/layout.js';
import type { Region } from '../lib/core/regions.js';
import { planPeriod, type PlanFlags, type StorePlan } from '../lib/core/plan.js';
import { salesModelFor } from '../lib/generator/model-cache.js';
import type { SalesModel } from '../lib/generator/sales.js';
import { openPlan, savePlan, Schedule } from '../lib/generator/store-plan.js';
import { writeCustomers, writeProducts } from '../lib/generator/write-dims.js';
import { writeWeek } from '../lib/generator/write-week.js';

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

  // Continues the buyer ledger of an earlier call in this process (backfill's week after week).
  const model = salesModelFor(layout.root, plan, horizon);
  const customers = await writeDimensions(ctx, model, plan, indices);
  const label =
    indices.length === 1 ? `generate ${byIndex.get(indices[0] as number)?.id}` : `generate ${indices.length} weeks`;
  const weeks = await writeWeeks(ctx, model, schedule, indices, label);
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

/** Write the raw files of the weeks at `indices`, in that order, under one progress task. */
async function writeWeeks(
  ctx: Context,
  model: SalesModel,
  schedule: Schedule,
  indices: number[],
  label: string,
): Promise<GeneratedWeek[]> {
  const layout = ctx.config.layout;
  const weeks: GeneratedWeek[] = [];
  await ctx.log.task(label, async (progress) => {
    for (const [n, index] of indices.entries()) {
      progress(`${schedule.week(index).id} (${n + 1}/${indices.length})`);
      const written = await during(`generate of ${schedule.week(index).id}`, () => writeWeek(model, layout, index));
      if (written.missingRegions.length > 0) {
        ctx.log.info(`${written.week}: simulated outage, no file for ${written.missingRegions.join(', ')}`);
      }
      weeks.push(written);
    }
  });
  return weeks;
}
