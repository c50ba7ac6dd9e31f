import type { Week } from '../lib/calendar.js';
import type { Context } from '../lib/config.js';

/** Options of `aggregate`. */
export interface AggregateOptions {
  ctx: Context;
  /** Weeks to aggregate; undefined means the plan's whole period. */
  weeks?: Week[] | undefined;
}

/** One aggregated week. */
export interface AggregatedWeek {
  week: string;
  rows: number;
}

/** What `aggregate` did. */
export interface AggregateResult {
  weeks: AggregatedWeek[];
}

/** Rebuild the weeks' rows of `sales_agg` in PostgreSQL (SPEC 6). */
export async function aggregate(_opts: AggregateOptions): Promise<AggregateResult> {
  throw new Error('aggregate: not implemented yet');
}
