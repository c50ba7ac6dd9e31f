import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import { aggregate } from '../../src/commands/aggregate.js';
import { loadPg } from '../../src/commands/load-pg.js';
import { openPg } from '../../src/lib/pg/database.js';
import { parseWeek, weekOfDate, type Week } from '../../src/lib/core/calendar.js';
import {
  freshDatabase,
  pgTargets,
  stopTestCluster,
  tempDataDir,
  testContext,
  type TestDatabase,
} from '../helpers/pg.js';
import { makeSales, money, writeCleanWeek, type SaleRow } from '../helpers/pg-fixtures.js';

after(stopTestCluster);

const AGG_ROWS = `SELECT week_start::text AS week_start, region, product_id, sales_count, quantity_sum,
  amount_sum::text AS amount_sum,
  avg_sale_amount::text AS avg_sale_amount, revenue_rank, revenue_share::text AS revenue_share,
  region_revenue_ytd::text AS region_revenue_ytd
  FROM sales_agg WHERE week_start = $1 ORDER BY region, product_id`;

interface AggRow {
  week_start: string;
  region: string;
  product_id: number;
  sales_count: number;
  quantity_sum: number;
  amount_sum: string;
  avg_sale_amount: string;
  revenue_rank: number;
  revenue_share: string;
  region_revenue_ytd: string;
}

/** n / d rounded half away from zero, for positive BigInts. */
const roundDiv = (n: bigint, d: bigint) => (2n * n + d) / (2n * d);

/**
 * The expected aggregates, computed in JS from the rows in whole kopecks,
 * without SQL: a different road to the same numbers.
 */
function expected(week: Week, all: SaleRow[]): AggRow[] {
  const groups = new Map<string, { region: string; product: number; count: number; qty: number; kop: bigint }>();
  const regionTotal = new Map<string, bigint>();
  const ytd = new Map<string, bigint>();
  for (const r of all) {
    const w = weekOfDate(r.sale_date);
    if (w.isoYear === week.isoYear && w.start <= week.start)
      ytd.set(r.region, (ytd.get(r.region) ?? 0n) + BigInt(r.kopecks));
    if (w.id !== week.id) continue;
    const key = `${r.region}|${String(r.product_id).padStart(9, '0')}`;
    const g = groups.get(key) ?? { region: r.region, product: r.product_id, count: 0, qty: 0, kop: 0n };
    g.count += 1;
    g.qty += r.quantity;
    g.kop += BigInt(r.kopecks);
    groups.set(key, g);
    regionTotal.set(r.region, (regionTotal.get(r.region) ?? 0n) + BigInt(r.kopecks));
  }
  const list = [...groups.values()];
  return [...groups.keys()].sort().map((key) => {
    const g = groups.get(key)!;
    const total = regionTotal.get(g.region)!;
    const share = roundDiv(g.kop * 1_000_000n, total);
    return {
      week_start: week.start,
      region: g.region,
      product_id: g.product,
      sales_count: g.count,
      quantity_sum: g.qty,
      amount_sum: money(g.kop),
      avg_sale_amount: money(roundDiv(g.kop, BigInt(g.count))),
      revenue_rank: 1 + list.filter((o) => o.region === g.region && o.kop > g.kop).length,
      revenue_share: `${share / 1_000_000n}.${String(share % 1_000_000n).padStart(6, '0')}`,
      region_revenue_ytd: money(ytd.get(g.region)!),
    };
  });
}

const DAILY_ROWS = `SELECT to_char(sale_date, 'YYYY-MM-DD') AS day, region, category, sales_count,
  quantity_sum::int AS quantity, amount_sum::text AS amount
  FROM sales_daily WHERE week_start = $1 ORDER BY sale_date, region COLLATE "C", category COLLATE "C"`;
const BUYER_ROWS = `SELECT region, array(SELECT unnest(customer_ids) ORDER BY 1) AS customer_ids
  FROM week_buyers WHERE week_start = $1 ORDER BY region COLLATE "C"`;

/** The week's sales_daily and week_buyers rows, computed in JS from the rows (no catalogue: category ''). */
function expectedDailyAndBuyers(week: Week, all: SaleRow[]) {
  const days = new Map<string, { day: string; region: string; n: number; qty: number; kop: bigint }>();
  const buyers = new Map<string, Set<number>>();
  for (const r of all.filter((r) => weekOfDate(r.sale_date).id === week.id)) {
    const key = `${r.sale_date}|${r.region}`;
    const d = days.get(key) ?? { day: r.sale_date, region: r.region, n: 0, qty: 0, kop: 0n };
    d.n += 1;
    d.qty += r.quantity;
    d.kop += BigInt(r.kopecks);
    days.set(key, d);
    buyers.set(r.region, (buyers.get(r.region) ?? new Set()).add(r.customer_id));
  }
  const byKey = <T>(m: Map<string, T>) => [...m.keys()].sort().map((k) => m.get(k)!);
  return {
    daily: byKey(days).map((d) => ({
      day: d.day,
      region: d.region,
      category: '',
      sales_count: d.n,
      quantity: d.qty,
      amount: money(d.kop),
    })),
    buyers: [...buyers.keys()].sort().map((region) => ({
      region,
      customer_ids: [...buyers.get(region)!].sort((a, b) => a - b),
    })),
  };
}

/** A hand-made sale. */
const sale = (
  sale_id: number,
  region: string,
  product_id: number,
  quantity: number,
  sale_date: string,
  amount: string,
): SaleRow => ({
  sale_id,
  customer_id: 1,
  product_id,
  quantity,
  sale_date,
  kopecks: Math.round(Number(amount) * 100),
  region,
});

for (const target of pgTargets()) {
  describe(`aggregate on ${target.name} PostgreSQL`, () => {
    let dataDir: string;
    let db: TestDatabase;
    beforeEach(async () => {
      dataDir = await tempDataDir();
      db = await freshDatabase(target);
    });
    afterEach(async () => {
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    });

    const load = async (ctx: ReturnType<typeof testContext>, rows: SaleRow[]) => {
      const weeks = new Map<string, Week>();
      for (const r of rows) weeks.set(weekOfDate(r.sale_date).id, weekOfDate(r.sale_date));
      for (const week of weeks.values()) {
        await writeCleanWeek(
          ctx.config.layout,
          week,
          rows.filter((r) => weekOfDate(r.sale_date).id === week.id),
        );
      }
      await loadPg({ ctx, weeks: [...weeks.values()] });
    };

    test(
      'the numbers equal an independent computation from the files ' + '(counts, sums, averages, rank, share, YTD)',
      async () => {
        const ctx = testContext(dataDir, db.url);
        const w52 = parseWeek('2023-W52');
        const w01 = parseWeek('2024-W01');
        const w02 = parseWeek('2024-W02');
        const rows = [
          ...makeSales(w52, 1500, 1, 21, 30),
          ...makeSales(w01, 2000, 10_001, 22, 30),
          ...makeSales(w02, 2500, 20_001, 23, 30),
        ];
        await load(ctx, rows);
        const result = await aggregate({ ctx, weeks: [w52, w01, w02] });
        for (const week of [w52, w01, w02]) {
          const got = (await db.query<AggRow>(AGG_ROWS, [week.start])).rows;
          const want = expected(week, rows);
          assert.equal(got.length, want.length);
          assert.deepEqual(got, want, `week ${week.id}`);
          assert.equal(result.weeks.find((w) => w.week === week.id)?.rows, want.length);
        }
        // Sums over the aggregate equal the loaded sales.
        const check = await db.query(
          'SELECT (SELECT sum(amount_sum) FROM sales_agg)::text AS agg, ' +
            '(SELECT sum(sale_amount) FROM sales)::text AS sales',
        );
        assert.equal(check.rows[0]?.agg, check.rows[0]?.sales);
      },
    );

    test('rank, share, average rounding and year-to-date on a hand-made data set', async () => {
      const ctx = testContext(dataDir, db.url);
      await load(ctx, [
        // 2024-W20 (2024-05-13..19), North: ranks with a tie, shares of 400.00.
        sale(1, 'North', 1, 2, '2024-05-13', '100.00'),
        sale(2, 'North', 1, 1, '2024-05-19', '50.00'),
        sale(3, 'North', 2, 3, '2024-05-14', '150.00'),
        sale(4, 'North', 3, 1, '2024-05-15', '0.01'),
        sale(5, 'North', 3, 1, '2024-05-15', '0.02'), // average 0.015 -> 0.02 (half away from zero)
        sale(6, 'North', 4, 1, '2024-05-16', '99.97'),
        sale(7, 'South', 1, 4, '2024-05-17', '10.00'),
        // Earlier in ISO year 2024: counts toward North's year to date.
        sale(8, 'North', 9, 1, '2024-01-08', '600.00'),
        // ISO year 2023 (2023-W52): does not.
        sale(9, 'North', 9, 1, '2023-12-31', '5000.00'),
        // 2024-12-30 is in 2025-W01: a new ISO year starts its own total.
        sale(10, 'North', 1, 1, '2024-12-30', '7.00'),
      ]);
      await aggregate({ ctx, weeks: [parseWeek('2024-W20'), parseWeek('2025-W01'), parseWeek('2024-W02')] });
      const pick = (r: AggRow) => [
        r.region,
        r.product_id,
        r.sales_count,
        r.quantity_sum,
        r.amount_sum,
        r.avg_sale_amount,
        r.revenue_rank,
        r.revenue_share,
        r.region_revenue_ytd,
      ];
      const w20 = (await db.query<AggRow>(AGG_ROWS, ['2024-05-13'])).rows.map(pick);
      assert.deepEqual(w20, [
        ['North', 1, 2, 3, '150.00', '75.00', 1, '0.375000', '1000.00'],
        ['North', 2, 1, 3, '150.00', '150.00', 1, '0.375000', '1000.00'],
        ['North', 3, 2, 2, '0.03', '0.02', 4, '0.000075', '1000.00'],
        ['North', 4, 1, 1, '99.97', '99.97', 3, '0.249925', '1000.00'],
        ['South', 1, 1, 4, '10.00', '10.00', 1, '1.000000', '10.00'],
      ]);
      const w01 = (await db.query<AggRow>(AGG_ROWS, ['2024-12-30'])).rows.map(pick);
      assert.deepEqual(w01, [['North', 1, 1, 1, '7.00', '7.00', 1, '1.000000', '7.00']]);
      const w02 = (await db.query<AggRow>(AGG_ROWS, ['2024-01-08'])).rows.map(pick);
      assert.deepEqual(w02, [['North', 9, 1, 1, '600.00', '600.00', 1, '1.000000', '600.00']]);
    });

    test('year to date follows a re-loaded earlier week; sales written outside load-pg are refused', async () => {
      const ctx = testContext(dataDir, db.url);
      const w02 = parseWeek('2024-W02');
      const w20 = parseWeek('2024-W20');
      await load(ctx, [sale(1, 'North', 9, 1, '2024-01-08', '600.00'), sale(2, 'North', 1, 1, '2024-05-13', '400.00')]);
      const ytd = async () => (await db.query<AggRow>(AGG_ROWS, [w20.start])).rows.map((r) => r.region_revenue_ytd);
      await aggregate({ ctx, weeks: [w20] });
      assert.deepEqual(await ytd(), ['1000.00']);
      // Week 2 loaded again with other figures: week 20 aggregated again sees them.
      await writeCleanWeek(ctx.config.layout, w02, [
        sale(1, 'North', 9, 1, '2024-01-08', '650.50'),
        sale(3, 'South', 9, 1, '2024-01-09', '1.00'),
      ]);
      await loadPg({ ctx, weeks: [w02] });
      await aggregate({ ctx, weeks: [w20] });
      assert.deepEqual(await ytd(), ['1050.50']);
      // A sale slipped into the table by hand is not in the weekly totals: aggregate says so instead of a wrong YTD.
      await db.query(
        'INSERT INTO sales (sale_id, customer_id, product_id, quantity, sale_date, sale_amount, region) ' +
          "VALUES (99, 1, 1, 1, '2024-05-14', 5.00, 'North')",
      );
      await assert.rejects(aggregate({ ctx, weeks: [w20] }), /2024-W20.*run `sales-etl load-pg --week 2024-W20` again/);
      assert.deepEqual(await ytd(), ['1050.50']);
    });

    test('sales_daily and week_buyers equal an independent computation; a re-run replaces them', async () => {
      const ctx = testContext(dataDir, db.url);
      const [w01, w02] = [parseWeek('2024-W01'), parseWeek('2024-W02')];
      const rows = [...makeSales(w01, 800, 1, 41, 12), ...makeSales(w02, 600, 5_001, 42, 12)];
      await load(ctx, rows);
      await aggregate({ ctx, weeks: [w01, w02] });
      await aggregate({ ctx, weeks: [w02] });
      for (const week of [w01, w02]) {
        const want = expectedDailyAndBuyers(week, rows);
        assert.deepEqual((await db.query(DAILY_ROWS, [week.start])).rows, want.daily, `${week.id} daily`);
        assert.deepEqual((await db.query(BUYER_ROWS, [week.start])).rows, want.buyers, `${week.id} buyers`);
      }
      // Loaded again with fewer sales and aggregated again: the week's old rows are gone, none doubled.
      const fewer = rows.filter((r) => weekOfDate(r.sale_date).id === w02.id).slice(0, 100);
      await writeCleanWeek(ctx.config.layout, w02, fewer);
      await loadPg({ ctx, weeks: [w02] });
      await aggregate({ ctx, weeks: [w02] });
      const want = expectedDailyAndBuyers(w02, fewer);
      assert.deepEqual((await db.query(DAILY_ROWS, [w02.start])).rows, want.daily);
      assert.deepEqual((await db.query(BUYER_ROWS, [w02.start])).rows, want.buyers);
    });

    test('the migration that adds sales_daily and week_buyers fills them for the weeks aggregated before', async () => {
      const ctx = testContext(dataDir, db.url);
      const [w01, w02, w03] = [parseWeek('2024-W01'), parseWeek('2024-W02'), parseWeek('2024-W03')];
      await load(ctx, [...makeSales(w01, 300, 1, 51, 8), ...makeSales(w02, 300, 1_001, 52, 8)]);
      await load(ctx, makeSales(w03, 300, 2_001, 53, 8));
      await aggregate({ ctx, weeks: [w01, w02] });
      const snapshot = async () => ({
        daily: (await db.query(`SELECT * FROM sales_daily ORDER BY week_start, sale_date, region, category`)).rows,
        buyers: (
          await db.query(
            'SELECT week_start, region, array(SELECT unnest(customer_ids) ORDER BY 1) AS ids ' +
              'FROM week_buyers ORDER BY week_start, region',
          )
        ).rows,
      });
      const byAggregate = await snapshot();
      // A database from before the migration: the tables absent, the migration not recorded.
      await db.query('DROP TABLE sales_daily, week_buyers');
      await db.query('ALTER TABLE sales_region_weeks DROP COLUMN loaded_at');
      await db.query("DELETE FROM schema_migrations WHERE name = '003_week_daily_buyers.sql'");
      const reopened = await openPg(ctx);
      await reopened.close();
      const migrated = await snapshot();
      assert.deepEqual(migrated, byAggregate);
      assert.equal(byAggregate.buyers.length, 8, 'both weeks, four regions each');
      // W03 was loaded, never aggregated: the migration makes no aggregates of it.
      const w03Rows = await db.query(
        'SELECT (SELECT count(*) FROM sales_daily WHERE week_start = $1)::int + ' +
          '(SELECT count(*) FROM week_buyers WHERE week_start = $1)::int AS n',
        [w03.start],
      );
      assert.equal(w03Rows.rows[0]?.n, 0);
      // The weeks loaded before have no load time, so none counts as loaded again since it was aggregated.
      const times = await db.query('SELECT DISTINCT loaded_at::text AS t FROM sales_region_weeks');
      assert.deepEqual(times.rows, [{ t: '-infinity' }]);
    });

    test('re-running replaces the week; a week without sales names load-pg', async () => {
      const ctx = testContext(dataDir, db.url);
      const w20 = parseWeek('2024-W20');
      await load(ctx, makeSales(w20, 500, 1, 31, 10));
      const first = await aggregate({ ctx, weeks: [w20] });
      const before = (await db.query(AGG_ROWS, [w20.start])).rows;
      const again = await aggregate({ ctx, weeks: [w20] });
      assert.deepEqual(again.weeks, first.weeks);
      assert.deepEqual((await db.query(AGG_ROWS, [w20.start])).rows, before);
      assert.equal((await db.query('SELECT count(*)::int AS n FROM sales_agg')).rows[0]?.n, before.length);
      await assert.rejects(
        aggregate({ ctx, weeks: [parseWeek('2024-W22')] }),
        /run `sales-etl load-pg --week 2024-W22` first/,
      );
      const runs = await db.query(
        "SELECT count(*)::int AS n FROM etl_runs WHERE stage = 'aggregate' AND status = 'ok'",
      );
      assert.equal(runs.rows[0]?.n, 2);
    });
  });
}
