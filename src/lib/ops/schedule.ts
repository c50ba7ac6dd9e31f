import { MOSCOW_TZ } from '../core/calendar.js';
import { UsageError } from '../core/errors.js';

/** A moment of every week on a zone's wall clock, e.g. Tuesday 12:45 Europe/Moscow. */
export interface WeeklyTime {
  /** 0 = Sunday ... 6 = Saturday, as in crontab. */
  readonly weekday: number;
  readonly hour: number;
  readonly minute: number;
  /** An IANA zone, e.g. `Europe/Moscow`. */
  readonly timeZone: string;
}

/** The weekly run of SPEC 8: Tuesdays 12:45 Moscow time. */
export const WEEKLY_RUN: WeeklyTime = { weekday: 2, hour: 12, minute: 45, timeZone: MOSCOW_TZ };

/**
 * How many minutes after its time a run guarded by `--only-at` still starts. Cron starts a job
 * within seconds of its minute; the crontab lines printed for one zone's UTC offsets are at
 * least 30 minutes apart (Lord Howe's daylight saving moves by 30), so at most one is inside.
 */
export const ONLY_AT_WINDOW_MINUTES = 15;

export const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const WEEK_MINUTES = 7 * 24 * 60;
const pad = (n: number) => String(n).padStart(2, '0');

const dayAndTime = (weekday: number, hour: number, minute: number) =>
  `${DAY_NAMES[weekday]!.slice(0, 3)} ${pad(hour)}:${pad(minute)}`;

/** `Tue 12:45 Europe/Moscow`: the form `--only-at` takes. */
export function formatWeeklyTime(t: WeeklyTime): string {
  return `${dayAndTime(t.weekday, t.hour, t.minute)} ${t.timeZone}`;
}

/** Whether `timeZone` is a zone this Node knows. */
function knownZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Parse `Tue 12:45 Europe/Moscow` (day name or its first three letters, any case; zone default Moscow). */
export function parseWeeklyTime(text: string): WeeklyTime {
  const m = /^\s*([a-z]{3,9})\s+(\d{1,2}):(\d{2})(?:\s+(\S+))?\s*$/i.exec(text);
  const day = m ? DAY_NAMES.findIndex((d) => d.toLowerCase().startsWith(m[1]!.toLowerCase())) : -1;
  const [hour, minute] = [Number(m?.[2]), Number(m?.[3])];
  if (!m || day < 0 || hour > 23 || minute > 59) {
    const example = formatWeeklyTime(WEEKLY_RUN);
    throw new UsageError(`expected a day, a time and a time zone like '${example}', got ${JSON.stringify(text)}`);
  }
  const timeZone = m[4] ?? MOSCOW_TZ;
  if (!knownZone(timeZone)) {
    throw new UsageError(`unknown time zone ${JSON.stringify(timeZone)} (expected e.g. Europe/Moscow)`);
  }
  return { weekday: day, hour, minute, timeZone };
}

/** The wall clock of an instant in a zone, with the zone's UTC offset then (`+03:00`). */
export interface WallClock {
  weekday: number;
  hour: number;
  minute: number;
  second: number;
  /** `YYYY-MM-DD`. */
  date: string;
  utcOffset: string;
}

/** What a zone's clock showed at `instant` (epoch ms). */
export function wallClock(instant: number, timeZone: string): WallClock {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'long',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
  }).formatToParts(new Date(instant));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const offset = part('timeZoneName').replace(/^GMT/, '');
  return {
    weekday: DAY_NAMES.indexOf(part('weekday')),
    hour: Number(part('hour')),
    minute: Number(part('minute')),
    second: Number(part('second')),
    date: `${part('year')}-${part('month')}-${part('day')}`,
    utcOffset: offset === '' ? '+00:00' : offset,
  };
}

/**
 * Why a run guarded by `--only-at t` does not start at `instant`: undefined when the zone's
 * clock is within ONLY_AT_WINDOW_MINUTES after `t`, else one line saying what time it is there.
 */
export function notDueReason(t: WeeklyTime, instant: number): string | undefined {
  const c = wallClock(instant, t.timeZone);
  const now = (c.weekday * 24 + c.hour) * 60 + c.minute + c.second / 60;
  const since = (((now - (t.weekday * 24 + t.hour) * 60 - t.minute) % WEEK_MINUTES) + WEEK_MINUTES) % WEEK_MINUTES;
  if (since < ONLY_AT_WINDOW_MINUTES) return undefined;
  const shown = `${c.date} (${DAY_NAMES[c.weekday]}) ${pad(c.hour)}:${pad(c.minute)}`;
  const wanted = dayAndTime(t.weekday, t.hour, t.minute);
  return `it is ${shown} in ${t.timeZone}, not within ${ONLY_AT_WINDOW_MINUTES} minutes after ${wanted}`;
}
