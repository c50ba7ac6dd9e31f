import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { assertExit, cli, treeHashes } from '../helpers/faults-cli.js';
import { databaseChecksums } from '../helpers/checksums.js';
import { tempDataDir } from '../helpers/pg.js';

// Re-runs change nothing: backfill twice and run-week three times on the embedded databases leave
// byte-identical files (plan, dimensions, raw, clean, rejects, manifests) and identical database contents.

const WEEKS = ['2024-W01', '2024-W02'];
/** Everything but the databases' own directories, the lock and server logs. */
const FILES_SKIP = ['pg', 'clickhouse', '.lock', 'logs', 'pg.log', 'reports'];
let dir: string;

before(async () => {
  dir = await tempDataDir('sales-etl-reruns-');
});
after(() => rm(dir, { recursive: true, force: true }));

test(
  'backfill twice, then run-week three times: ' + 'the same bytes on disk and the same rows in both databases',
  async () => {
    const plan = ['--start-week', WEEKS[0]!, '--weeks', String(WEEKS.length), '--total', '3000'];
    const first = await cli(['--data-dir', dir, 'backfill', ...plan], { timeoutMs: 300_000 });
    assertExit(first, 0, 'backfill 1');
    const files = await treeHashes(dir, FILES_SKIP);
    for (const id of WEEKS) {
      for (const f of [
        `raw/${id}/north.csv`,
        `clean/${id}/north.csv`,
        `clean/${id}/manifest.json`,
        `rejects/${id}/north.csv`,
      ]) {
        assert.ok(files[f], `${f} exists after a backfill: ${Object.keys(files).join(' ')}`);
      }
    }
    assert.ok(files['store.json'] && files['dim/customers.csv'] && files['dim/products.csv']);
    const db = await databaseChecksums(dir, WEEKS);
    assert.ok(Number(db[`pg sales ${WEEKS[1]}`]!.split('/')[0]) > 0, JSON.stringify(db));
    assert.ok(Number(db[`ch sales_agg ${WEEKS[1]}`]!.split('/')[0]) > 0, JSON.stringify(db));

    const second = await cli(['--data-dir', dir, 'backfill', ...plan], { timeoutMs: 300_000 });
    assertExit(second, 0, 'backfill 2');
    assert.deepEqual(await treeHashes(dir, FILES_SKIP), files, 'a second backfill rewrites the same bytes');
    assert.deepEqual(await databaseChecksums(dir, WEEKS), db, 'a second backfill leaves the same rows');

    for (const n of [1, 2, 3]) {
      const run = await cli(['--data-dir', dir, 'run-week', '--week', WEEKS[1]!], { timeoutMs: 300_000 });
      assertExit(run, 0, `run-week ${n}`);
      assert.deepEqual(await treeHashes(dir, FILES_SKIP), files, `run-week ${n} rewrites the same bytes`);
    }
    assert.deepEqual(await databaseChecksums(dir, WEEKS), db, 'three run-weeks leave the same rows');
  },
);
