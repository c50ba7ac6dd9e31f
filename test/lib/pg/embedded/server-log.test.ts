import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ServerLog } from '../../../../src/lib/pg/embedded/server-log.js';
import { silentLogger } from '../../../../src/lib/ui/logger.js';

test('ServerLog: appends every output as lines, keeps the last 20 non-blank ones trimmed', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'server-log-'));
  try {
    const file = path.join(dir, 'logs', 'pg.log');
    const first = await ServerLog.open(file, silentLogger());
    first.write('one\n');
    await first.close();
    const serverLog = await ServerLog.open(file, silentLogger());
    serverLog.write('  two  \n\n');
    const { write } = serverLog; // passed around unbound
    for (let i = 0; i < 25; i++) write(`line ${i}`);
    assert.equal(serverLog.recentLines().length, 20);
    assert.equal(serverLog.recentLines()[0], 'line 5');
    assert.equal(serverLog.recentLines().at(-1), 'line 24');
    serverLog.forget();
    assert.deepEqual(serverLog.recentLines(), []);
    await serverLog.close();
    const lines = Array.from({ length: 25 }, (_, i) => `line ${i}\n`).join('');
    assert.equal(await readFile(file, 'utf8'), `one\n  two  \n\n${lines}`);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
