import type { Week } from '../lib/calendar.js';
import type { Context } from '../lib/config.js';

/** Options of `migrate-click`. */
export interface MigrateClickOptions {
  ctx: Context;
  /** Weeks to publish; undefined means the plan's whole period. */
  weeks?: Week[] | undefined;
  /** Only compare ClickHouse with PostgreSQL; copy nothing. */
  verifyOnly?: boolean | undefined;
}

/** One published week. */
export interface MigratedWeek {
  week: string;
  rows: number;
}

/** What `migrate-click` did. */
export interface MigrateClickResult {
  weeks: MigratedWeek[];
}

/** Publish the weeks' aggregates to ClickHouse with their import date (SPEC 7). */
export async function migrateClick(_opts: MigrateClickOptions): Promise<MigrateClickResult> {
  throw new Error('migrate-click: not implemented yet');
}
