import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { LockedError } from '../../../src/lib/core/errors.js';
import { Layout } from '../../../src/lib/files/layout.js';
import { acquireLock, withLock } from '../../../src/lib/files/lock.js';
import { processAlive } from '../../../src/lib/core/process-alive.js';
import { silentLogger, type Logger } from '../../../src/lib/ui/logger.js';

let dir: string;
let layout: Layout;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ops-lock-'));
  layout = new Layout(dir);
});
after(() => rm(dir, { recursive: true, force: true }));

function recordingLogger(lines: string[]): Logger {
  return { ...silentLogger(), warn: (m) => lines.push(m), info: (m) => lines.push(m) };
}

/** The PID of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const pid = Number(child.stdout);
  assert.equal(processAlive(pid), false);
  return pid;
}

test('the lock file names its holder and is removed on release', async () => {
  const lock = await acquireLock(layout, 'run-week', silentLogger());
  const info = JSON.parse(await readFile(layout.lock, 'utf8'));
  assert.equal(info.pid, process.pid);
  assert.equal(info.hostname, os.hostname());
  assert.equal(info.command, 'run-week');
  assert.ok(!Number.isNaN(Date.parse(info.startedAt)));
  await lock.release();
  assert.equal(existsSync(layout.lock), false);
  await lock.release(); // twice is harmless
});

test('a second acquirer gets LockedError naming the holder PID and start time', async () => {
  const lock = await acquireLock(layout, 'backfill', silentLogger());
  try {
    await assert.rejects(acquireLock(layout, 'run-week', silentLogger()), (error: unknown) => {
      assert.ok(error instanceof LockedError);
      assert.match(error.message, new RegExp(`pid ${process.pid} on `));
      assert.match(error.message, new RegExp(`backfill, started ${lock.info.startedAt.replace(/[.]/g, '\\.')}`));
      return true;
    });
  } finally {
    await lock.release();
  }
});

test('a lock left by a dead process is taken over, with a log line', async () => {
  const pid = deadPid();
  await writeFile(
    layout.lock,
    JSON.stringify({ pid, hostname: os.hostname(), startedAt: '2024-05-21T09:45:00.000Z', command: 'run-week' }),
  );
  const lines: string[] = [];
  const ran = await withLock({ config: { layout } as never, log: recordingLogger(lines) }, 'backfill', async () => {
    const info = JSON.parse(await readFile(layout.lock, 'utf8'));
    return info.pid;
  });
  assert.equal(ran, process.pid);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, new RegExp(`took over .*pid ${pid} .*2024-05-21T09:45:00`));
  assert.equal(existsSync(layout.lock), false);
});

test('a lock file that is not ours is refused, not removed', async () => {
  await writeFile(layout.lock, 'something else\n');
  try {
    await assert.rejects(acquireLock(layout, 'run-week', silentLogger()), LockedError);
    assert.equal(await readFile(layout.lock, 'utf8'), 'something else\n');
  } finally {
    await rm(layout.lock, { force: true });
  }
});

test('withLock releases when the work throws', async () => {
  await assert.rejects(
    withLock({ config: { layout } as never, log: silentLogger() }, 'clean', async () => {
      throw new Error('boom');
    }),
    /boom/,
  );
  assert.equal(existsSync(layout.lock), false);
});

/** A module script for `node -e` with acquireLock, Layout and silentLogger imported, then `body`. */
function holderScript(body: string): string {
  const module = (file: string) => JSON.stringify(new URL(`../../../src/lib/${file}`, import.meta.url).href);
  return `
    const { acquireLock } = await import(${module('files/lock.js')});
    const { Layout } = await import(${module('files/layout.js')});
    const { silentLogger } = await import(${module('ui/logger.js')});
    ${body}
  `;
}

test('SIGTERM releases the lock and the process still dies of the signal', async () => {
  const script = holderScript(`
    await acquireLock(new Layout(${JSON.stringify(dir)}), 'run-week', silentLogger());
    process.stdout.write('held\\n');
    setInterval(() => {}, 1000);
  `);
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
    child.once('exit', () => reject(new Error('child exited before taking the lock')));
  });
  assert.equal(JSON.parse(await readFile(layout.lock, 'utf8')).pid, child.pid);
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  child.kill('SIGTERM');
  assert.equal(await exited, 'SIGTERM');
  assert.equal(existsSync(layout.lock), false);
});

test('an exit while the lock is being released still removes it (a second Ctrl-C during the stopping)', () => {
  // The release begins (it reads the file before removing it), and the process exits before it ends.
  const script = holderScript(`
    const lock = await acquireLock(new Layout(${JSON.stringify(dir)}), 'run-week', silentLogger());
    void lock.release();
    process.exit(130);
  `);
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(child.status, 130, child.stderr);
  assert.equal(existsSync(layout.lock), false);
});
