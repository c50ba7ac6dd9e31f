import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertCleanFailure, assertExit, cli, startCli, treeHashes } from '../helpers/faults-cli.js';

// generate writes the later weeks of a long run on a second thread (src/lib/generator/week-worker.ts):
// a failure there, or a stop signal while it writes, must end the command as one on this thread does,
// and a run after it must leave the same bytes as a run that was never disturbed.

/** Big enough that the second thread is still writing when the weeks' progress task starts. */
const PLAN = ['--total', '600000', '--weeks', '30', '--start-week', '2024-W01', '--seed', '7'];

describe("generate's second thread", () => {
  let root = '';
  let reference: Record<string, string> = {};

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'generate-threads-'));
    const dir = path.join(root, 'reference');
    assertExit(await cli(['--data-dir', dir, 'generate', ...PLAN]), 0, 'reference');
    reference = await treeHashes(dir, ['store.json']);
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('a week it cannot write fails the command in one line, exit 1, and a run after it completes', async () => {
    const dir = path.join(root, 'blocked');
    assertExit(await cli(['--data-dir', dir, 'generate', ...PLAN, '--week', '2024-W01']), 0, 'plan');
    // The last week's directory is a file: only the second thread writes that week.
    await writeFile(path.join(dir, 'raw', '2024-W30'), 'not a directory');
    const failed = await cli(['--data-dir', dir, 'generate']);
    const line = assertCleanFailure(failed, 1, 'blocked');
    assert.match(line, /^✖ generate: cannot write raw\/2024-W30: ENOTDIR/);
    await rm(path.join(dir, 'raw', '2024-W30'));
    assertExit(await cli(['--data-dir', dir, 'generate']), 0, 'again');
    assert.deepEqual(await treeHashes(dir, ['store.json']), reference);
  });

  it('SIGINT while both threads write: exit 130, one line, and a run after it leaves the same bytes', async () => {
    const dir = path.join(root, 'stopped');
    const run = startCli(['--data-dir', dir, 'generate', ...PLAN]);
    assert.notEqual(await run.waitFor('generate 30 weeks ...'), undefined, 'the weeks began');
    run.child.kill('SIGINT');
    const stopped = await run.done;
    const line = assertCleanFailure(stopped, 130, 'stopped');
    assert.match(line, /^✖ interrupted by SIGINT during generate of .*; run it again to finish$/);
    assertExit(await cli(['--data-dir', dir, 'generate']), 0, 'again');
    assert.deepEqual(await treeHashes(dir, ['store.json']), reference);
    const leftovers = (await readdir(path.join(dir, 'raw'), { recursive: true })).filter((f) => f.endsWith('.tmp'));
    assert.deepEqual(leftovers, []);
  });
});
