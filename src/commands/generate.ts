import type { Week } from '../lib/calendar.js';
import type { Context } from '../lib/config.js';
import type { Region } from '../lib/layout.js';
import type { StorePlan } from '../lib/plan.js';

/** Options of `generate`; the plan flags apply only when `store.json` is created. */
export interface GenerateOptions {
  ctx: Context;
  /** Weeks to generate; undefined means the plan's whole period. */
  weeks?: Week[] | undefined;
  seed?: number | undefined;
  total?: number | undefined;
  startWeek?: Week | undefined;
  periodWeeks?: number | undefined;
  simulateOutage?: boolean | undefined;
}

/** One generated week. */
export interface GeneratedWeek {
  week: string;
  /** Valid unique sales in the week (before dirt is added). */
  validSales: number;
  files: Array<{ region: Region; rows: number; path: string }>;
  missingRegions: Region[];
}

/** What `generate` did. */
export interface GenerateResult {
  plan: StorePlan;
  planCreated: boolean;
  customers: number;
  products: number;
  weeks: GeneratedWeek[];
}

/** Generate the plan (once), the dimensions and the weeks' raw files. */
export async function generate(_opts: GenerateOptions): Promise<GenerateResult> {
  throw new Error('generate: not implemented yet');
}
