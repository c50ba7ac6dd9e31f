import { dateOfDay, dayNumber, moscowDate, MOSCOW_OFFSET_MS, type Week } from '../core/calendar.js';
import { REGION_NAMES, REGIONS, type Region } from '../core/regions.js';
import { SALES_COLUMNS } from '../core/headers.js';

/** A line longer than this cannot be a sale (seven short fields); it is rejected unread. */
export const MAX_LINE_CHARS = 4096;
/** A rejected line's text is cut to this many characters in the rejects file. */
export const RAW_EXCERPT_CHARS = 1000;

/**
 * Why a raw row was rejected: the codes written to `rejects/<week>/<region>.csv`
 * and counted in the manifest. A row gets the first reason that applies, in
 * this order.
 */
export const REJECT_REASONS = {
  line_too_long: `a line longer than ${MAX_LINE_CHARS} characters (its text is cut in the rejects file)`,
  malformed_csv: 'a quote that is never closed, or a quote inside an unquoted field',
  column_count: 'not exactly seven fields',
  missing_field: 'a field that is empty after trimming',
  repeated_header: 'the header line again, after the first line (files joined together)',
  bad_id: 'sale_id, customer_id or product_id not a positive whole number in range',
  bad_quantity: 'quantity not a whole number from 1 (3 and 3.0 are; 3.5 and 0 are not)',
  bad_date: 'sale_date not a real date in an accepted form',
  date_outside_week: "sale_date (an ISO date-time's Moscow date) not inside the week",
  bad_amount: 'sale_amount not above 0, or with more than two decimals, or not a number',
  unknown_region: 'region not North, South, East or West (any case)',
  region_mismatch: "region of another region's file (a North row in south.csv)",
  conflicting_duplicate: 'a sale_id already kept this week, with different content',
} as const;
export type RejectReason = keyof typeof REJECT_REASONS;

const INT32_MAX = 2_147_483_647;

/**
 * The fields of one CSV line (RFC 4180, a record never spans lines), or
 * undefined when its quoting is broken. Spaces around a quoted field are
 * allowed, since every field is trimmed afterwards.
 */
export function splitCsvLine(line: string): string[] | undefined {
  if (line.indexOf('"') === -1) return line.split(',');
  const fields: string[] = [];
  const n = line.length;
  let i = 0;
  for (;;) {
    let j = i;
    while (j < n && isBlank(line.charCodeAt(j))) j++;
    if (j < n && line.charCodeAt(j) === 34) {
      let value = '';
      let k = j + 1;
      for (;;) {
        const q = line.indexOf('"', k);
        if (q === -1) return undefined;
        if (line.charCodeAt(q + 1) === 34) {
          value += line.slice(k, q + 1);
          k = q + 2;
        } else {
          value += line.slice(k, q);
          k = q + 1;
          break;
        }
      }
      while (k < n && isBlank(line.charCodeAt(k))) k++;
      fields.push(value);
      if (k === n) return fields;
      if (line.charCodeAt(k) !== 44) return undefined;
      i = k + 1;
    } else {
      const comma = line.indexOf(',', i);
      const end = comma === -1 ? n : comma;
      const value = line.slice(i, end);
      if (value.indexOf('"') !== -1) return undefined;
      fields.push(value);
      if (comma === -1) return fields;
      i = comma + 1;
    }
  }
}

const isBlank = (c: number) => c === 32 || c === 9;
const isDigit = (c: number) => c >= 48 && c <= 57;

function allDigits(text: string, from = 0, to = text.length): boolean {
  if (from >= to) return false;
  for (let i = from; i < to; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}

/** A positive whole number up to `max`, without leading zeros; undefined otherwise. */
export function normalizeId(text: string, max: number = INT32_MAX): string | undefined {
  if (!allDigits(text)) return undefined;
  let start = 0;
  while (start < text.length - 1 && text.charCodeAt(start) === 48) start++;
  const digits = start === 0 ? text : text.slice(start);
  if (digits === '0') return undefined;
  if (digits.length >= 10 && (digits.length > 16 || Number(digits) > max)) return undefined;
  return digits;
}

/** A quantity as a whole number ≥ 1: `3`, `3.0` and `3,00` are 3; `3.5`, `0`, `-1` are not. */
export function normalizeQuantity(text: string): string | undefined {
  let end = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isDigit(c)) continue;
    if ((c !== 46 && c !== 44) || i === 0 || i === text.length - 1) return undefined;
    for (let k = i + 1; k < text.length; k++) if (text.charCodeAt(k) !== 48) return undefined;
    end = i;
    break;
  }
  return normalizeId(end === text.length ? text : text.slice(0, end));
}

// Thousands grouped by spaces (also no-break, narrow no-break and thin spaces), then an
// optional decimal point or comma; or thousands by commas with a decimal point, or by
// points with a decimal comma. `1,234` alone is ambiguous and so not accepted.
const AMOUNT_SPACED = /^(\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+|\d+)(?:[.,](\d{1,2}))?$/;
const AMOUNT_COMMA_THOUSANDS = /^(\d{1,3}(?:,\d{3})+)\.(\d{1,2})$/;
const AMOUNT_POINT_THOUSANDS = /^(\d{1,3}(?:\.\d{3})+),(\d{1,2})$/;
const AMOUNT_MAX_INT_DIGITS = 10; // numeric(12,2)

/** An amount > 0 as digits, a point and exactly two decimals; undefined otherwise. */
export function normalizeAmount(text: string): string | undefined {
  const n = text.length;
  // Already canonical, the usual case: digits, '.', two digits, no leading zero.
  if (
    n >= 4 &&
    n <= AMOUNT_MAX_INT_DIGITS + 3 &&
    text.charCodeAt(n - 3) === 46 &&
    allDigits(text, 0, n - 3) &&
    allDigits(text, n - 2, n) &&
    (text.charCodeAt(0) !== 48 || n === 4)
  ) {
    return text === '0.00' ? undefined : text;
  }
  const m = AMOUNT_SPACED.exec(text) ?? AMOUNT_COMMA_THOUSANDS.exec(text) ?? AMOUNT_POINT_THOUSANDS.exec(text);
  if (!m) return undefined;
  let whole = (m[1] ?? '').replace(/\D/g, '');
  let start = 0;
  while (start < whole.length - 1 && whole.charCodeAt(start) === 48) start++;
  whole = whole.slice(start);
  const cents = (m[2] ?? '').padEnd(2, '0');
  if (whole.length > AMOUNT_MAX_INT_DIGITS || (whole === '0' && cents === '00')) return undefined;
  return `${whole}.${cents}`;
}

const DOTTED_DATE = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;
const DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/**
 * The calendar date of a sale date as `YYYY-MM-DD`, or undefined when it is not a
 * real date in an accepted form: `2024-05-15`, `15.05.2024`, or an ISO date-time
 * (`2024-05-15T21:30:00+03:00`, `...Z`), which gives its Moscow date; a date-time
 * without an offset is taken as Moscow wall-clock time.
 */
export function normalizeDate(text: string): string | undefined {
  if (text.length === 10 && text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45) {
    return Number.isNaN(dayNumber(text)) ? undefined : text;
  }
  const dotted = DOTTED_DATE.exec(text);
  if (dotted) {
    const date = `${dotted[3]}-${(dotted[2] ?? '').padStart(2, '0')}-${(dotted[1] ?? '').padStart(2, '0')}`;
    return Number.isNaN(dayNumber(date)) ? undefined : date;
  }
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const date = m[1] ?? '';
  const day = dayNumber(date);
  const [hour, minute, second] = [Number(m[2]), Number(m[3]), Number(m[4] ?? 0)];
  if (Number.isNaN(day) || hour > 23 || minute > 59 || second > 59) return undefined;
  if (m[5] === undefined && m[6] === undefined) return date;
  let offsetMinutes = 0;
  if (m[6] !== undefined) {
    const [oh, om] = [Number(m[7]), Number(m[8] ?? 0)];
    if (oh > 18 || om > 59) return undefined;
    offsetMinutes = (m[6] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const instant = day * 86_400_000 + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000;
  return offsetMinutes * 60_000 === MOSCOW_OFFSET_MS ? date : moscowDate(instant);
}

const REGION_LOOKUP = new Map<string, Region>();
for (const region of REGIONS) {
  REGION_LOOKUP.set(region, region);
  REGION_LOOKUP.set(REGION_NAMES[region], region);
}

/** The region of a row's text in any case (`North`, `north`, `NORTH`), or undefined. */
export function normalizeRegion(text: string): Region | undefined {
  return REGION_LOOKUP.get(text) ?? REGION_LOOKUP.get(text.toLowerCase());
}

/**
 * Normalises and validates the rows of one region file of one week. After
 * `normalize` accepts a row, `saleId`, `saleIdText` and `content` (the canonical
 * fields after sale_id) describe it; this avoids an object per row.
 */
export class RowNormalizer {
  saleId = 0;
  saleIdText = '';
  content = '';
  private readonly regionName: string;
  /** The week's seven dates, `YYYY-MM-DD`: most rows have one of these, checked without parsing. */
  private readonly weekDates: Set<string>;

  constructor(
    readonly week: Week,
    readonly region: Region,
  ) {
    this.regionName = REGION_NAMES[region];
    const monday = dayNumber(week.start);
    this.weekDates = new Set(Array.from({ length: 7 }, (_, i) => dateOfDay(monday + i)));
  }

  /**
   * Accept a line that is already canonical for this week and region, without
   * splitting it: the usual row. True means `normalize` would accept its fields
   * and give back the line itself (then see the fields); false means nothing
   * either way, the line must go through `splitCsvLine` and `normalize`. Only
   * rows whose every field is plainly canonical pass: ids of up to 9 digits
   * (a sale_id up to 15), no leading zeros, a date of the week, an amount with
   * exactly two decimals, the region's own name.
   */
  canonical(line: string): boolean {
    const n = line.length;
    // sale_id, customer_id, product_id, quantity: digits, no leading zero.
    let pos = 0;
    let saleIdEnd = 0;
    for (let field = 0; field < 4; field++) {
      const start = pos;
      const max = start + (field === 0 ? 15 : 9);
      if (pos >= n || line.charCodeAt(pos) === 48) return false;
      while (pos < n && isDigit(line.charCodeAt(pos))) pos++;
      if (pos === start || pos > max || line.charCodeAt(pos) !== 44) return false;
      if (field === 0) saleIdEnd = pos;
      pos++;
    }
    // sale_date: one of the week's seven dates.
    if (pos + 10 >= n || line.charCodeAt(pos + 10) !== 44 || !this.weekDates.has(line.slice(pos, pos + 10)))
      return false;
    pos += 11;
    // sale_amount: as normalizeAmount's canonical case.
    const amountStart = pos;
    while (pos < n && line.charCodeAt(pos) !== 44) pos++;
    const len = pos - amountStart;
    if (
      len < 4 ||
      len > AMOUNT_MAX_INT_DIGITS + 3 ||
      line.charCodeAt(pos - 3) !== 46 ||
      !allDigits(line, amountStart, pos - 3) ||
      !allDigits(line, pos - 2, pos) ||
      (line.charCodeAt(amountStart) === 48 && len !== 4) ||
      (len === 4 && line.startsWith('0.00', amountStart))
    ) {
      return false;
    }
    // region: exactly this file's, and nothing after it.
    if (pos + 1 + this.regionName.length !== n || !line.startsWith(this.regionName, pos + 1)) return false;
    this.saleIdText = line.slice(0, saleIdEnd);
    this.saleId = Number(this.saleIdText);
    this.content = line.slice(saleIdEnd + 1);
    return true;
  }

  /** The reason the row is rejected, or undefined when it is valid (then see the fields). */
  normalize(fields: readonly string[]): RejectReason | undefined {
    if (fields.length !== 7) return 'column_count';
    const f0 = (fields[0] as string).trim();
    const f1 = (fields[1] as string).trim();
    const f2 = (fields[2] as string).trim();
    const f3 = (fields[3] as string).trim();
    let f4 = (fields[4] as string).trim();
    const f5 = (fields[5] as string).trim();
    const f6 = (fields[6] as string).trim();
    if (!f0 || !f1 || !f2 || !f3 || !f4 || !f5 || !f6) return 'missing_field';
    const saleId = normalizeId(f0, Number.MAX_SAFE_INTEGER);
    const customerId = normalizeId(f1);
    const productId = normalizeId(f2);
    if (saleId === undefined || customerId === undefined || productId === undefined) return 'bad_id';
    const quantity = normalizeQuantity(f3);
    if (quantity === undefined) return 'bad_quantity';
    if (!this.weekDates.has(f4)) {
      const date = normalizeDate(f4);
      if (date === undefined) return 'bad_date';
      if (date < this.week.start || date > this.week.end) return 'date_outside_week';
      f4 = date;
    }
    const amount = normalizeAmount(f5);
    if (amount === undefined) return 'bad_amount';
    if (f6 !== this.regionName) {
      const region = normalizeRegion(f6);
      if (region === undefined) return 'unknown_region';
      if (region !== this.region) return 'region_mismatch';
    }
    this.saleIdText = saleId;
    this.saleId = Number(saleId);
    this.content = `${customerId},${productId},${quantity},${f4},${amount},${this.regionName}`;
    return undefined;
  }
}

/** What the first line of a raw file is. */
export type HeaderCheck =
  /** The header; `order[i]` is the input position of column i, or undefined when in the usual order. */
  | { kind: 'header'; order: number[] | undefined }
  /** No header: the line looks like a sale (its first field is a number). */
  | { kind: 'data' }
  | { kind: 'bad' };

/**
 * Recognise the header: the seven column names in any order, case and spacing.
 * A first line whose first field is a number is a sale of a file without header.
 */
export function checkHeader(line: string): HeaderCheck {
  const fields = splitCsvLine(line)?.map((f) => f.trim().toLowerCase());
  if (!fields) return { kind: 'bad' };
  if (fields.length === SALES_COLUMNS.length) {
    const order = SALES_COLUMNS.map((name) => fields.indexOf(name));
    if (order.every((at) => at >= 0)) {
      return { kind: 'header', order: order.every((at, i) => at === i) ? undefined : order };
    }
  }
  return allDigits(fields[0] ?? '') ? { kind: 'data' } : { kind: 'bad' };
}

/** FNV-1a, 32 bits: a compact fingerprint of a row's content for duplicate detection. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
