import type { Week } from '../lib/calendar.js';
import type { Context } from '../lib/config.js';

/** Options of `load-pg`. */
export interface LoadPgOptions {
  ctx: Context;
  /** Weeks to load; undefined means the plan's whole period. */
  weeks?: Week[] | undefined;
}

/** One loaded week. */
export interface LoadedWeek {
  week: string;
  rows: number;
  /** Sum of sale_amount, exact, as a decimal string. */
  amount: string;
}

/** What `load-pg` did. */
export interface LoadPgResult {
  weeks: LoadedWeek[];
}

/** Load the weeks' clean files into PostgreSQL (SPEC 6). */
export async function loadPg(_opts: LoadPgOptions): Promise<LoadPgResult> {
  throw new Error('load-pg: not implemented yet');
}
