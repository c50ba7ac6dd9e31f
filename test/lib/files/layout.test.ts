import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { makeDirectory } from '../../../src/lib/files/layout.js';

const code = (error: unknown) => (error as NodeJS.ErrnoException).code;

test('makeDirectory makes missing parents, and again is a no-op', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'layout-'));
  try {
    const deep = path.join(dir, 'a', 'b', 'c');
    await makeDirectory(deep, 0o750);
    await makeDirectory(deep);
    assert.ok((await stat(deep)).isDirectory());
    assert.equal((await stat(path.join(dir, 'a'))).mode & 0o700, 0o700);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('makeDirectory through a regular file fails with ENOTDIR, on it or under it', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'layout-'));
  try {
    const file = path.join(dir, 'f');
    await writeFile(file, 'x');
    await assert.rejects(makeDirectory(file), (e) => code(e) === 'ENOTDIR');
    await assert.rejects(makeDirectory(path.join(file, 'sub', 'deeper')), (e) => code(e) === 'ENOTDIR');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// Node 20's own mkdir({ recursive: true }) never returns here: the guard turns a hang into a failure.
test('makeDirectory under /proc, which answers ENOENT for new entries, fails', { timeout: 20_000 }, async (t) => {
  const proc = await stat('/proc').catch(() => undefined);
  if (!proc?.isDirectory()) return t.skip('no /proc on this system');
  await assert.rejects(makeDirectory('/proc/sales-etl-test'), (e) => code(e) === 'ENOENT');
  await assert.rejects(makeDirectory('/proc/sales-etl-test/a/b'), (e) => code(e) === 'ENOENT');
});
