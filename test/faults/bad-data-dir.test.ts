import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { blockedAt } from '../../src/lib/pg/embedded/server-user.js';
import { assertCleanFailure, BIN, cli } from '../helpers/faults-cli.js';

// A data directory that cannot be one is a usage error: exit 2, one sentence naming the path and a way out.

test('--data-dir under /proc fails at once for every command that makes it', async (t) => {
  if (!(await stat('/proc').catch(() => undefined))?.isDirectory()) return t.skip('no /proc on this system');
  for (const command of [['clean'], ['run-week', '--skip-generate'], ['report']]) {
    const run = await cli(['--data-dir', '/proc/sales-etl-x', ...command], { timeoutMs: 30_000 });
    const line = assertCleanFailure(run, 2, command[0]);
    assert.match(line, /^✖ the data directory \/proc\/sales-etl-x cannot be made: \/proc does not hold new dir/);
    assert.match(line, /give --data-dir .* another directory$/);
  }
});

test('a regular file as --data-dir, or on its way, names the file', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bad-data-dir-'));
  try {
    const file = path.join(dir, 'store');
    await writeFile(file, 'not a directory');
    const cases = [
      [file, 'generate'],
      [path.join(file, 'sub'), 'load-pg'],
      [file, 'status'],
    ] as const;
    for (const [dataDir, command] of cases) {
      const run = await cli(['--data-dir', dataDir, command], { timeoutMs: 30_000 });
      const line = assertCleanFailure(run, 2, `${command} ${dataDir}`);
      assert.equal(
        line,
        `✖ the data directory ${dataDir} cannot be made: ${file} is a file, not a directory; ` +
          'move it away or give --data-dir (or SALES_ETL_DATA_DIR) another directory',
      );
    }
    assert.deepEqual(await readdir(dir), ['store']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

const NOBODY = { name: 'nobody', uid: 65534, gid: 65534 };

test('a directory the user may not write: one sentence, not a raw EACCES', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root, to run the CLI as user nobody');
  if (await blockedAt(BIN, NOBODY)) return t.skip('user nobody cannot reach this checkout');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bad-data-dir-'));
  try {
    await chmod(dir, 0o755); // root's: nobody may enter but not write
    const asNobody = (dataDir: string) =>
      spawnSync(process.execPath, [BIN, '--data-dir', dataDir, 'clean'], {
        encoding: 'utf8',
        uid: NOBODY.uid,
        gid: NOBODY.gid,
        cwd: '/',
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1', HOME: '/' },
        timeout: 30_000,
      });
    const exit = (r: ReturnType<typeof asNobody>) => ({
      code: r.status,
      signal: r.signal,
      stdout: r.stdout,
      stderr: r.stderr,
      ms: 0,
      timedOut: r.error !== undefined,
    });
    const inside = path.join(dir, 'data');
    const made = assertCleanFailure(exit(asNobody(inside)), 2, 'mkdir');
    assert.match(made, new RegExp(`^✖ the data directory ${inside} cannot be made: .* may not create \\w+ in ${dir};`));
    assert.doesNotMatch(made, /EACCES/);
    const written = assertCleanFailure(exit(asNobody(dir)), 2, 'write');
    assert.match(written, new RegExp(`^✖ the data directory ${dir} is not writable by .*; change its owner or mode`));
    assert.deepEqual(await readdir(dir), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
