import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { openClickHouse, type ClickHouseDatabase } from '../../../src/lib/clickhouse/database.js';
import { replacePartitionFromCsv, stagePartition, swapStaged } from '../../../src/lib/clickhouse/partition.js';
import { chRows, chTestContext, tempDataDir } from '../../helpers/clickhouse.js';

// PostgreSQL's COPY hands its CSV over in chunks of bytes that know nothing of UTF-8: a Cyrillic
// letter (two bytes) may end one chunk and begin the next. What ClickHouse stores must be the text.

const NAMES = ['Одежда и обувь', 'Красота и здоровье', 'Хранение', 'Ремонт и сад'];
const WEEK = '2024-01-01';
const DAILY = ['week_start', 'sale_date', 'region', 'category', 'sales_count', 'quantity_sum', 'amount_sum'] as const;

/** The CSV's bytes cut into chunks of `size` bytes, so that every multi-byte letter is split somewhere. */
function chunked(text: string, size: number): Readable {
  const bytes = Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return Readable.from(chunks, { objectMode: false });
}

const dailyCsv = () =>
  NAMES.map((name, i) => `${WEEK},${WEEK},North,"${name}",${i + 1},${i + 1},${i + 1}.00\n`).join('');

describe('a CSV whose chunks split letters', () => {
  let tmp: Awaited<ReturnType<typeof tempDataDir>>;
  let ch: ClickHouseDatabase;

  before(async () => {
    tmp = await tempDataDir('ch-partition-utf8');
    ch = await openClickHouse(chTestContext({ dataDir: tmp.dir }));
  });
  after(async () => {
    await ch?.close();
    await tmp?.remove();
  });

  const stored = async () =>
    (
      await chRows<{ category: string }>(
        ch.client,
        'SELECT category FROM sales_etl.sales_daily WHERE week_start = {w:Date} ORDER BY sales_count',
        { w: WEEK },
      )
    ).map((r) => r.category);

  for (const size of [1, 3, 7]) {
    it(`is stored letter for letter, streamed whole (chunks of ${size} bytes)`, async () => {
      await replacePartitionFromCsv(ch.client, 'sales_daily', { weekStart: WEEK }, DAILY, chunked(dailyCsv(), size));
      assert.deepEqual(await stored(), NAMES);
    });

    it(`is stored letter for letter, sent in batches of lines (chunks of ${size} bytes)`, async () => {
      const csv = chunked(dailyCsv(), size);
      const staged = await stagePartition(ch.client, 'sales_daily', { weekStart: WEEK }, DAILY, csv, {
        oneRowPerLine: true,
      });
      try {
        await swapStaged(ch.client, [staged]);
      } finally {
        await staged.drop();
      }
      assert.deepEqual(await stored(), NAMES);
    });
  }
});

describe('a swap that fails part-way', () => {
  const AGG = ['week_start', 'region', 'product_id', 'amount_sum'] as const;
  const BUYERS = ['week_start', 'region', 'customer_id'] as const;
  const DAILY = ['week_start', 'sale_date', 'region', 'category', 'sales_count', 'amount_sum'] as const;
  const csv = (text: string) => Readable.from([Buffer.from(text)], { objectMode: false });
  let tmp: Awaited<ReturnType<typeof tempDataDir>>;

  before(async () => {
    tmp = await tempDataDir('ch-partition-failed-swap');
  });
  after(async () => {
    await tmp?.remove();
  });

  it('keeps its ready tables, and the next open swaps the whole week in', async () => {
    const ctx = chTestContext({ dataDir: tmp.dir });
    let ch = await openClickHouse(ctx);
    try {
      const week = { weekStart: WEEK };
      const agg = await stagePartition(
        ch.client,
        'sales_agg',
        week,
        AGG,
        csv(`${WEEK},North,1,5.00\n${WEEK},North,2,7.00\n`),
      );
      const buyers = await stagePartition(ch.client, 'week_buyers', week, BUYERS, csv(`${WEEK},North,42\n`));
      const daily = await stagePartition(
        ch.client,
        'sales_daily',
        week,
        DAILY,
        csv(`${WEEK},${WEEK},North,c,1,5.00\n`),
      );
      // The aggregates go in, then the buyers' table is not there to take its week.
      await ch.client.command({ query: 'DROP TABLE sales_etl.week_buyers SYNC' });
      await assert.rejects(swapStaged(ch.client, [agg, buyers, daily]), /kept for the next run/);
      for (const stage of [agg, buyers, daily]) await stage.drop();
      const ready = await chRows<{ name: string }>(
        ch.client,
        "SELECT name FROM system.tables WHERE database = 'sales_etl' AND name LIKE '%\\_\\_ready%' ORDER BY name",
      );
      assert.equal(ready.length, 3, JSON.stringify(ready));
    } finally {
      await ch.close();
    }
    // The next open makes the missing table again and finishes the publication from the ready tables.
    ch = await openClickHouse(ctx);
    try {
      const count = async (table: string) =>
        (await chRows<{ n: string }>(ch.client, `SELECT toString(count()) AS n FROM sales_etl.${table}`))[0]?.n;
      assert.equal(await count('sales_agg'), '2');
      assert.equal(await count('week_buyers'), '1');
      assert.equal(await count('sales_daily'), '1');
      const left = await chRows(
        ch.client,
        "SELECT name FROM system.tables WHERE database = 'sales_etl' AND name LIKE '%\\_\\_%'",
      );
      assert.deepEqual(left, []);
    } finally {
      await ch.close();
    }
  });
});
