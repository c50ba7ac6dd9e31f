import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { stringify, type Options } from 'csv-stringify/sync';
import fc from 'fast-check';
import { Layout } from '../../../src/lib/files/layout.js';
import { CUSTOMERS_HEADER, PRODUCTS_HEADER } from '../../../src/lib/core/headers.js';
import { productFields, type Product } from '../../../src/lib/generator/products.js';
import { customer, type Customer } from '../../../src/lib/generator/customers.js';
import { isoDay } from '../../../src/lib/generator/days.js';
import { REGION_NAMES } from '../../../src/lib/core/regions.js';
import { newPlan, Schedule } from '../../../src/lib/generator/store-plan.js';
import { customerLine, dimCsv, writeProducts } from '../../../src/lib/generator/write-dims.js';

/**
 * The oracle: csv-stringify with options that spell out the dimension files' rules (quoted when
 * the field holds a quote, a comma, CR or LF; quotes doubled; LF after every record).
 */
const DIM_CSV: Options = {
  delimiter: ',',
  quote: '"',
  escape: '"',
  record_delimiter: 'unix',
  // A lone CR is quoted too; csv-stringify quotes only the record delimiter (LF) unless told.
  quote_record_delimiter: true,
  eof: true,
  bom: false,
  header: false,
  quoted: false,
  quoted_empty: false,
  escape_formulas: false,
};
const handLine = (fields: readonly string[]) => stringify([fields as string[]], DIM_CSV);

/** Names as hostile as a merchant's free text gets. */
const HOSTILE = [
  'Чайник "Уют", 1,7 л',
  ' leading space',
  'trailing space ',
  '  ',
  '',
  '"',
  '""',
  '"quoted"',
  'a,b',
  ',',
  'line\nbreak',
  'carriage\rreturn',
  'crlf\r\n',
  '\n',
  '=SUM(A1:A2)',
  '-1',
  '+7 (495)',
  '@home',
  '\ttab',
  "it's",
  'emoji 🍵, "tea"',
  '\u00a0no-break\u202fspaces',
  'NUL\u0000byte',
  'back\\slash',
];

/** Strings drawn mostly from the characters quoting turns on. */
const hostileText = fc.oneof(
  fc.string({ unit: fc.constantFrom('"', ',', '\n', '\r', ' ', 'a', 'Я', '\\', "'", '=', '\t'), maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.constantFrom(...HOSTILE),
);

describe('dimension CSV, checked against csv-stringify', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sales-etl-dims-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('the same bytes as csv-stringify for hostile fields', () => {
    for (const name of HOSTILE) assert.equal(dimCsv([[name, name]]), handLine([name, name]), JSON.stringify(name));
    fc.assert(
      fc.property(fc.array(fc.array(hostileText, { minLength: 1, maxLength: 6 }), { maxLength: 8 }), (records) => {
        assert.equal(dimCsv(records), records.map(handLine).join(''));
      }),
      { numRuns: 2000 },
    );
  });

  test('a few spelled out: only quote, comma, CR and LF are quoted; leading spaces and formulas are not', () => {
    assert.equal(dimCsv([['1', ' x', '=1+1', 'a "b"', 'c,d', 'e\nf', '']]), '1, x,=1+1,"a ""b""","c,d","e\nf",\n');
    assert.equal(dimCsv([]), '');
  });

  test('dim/products.csv with hostile names: the bytes csv-stringify writes, read back as written', async () => {
    const products: Product[] = HOSTILE.map((name, i) => ({
      id: i + 1,
      name,
      category: i % 2 ? 'Дом, сад' : 'Кухня',
      listPrice: 9990 + i * 1001,
      popularity: 1,
      type: 0,
    }));
    const layout = new Layout(dir);
    await writeProducts(layout, products);
    const bytes = await readFile(layout.dim('products'), 'utf8');
    assert.equal(bytes, `${PRODUCTS_HEADER}\n${products.map((p) => handLine(productFields(p))).join('')}`);
    const rows = parse(bytes, { columns: true, relax_quotes: false }) as Record<string, string>[];
    assert.deepEqual(
      rows.map((r) => r.name),
      products.map((p) => p.name),
    );
    assert.equal(rows[0]?.list_price, '99.90');
  });
});

describe('a dim/customers.csv record', () => {
  /** The oracle's fields of a customer, one per column of CUSTOMERS_HEADER, in its order. */
  const customerFields = (c: Customer): string[] => [
    String(c.id),
    c.fullName,
    c.gender,
    isoDay(c.birthDay),
    isoDay(c.registeredDay),
    REGION_NAMES[c.region],
    c.city,
    c.address,
    c.activity,
    String(c.maxOrders),
  ];
  const schedule = new Schedule(newPlan({}, Date.UTC(2026, 0, 10)));

  test('is the record csv-stringify writes of its fields, for the plan customers', () => {
    assert.equal(customerFields(customer(schedule, 1)).length, CUSTOMERS_HEADER.split(',').length);
    for (let id = 1; id <= 3000; id++) {
      const c = customer(schedule, id);
      assert.equal(customerLine(c), handLine(customerFields(c)), `customer ${id}`);
    }
  });

  test('and with hostile free text in the name, city and address', () => {
    const base = customer(schedule, 1);
    fc.assert(
      fc.property(hostileText, hostileText, hostileText, (fullName, city, address) => {
        const c = { ...base, fullName, city, address };
        assert.equal(customerLine(c), handLine(customerFields(c)));
      }),
      { numRuns: 2000 },
    );
  });
});
