import assert from 'node:assert/strict';
import { appendFile, rm } from 'node:fs/promises';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import { loadPg, type LoadedWeek } from '../../src/commands/load-pg.js';
import { openPg } from '../../src/lib/pg/database.js';
import { runWeeks, type StepOutcome } from '../../src/lib/pipeline/weeks.js';
import { parseWeek } from '../../src/lib/core/calendar.js';
import { describeError } from '../../src/lib/core/errors.js';
import {
  freshDatabase,
  pgTargets,
  recordingLogger,
  stopTestCluster,
  tempDataDir,
  testContext,
  type TestDatabase,
} from '../helpers/pg.js';
import { makeSales, money, writeCleanWeek, writeDims, type SaleRow } from '../helpers/pg-fixtures.js';

const W20 = parseWeek('2024-W20');
const W21 = parseWeek('2024-W21');
const W22 = parseWeek('2024-W22');

/** A checksum of the week's rows, independent of physical order. */
const CHECKSUM = `SELECT count(*)::int AS n,
  md5(coalesce(string_agg(concat_ws('|', sale_id, customer_id, product_id, quantity, sale_date, sale_amount, region),
                          ';' ORDER BY sale_id), '')) AS sum
  FROM sales WHERE sale_date BETWEEN $1 AND $2`;

const kopecksOf = (rows: SaleRow[]) => money(rows.reduce((n, r) => n + BigInt(r.kopecks), 0n));

after(stopTestCluster);

for (const target of pgTargets()) {
  describe(`load-pg on ${target.name} PostgreSQL`, () => {
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

    test('loads exactly the clean files: row count and sum of sale_amount equal the files', async () => {
      const ctx = testContext(dataDir, db.url);
      const rows = makeSales(W20, 3000, 1_000_001, 7);
      await writeCleanWeek(ctx.config.layout, W20, rows);
      await writeDims(ctx.config.layout, 500, 40);
      const result = await loadPg({ ctx, weeks: [W20] });
      assert.deepEqual(
        result.weeks.map((w) => [w.week, w.rows, w.amount]),
        [['2024-W20', 3000, kopecksOf(rows)]],
      );
      const inDb = await db.query<{ n: string; amount: string; ids: string }>(
        'SELECT count(*) AS n, sum(sale_amount)::text AS amount, count(DISTINCT sale_id) AS ids FROM sales',
      );
      assert.deepEqual(inDb.rows[0], { n: '3000', amount: kopecksOf(rows), ids: '3000' });
      // Cyrillic survives the trip, and the run is on record.
      const customer = await db.query('SELECT full_name, address FROM customers WHERE customer_id = 7');
      assert.deepEqual(customer.rows[0], { full_name: 'Иванова Мария Петровна 7', address: 'ул. Ленина, д. 7' });
      assert.equal((await db.query('SELECT count(*)::int AS n FROM customers')).rows[0]?.n, 500);
      const runs = await db.query(
        "SELECT status, rows_in::int, rows_out::int FROM etl_runs WHERE stage = 'load-pg' AND week = '2024-W20'",
      );
      assert.deepEqual(runs.rows, [{ status: 'ok', rows_in: 3000, rows_out: 3000 }]);
    });

    test('re-running a week three times leaves the same rows; other weeks are untouched', async () => {
      const ctx = testContext(dataDir, db.url);
      await writeCleanWeek(ctx.config.layout, W20, makeSales(W20, 2000, 1, 3));
      await writeCleanWeek(ctx.config.layout, W21, makeSales(W21, 1500, 100_001, 4));
      await loadPg({ ctx, weeks: [W20, W21] });
      const first20 = (await db.query(CHECKSUM, [W20.start, W20.end])).rows[0];
      const first21 = (await db.query(CHECKSUM, [W21.start, W21.end])).rows[0];
      assert.equal(first20?.n, 2000);
      for (let i = 0; i < 3; i++) await loadPg({ ctx, weeks: [W20] });
      assert.deepEqual((await db.query(CHECKSUM, [W20.start, W20.end])).rows[0], first20);
      assert.deepEqual((await db.query(CHECKSUM, [W21.start, W21.end])).rows[0], first21);
      assert.equal((await db.query('SELECT count(*)::int AS n FROM sales')).rows[0]?.n, 3500);
    });

    test('a corrupt clean file half-way fails and leaves the previous contents of the week intact', async () => {
      const ctx = testContext(dataDir, db.url);
      const layout = ctx.config.layout;
      await writeCleanWeek(layout, W20, makeSales(W20, 2000, 1, 5));
      await loadPg({ ctx, weeks: [W20] });
      const before = (await db.query(CHECKSUM, [W20.start, W20.end])).rows[0];
      // A new export of the week whose third file breaks after some good rows.
      const next = makeSales(W20, 2400, 50_001, 6);
      await writeCleanWeek(layout, W20, next, { east: ['60001,1,1,2,2024-05-14,not-money,East'] });
      await assert.rejects(loadPg({ ctx, weeks: [W20] }), (error: Error) => {
        assert.match(describeError(error), /clean\/2024-W20\/east\.csv/);
        assert.match(describeError(error), /not-money/);
        return true;
      });
      assert.deepEqual((await db.query(CHECKSUM, [W20.start, W20.end])).rows[0], before);
      const failed = await db.query(
        "SELECT count(*)::int AS n FROM etl_runs WHERE status = 'failed' AND week = '2024-W20'",
      );
      assert.equal(failed.rows[0]?.n, 1);
    });

    test('a file whose row count differs from its manifest fails without loading', async () => {
      const ctx = testContext(dataDir, db.url);
      await writeCleanWeek(ctx.config.layout, W20, makeSales(W20, 400, 1, 8));
      await appendFile(ctx.config.layout.clean(W20, 'west'), '900001,1,1,1,2024-05-14,10.00,West\n');
      await assert.rejects(
        loadPg({ ctx, weeks: [W20] }),
        /clean\/2024-W20\/west\.csv has \d+ rows but its manifest says \d+/,
      );
      assert.equal((await db.query('SELECT count(*)::int AS n FROM sales')).rows[0]?.n, 0);
    });

    test('a sale_id already loaded for another week is reported and not loaded twice', async () => {
      const log = recordingLogger();
      const ctx = testContext(dataDir, db.url, log);
      const w20 = makeSales(W20, 1000, 1, 9);
      const w21 = makeSales(W21, 1000, 5001, 10);
      // Two of week 21's sales reuse sale_ids of week 20.
      const reused = [w20[10], w20[500]].map((r) => r?.sale_id ?? 0);
      w21[3] = { ...(w21[3] as SaleRow), sale_id: reused[0] as number };
      w21[700] = { ...(w21[700] as SaleRow), sale_id: reused[1] as number };
      await writeCleanWeek(ctx.config.layout, W20, w20);
      await writeCleanWeek(ctx.config.layout, W21, w21);
      const result = await loadPg({ ctx, weeks: [W20, W21] });
      assert.deepEqual(
        result.weeks.map((w) => [w.week, w.rows, w.crossWeekDuplicates]),
        [
          ['2024-W20', 1000, 0],
          ['2024-W21', 998, 2],
        ],
      );
      assert.deepEqual(
        result.weeks[1]?.crossWeekDuplicateIds,
        reused.map(String).sort((a, b) => Number(a) - Number(b)),
      );
      assert.ok(log.lines.some((l) => l.startsWith('warn') && l.includes('2024-W21') && l.includes(String(reused[0]))));
      const total = await db.query<{ n: number; amount: string }>(
        'SELECT count(*)::int AS n, sum(sale_amount)::text AS amount FROM sales',
      );
      const kept = [...w20, ...w21.filter((r) => !reused.includes(r.sale_id))];
      assert.deepEqual(total.rows[0], { n: 1998, amount: kopecksOf(kept) });
      const run = await db.query(
        "SELECT rows_in::int, rows_out::int, message FROM etl_runs WHERE stage = 'load-pg' AND week = '2024-W21'",
      );
      assert.equal(run.rows[0]?.rows_in, 1000);
      assert.equal(run.rows[0]?.rows_out, 998);
      assert.match(String(run.rows[0]?.message), /2 sale_id\(s\) already loaded for another week/);
      // Re-running week 21 still skips them, and week 20 keeps its own rows.
      await loadPg({ ctx, weeks: [W21] });
      assert.equal((await db.query('SELECT count(*)::int AS n FROM sales')).rows[0]?.n, 1998);
    });

    /**
     * Weeks 20 to 22 in clean files, week 21 sharing one sale_id with week 20: week 21 copies it
     * first of all (its first line), week 20 last of all (the last line of its last file, 30,000 rows
     * in: long after week 21's connection is up), so loaded side by side week 21 takes it first,
     * week 20 waits for it, and both are loaded again one by one. The shared id and its sale date.
     */
    async function sharedIdWeeks(ctx: ReturnType<typeof testContext>) {
      const w20 = makeSales(W20, 30_000, 1, 12);
      const w21 = makeSales(W21, 1000, 100_001, 13);
      const w22 = makeSales(W22, 1000, 200_001, 14);
      const last = w20.length - 1;
      w20[last] = { ...(w20[last] as SaleRow), region: 'West' };
      const shared = w20[last]!.sale_id;
      w21[0] = { ...(w21[0] as SaleRow), sale_id: shared, region: 'North' };
      for (const [week, rows] of [
        [W20, w20],
        [W21, w21],
        [W22, w22],
      ] as const)
        await writeCleanWeek(ctx.config.layout, week, rows);
      return { shared, date: w20[last]!.sale_date };
    }

    /** What loading weeks 20 to 22 of `sharedIdWeeks` one by one leaves, as side by side must too. */
    async function assertOneByOneOutcome(
      loaded: (readonly [string, number, number])[],
      lines: string[],
      { shared, date }: { shared: number; date: string },
    ) {
      assert.deepEqual(loaded, [
        ['2024-W20', 30_000, 0],
        ['2024-W21', 999, 1],
        ['2024-W22', 1000, 0],
      ]);
      assert.ok(
        lines.some((l) => l.includes('loading the rest one week at a time')),
        'the two weeks met on the id',
      );
      const owner = await db.query('SELECT sale_date::text AS d FROM sales WHERE sale_id = $1', [shared]);
      assert.deepEqual(owner.rows, [{ d: date }]);
      const runs = await db.query("SELECT week, status FROM etl_runs WHERE stage = 'load-pg' ORDER BY week, run_id");
      assert.deepEqual(runs.rows, [
        { week: '2024-W20', status: 'ok' },
        { week: '2024-W21', status: 'ok' },
        { week: '2024-W22', status: 'ok' },
      ]);
    }

    test(
      'weeks loaded side by side keep the one-by-one outcome: ' +
        'the earlier week keeps a shared sale_id, whichever reaches it first',
      async () => {
        const log = recordingLogger();
        const ctx = testContext(dataDir, db.url, log);
        const shared = await sharedIdWeeks(ctx);
        const result = await loadPg({ ctx, weeks: [W20, W21, W22] });
        const loaded = result.weeks.map((w) => [w.week, w.rows, w.crossWeekDuplicates] as const);
        await assertOneByOneOutcome(loaded, log.lines, shared);
      },
    );

    test(
      "with the caller's slot (backfill's two weeks side by side): the same outcome, " +
        'a week that met the one beside it coming back `again` to be loaded alone',
      async () => {
        const log = recordingLogger();
        const ctx = testContext(dataDir, db.url, log);
        const shared = await sharedIdWeeks(ctx);
        const pgDb = await openPg(ctx);
        const again: string[] = [];
        try {
          const run = runWeeks(
            [W20, W21, W22],
            [
              {
                width: 2,
                step: async (week, slot): Promise<StepOutcome<LoadedWeek>> => {
                  const r = await loadPg({ ctx, weeks: [week], pg: pgDb, slot });
                  if (r.again) again.push(week.id);
                  return r.again ? { kind: 'again' } : { kind: 'committed', value: r.weeks[0]! };
                },
              },
            ],
          );
          const outcomes = await Promise.all(run.weeks);
          const loaded = outcomes.map((o) => {
            assert.equal(o.kind, 'committed');
            const w = (o as { value: LoadedWeek }).value;
            return [w.week, w.rows, w.crossWeekDuplicates] as const;
          });
          await assertOneByOneOutcome(loaded, log.lines, shared);
          assert.ok(again.length > 0, 'a week came back to be loaded alone');
        } finally {
          await pgDb.close();
        }
      },
    );

    test('when a week fails, the week loaded beside it is rolled back and nothing after it starts', async () => {
      const ctx = testContext(dataDir, db.url);
      await writeCleanWeek(ctx.config.layout, W20, makeSales(W20, 500, 1, 15));
      await writeCleanWeek(ctx.config.layout, W21, makeSales(W21, 500, 10_001, 16), {
        east: ['19999,1,1,2,2024-05-21,not-money,East'],
      });
      await writeCleanWeek(ctx.config.layout, W22, makeSales(W22, 500, 20_001, 17));
      await assert.rejects(loadPg({ ctx, weeks: [W20, W21, W22] }), /clean\/2024-W21\/east\.csv/);
      const weeks = await db.query(
        "SELECT to_char(sale_date - (extract(isodow FROM sale_date)::int - 1), 'YYYY-MM-DD') AS w, " +
          'count(*)::int AS n FROM sales GROUP BY 1 ORDER BY 1',
      );
      assert.deepEqual(weeks.rows, [{ w: W20.start, n: 500 }]);
      const runs = await db.query("SELECT week, status FROM etl_runs WHERE stage = 'load-pg' ORDER BY week");
      assert.deepEqual(runs.rows, [
        { week: '2024-W20', status: 'ok' },
        { week: '2024-W21', status: 'failed' },
      ]);
    });

    test('changed dimension files are upserted, unchanged ones skipped', async () => {
      const ctx = testContext(dataDir, db.url);
      await writeCleanWeek(ctx.config.layout, W20, makeSales(W20, 10, 1, 11));
      await writeDims(ctx.config.layout, 50, 20);
      assert.deepEqual((await loadPg({ ctx, weeks: [W20] })).dimensions, ['customers', 'products']);
      assert.deepEqual((await loadPg({ ctx, weeks: [W20] })).dimensions, []);
      await writeDims(ctx.config.layout, 60, 20, 5);
      assert.deepEqual((await loadPg({ ctx, weeks: [W20] })).dimensions, ['customers', 'products']);
      const r = await db.query(
        'SELECT (SELECT count(*)::int FROM customers) AS c, list_price::text AS p FROM products WHERE product_id = 1',
      );
      assert.deepEqual(r.rows[0], { c: 60, p: money(1000 + 7 + 5) });
    });

    test('a week without clean output names the command to run first', async () => {
      const ctx = testContext(dataDir, db.url);
      await assert.rejects(loadPg({ ctx, weeks: [W20] }), /run `sales-etl clean --week 2024-W20` first/);
    });
  });
}
