import type { Week } from '../lib/calendar.js';
import type { Context } from '../lib/config.js';
import type { Region } from '../lib/layout.js';

/** Options of `clean`. */
export interface CleanOptions {
  ctx: Context;
  /** Weeks to clean; undefined means the plan's whole period. */
  weeks?: Week[] | undefined;
  /** Fail the week when rejected / read of any file exceeds this (default 0.05). */
  maxRejectRate?: number | undefined;
}

/** One cleaned week. */
export interface CleanedWeek {
  week: string;
  read: number;
  written: number;
  duplicates: number;
  rejected: number;
  missingRegions: Region[];
  manifest: string;
}

/** What `clean` did. */
export interface CleanResult {
  weeks: CleanedWeek[];
}

/** Normalise, validate and deduplicate the weeks' raw files (SPEC 5). */
export async function clean(_opts: CleanOptions): Promise<CleanResult> {
  throw new Error('clean: not implemented yet');
}
