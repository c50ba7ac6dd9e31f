import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { parseWeek, weekRange } from '../../src/lib/core/calendar.js';
import { databaseChecksums } from '../helpers/checksums.js';
import { assertExit, cli, sleep, startCli, treeHashes } from '../helpers/faults-cli.js';
import { tempDataDir } from '../helpers/pg.js';

// backfill overlaps three weeks (files of one, PostgreSQL for the one before, ClickHouse for the one
// before that). Killed with SIGKILL anywhere, the next backfill must still end with the files and
// both databases of a clean run: the same bytes, the same rows.

const WEEKS = weekRange(parseWeek('2024-W01'), parseWeek('2024-W06')).map((w) => w.id);
const PLAN = ['--start-week', WEEKS[0]!, '--weeks', String(WEEKS.length), '--total', '12000'];
/** Everything but the databases' own directories, the lock, logs, and the plan (it records when it was made). */
const FILES_SKIP = ['pg', 'clickhouse', '.lock', 'logs', 'pg.log', 'reports', 'store.json'];
/** Kill points, as fractions of a clean backfill's time from its first line to its end. */
const FRACTIONS = [0.15, 0.35, 0.55, 0.8];

let clean: string;
let killed: string;

before(async () => {
  clean = await tempDataDir('sales-etl-crash-backfill-clean-');
  killed = await tempDataDir('sales-etl-crash-backfill-killed-');
});
after(async () => {
  await rm(clean, { recursive: true, force: true });
  await rm(killed, { recursive: true, force: true });
});

test(
  'backfill killed at 4 points, each followed by a backfill: ' + 'the files and both databases of a clean run',
  async () => {
    const timed = startCli(['--data-dir', clean, 'backfill', ...PLAN], { timeoutMs: 300_000 });
    const from = await timed.waitFor('backfill 2024-W01');
    const to = await timed.waitFor('backfill: 6 weeks');
    assertExit(await timed.done, 0, 'a clean backfill');
    const span = Math.max(200, (to ?? 0) - (from ?? 0));
    const files = await treeHashes(clean, FILES_SKIP);
    const rows = await databaseChecksums(clean, WEEKS);
    assert.ok(Number(rows[`ch sales_agg ${WEEKS.at(-1)}`]!.split('/')[0]) > 0, JSON.stringify(rows));

    // The first kill hits a backfill into an empty directory; the others, backfills over a whole year.
    for (const fraction of FRACTIONS) {
      const run = startCli(['--data-dir', killed, 'backfill', ...PLAN], { timeoutMs: 300_000 });
      if ((await run.waitFor('backfill 2024-W01')) === undefined)
        assert.fail(`the run did not start: ${(await run.done).stderr}`);
      await sleep(Math.round(fraction * span));
      run.child.kill('SIGKILL');
      await run.done;
      const again = await cli(['--data-dir', killed, 'backfill', ...PLAN], { timeoutMs: 300_000 });
      assertExit(again, 0, `backfill after a kill at ${fraction}`);
      assert.deepEqual(
        await treeHashes(killed, FILES_SKIP),
        files,
        `after a kill at ${fraction}, the same bytes as a clean run`,
      );
      assert.deepEqual(
        await databaseChecksums(killed, WEEKS),
        rows,
        `after a kill at ${fraction}, the same rows as a clean run`,
      );
    }
  },
);
