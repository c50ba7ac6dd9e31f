import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseWeek, type Week } from '../../src/lib/core/calendar.js';
import { openClickHouse, type ClickHouseDatabase } from '../../src/lib/clickhouse/database.js';
import type { Context } from '../../src/lib/core/config.js';
import { openPg, type PgDatabase } from '../../src/lib/pg/database.js';
import { migrateClick } from '../../src/commands/migrate-click.js';
import { aggregate } from '../../src/commands/aggregate.js';
import { inTransaction } from '../../src/lib/pg/database.js';
import {
  chRows,
  chTestContext,
  chWeekRows,
  keepRegionWeeks,
  pgWeekRows,
  seedWeek,
  tempDataDir,
} from '../helpers/clickhouse.js';
import { freshDatabase, pgTargets, stopTestCluster, type TestDatabase } from '../helpers/pg.js';

for (const target of pgTargets())
  describe(`migrate-click on the embedded engine, PostgreSQL ${target.name}`, () => {
    let tmp: Awaited<ReturnType<typeof tempDataDir>>;
    let database: TestDatabase;
    let ctx: Context;
    let pgDb: PgDatabase;
    let ch: ClickHouseDatabase;

    before(async () => {
      tmp = await tempDataDir('migrate-click');
      database = await freshDatabase(target);
      ctx = chTestContext({ dataDir: tmp.dir, pgUrl: database.url });
      pgDb = await openPg(ctx);
      ch = await openClickHouse(ctx);
    });

    after(async () => {
      await ch?.close();
      await pgDb?.close();
      await database?.drop();
      await tmp?.remove();
    });

    /** The week's buyers as `region customer` lines, in order: in ClickHouse, and found among PostgreSQL's sales. */
    const chBuyerList = async (week: Week) =>
      (
        await chRows<{ b: string }>(
          ch.client,
          "SELECT concat(region, ' ', toString(customer_id)) AS b FROM sales_etl.week_buyers " +
            'WHERE week_start = {w:Date} ORDER BY region, customer_id',
          { w: week.start },
        )
      ).map((r) => r.b);
    const pgBuyerList = async (week: Week) =>
      (
        await pgDb.pool.query<{ b: string }>(
          `SELECT DISTINCT region COLLATE "C" AS region, customer_id, region || ' ' || customer_id AS b
           FROM sales WHERE sale_date BETWEEN $1::date AND $1::date + 6 ORDER BY 1, 2`,
          [week.start],
        )
      ).rows.map((r) => r.b);
    const countOf = async (week: { start: string }) =>
      Number(
        (
          await chRows<{ n: string }>(
            ch.client,
            'SELECT toString(count()) AS n FROM sales_etl.sales_agg WHERE week_start = {w:Date}',
            { w: week.start },
          )
        )[0]?.n,
      );

    it('publishes a week with the same rows and sums as PostgreSQL, stamped with the run time', async () => {
      const week = parseWeek('2024-W20');
      await seedWeek(pgDb.pool, week, { products: 120 });
      const now = new Date('2024-05-21T09:45:00Z'); // 12:45 in Moscow
      const result = await migrateClick({ ctx, weeks: [week], pg: pgDb, ch, now });

      assert.equal(result.weeks.length, 1);
      assert.equal(result.weeks[0]?.rows, 480);
      assert.equal(result.importedAt, '2024-05-21 12:45:00');
      const [pgRows, chRowsOfWeek] = [await pgWeekRows(pgDb.pool, week), await chWeekRows(ch.client, week)];
      assert.equal(chRowsOfWeek.length, 480);
      assert.deepEqual(chRowsOfWeek, pgRows);

      const [sums] = await chRows<Record<string, string>>(
        ch.client,
        `SELECT toDecimalString(sum(amount_sum), 2) AS amount, toString(sum(sales_count)) AS sales,
              toString(min(imported_at)) AS first, toString(max(imported_at)) AS last,
              toString(min(import_date)) AS d1, toString(max(import_date)) AS d2
       FROM sales_etl.sales_agg WHERE week_start = {w:Date}`,
        { w: week.start },
      );
      const {
        rows: [pgSums],
      } = await pgDb.pool.query<{ amount: string; sales: string }>(
        'SELECT sum(amount_sum)::text AS amount, sum(sales_count)::text AS sales FROM sales_agg WHERE week_start = $1',
        [week.start],
      );
      assert.equal(sums?.amount, pgSums?.amount);
      assert.equal(sums?.sales, pgSums?.sales);
      assert.deepEqual(
        [sums?.first, sums?.last, sums?.d1, sums?.d2],
        ['2024-05-21 12:45:00', '2024-05-21 12:45:00', '2024-05-21', '2024-05-21'],
      );

      // The week's distinct buyers and the catalogue travel with it.
      const {
        rows: [buyers],
      } = await pgDb.pool.query<{ n: string }>(
        `SELECT count(DISTINCT (region, customer_id))::text AS n
       FROM sales WHERE sale_date BETWEEN $1::date AND $1::date + 6`,
        [week.start],
      );
      const [chBuyers] = await chRows<{ n: string }>(
        ch.client,
        'SELECT toString(count()) AS n FROM sales_etl.week_buyers WHERE week_start = {w:Date}',
        { w: week.start },
      );
      assert.equal(chBuyers?.n, buyers?.n);
      assert.equal(result.weeks[0]?.buyers, Number(buyers?.n));
      assert.deepEqual(await chBuyerList(week), await pgBuyerList(week));

      // So do its sales by day, region and category, for the report's calendar.
      const { rows: pgDaily } = await pgDb.pool.query<Record<string, string>>(
        `SELECT to_char(s.sale_date, 'YYYY-MM-DD') AS day, s.region, coalesce(p.category, '') AS category,
              count(*)::text AS n, sum(s.quantity)::text AS q, sum(s.sale_amount)::numeric(16,2)::text AS amount
       FROM sales s LEFT JOIN products p USING (product_id)
       WHERE s.sale_date BETWEEN $1::date AND $1::date + 6
       GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
        [week.start],
      );
      const chDaily = await chRows<Record<string, string>>(
        ch.client,
        `SELECT toString(sale_date) AS day, region, category, toString(sales_count) AS n, toString(quantity_sum) AS q,
              toDecimalString(amount_sum, 2) AS amount
       FROM sales_etl.sales_daily WHERE week_start = {w:Date} ORDER BY day, region, category`,
        { w: week.start },
      );
      assert.ok(pgDaily.length > 7);
      assert.deepEqual(chDaily, pgDaily);

      const runs = await pgDb.pool.query<{ status: string; rows_out: string }>(
        `SELECT status, rows_out::text FROM etl_runs WHERE stage = 'migrate-click' AND week = '2024-W20'`,
      );
      assert.deepEqual(runs.rows, [{ status: 'ok', rows_out: '480' }]);
    });

    it(
      'leaves exactly one copy after three runs, stamped by the latest, ' + 'and follows PostgreSQL when it changes',
      async () => {
        const week = parseWeek('2024-W21');
        await seedWeek(pgDb.pool, week, { products: 50 });
        for (const hour of [9, 10, 11]) {
          await migrateClick({
            ctx,
            weeks: [week],
            pg: pgDb,
            ch,
            now: new Date(`2024-05-28T${String(hour).padStart(2, '0')}:00:00Z`),
          });
        }
        const [stats] = await chRows<Record<string, string>>(
          ch.client,
          `SELECT toString(count()) AS n, toString(uniqExact(region, product_id)) AS keys,
              toString(min(imported_at)) AS first, toString(max(imported_at)) AS last
       FROM sales_etl.sales_agg WHERE week_start = {w:Date}`,
          { w: week.start },
        );
        assert.deepEqual(stats, { n: '200', keys: '200', first: '2024-05-28 14:00:00', last: '2024-05-28 14:00:00' });

        // PostgreSQL re-aggregated with fewer products and other figures: the week is replaced, not merged.
        await seedWeek(pgDb.pool, week, { products: 30, salt: 7 });
        await migrateClick({ ctx, weeks: [week], pg: pgDb, ch });
        assert.deepEqual(await chWeekRows(ch.client, week), await pgWeekRows(pgDb.pool, week));
        // The other weeks are untouched.
        assert.equal(await countOf(parseWeek('2024-W20')), 480);
      },
    );

    it('never shows a reader zero or double rows for a week while it is re-published', async () => {
      const week = parseWeek('2024-W22');
      await seedWeek(pgDb.pool, week, { products: 250 });
      await migrateClick({ ctx, weeks: [week], pg: pgDb, ch });

      // A second connection on the same engine, like a dashboard polling during cron's run.
      const reader = await openClickHouse(ctx);
      const seen = new Map<number, number>();
      let running = true;
      const poll = (async () => {
        while (running) {
          const n = Number(
            (
              await chRows<{ n: string }>(
                reader.client,
                'SELECT toString(count()) AS n FROM sales_etl.sales_agg WHERE week_start = {w:Date}',
                { w: week.start },
              )
            )[0]?.n,
          );
          seen.set(n, (seen.get(n) ?? 0) + 1);
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      try {
        for (let i = 0; i < 4; i++) await migrateClick({ ctx, weeks: [week], pg: pgDb, ch });
      } finally {
        running = false;
        await poll;
        await reader.close();
      }
      assert.deepEqual([...seen.keys()], [1000], `counts seen by the reader: ${JSON.stringify([...seen])}`);
      // The reader really was reading during the runs (a count of polls, not a time).
      assert.ok((seen.get(1000) ?? 0) >= 4, `only ${seen.get(1000)} polls`);
      if (process.env.TEST_VERBOSE) console.log('reader polls', JSON.stringify([...seen]));
    });

    it('fails loudly with --verify-only when a row was deleted behind its back, and a re-run repairs it', async () => {
      const week = parseWeek('2024-W23');
      await seedWeek(pgDb.pool, week, { products: 40 });
      await migrateClick({ ctx, weeks: [week], pg: pgDb, ch });
      const ok = await migrateClick({ ctx, weeks: [week], pg: pgDb, ch, verifyOnly: true });
      assert.equal(ok.weeks[0]?.rows, 160);

      await ch.client.command({
        query:
          "ALTER TABLE sales_etl.sales_agg DELETE WHERE week_start = {w:Date} AND region = 'East' AND product_id = 7",
        query_params: { w: week.start },
        clickhouse_settings: { mutations_sync: '2' },
      });
      const {
        rows: [lost],
      } = await pgDb.pool.query<{ amount_sum: string; sales_count: number }>(
        `SELECT amount_sum::text, sales_count FROM sales_agg
       WHERE week_start = $1 AND region = 'East' AND product_id = 7`,
        [week.start],
      );
      const {
        rows: [total],
      } = await pgDb.pool.query<{ amount: string }>(
        'SELECT sum(amount_sum)::text AS amount FROM sales_agg WHERE week_start = $1',
        [week.start],
      );
      await assert.rejects(migrateClick({ ctx, weeks: [week], pg: pgDb, ch, verifyOnly: true }), (error: Error) => {
        assert.match(error.message, /2024-W23 .* does not match PostgreSQL/);
        assert.match(error.message, /rows 159 in ClickHouse vs 160 in PostgreSQL/);
        assert.ok(
          error.message.includes(`sum(amount_sum) `) && error.message.includes(`vs ${total?.amount} in PostgreSQL`),
          error.message,
        );
        assert.ok(error.message.includes(`sum(sales_count) `) && lost !== undefined, error.message);
        return true;
      });
      // --verify-only copied nothing.
      assert.equal(await countOf(week), 159);
      const failed = await pgDb.pool.query(
        `SELECT 1 FROM etl_runs
       WHERE stage = 'migrate-click' AND week = '2024-W23' AND status = 'failed' AND message LIKE '%does not match%'`,
      );
      assert.equal(failed.rowCount, 1);

      await migrateClick({ ctx, weeks: [week], pg: pgDb, ch });
      assert.equal((await migrateClick({ ctx, weeks: [week], pg: pgDb, ch, verifyOnly: true })).weeks[0]?.rows, 160);
    });

    it('also catches a lightweight DELETE of a row', async () => {
      const week = parseWeek('2024-W23');
      await ch.client.command({
        query: "DELETE FROM sales_etl.sales_agg WHERE week_start = {w:Date} AND region = 'North' AND product_id = 1",
        query_params: { w: week.start },
      });
      await assert.rejects(
        migrateClick({ ctx, weeks: [week], pg: pgDb, ch, verifyOnly: true }),
        /rows 159 in ClickHouse vs 160 in PostgreSQL/,
      );
    });

    it("--verify-only also compares the week's sales_daily with PostgreSQL's sales", async () => {
      const week = parseWeek('2024-W23');
      await migrateClick({ ctx, weeks: [week], pg: pgDb, ch });
      await ch.client.command({
        query: 'ALTER TABLE sales_etl.sales_daily DROP PARTITION {w:Date}',
        query_params: { w: week.start },
      });
      await assert.rejects(
        migrateClick({ ctx, weeks: [week], pg: pgDb, ch, verifyOnly: true }),
        new RegExp(
          '2024-W23 in .* does not match PostgreSQL: sales in sales_daily 0 in ClickHouse vs \\d+ in PostgreSQL, ' +
            'revenue in sales_daily 0 in ClickHouse',
        ),
      );
      await migrateClick({ ctx, weeks: [week], pg: pgDb, ch });
      assert.equal((await migrateClick({ ctx, weeks: [week], pg: pgDb, ch, verifyOnly: true })).weeks[0]?.rows, 160);
    });

    it('refuses a week PostgreSQL has no aggregates for, naming the command to run first', async () => {
      const week = parseWeek('2023-W02');
      for (const verifyOnly of [false, true]) {
        await assert.rejects(migrateClick({ ctx, weeks: [week], pg: pgDb, ch, verifyOnly }), (error: Error) => {
          assert.equal(
            error.message,
            'migrate-click: PostgreSQL has no aggregates for 2023-W02; run `sales-etl aggregate --week 2023-W02` first',
          );
          return true;
        });
      }
    });

    it('reports a week that was never published when only verifying', async () => {
      const week = parseWeek('2024-W30');
      await seedWeek(pgDb.pool, week, { products: 5 });
      await assert.rejects(
        migrateClick({ ctx, weeks: [week], pg: pgDb, ch, verifyOnly: true }),
        /rows 0 in ClickHouse vs 20 in PostgreSQL/,
      );
      assert.equal(await countOf(week), 0);
    });

    it(
      'publishes a run of weeks together, each week whole, ' + 'and stops at the first week without aggregates',
      async () => {
        const weeks = ['2024-W40', '2024-W41', '2024-W42', '2024-W43'].map(parseWeek);
        const [w40, w41, , w43] = weeks as [Week, Week, Week, Week];
        await seedWeek(pgDb.pool, w40, { products: 30 });
        await seedWeek(pgDb.pool, w41, { products: 20, salt: 3 });
        await seedWeek(pgDb.pool, w43, { products: 10 });
        await assert.rejects(migrateClick({ ctx, weeks, pg: pgDb, ch }), /no aggregates for 2024-W42/);
        for (const week of [w40, w41]) {
          assert.deepEqual(await chWeekRows(ch.client, week), await pgWeekRows(pgDb.pool, week), week.id);
          assert.deepEqual(await chBuyerList(week), await pgBuyerList(week), `${week.id} buyers`);
        }
        assert.equal(await countOf(w43), 0, 'nothing after the failed week');
        const { rows } = await pgDb.pool.query<{ week: string; status: string }>(
          `SELECT week, status FROM etl_runs
       WHERE stage = 'migrate-click' AND week BETWEEN '2024-W40' AND '2024-W43' ORDER BY run_id`,
        );
        assert.deepEqual(
          rows.map((r) => `${r.week} ${r.status}`),
          ['2024-W40 ok', '2024-W41 ok', '2024-W42 failed'],
        );
      },
    );

    it('streams the rows through the process when the engine does not read PostgreSQL: the same result', async () => {
      const weeks = ['2024-W40', '2024-W41'].map(parseWeek);
      for (const [i, week] of weeks.entries()) await seedWeek(pgDb.pool, week, { products: 25, salt: 11 + i });
      process.env.SALES_ETL_NO_PG_LINK = '1';
      const streamed = await openClickHouse(ctx);
      try {
        const result = await migrateClick({ ctx, weeks, pg: pgDb, ch: streamed });
        assert.deepEqual(
          result.weeks.map((w) => w.rows),
          [100, 100],
        );
      } finally {
        delete process.env.SALES_ETL_NO_PG_LINK;
        await streamed.close();
      }
      for (const week of weeks) {
        assert.deepEqual(await chWeekRows(ch.client, week), await pgWeekRows(pgDb.pool, week), week.id);
        assert.deepEqual(await chBuyerList(week), await pgBuyerList(week), `${week.id} buyers`);
      }
    });

    it('refuses a week loaded again since it was aggregated, naming aggregate; the weeks before it go', async () => {
      const weeks = ['2024-W44', '2024-W45'].map(parseWeek);
      const [w44, w45] = weeks as [Week, Week];
      await seedWeek(pgDb.pool, w44, { products: 10 });
      await seedWeek(pgDb.pool, w45, { products: 10, salt: 5 });
      // W45 loaded again with one sale's buyer corrected: the same counts and sums, other buyers.
      await inTransaction(pgDb, async (client) => {
        await client.query(
          `UPDATE sales SET customer_id = 9999 WHERE sale_id = (
             SELECT min(sale_id) FROM sales WHERE sale_date BETWEEN $1::date AND $1::date + 6)`,
          [w45.start],
        );
        await keepRegionWeeks(client, w45);
      });
      const reloaded = new RegExp(
        'migrate-click: in PostgreSQL, 2024-W45 was loaded again after it was aggregated ' +
          '\\(loaded at 20\\d\\d-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ, aggregated at 20[-\\d :]+Z\\); ' +
          'run `sales-etl aggregate --week 2024-W45` first$',
      );
      await assert.rejects(migrateClick({ ctx, weeks, pg: pgDb, ch }), reloaded);
      assert.deepEqual(await chWeekRows(ch.client, w44), await pgWeekRows(pgDb.pool, w44));
      assert.equal(await countOf(w45), 0, 'nothing of the stale week');
      const runs = async () =>
        (
          await pgDb.pool.query<{ run: string }>(
            `SELECT week || ' ' || status AS run FROM etl_runs
              WHERE stage = 'migrate-click' AND week IN ('2024-W44', '2024-W45', '2024-W46') ORDER BY run_id`,
          )
        ).rows.map((r) => r.run);
      assert.deepEqual(await runs(), ['2024-W44 ok', '2024-W45 failed']);
      // Refused as the first week of a run: that week alone is recorded failed, not the run's others.
      await assert.rejects(migrateClick({ ctx, weeks: [w45, parseWeek('2024-W46')], pg: pgDb, ch }), reloaded);
      assert.deepEqual(await runs(), ['2024-W44 ok', '2024-W45 failed', '2024-W45 failed']);
      await assert.rejects(migrateClick({ ctx, weeks, pg: pgDb, ch, verifyOnly: true }), reloaded);
      // Aggregated again, the week goes, with the corrected buyer.
      await aggregate({ ctx, weeks: [w45], pg: pgDb });
      await migrateClick({ ctx, weeks: [w45], pg: pgDb, ch });
      assert.deepEqual(await chBuyerList(w45), await pgBuyerList(w45));
      assert.ok((await chBuyerList(w45)).some((b) => b.endsWith(' 9999')));
    });

    it('refuses a week whose daily sums in PostgreSQL are not its sales', async () => {
      const week = parseWeek('2024-W46');
      await seedWeek(pgDb.pool, week, { products: 10 });
      await pgDb.pool.query(
        `UPDATE sales_daily SET sales_count = sales_count + 1, amount_sum = amount_sum + 0.01
          WHERE (week_start, sale_date, region, category) IN (
            SELECT week_start, sale_date, region, category FROM sales_daily WHERE week_start = $1 LIMIT 1)`,
        [week.start],
      );
      await assert.rejects(migrateClick({ ctx, weeks: [week], pg: pgDb, ch }), (error: Error) => {
        assert.equal(
          error.message,
          'migrate-click: in PostgreSQL, the aggregates of 2024-W46 are not its sales (sales_daily adds up to ' +
            '501 sales, 5250.01; sales has 500, 5250.00); run `sales-etl aggregate --week 2024-W46` first',
        );
        return true;
      });
      assert.equal(await countOf(week), 0);
    });

    it('cuts a run at its most buyers and goes on with the next: every week published, none failed', async () => {
      const weeks = ['2024-W48', '2024-W49', '2024-W50'].map(parseWeek);
      for (const [i, week] of weeks.entries()) await seedWeek(pgDb.pool, week, { products: 8, salt: 21 + i });
      const debug: string[] = [];
      const logged = { ...ctx, log: { ...ctx.log, debug: (m: string) => debug.push(m) } };
      // Less than two weeks' buyers: runs of one week each.
      const result = await migrateClick({ ctx: logged, weeks, pg: pgDb, ch, runBuyers: 1 });
      assert.deepEqual(
        result.weeks.map((w) => w.week),
        weeks.map((w) => w.id),
      );
      const stages = debug.filter((m) => /streaming \d+ rows into/.test(m)).map((m) => m.replace(/.* into /, ''));
      assert.deepEqual(stages, [
        'sales_etl.sales_agg__stage_20241125',
        'sales_etl.sales_agg__stage_20241202',
        'sales_etl.sales_agg__stage_20241209',
      ]);
      for (const week of weeks) {
        assert.deepEqual(await chWeekRows(ch.client, week), await pgWeekRows(pgDb.pool, week), week.id);
        assert.deepEqual(await chBuyerList(week), await pgBuyerList(week), `${week.id} buyers`);
      }
      // The default cap stages the three weeks together.
      debug.length = 0;
      await migrateClick({ ctx: logged, weeks, pg: pgDb, ch });
      assert.deepEqual(
        debug.filter((m) => /streaming \d+ rows into/.test(m)).map((m) => m.replace(/.* into /, '')),
        ['sales_etl.sales_agg__stage_20241125_20241209'],
      );
    });

    it('publishes the product catalogue, replaced wholesale', async () => {
      await pgDb.pool.query('DELETE FROM products');
      await pgDb.pool.query(
        `INSERT INTO products (product_id, name, category, list_price) VALUES
         (1, 'Чайник, сталь "Люкс"', 'kitchen', 1999.90), (2, 'Кубики', 'toys', 349.00),
         (3, 'Шуруповёрт', 'DIY', 5490.50)`,
      );
      const week = parseWeek('2024-W20');
      const result = await migrateClick({ ctx, weeks: [week], pg: pgDb, ch, now: new Date('2024-06-01T09:00:00Z') });
      assert.equal(result.products, 3);
      // The same catalogue is not sent again: its import time stays the first one.
      const again = await migrateClick({ ctx, weeks: [week], pg: pgDb, ch, now: new Date('2024-06-08T09:00:00Z') });
      assert.equal(again.products, 3);
      const importedAt = () => chRows(ch.client, 'SELECT DISTINCT toString(imported_at) AS at FROM sales_etl.products');
      assert.deepEqual(await importedAt(), [{ at: '2024-06-01 12:00:00' }]);
      await pgDb.pool.query('DELETE FROM products WHERE product_id = 3');
      await migrateClick({ ctx, weeks: [week], pg: pgDb, ch, now: new Date('2024-06-15T09:00:00Z') });
      assert.deepEqual(await importedAt(), [{ at: '2024-06-15 12:00:00' }]);
      const rows = await chRows(
        ch.client,
        'SELECT product_id, name, category, toDecimalString(list_price, 2) AS price ' +
          'FROM sales_etl.products ORDER BY product_id',
      );
      assert.deepEqual(rows, [
        { product_id: 1, name: 'Чайник, сталь "Люкс"', category: 'kitchen', price: '1999.90' },
        { product_id: 2, name: 'Кубики', category: 'toys', price: '349.00' },
      ]);
    });
  });

after(() => stopTestCluster());
