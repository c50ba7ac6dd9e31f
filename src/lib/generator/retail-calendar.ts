import { civilFromDays, daysFromCivil } from './days.js';

/**
 * A Russian online retailer's year, day by day (docs/generator.md, "Calendar"):
 * a smooth seasonal level, holiday dips, peak days that sell several times a
 * normal day, a weekday profile, the occasion that shapes what people buy and
 * the share of discounted lines. Pure functions of the date.
 */

/** What a day's shopping is about; item types carry a boost per occasion. */
export const OCCASIONS = ['none', 'newYear', 'valentine', 'defender', 'womensDay', 'school', 'sale'] as const;
/** One of OCCASIONS. */
export type Occasion = (typeof OCCASIONS)[number];

/** Everything the generator needs to know about one calendar day. */
export interface RetailDay {
  /** Month 0-11. */
  readonly month: number;
  /** Index into OCCASIONS. */
  readonly occasion: number;
  /** Relative sales of the day within its week (level × dip × peak × weekday). */
  readonly weight: number;
  /** The day's level for weekly totals: the seasonal level with holiday dips, without peaks. */
  readonly level: number;
  /** Share of lines sold with a promotion. */
  readonly discountShare: number;
  /** Peak days deepen promotions. */
  readonly saleDay: boolean;
  /** The peak's name, for the report and the tests; undefined on an ordinary day. */
  readonly peak: string | undefined;
}

/** Online orders by weekday, Monday first: Sunday evening and Monday lead, Saturday is quietest. */
export const WEEKDAY_PROFILE = [1.06, 1.03, 1.0, 0.98, 0.95, 0.9, 1.08] as const;

/** The seasonal level at anchor days of the year [month 1-12, day, level], interpolated linearly between them. */
const LEVEL_ANCHORS: ReadonlyArray<readonly [number, number, number]> = [
  [1, 1, 0.8],
  [1, 15, 0.84],
  [2, 15, 0.88],
  [3, 15, 0.98],
  [4, 15, 1.0],
  [5, 1, 0.95],
  [5, 20, 0.97],
  [6, 15, 0.98],
  [7, 15, 0.96],
  [8, 10, 0.99],
  [8, 27, 1.1],
  [9, 6, 0.99],
  [9, 15, 1.0],
  [10, 15, 1.02],
  [11, 10, 1.05],
  [11, 20, 1.14],
  [12, 15, 1.2],
  [12, 28, 1.22],
  [12, 31, 1.0],
];

function level(y: number, m: number, d: number): number {
  const day = daysFromCivil(y, m, d);
  let prev: readonly [number, number] = [daysFromCivil(y - 1, 12, 31), 1.0];
  for (const [am, ad, value] of LEVEL_ANCHORS) {
    const at = daysFromCivil(y, am, ad);
    if (at >= day) {
      if (at === prev[0]) return value;
      return prev[1] + ((value - prev[1]) * (day - prev[0])) / (at - prev[0]);
    }
    prev = [at, value];
  }
  return prev[1];
}

/** Day of the month of Black Friday: the day after the fourth Thursday of November. */
export function blackFridayOf(year: number): number {
  const weekdayNov1 = (daysFromCivil(year, 11, 1) + 3) % 7; // Monday 0
  return 1 + ((3 - weekdayNov1 + 7) % 7) + 21 + 1;
}

interface Special {
  /** Multiplies the day's sales (>1 peaks, <1 holiday dips). */
  readonly factor: number;
  readonly occasion: Occasion;
  readonly peak?: string;
}

/** The peaks and dips of a date, month 1-12. */
function special(y: number, m: number, d: number): Special | undefined {
  if (m === 12) {
    if (d === 31) return { factor: 0.85, occasion: 'newYear' };
    if (d >= 28) return { factor: 2.4, occasion: 'newYear', peak: 'before New Year' };
    if (d >= 24) return { factor: 1.6, occasion: 'newYear' };
    if (d >= 15) return { factor: 1.15, occasion: 'newYear' };
  }
  // Cyber Monday falls on 1 December when Black Friday is the 28th.
  if (m === 12 && d === blackFridayOf(y) + 3 - 30) return { factor: 1.8, occasion: 'sale', peak: 'Cyber Monday' };
  if (m === 1) {
    if (d === 1) return { factor: 0.35, occasion: 'none' };
    if (d === 2) return { factor: 0.55, occasion: 'none' };
    if (d <= 8) return { factor: 0.8, occasion: 'none' };
  }
  if (m === 2) {
    if (d === 14) return { factor: 3.6, occasion: 'valentine', peak: '14 February' };
    if (d === 13) return { factor: 2.0, occasion: 'valentine' };
    if (d >= 10 && d <= 12) return { factor: 1.2, occasion: 'valentine' };
    if (d === 23) return { factor: 3.0, occasion: 'defender', peak: '23 February' };
    if (d === 22) return { factor: 2.2, occasion: 'defender' };
    if (d >= 18 && d <= 21) return { factor: 1.25, occasion: 'defender' };
  }
  if (m === 3) {
    if (d === 8) return { factor: 4.0, occasion: 'womensDay', peak: '8 March' };
    if (d === 7) return { factor: 2.4, occasion: 'womensDay' };
    if (d >= 4 && d <= 6) return { factor: 1.3, occasion: 'womensDay' };
    if (d <= 3) return { factor: 1.1, occasion: 'womensDay' };
  }
  if (m === 5) {
    if (d <= 3 || (d >= 9 && d <= 11)) return { factor: 0.72, occasion: 'none' };
    if (d <= 8) return { factor: 0.9, occasion: 'none' };
  }
  if (m === 6 && d === 12) return { factor: 0.85, occasion: 'none' };
  if (m === 8 && d >= 5) {
    // The last weekend before 1 September is when families shop for school.
    const weekday = (daysFromCivil(y, m, d) + 3) % 7;
    if (d >= 25 && weekday >= 5) return { factor: 2.8, occasion: 'school', peak: 'back to school' };
    return { factor: 1.0, occasion: 'school' };
  }
  if (m === 9 && d === 1) return { factor: 1.2, occasion: 'school' };
  if (m === 11) {
    if (d === 4) return { factor: 0.88, occasion: 'none' };
    if (d === 11) return { factor: 4.5, occasion: 'sale', peak: '11.11' };
    if (d === 10 || d === 12) return { factor: 1.5, occasion: 'sale' };
    const bf = blackFridayOf(y);
    if (d === bf) return { factor: 4.5, occasion: 'sale', peak: 'Black Friday' };
    if (d === bf + 1 || d === bf + 2) return { factor: 1.6, occasion: 'sale' };
    if (d === bf + 3) return { factor: 1.8, occasion: 'sale', peak: 'Cyber Monday' };
  }
  return undefined;
}

const OCCASION_INDEX = new Map(OCCASIONS.map((o, i) => [o, i]));
const cache = new Map<number, RetailDay>();

/** The retail profile of a day number (memoised: a plan touches a few hundred days). */
export function retailDay(day: number): RetailDay {
  let r = cache.get(day);
  if (r !== undefined) return r;
  const [y, m, d] = civilFromDays(day);
  const base = level(y, m, d);
  const s = special(y, m, d);
  const factor = s?.factor ?? 1;
  const saleDay = s?.occasion === 'sale';
  // Promotions: a quarter of lines on an ordinary day, most of them on sale days, clearance after New Year.
  const discountShare = saleDay ? 0.62 : m === 1 && d > 8 ? 0.4 : s?.occasion === 'newYear' ? 0.32 : 0.25;
  r = {
    month: m - 1,
    occasion: OCCASION_INDEX.get(s?.occasion ?? 'none') as number,
    weight: base * factor * (WEEKDAY_PROFILE[(day + 3) % 7] as number),
    level: base * Math.min(1, factor),
    discountShare,
    saleDay,
    peak: s?.peak,
  };
  if (cache.size < 100_000) cache.set(day, r);
  return r;
}
