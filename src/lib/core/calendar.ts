import { UsageError } from './errors.js';

/** Moscow has been UTC+3 all year round since 2014; the whole pipeline lives in it. */
export const MOSCOW_OFFSET_MS = 3 * 3600_000;
export const MOSCOW_TZ = 'Europe/Moscow';
const DAY_MS = 86_400_000;
/** A week in milliseconds (Moscow keeps no daylight saving, so every week is this long). */
export const WEEK_MS = 7 * DAY_MS;

/** An ISO week (Monday to Sunday) in Moscow time. */
export interface Week {
  /** `YYYY-Www`, e.g. `2024-W20`. */
  readonly id: string;
  readonly isoYear: number;
  readonly isoWeek: number;
  /** Monday, `YYYY-MM-DD`. */
  readonly start: string;
  /** Sunday, `YYYY-MM-DD`. */
  readonly end: string;
  /** Monday 00:00 Moscow time, as epoch milliseconds. */
  readonly startMs: number;
  /** The next Monday 00:00 Moscow time (exclusive end), as epoch milliseconds. */
  readonly endMs: number;
}

export const WEEK_FORMS = 'a week like 2024-W20, a date inside it like 2024-05-15';

const WEEK_ID = /^(\d{4})-W(\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 for a calendar date, or NaN when the date does not exist. */
export function dayNumber(date: string): number {
  const m = DATE.exec(date);
  if (!m) return Number.NaN;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    return Number.NaN;
  }
  return ms / DAY_MS;
}

/** The calendar date of a day number, `YYYY-MM-DD`. */
export function dateOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The Moscow calendar date of an instant. */
export function moscowDate(ms: number): string {
  return new Date(ms + MOSCOW_OFFSET_MS).toISOString().slice(0, 10);
}

/** The Moscow wall-clock time of an instant, `YYYY-MM-DD HH:MM:SS`. */
export function moscowDateTime(ms: number): string {
  return new Date(ms + MOSCOW_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** The week whose Monday is the given day number. */
function weekFromMonday(monday: number): Week {
  // The ISO year is the year of the week's Thursday.
  const thursday = new Date((monday + 3) * DAY_MS);
  const isoYear = thursday.getUTCFullYear();
  const jan1 = Date.UTC(isoYear, 0, 1) / DAY_MS;
  const isoWeek = Math.floor((monday + 3 - jan1) / 7) + 1;
  const startMs = monday * DAY_MS - MOSCOW_OFFSET_MS;
  return {
    id: `${isoYear}-W${String(isoWeek).padStart(2, '0')}`,
    isoYear,
    isoWeek,
    start: dateOfDay(monday),
    end: dateOfDay(monday + 6),
    startMs,
    endMs: startMs + WEEK_MS,
  };
}

/** The Monday (day number) of the week that holds a day number. */
function mondayOf(day: number): number {
  // 1970-01-01 was a Thursday: day 0 has weekday index 3 (Monday = 0).
  const weekday = (((day + 3) % 7) + 7) % 7;
  return day - weekday;
}

/** The week that holds a calendar date. */
export function weekOfDate(date: string): Week {
  const day = dayNumber(date);
  if (Number.isNaN(day)) throw new UsageError(`not a date: ${JSON.stringify(date)}`);
  return weekFromMonday(mondayOf(day));
}

/** The week that holds an instant, in Moscow time. */
export function weekOfInstant(ms: number): Week {
  return weekOfDate(moscowDate(ms));
}

/** The number of ISO weeks in an ISO year (52 or 53). */
export function weeksInYear(isoYear: number): number {
  const dec28 = Date.UTC(isoYear, 11, 28) / DAY_MS;
  return weekFromMonday(mondayOf(dec28)).isoWeek;
}

/**
 * A week from its name or from any date inside it. Anything else is a usage
 * error that shows the accepted forms.
 */
export function parseWeek(text: string): Week {
  const value = text.trim();
  const id = WEEK_ID.exec(value);
  if (id) {
    const isoYear = Number(id[1]);
    const isoWeek = Number(id[2]);
    if (isoYear >= 1971 && isoWeek >= 1 && isoWeek <= weeksInYear(isoYear)) {
      const jan4 = Date.UTC(isoYear, 0, 4) / DAY_MS;
      return weekFromMonday(mondayOf(jan4) + (isoWeek - 1) * 7);
    }
    if (isoYear >= 1971 && isoWeek === 53) {
      throw new UsageError(`bad week ${JSON.stringify(text)}: ${isoYear} has 52 ISO weeks (expected ${WEEK_FORMS})`);
    }
  } else if (DATE.test(value) && !Number.isNaN(dayNumber(value)) && value >= '1971') {
    return weekOfDate(value);
  }
  throw new UsageError(`bad week ${JSON.stringify(text)}: expected ${WEEK_FORMS}`);
}

/** The week `n` weeks after (or before, when negative) the given one. */
export function addWeeks(week: Week, n: number): Week {
  return weekFromMonday(dayNumber(week.start) + n * 7);
}

/** How many weeks `to` is after `from` (negative when before). */
export function weeksApart(from: Week, to: Week): number {
  return Math.round((dayNumber(to.start) - dayNumber(from.start)) / 7);
}

/** Every week from `from` to `to`, both included. */
export function weekRange(from: Week, to: Week): Week[] {
  const n = weeksApart(from, to);
  if (n < 0) throw new UsageError(`--from ${from.id} is after --to ${to.id}`);
  return Array.from({ length: n + 1 }, (_, i) => addWeeks(from, i));
}

/** Weeks as messages name them: `2024-W20`, or `2024-W20 to 2024-W30` (first to last). */
export function describeWeeks(weeks: readonly Week[]): string {
  return weeks.length === 1 ? weeks[0]!.id : `${weeks[0]!.id} to ${weeks.at(-1)!.id}`;
}

/**
 * The last complete week before `now`, in Moscow time, whatever the machine's
 * own time zone.
 */
export function previousWeek(now: number = Date.now()): Week {
  return addWeeks(weekOfInstant(now), -1);
}

/** Week-selection flags as commander hands them over. */
export interface WeekFlags {
  week?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/**
 * The weeks named by `--week` or `--from`/`--to`, or undefined when none was
 * given (the command then uses its own default).
 */
export function parseWeekFlags(flags: WeekFlags): Week[] | undefined {
  if (flags.week !== undefined) {
    if (flags.from !== undefined || flags.to !== undefined) {
      throw new UsageError('use either --week or --from/--to, not both');
    }
    return [parseWeek(flags.week)];
  }
  if (flags.from === undefined && flags.to === undefined) return undefined;
  if (flags.from === undefined || flags.to === undefined) {
    throw new UsageError('give both --from and --to (or --week)');
  }
  return weekRange(parseWeek(flags.from), parseWeek(flags.to));
}
