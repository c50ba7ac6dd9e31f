import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dayNumber, moscowDate, type Week } from '../../src/lib/core/calendar.js';
import { createContext, resolveConfig, type Context } from '../../src/lib/core/config.js';
import { silentLogger, type Logger } from '../../src/lib/ui/logger.js';

/** The repository's root, from dist/test/helpers. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = path.join(REPO_ROOT, 'bin', 'sales-etl.js');

/** A fresh temporary data directory; remove it with `removeDir`. */
export function tempDir(name: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `sales-etl-${name}-`));
}

export function removeDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

/** A context on a data directory whose log keeps its warnings. */
export function quietContext(dataDir: string): { ctx: Context; warnings: string[] } {
  const warnings: string[] = [];
  const log: Logger = { ...silentLogger(), warn: (m) => warnings.push(m) };
  return { ctx: { ...createContext(resolveConfig({ dataDir }, {})), log }, warnings };
}

/** Split one CSV line into fields (RFC 4180 quotes), or undefined when the quoting is broken. */
export function splitCsv(line: string): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return undefined;
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      fields.push(value);
      if (i === line.length) return fields;
      if (line[i] !== ',') return undefined;
      i++;
    } else {
      const c = line.indexOf(',', i);
      if (c < 0) {
        fields.push(line.slice(i));
        return fields;
      }
      fields.push(line.slice(i, c));
      i = c + 1;
    }
  }
}

const REGION = new Map([
  ['north', 'North'],
  ['south', 'South'],
  ['east', 'East'],
  ['west', 'West'],
]);
const AMOUNT = /^(?:\d+|\d{1,3}(?:[ \u00a0]\d{3})+)(?:[.,]\d{1,2})$/;

/**
 * A raw line read back by the rules of docs/architecture.md, independently of
 * the clean stage: the canonical line of a valid sale, or undefined when the
 * line is invalid for the week. Only the documented noise forms are accepted.
 */
export function canonicalOf(line: string, week: Week): string | undefined {
  const f = splitCsv(line)?.map((x) => x.trim());
  if (f?.length !== 7) return undefined;
  const [id, customer, product, qty, date, amount, region] = f as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  for (const n of [id, customer, product]) if (!/^[1-9]\d*$/.test(n)) return undefined;
  const q = /^([1-9]\d*)(?:\.0)?$/.exec(qty)?.[1];
  if (q === undefined) return undefined;
  let day: string | undefined;
  const m = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(date);
  if (/^\d{4}-\d{2}-\d{2}$/.test(date)) day = date;
  else if (m) day = `${m[3]}-${m[2]}-${m[1]}`;
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2})$/.test(date)) {
    const ms = Date.parse(date);
    if (Number.isNaN(ms)) return undefined;
    day = moscowDate(ms);
  }
  if (day === undefined || Number.isNaN(dayNumber(day)) || day < week.start || day > week.end) return undefined;
  if (!AMOUNT.test(amount)) return undefined;
  const [whole = '', cents = ''] = amount.replace(/[ \u00a0]/g, '').split(/[.,]/);
  const kopecks = Number(whole) * 100 + Number(cents.padEnd(2, '0'));
  if (!(kopecks > 0)) return undefined;
  const name = REGION.get(region.toLowerCase());
  if (name === undefined) return undefined;
  return [
    id,
    customer,
    product,
    q,
    day,
    `${Math.floor(kopecks / 100)}.${String(kopecks % 100).padStart(2, '0')}`,
    name,
  ].join(',');
}
