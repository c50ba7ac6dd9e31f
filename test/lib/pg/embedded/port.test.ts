import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { freePort, startOnFreePort } from '../../../../src/lib/pg/embedded/port.js';
import type { StartingServer } from '../../../../src/lib/pg/embedded/process.js';
import { ServerLog } from '../../../../src/lib/pg/embedded/server-log.js';
import { silentLogger } from '../../../../src/lib/ui/logger.js';

/** A stand-in for postgres on `port`: a live child, ready or not; `output` goes to the log first. */
function fakeServer(serverLog: ServerLog, output: string, ready: boolean): StartingServer {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  serverLog.write(output);
  const readiness = ready ? Promise.resolve() : Promise.reject(new Error('the server exited before it was ready'));
  return { child, ready: readiness };
}

/** Run startOnFreePort over servers that answer as `answers` say, one per attempt. */
async function attempts(answers: { output: string; ready: boolean }[]) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'port-'));
  const serverLog = await ServerLog.open(path.join(dir, 'log', 'server.log'), silentLogger());
  const ports: number[] = [];
  const children: StartingServer['child'][] = [];
  try {
    const started = await startOnFreePort(
      (port) => {
        ports.push(port);
        const answer = answers[ports.length - 1] ?? { output: 'unexpected attempt', ready: false };
        const server = fakeServer(serverLog, answer.output, answer.ready);
        children.push(server.child);
        return server;
      },
      serverLog,
      silentLogger(),
    );
    return { started, ports, children, recent: [...serverLog.recentLines()] };
  } finally {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await serverLog.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const TAKEN = { output: 'LOG:  could not bind IPv4 address "127.0.0.1": Address already in use', ready: false };

test('freePort: a loopback port one can listen on', async () => {
  const port = await freePort();
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  await new Promise((resolve) => server.close(resolve));
});

test('startOnFreePort: a port taken before the server binds it is replaced, three ports in all', async () => {
  const twice = await attempts([TAKEN, TAKEN, { output: 'ready', ready: true }]);
  assert.equal(twice.started.ok, true);
  assert.equal(twice.ports.length, 3);
  assert.equal(twice.started.ok && twice.started.port, twice.ports[2]);
  assert.equal(twice.started.ok && twice.started.child, twice.children[2]);
  // The servers that did not start are killed; the log's recent lines are those of the last attempt.
  assert.ok(twice.children.slice(0, 2).every((child) => child.signalCode === 'SIGKILL'));
  assert.deepEqual(twice.recent, ['ready']);

  const always = await attempts([TAKEN, TAKEN, TAKEN]);
  assert.equal(always.ports.length, 3);
  assert.equal(always.started.ok, false);
  assert.match(String(!always.started.ok && always.started.error), /exited before it was ready/);
});

test('startOnFreePort: any other failure is not retried', async () => {
  const fatal = await attempts([{ output: 'FATAL:  data directory has wrong ownership', ready: false }]);
  assert.equal(fatal.ports.length, 1);
  assert.equal(fatal.started.ok, false);
  assert.deepEqual(fatal.recent, ['FATAL:  data directory has wrong ownership']);
});
