import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { addWeeks, dateOfDay, dayNumber, type Week } from '../../src/lib/core/calendar.js';
import { REGIONS, REGION_NAMES, type Region } from '../../src/lib/core/regions.js';
import { SALES_HEADER } from '../../src/lib/core/headers.js';
import type { Layout } from '../../src/lib/files/layout.js';

/** A canonical clean sale, with its amount in whole kopecks so tests can add exactly. */
export interface SaleRow {
  sale_id: number;
  customer_id: number;
  product_id: number;
  quantity: number;
  sale_date: string;
  kopecks: number;
  /** Canonical: `North`, `South`, `East`, `West`. */
  region: string;
}

/** A small deterministic PRNG (mulberry32), so fixtures are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` sales inside the week, ids from `firstId` up. */
export function makeSales(week: Week, count: number, firstId: number, seed = 1, products = 40): SaleRow[] {
  const random = prng(seed);
  const monday = dayNumber(week.start);
  const pick = (n: number) => Math.floor(random() * n);
  return Array.from({ length: count }, (_, i) => {
    const quantity = 1 + Math.floor(random() ** 3 * 15);
    const unit = 50 + pick(2_000_000); // kopecks
    return {
      sale_id: firstId + i,
      customer_id: 1 + pick(500),
      product_id: 1 + pick(products),
      quantity,
      sale_date: dateOfDay(monday + pick(7)),
      kopecks: unit * quantity,
      region: REGION_NAMES[REGIONS[pick(4)] as Region],
    };
  });
}

/** An amount in kopecks as a clean file writes it: two decimals with a dot. */
export function money(kopecks: number | bigint): string {
  const k = BigInt(kopecks);
  const sign = k < 0n ? '-' : '';
  const abs = k < 0n ? -k : k;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

export function saleLine(r: SaleRow): string {
  return [r.sale_id, r.customer_id, r.product_id, r.quantity, r.sale_date, money(r.kopecks), r.region].join(',');
}

/**
 * Write `clean/<week>/<region>.csv` for every region that has rows, and the
 * manifest last (as clean does). `extraLines` appends raw lines to a region's
 * file without counting them, to make a corrupt file.
 */
export async function writeCleanWeek(
  layout: Layout,
  week: Week,
  rows: SaleRow[],
  extraLines: Partial<Record<Region, string[]>> = {},
): Promise<void> {
  await mkdir(layout.cleanDir(week), { recursive: true });
  const files: { region: Region; written: number; [key: string]: unknown }[] = [];
  for (const region of REGIONS) {
    const mine = rows.filter((r) => r.region === REGION_NAMES[region]);
    const extra = extraLines[region] ?? [];
    if (mine.length === 0 && extra.length === 0) continue;
    const lines = [SALES_HEADER, ...mine.map(saleLine), ...extra];
    await writeFile(layout.clean(week, region), `${lines.join('\n')}\n`);
    files.push({
      region,
      input: `raw/${week.id}/${region}.csv`,
      inputSha256: '0'.repeat(64),
      output: `clean/${week.id}/${region}.csv`,
      outputSha256: '0'.repeat(64),
      rejects: `rejects/${week.id}/${region}.csv`,
      read: mine.length + extra.length,
      written: mine.length + extra.length,
      duplicates: 0,
      rejected: 0,
      rejectReasons: {},
    });
  }
  const written = files.reduce((n, f) => n + f.written, 0);
  const manifest = {
    week: week.id,
    weekStart: week.start,
    weekEnd: week.end,
    files,
    missingRegions: REGIONS.filter((r) => !files.some((f) => f.region === r)),
    totals: { read: written, written, duplicates: 0, rejected: 0 },
  };
  await writeFile(layout.manifest(week), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** `dim/customers.csv` and `dim/products.csv` with Cyrillic names (the database must be UTF-8). */
export async function writeDims(layout: Layout, customers: number, products: number, priceBump = 0): Promise<void> {
  await mkdir(path.dirname(layout.dim('customers')), { recursive: true });
  const c = ['customer_id,full_name,gender,birth_date,registered_on,region,city,address,activity,max_orders'];
  for (let i = 1; i <= customers; i++) {
    c.push(
      `${i},Иванова Мария Петровна ${i},F,1980-01-0${1 + (i % 9)},2023-01-01,North,` +
        `Санкт-Петербург,"ул. Ленина, д. ${i}",medium,${i % 20}`,
    );
  }
  const p = ['product_id,name,category,list_price'];
  for (let i = 1; i <= products; i++) p.push(`${i},Товар ${i},kitchen,${money(1000 + i * 7 + priceBump)}`);
  await writeFile(layout.dim('customers'), `${c.join('\n')}\n`);
  await writeFile(layout.dim('products'), `${p.join('\n')}\n`);
}

/** Consecutive weeks starting at `first`. */
export function weeksFrom(first: Week, n: number): Week[] {
  return Array.from({ length: n }, (_, i) => addWeeks(first, i));
}
