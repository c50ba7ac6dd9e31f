import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { aggregate } from '../../src/commands/aggregate.js';
import { clean } from '../../src/commands/clean.js';
import { loadPg } from '../../src/commands/load-pg.js';
import { parseWeek } from '../../src/lib/core/calendar.js';
import { openClickHouse } from '../../src/lib/clickhouse/database.js';
import { inTransaction } from '../../src/lib/pg/database.js';
import { chRows, chTestContext, keepDailyAndBuyers, keepRegionWeeks } from '../helpers/clickhouse.js';
import { assertExit, cli, exists, sleep, startCli } from '../helpers/faults-cli.js';
import {
  freshDatabase,
  pgTargets,
  stopTestCluster,
  tempDataDir,
  testContext,
  type TestDatabase,
} from '../helpers/pg.js';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

// migrate-click killed with SIGKILL at spread-out points of a week's publication, then run again
// (SPEC 7: atomic per week, exactly one copy after any number of runs). PostgreSQL is switched between
// two versions of the week's sales and aggregates (A: from two thirds of the raw rows, B: from all of them), so
// after every kill ClickHouse must hold exactly the old version or the new one, in both sales_agg and
// week_buyers: never a part, a mix of the two tables, or two copies.

const W = parseWeek('2024-W01');
const MARKER = `${W.id}: streaming`;
/** Kill points, as fractions of the measured time from the start of streaming to the publication line. */
const FRACTIONS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.85, 1];

let dir: string;
let database: TestDatabase;
let pool: pg.Pool;

before(async () => {
  dir = await tempDataDir('sales-etl-crash-ch-');
  const gen = await cli(['--data-dir', dir, 'generate', '--start-week', W.id, '--weeks', '1', '--total', '20000']);
  assertExit(gen, 0, 'generate');
  database = await freshDatabase(pgTargets().at(-1)!);
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
  const ctx = testContext(dir, database.url);
  // Version A from the first two thirds of every region's raw rows, version B from all of them, each through the
  // stages.
  const full = new Map<string, string>();
  for (const region of ['north', 'south', 'east', 'west']) {
    const file = path.join(dir, 'raw', W.id, `${region}.csv`);
    const text = await readFile(file, 'utf8');
    full.set(file, text);
    const lines = text.split('\n');
    await writeFile(file, `${lines.slice(0, Math.floor((lines.length * 2) / 3)).join('\n')}\n`);
  }
  for (const v of ['a', 'b'] as const) {
    if (v === 'b') for (const [file, text] of full) await writeFile(file, text);
    await clean({ ctx, weeks: [W] });
    await loadPg({ ctx, weeks: [W] });
    await aggregate({ ctx, weeks: [W] });
    await snapshot(v);
  }
});

after(async () => {
  await pool?.end();
  await database?.drop();
  await stopTestCluster();
  await rm(dir, { recursive: true, force: true });
});

const weekSales = `FROM sales WHERE sale_date BETWEEN $1 AND $2`;

/** Keep the week's sales and aggregates as version `v`. */
async function snapshot(v: 'a' | 'b'): Promise<void> {
  await pool.query(`CREATE TABLE faults_sales_${v} AS SELECT * ${weekSales}`, [W.start, W.end]);
  await pool.query(`CREATE TABLE faults_agg_${v} AS SELECT * FROM sales_agg WHERE week_start = $1`, [W.start]);
}

/** Make version `v` the week's state in PostgreSQL. */
async function swap(v: 'A' | 'B'): Promise<void> {
  const s = v.toLowerCase();
  await inTransaction({ pool }, async (client) => {
    await client.query(`DELETE ${weekSales}`, [W.start, W.end]);
    await client.query(`INSERT INTO sales SELECT * FROM faults_sales_${s}`);
    await keepRegionWeeks(client, W);
    await keepDailyAndBuyers(client, W);
    await client.query('DELETE FROM sales_agg WHERE week_start = $1', [W.start]);
    await client.query(`INSERT INTO sales_agg SELECT * FROM faults_agg_${s}`);
    // Aggregated after this load, as aggregate would have (migrate-click refuses a week loaded since).
    await client.query('UPDATE sales_agg SET aggregated_at = now() WHERE week_start = $1', [W.start]);
  });
}

/** What ClickHouse holds for the week: sales_agg rows and sums, week_buyers rows, and leftover staging tables. */
async function figures(): Promise<{ state: string; staging: number }> {
  const ch = await openClickHouse(chTestContext({ dataDir: dir }));
  try {
    const [agg] = await chRows<Record<string, string>>(
      ch.client,
      `SELECT toString(count()) AS n, toString(sum(amount_sum)) AS amount, toString(sum(sales_count)) AS sales,
              toString(sum(quantity_sum)) AS qty
       FROM sales_etl.sales_agg WHERE week_start = {w:Date}`,
      { w: W.start },
    );
    const [buyers] = await chRows<Record<string, string>>(
      ch.client,
      'SELECT toString(count()) AS n, toString(uniqExact(region, customer_id)) AS u ' +
        'FROM sales_etl.week_buyers WHERE week_start = {w:Date}',
      { w: W.start },
    );
    const staging = await chRows(
      ch.client,
      "SELECT name FROM system.tables WHERE database = 'sales_etl' AND name LIKE '%\\_\\_stage%'",
    );
    return {
      state: `agg ${agg!.n}/${agg!.amount}/${agg!.sales}/${agg!.qty} buyers ${buyers!.n}/${buyers!.u}`,
      staging: staging.length,
    };
  } finally {
    await ch.close();
  }
}

/** The figures PostgreSQL has for a version: what ClickHouse must show after publishing it. */
async function pgFigures(v: 'A' | 'B'): Promise<string> {
  const s = v.toLowerCase();
  const {
    rows: [agg],
  } = await pool.query<Record<string, string>>(
    `SELECT count(*)::text AS n, sum(amount_sum)::text AS amount, sum(sales_count)::text AS sales,
            sum(quantity_sum)::text AS qty
     FROM faults_agg_${s}`,
  );
  const {
    rows: [buyers],
  } = await pool.query<{ n: string }>(`SELECT count(DISTINCT (region, customer_id))::text AS n FROM faults_sales_${s}`);
  return `agg ${agg!.n}/${Number(agg!.amount)}/${agg!.sales}/${agg!.qty} buyers ${buyers!.n}/${buyers!.n}`;
}

test(
  'migrate-click killed at 10 points of a publication: ClickHouse holds the old week or the new one, ' +
    "and the re-run the clean run's figures",
  async () => {
    const env = { DATABASE_URL: database.url };
    const expected = { A: '', B: '' };
    await swap('A');
    assertExit(await cli(['--data-dir', dir, 'migrate-click', '--week', W.id], { env }), 0, 'publish A');
    expected.A = (await figures()).state;
    await swap('B');
    const timed = startCli(['--data-dir', dir, '--verbose', 'migrate-click', '--week', W.id], { env });
    const start = await timed.waitFor(MARKER);
    const end = await timed.waitFor(' published to ');
    assertExit(await timed.done, 0, 'publish B');
    expected.B = (await figures()).state;
    // ClickHouse's sums are numbers; compare with PostgreSQL's the same way.
    const norm = (s: string) => s.replace(/\/([\d.]+)\//, (_, n: string) => `/${Number(n)}/`);
    assert.equal(norm(expected.A), await pgFigures('A'), "a clean run publishes PostgreSQL's week A");
    assert.equal(norm(expected.B), await pgFigures('B'), "a clean run publishes PostgreSQL's week B");
    assert.notEqual(expected.A, expected.B);
    const window = Math.max(50, (end ?? 0) - (start ?? 0));

    const outcomes: string[] = [];
    let killedRuns = 0;
    let current: 'A' | 'B' = 'B';
    let lockLeft = false;
    for (const [i, fraction] of FRACTIONS.entries()) {
      const target: 'A' | 'B' = current === 'A' ? 'B' : 'A';
      await swap(target);
      const run = startCli(['--data-dir', dir, '--verbose', 'migrate-click', '--week', W.id], { env });
      if ((await run.waitFor(MARKER)) === undefined)
        assert.fail(`the run did not reach the copy: ${(await run.done).stderr}`);
      await sleep(Math.round(fraction * window));
      run.child.kill('SIGKILL');
      const killed = await run.done;
      if (lockLeft) assert.match(killed.stderr, /took over the lock of a run that is gone/);
      if (killed.signal === 'SIGKILL') killedRuns++;
      const { state } = await figures();
      const outcome: string | undefined =
        state === expected[current] ? 'old' : state === expected[target] ? 'new' : undefined;
      assert.ok(
        outcome,
        `after a kill at ${fraction} of the publication of ${target} over ${current}, ` +
          `ClickHouse holds ${state}; A is ${expected.A}, B is ${expected.B}`,
      );
      outcomes.push(`${fraction}:${killed.signal === 'SIGKILL' ? 'killed' : 'finished'}:${outcome}`);
      lockLeft = await exists(path.join(dir, '.lock'));
      current = outcome === 'new' ? target : current;
      // Every other kill is followed by a plain re-run; the others by the next trial's run, which must recover too.
      if (i % 2 === 0) continue;
      const again = await cli(['--data-dir', dir, 'migrate-click', '--week', W.id], { env });
      assertExit(again, 0, `migrate-click after a kill at ${fraction}`);
      if (lockLeft) assert.match(again.stderr, /took over the lock of a run that is gone/);
      const after = await figures();
      assert.equal(
        after.state,
        expected[target],
        `the re-run after a kill at ${fraction} publishes the clean run's figures`,
      );
      assert.equal(after.staging, 0, 'no staging table outlives the re-run');
      assert.equal(await exists(path.join(dir, '.lock')), false, 'the lock is released');
      current = target;
      lockLeft = false;
    }
    if (process.env.TEST_VERBOSE) console.log(`publication window ${window} ms;`, outcomes.join(' '));
    assert.ok(killedRuns >= 5, `most runs were killed before they finished: ${outcomes.join(' ')}`);
    assert.ok(
      outcomes.some((o) => o.endsWith(':old')),
      `some kill left the old week: ${outcomes.join(' ')}`,
    );
  },
);
