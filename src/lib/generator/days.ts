/**
 * Day-number arithmetic without Date objects (Howard Hinnant's civil-date
 * algorithms): the generator formats millions of dates, and allocating a Date
 * for each one costs more than the rest of the row.
 */

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The [year, month 1-12, day] of a day number. */
export function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));
const cache = new Map<number, string>();

let lastDay = NaN;
let lastIso = '';

/** `YYYY-MM-DD` of a day number (memoised: a year of sales has a few hundred distinct days). */
export function isoDay(day: number): string {
  // Sales come in time order: most calls ask for the day of the call before.
  if (day === lastDay) return lastIso;
  let s = cache.get(day);
  if (s === undefined) {
    const [y, m, d] = civilFromDays(day);
    s = `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;
    if (cache.size < 100_000) cache.set(day, s);
  }
  lastDay = day;
  lastIso = s;
  return s;
}

/** The same calendar date `years` earlier, as a day number (29 February becomes 1 March). */
export function yearsBefore(day: number, years: number): number {
  const [y, m, d] = civilFromDays(day);
  if (m === 2 && d === 29) return daysFromCivil(y - years, 3, 1) - (isLeap(y - years) ? 1 : 0);
  return daysFromCivil(y - years, m, d);
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Age in whole years on `day` of someone born on `birthDay`. */
export function ageOn(birthDay: number, day: number): number {
  const [by, bm, bd] = civilFromDays(birthDay);
  const [y, m, d] = civilFromDays(day);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}
