import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { CUSTOMERS_HEADER, PRODUCTS_HEADER, SALES_COLUMNS } from '../../src/lib/core/headers.js';

// load-pg's statement files spell out the columns that core/headers.ts holds: a column added to a header
// and forgotten in a file would load as NULL or not at all. These checks tie the two together.
const SQL = new URL('../../../sql/pg/', import.meta.url);

const sql = async (name: string) =>
  (await readFile(new URL(name, SQL), 'utf8')).replace(/--[^\n]*/g, '').replace(/\s+/g, ' ');
const list = (text: string) => text.split(',').map((c) => c.trim());

/** The column lists of `INSERT INTO table (...) SELECT ... FROM`. */
function insertColumns(text: string, table: string): { into: string[]; select: string[] } {
  const found = new RegExp(`INSERT INTO ${table} \\(([^)]*)\\) SELECT (.*?) FROM`).exec(text);
  assert.ok(found, `no INSERT INTO ${table} (...) SELECT ... FROM`);
  return { into: list(found[1]!), select: list(found[2]!) };
}

for (const [file, table, header] of [
  ['load-pg-upsert-customers.sql', 'customers', CUSTOMERS_HEADER],
  ['load-pg-upsert-products.sql', 'products', PRODUCTS_HEADER],
] as const) {
  test(`${file} inserts, updates and compares every column of ${table}'s header`, async () => {
    const text = await sql(file);
    const columns = header.split(',');
    const [key, ...rest] = columns;
    const { into, select } = insertColumns(text, table);
    assert.deepEqual(into, columns);
    assert.deepEqual(select, columns);
    assert.match(text, new RegExp(`ON CONFLICT \\(${key}\\) DO UPDATE SET`));
    for (const column of rest) assert.match(text, new RegExp(`\\b${column} = EXCLUDED\\.${column}\\b`), column);
    const distinct = /WHERE \(([^)]*)\) IS DISTINCT FROM \(([^)]*)\)/.exec(text);
    assert.ok(distinct, 'no IS DISTINCT FROM comparison');
    assert.deepEqual(
      list(distinct[1]!),
      columns.map((c) => `${table}.${c}`),
    );
    assert.deepEqual(
      list(distinct[2]!),
      columns.map((c) => `EXCLUDED.${c}`),
    );
  });
}

test('load-pg-insert-staged.sql moves every column of the sales header', async () => {
  const { into, select } = insertColumns(await sql('load-pg-insert-staged.sql'), 'sales');
  assert.deepEqual(into, [...SALES_COLUMNS]);
  assert.deepEqual(select, [...SALES_COLUMNS]);
});
