import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Layout, makeDirectory, openAtomicWriter, writeFileAtomic } from '../../../src/lib/files/layout.js';
import { keepDataPrivate } from '../../../src/lib/files/private-data.js';

const isRoot = process.getuid?.() === 0;
const NOBODY = { uid: 65534, gid: 65534, cwd: '/', encoding: 'utf8' } as const;
const modeOf = async (file: string) => (await stat(file)).mode & 0o777;

describe('files the tool writes', () => {
  let dir: string;
  let umask: number;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sales-etl-private-'));
    umask = process.umask();
  });
  afterEach(async () => {
    process.umask(umask);
    await rm(dir, { recursive: true, force: true });
  });

  test('are created for the tool account alone under the usual umask', async () => {
    process.umask(0o022);
    await writeFileAtomic(path.join(dir, 'a', 'b', 'whole.txt'), 'x');
    const writer = await openAtomicWriter(path.join(dir, 'a', 'streamed.csv'));
    writer.stream.write('y');
    await writer.commit();
    await makeDirectory(path.join(dir, 'c'));
    assert.deepEqual(
      await Promise.all(['a', 'a/b', 'a/b/whole.txt', 'a/streamed.csv', 'c'].map((f) => modeOf(path.join(dir, f)))),
      [0o700, 0o700, 0o600, 0o600, 0o700],
    );
  });

  test('honour a stricter umask: nothing is widened after it was created', async () => {
    process.umask(0o277);
    await writeFileAtomic(path.join(dir, 'whole.txt'), 'x');
    const writer = await openAtomicWriter(path.join(dir, 'streamed.csv'));
    writer.stream.write('y');
    await writer.commit();
    const modes = await Promise.all(['whole.txt', 'streamed.csv'].map((f) => modeOf(path.join(dir, f))));
    assert.deepEqual(modes, [0o400, 0o400]);
    assert.equal(await readFile(path.join(dir, 'streamed.csv'), 'utf8'), 'y');
  });

  test('keepDataPrivate adds 077 to the umask and keeps what is stricter', async () => {
    const layout = new Layout(path.join(dir, 'missing'));
    process.umask(0o022);
    await keepDataPrivate(layout);
    assert.equal(process.umask(0o227), 0o077);
    await keepDataPrivate(layout);
    assert.equal(process.umask(), 0o277);
  });

  test('keepDataPrivate closes what an older version left open, not links nor what others own', async () => {
    const data = path.join(dir, 'data');
    await mkdir(path.join(data, 'dim'), { recursive: true });
    await writeFile(path.join(data, 'dim', 'customers.csv'), 'customer_id,full_name\n1,Anna\n');
    await writeFile(path.join(data, 'store.json'), '{}');
    await mkdir(path.join(dir, 'elsewhere'));
    await symlink(path.join(dir, 'elsewhere'), path.join(data, 'pg'));
    await Promise.all([
      chmod(data, 0o755),
      chmod(path.join(data, 'dim'), 0o755),
      chmod(path.join(data, 'dim', 'customers.csv'), 0o644),
      chmod(path.join(data, 'store.json'), 0o664),
      chmod(path.join(dir, 'elsewhere'), 0o755),
      chmod(dir, 0o755),
    ]);
    const nobodyReads = () => spawnSync('cat', [path.join(data, 'dim', 'customers.csv')], NOBODY);
    if (isRoot) {
      await mkdir(path.join(data, 'theirs'), { mode: 0o755 });
      await chown(path.join(data, 'theirs'), 65534, 65534);
      assert.equal(nobodyReads().status, 0, 'as an older version left it, anyone could read the customers');
    }
    await keepDataPrivate(new Layout(data));
    assert.equal(await modeOf(path.join(data, 'dim')), 0o700);
    assert.equal(await modeOf(path.join(data, 'store.json')), 0o600);
    assert.equal(await modeOf(data), 0o755, 'the data directory itself keeps its mode');
    assert.equal(await modeOf(path.join(dir, 'elsewhere')), 0o755, 'a link is not followed');
    if (isRoot) {
      assert.equal(await modeOf(path.join(data, 'theirs')), 0o755, "another account's entry is left alone");
      // The old file keeps its mode, but no other account can reach it any more.
      const read = nobodyReads();
      assert.notEqual(read.status, 0);
      assert.equal(read.stdout, '');
    }
  });
});
