import { dayNumber, moscowDateTime, type Week } from '../core/calendar.js';
import { isoDay } from './days.js';
import { REGION_NAMES, type Region } from '../core/regions.js';
import { formatKopecks } from '../core/money.js';
import { intBetween, pick, type Rng } from './random.js';
import type { Sale } from './sales.js';
import type { DirtRates } from './store-plan.js';

/** A sale as the canonical raw line (what clean writes back out). */
export function canonicalLine(s: Sale): string {
  const ids = `${s.saleId},${s.customerId},${s.productId},${s.quantity}`;
  return `${ids},${isoDay(s.day)},${formatKopecks(s.amount)},${REGION_NAMES[s.region]}`;
}

/** `YYYY-MM-DD` as `DD.MM.YYYY`. */
function dotted(date: string): string {
  return `${date.slice(8, 10)}.${date.slice(5, 7)}.${date.slice(0, 4)}`;
}

/** The sale date in one of the accepted non-canonical forms; each differs from `YYYY-MM-DD`. */
function noisyDate(s: Sale, rng: Rng): string {
  const r = rng();
  if (r < 0.4) return dotted(isoDay(s.day));
  if (r < 0.7) return `${moscowDateTime(s.time).replace(' ', 'T')}+03:00`;
  return `${new Date(s.time).toISOString().slice(0, 19)}Z`;
}

/** The amount in an accepted non-canonical form, or undefined when none fits this amount. */
function noisyAmount(kopecks: number, rng: Rng): string | undefined {
  const canonical = formatKopecks(kopecks);
  const forms: string[] = [canonical.replace('.', ',')];
  if (kopecks % 10 === 0) forms.push(canonical.slice(0, -1));
  if (kopecks >= 100_000) {
    const [whole = '', cents = ''] = canonical.split('.');
    const sep = rng() < 0.5 ? ' ' : '\u00a0';
    const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
    forms.push(`${grouped}.${cents}`, `${grouped},${cents}`);
  }
  return pick(rng, forms);
}

/** Quote a field holding a comma (the only special character the generator ever writes). */
const quoted = (field: string) => (field.includes(',') ? `"${field}"` : field);

/** A sale's fields in canonical form, in SALES_COLUMNS' order, under the given sale_id. */
function saleFields(s: Sale, saleId: number): string[] {
  return [
    String(saleId),
    String(s.customerId),
    String(s.productId),
    String(s.quantity),
    isoDay(s.day),
    formatKopecks(s.amount),
    REGION_NAMES[s.region],
  ];
}

/**
 * A valid sale in accepted non-canonical forms (architecture.md lists them;
 * clean must read each back to the canonical line). Never equal to the
 * canonical line: when no other change happens, the date changes form.
 */
export function noisyLine(s: Sale, rng: Rng): string {
  const f = saleFields(s, s.saleId);
  let changed = false;
  if (rng() < 0.45) {
    const name = f[6] as string;
    f[6] = pick(rng, [name.toLowerCase(), name.toUpperCase(), ` ${name} `, `${name} `]);
    changed = true;
  }
  if (rng() < 0.45) {
    const amount = noisyAmount(s.amount, rng);
    if (amount !== undefined) {
      f[5] = quoted(amount);
      changed = true;
    }
  }
  if (rng() < 0.25) {
    f[3] = `${s.quantity}.0`;
    changed = true;
  }
  if (rng() < 0.2) {
    const i = intBetween(rng, 0, 2);
    f[i] = pick(rng, [` ${f[i]}`, `${f[i]} `, ` ${f[i]} `]);
    changed = true;
  }
  if (!changed || rng() < 0.45) f[4] = noisyDate(s, rng);
  return f.join(',');
}

/** Why an invalid row is invalid; clean must reject every one of them. */
export const INVALID_KINDS = [
  'missing_field',
  'bad_quantity',
  'bad_date',
  'date_outside_week',
  'unknown_region',
  'wrong_columns',
] as const;

const UNKNOWN_REGIONS = ['Central', 'Siberia', 'Northwest', 'Центр', 'N/A', 'Nord', 'Unknown'];

/**
 * An invalid row made from a real sale's values under a fresh sale_id (never
 * one of a valid sale, so cleaning leaves exactly the valid set).
 */
export function invalidLine(s: Sale, saleId: number, week: Week, rng: Rng): string {
  const f = saleFields(s, saleId);
  const year = week.start.slice(0, 4);
  switch (pick(rng, INVALID_KINDS)) {
    case 'missing_field':
      f[intBetween(rng, 0, 6)] = '';
      break;
    case 'bad_quantity': {
      const q = -intBetween(rng, 0, 3);
      f[3] = String(q);
      f[5] = formatKopecks(q * s.unitPrice);
      break;
    }
    case 'bad_date':
      f[4] = pick(rng, [
        `${year}-13-${f[4]?.slice(8, 10)}`,
        `${year}-02-30`,
        `32.${f[4]?.slice(5, 7)}.${year}`,
        'не указана',
        '00.00.0000',
        'yesterday',
      ]);
      break;
    case 'date_outside_week': {
      const start = dayNumber(week.start);
      const day = rng() < 0.5 ? start - intBetween(rng, 1, 30) : start + 6 + intBetween(rng, 1, 30);
      f[4] = rng() < 0.7 ? isoDay(day) : dotted(isoDay(day));
      break;
    }
    case 'unknown_region':
      f[6] = pick(rng, UNKNOWN_REGIONS);
      break;
    case 'wrong_columns':
      // A broken export: the region dropped, or a decimal comma left unquoted (eight columns).
      if (rng() < 0.5) f.pop();
      else f[5] = (f[5] as string).replace('.', ',');
      break;
  }
  return f.join(',');
}

/** Room for the bytes of one write of a region's file (write-week.ts writes from 64 KiB on). */
const CHUNK = 80 * 1024;

const COMMA = 0x2c;
const DOT = 0x2e;
const ZERO = 0x30;
/** Each region's name as the bytes of a canonical line. */
const REGION_BYTES = Object.fromEntries(
  Object.entries(REGION_NAMES).map(([region, name]) => [region, Buffer.from(name, 'latin1')]),
) as Record<Region, Buffer>;
/** More than a canonical line can take: four integers of up to 16 digits, a date, an amount, a region, commas. */
const LONGEST_CANONICAL = 4 * 16 + 10 + 20 + 16 + 8;

/** The decimal digits of a whole number from 0 up, at `at`; where they end. */
function writeDigits(b: Buffer, at: number, n: number): number {
  let digits = 1;
  for (let m = n; m >= 10; m = Math.floor(m / 10)) digits++;
  let i = at + digits;
  for (let m = n; i > at; m = Math.floor(m / 10)) b[--i] = ZERO + (m % 10);
  return at + digits;
}

/**
 * Turns one region's valid sales into the lines of its raw file, with the
 * plan's dirt. Exact duplicates and re-exports are held back a few rows
 * (a small queue, so memory stays flat) and written later in the file.
 */
export class DirtyRegion {
  /** Data lines written, dirt included. */
  lines = 0;
  /** The bytes produced since the last `take`, encoded as they come (no string to build and flatten). */
  private bytes = Buffer.allocUnsafe(CHUNK);
  private used = 0;
  private valid = 0;
  private invalid = 0;
  private readonly pending: Array<{ at: number; line: string }> = [];

  constructor(
    private readonly rates: DirtRates,
    private readonly rng: Rng,
    private readonly week: Week,
    /** The first of this file's fresh ids for invalid rows. */
    private readonly invalidIdBase: number,
  ) {}

  /** Add one valid sale. */
  add(s: Sale): void {
    const rng = this.rng;
    // The line as a string when it is noisy; a canonical one is written as bytes, and built as a
    // string only for the few rows that need it again (a duplicate, a comparison).
    let line: string | undefined;
    if (rng() < this.rates.formatNoise) {
      line = noisyLine(s, rng);
      this.push(line);
    } else {
      this.pushCanonical(s);
    }
    this.valid++;
    if (rng() < this.rates.invalid) this.push(invalidLine(s, this.invalidIdBase + this.invalid++, this.week, rng));
    if (rng() < this.rates.exactDuplicate) this.later(intBetween(rng, 0, 30), line ?? canonicalLine(s));
    if (rng() < this.rates.reExport) {
      let other = noisyLine(s, rng);
      if (other === (line ?? canonicalLine(s))) other = canonicalLine(s);
      this.later(intBetween(rng, 1, 300), other);
    }
    while (this.pending.length > 0 && (this.pending[0]?.at as number) <= this.valid) {
      this.push((this.pending.shift() as { line: string }).line);
    }
  }

  /** Write out what is still held back. */
  finish(): void {
    for (const p of this.pending.splice(0)) this.push(p.line);
  }

  /** The bytes produced since the last call (the region's own buffer: write it before the next `add`). */
  take(): Buffer {
    const out = this.bytes.subarray(0, this.used);
    this.bytes = Buffer.allocUnsafe(CHUNK);
    this.used = 0;
    return out;
  }

  /** Bytes produced since the last `take`. */
  get buffered(): number {
    return this.used;
  }

  private push(line: string): void {
    // A line is at most a few hundred bytes; grow only for a long run of held-back lines.
    if (this.used + 3 * line.length + 1 > this.bytes.length) this.grow(3 * line.length + 1);
    this.used += this.bytes.write(line, this.used, 'utf8');
    this.bytes[this.used++] = 10;
    this.lines++;
  }

  /**
   * `canonicalLine(s)` and LF, written as bytes: nine lines in ten are canonical, and building each
   * as a string to encode it cost a tenth of generating the year. ASCII only, as the line is; a valid
   * sale's amount is positive.
   */
  private pushCanonical(s: Sale): void {
    if (this.used + LONGEST_CANONICAL > this.bytes.length) this.grow(LONGEST_CANONICAL);
    const b = this.bytes;
    let at = writeDigits(b, this.used, s.saleId);
    b[at++] = COMMA;
    at = writeDigits(b, at, s.customerId);
    b[at++] = COMMA;
    at = writeDigits(b, at, s.productId);
    b[at++] = COMMA;
    at = writeDigits(b, at, s.quantity);
    b[at++] = COMMA;
    at += b.write(isoDay(s.day), at, 'latin1');
    b[at++] = COMMA;
    const cents = s.amount % 100;
    at = writeDigits(b, at, (s.amount - cents) / 100);
    b[at++] = DOT;
    b[at++] = ZERO + Math.floor(cents / 10);
    b[at++] = ZERO + (cents % 10);
    b[at++] = COMMA;
    const region = REGION_BYTES[s.region];
    b.set(region, at);
    at += region.length;
    b[at++] = 10;
    this.used = at;
    this.lines++;
  }

  private grow(more: number): void {
    const bigger = Buffer.allocUnsafe(2 * this.bytes.length + more);
    this.bytes.copy(bigger, 0, 0, this.used);
    this.bytes = bigger;
  }

  private later(delay: number, line: string): void {
    const at = this.valid + delay;
    let i = this.pending.length;
    while (i > 0 && (this.pending[i - 1]?.at as number) > at) i--;
    this.pending.splice(i, 0, { at, line });
  }
}
