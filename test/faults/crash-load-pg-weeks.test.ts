import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { parseWeek, weekRange } from '../../src/lib/core/calendar.js';
import { assertExit, cli, sleep, startCli } from '../helpers/faults-cli.js';
import { freshDatabase, pgTargets, stopTestCluster, tempDataDir, type TestDatabase } from '../helpers/pg.js';

// load-pg over several weeks loads two at a time, each in its own transaction, a week committing
// only after the week before it (src/commands/load-pg.ts). Killed with SIGKILL anywhere in such a
// run, the weeks in PostgreSQL are whole and form a prefix of the run: the weeks before some point
// loaded exactly as a clean run loads them, none after it. A re-run then gives the clean run's rows.

const WEEKS = weekRange(parseWeek('2024-W01'), parseWeek('2024-W04'));
/** Kill points, as fractions of the measured time of a clean run's loading of the weeks. */
const FRACTIONS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.85, 1];
const EMPTY = '0/0/-';

let dir: string;
let database: TestDatabase;
let pool: pg.Pool;

before(async () => {
  dir = await tempDataDir('sales-etl-crash-pg-weeks-');
  const gen = await cli([
    '--data-dir',
    dir,
    'generate',
    '--start-week',
    WEEKS[0]!.id,
    '--weeks',
    String(WEEKS.length),
    '--total',
    '80000',
  ]);
  assertExit(gen, 0, 'generate');
  assertExit(await cli(['--data-dir', dir, 'clean']), 0, 'clean');
  database = await freshDatabase(pgTargets().at(-1)!);
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
});

after(async () => {
  await pool?.end();
  await database?.drop();
  await stopTestCluster();
  await rm(dir, { recursive: true, force: true });
});

/** Each week's rows in PostgreSQL: count, exact sum, md5 of every row in sale_id order. */
async function weekSums(): Promise<string[]> {
  const out: string[] = [];
  for (const week of WEEKS) {
    const { rows } = await pool.query<{ c: string }>(
      `SELECT count(*) || '/' || coalesce(sum(sale_amount), 0) || '/' ||
              coalesce(md5(string_agg(concat_ws(',', sale_id, customer_id, product_id, quantity, sale_date,
                                                sale_amount, region),
                                      ';' ORDER BY sale_id)), '-') AS c
       FROM sales WHERE sale_date BETWEEN $1 AND $2`,
      [week.start, week.end],
    );
    out.push(rows[0]!.c);
  }
  return out;
}

async function emptyWeeks(): Promise<void> {
  await pool.query('DELETE FROM sales');
  await pool.query('DELETE FROM sales_region_weeks');
}

test(
  'load-pg of four weeks killed at 10 points: the weeks in PostgreSQL are whole and a prefix of the run, ' +
    'and a re-run completes them',
  async () => {
    const env = { DATABASE_URL: database.url };
    const first = `load-pg ${WEEKS[0]!.id} ...`;
    const last = `load-pg ${WEEKS.at(-1)!.id} done`;
    const timed = startCli(['--data-dir', dir, '--verbose', 'load-pg'], { env });
    const start = await timed.waitFor(first);
    const end = await timed.waitFor(last);
    assertExit(await timed.done, 0, 'a clean run');
    const reference = await weekSums();
    assert.ok(
      reference.every((s) => s !== EMPTY),
      reference.join(' '),
    );
    const window = Math.max(50, (end ?? 0) - (start ?? 0));

    const outcomes: string[] = [];
    for (const [i, fraction] of FRACTIONS.entries()) {
      await emptyWeeks();
      const run = startCli(['--data-dir', dir, '--verbose', 'load-pg'], { env });
      if ((await run.waitFor(first)) === undefined)
        assert.fail(`the run did not reach the first week: ${(await run.done).stderr}`);
      await sleep(Math.round(fraction * window));
      run.child.kill('SIGKILL');
      await run.done;
      const sums = await weekSums();
      const loaded = sums.map((s, w) => (s === reference[w] ? 1 : s === EMPTY ? 0 : -1));
      assert.ok(
        !loaded.includes(-1),
        `after a kill at ${fraction} of the run, a week is neither whole nor absent: ${sums.join(' ')}`,
      );
      const prefix = loaded.indexOf(0) === -1 ? loaded.length : loaded.indexOf(0);
      assert.ok(
        loaded.slice(prefix).every((l) => l === 0),
        `after a kill at ${fraction} of the run, the weeks loaded are not a prefix: ${loaded.join('')}`,
      );
      outcomes.push(`${fraction}:${prefix}`);
      if (i % 2 === 1 || i === FRACTIONS.length - 1) {
        assertExit(await cli(['--data-dir', dir, 'load-pg'], { env }), 0, `load-pg after a kill at ${fraction}`);
        assert.deepEqual(
          await weekSums(),
          reference,
          `the re-run after a kill at ${fraction} gives the clean run's rows`,
        );
      }
    }
    if (process.env.TEST_VERBOSE)
      console.log(`load window ${window} ms; weeks loaded at each kill:`, outcomes.join(' '));
  },
);
