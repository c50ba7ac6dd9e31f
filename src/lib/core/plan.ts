import { readFile } from 'node:fs/promises';
import { addWeeks, parseWeek, type Week } from './calendar.js';
import { UsageError } from './errors.js';
import type { Layout } from '../files/layout.js';

/**
 * The generator's plan, `store.json` (SPEC 4): written once, then every week is
 * a pure function of it. The generator owns the details; other stages only
 * need the period.
 */
export interface StorePlan {
  readonly version: number;
  readonly seed: number;
  /** Valid unique sales over the period. */
  readonly total: number;
  /** First week of the period, `YYYY-Www`. */
  readonly startWeek: string;
  /** Number of weeks in the period. */
  readonly weeks: number;
  readonly simulateOutage: boolean;
  readonly [key: string]: unknown;
}

/** The flags of a new plan (generate, backfill); they only matter when `store.json` is created. */
export interface PlanFlags {
  seed?: number | undefined;
  total?: number | undefined;
  startWeek?: Week | undefined;
  periodWeeks?: number | undefined;
  simulateOutage?: boolean | undefined;
}

/** The plan of a data directory, or undefined when there is none yet. */
export async function readPlan(layout: Layout): Promise<StorePlan | undefined> {
  let text: string;
  try {
    text = await readFile(layout.store, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${layout.store}`, { cause: error });
  }
  let plan: StorePlan;
  try {
    plan = JSON.parse(text) as StorePlan;
    parseWeek(plan.startWeek);
    if (!Number.isInteger(plan.weeks) || plan.weeks < 1) throw new Error('weeks must be a positive integer');
  } catch (error) {
    throw new Error(`${layout.store} is not a valid plan`, { cause: error });
  }
  return plan;
}

/** The weeks of a plan's period, in order. */
export function planPeriod(plan: StorePlan): Week[] {
  const first = parseWeek(plan.startWeek);
  return Array.from({ length: plan.weeks }, (_, i) => addWeeks(first, i));
}

/** The plan's period, or a usage error when the data directory has no plan yet. */
export async function defaultWeeks(layout: Layout, command: string): Promise<Week[]> {
  const plan = await readPlan(layout);
  if (!plan) {
    throw new UsageError(
      `${command}: no plan in ${layout.root} yet; give --week W (or --from/--to), or run \`sales-etl generate\` first`,
    );
  }
  return planPeriod(plan);
}
