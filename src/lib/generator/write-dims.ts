import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { openAtomicWriter, writeFileAtomic, type Layout } from '../files/layout.js';
import { CUSTOMERS_HEADER, PRODUCTS_HEADER } from '../core/headers.js';
import { customer, type Customer } from './customers.js';
import { isoDay } from './days.js';
import { REGION_NAMES } from '../core/regions.js';
import { productFields, type Product } from './products.js';
import type { Schedule } from './store-plan.js';

/**
 * How the dimension files are written (RFC 4180, as load-pg's COPY ... CSV reads
 * them): a field is quoted only when it holds a comma, a quote, CR or LF, a
 * quote inside doubled; every record ends in LF, the last one too. Spaces,
 * leading ones as well, stay unquoted; no formula escaping, no BOM.
 *
 * By hand, not through csv-stringify: the file of a year's 143,000 customers
 * took csv-stringify a second of the five that generating the year takes, and
 * this a tenth of that. csv-stringify, with the options that spell out the
 * rules above, is the test oracle (test/lib/generator/write-dims.test.ts).
 */
const NEEDS_QUOTES = /[",\r\n]/;

function dimField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Records as `dim/*.csv` lines, each ending in LF. */
export function dimCsv(records: readonly (readonly string[])[]): string {
  let text = '';
  for (const record of records) text += `${record.map(dimField).join(',')}\n`;
  return text;
}

/**
 * A customer's record of `dim/customers.csv`, in CUSTOMERS_HEADER's order and quoted as `dimCsv` quotes: built in
 * one string, with only the free-text fields (name, city, address) checked for quoting, the rest
 * being numbers, dates and words of our own: a year's 143,000 records take 0.1 s, half of what
 * building and joining their fields took.
 */
export function customerLine(c: Customer): string {
  return (
    `${c.id},${dimField(c.fullName)},${c.gender},${isoDay(c.birthDay)},${isoDay(c.registeredDay)},` +
    `${REGION_NAMES[c.region]},${dimField(c.city)},${dimField(c.address)},${c.activity},${c.maxOrders}\n`
  );
}

/** Write `dim/products.csv` (a pure function of the plan, so rewriting it changes nothing). */
export async function writeProducts(layout: Layout, products: readonly Product[]): Promise<void> {
  await writeFileAtomic(layout.dim('products'), `${PRODUCTS_HEADER}\n${dimCsv(products.map(productFields))}`);
}

/**
 * The last customer_id of an existing `dim/customers.csv`, or 0 when there is
 * none or it does not start with this plan's header and first customer (a
 * file left by another plan is rewritten).
 */
async function lastCustomerId(file: string, start: string): Promise<number> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch {
    return 0;
  }
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(Math.min(size, Buffer.byteLength(start)));
    await handle.read(head, 0, head.length, 0);
    if (head.toString('utf8') !== start) return 0;
    const tail = Buffer.alloc(Math.min(size, 4096));
    await handle.read(tail, 0, tail.length, size - tail.length);
    const text = tail.toString('utf8');
    if (!text.endsWith('\n')) return 0;
    const last = text.slice(text.lastIndexOf('\n', text.length - 2) + 1);
    const id = /^(\d+),/.exec(last)?.[1];
    return id === undefined ? 0 : Number(id);
  } finally {
    await handle.close();
  }
}

/** Customers stringified and written at a time: about 64 KiB of text. */
const CUSTOMERS_PER_WRITE = 512;

async function write(stream: Writable, data: string | Buffer): Promise<void> {
  if (!stream.write(data)) await once(stream, 'drain');
}

/**
 * Make `dim/customers.csv` hold customers 1..`needed` at least. Customers are
 * pure functions of the plan and their id, so a file that already has enough
 * is left alone, and one with fewer keeps its bytes and gets the others
 * appended (a new file, renamed over the old one).
 * Returns the number of customers in the file.
 */
export async function writeCustomers(layout: Layout, schedule: Schedule, needed: number): Promise<number> {
  const file = layout.dim('customers');
  const start = `${CUSTOMERS_HEADER}\n${customerLine(customer(schedule, 1))}`;
  const existing = await lastCustomerId(file, start);
  if (existing >= needed) return existing;
  const writer = await openAtomicWriter(file);
  try {
    if (existing > 0) {
      for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }))
        await write(writer.stream, chunk as Buffer);
    } else {
      await write(writer.stream, `${CUSTOMERS_HEADER}\n`);
    }
    for (let first = existing + 1; first <= needed; first += CUSTOMERS_PER_WRITE) {
      const last = Math.min(needed, first + CUSTOMERS_PER_WRITE - 1);
      let text = '';
      for (let id = first; id <= last; id++) text += customerLine(customer(schedule, id));
      await write(writer.stream, text);
    }
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw new Error(`generate: cannot write ${layout.relative(file)}`, { cause: error });
  }
  return needed;
}
