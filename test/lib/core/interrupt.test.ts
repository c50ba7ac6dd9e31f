import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  during,
  handleSignals,
  interrupted,
  interruption,
  InterruptedError,
  signalExitCode,
  throwIfInterrupted,
  type StopSignal,
} from '../../../src/lib/core/interrupt.js';

// The signal owner in this test's own process (node --test gives each file one): signals are emitted, not sent,
// so the runner itself is never stopped. An interruption happens once per process, so this is one story.

test('exit codes are 128 + the signal number', () => {
  assert.deepEqual((['SIGHUP', 'SIGINT', 'SIGTERM'] as const).map(signalExitCode), [129, 130, 143]);
});

test('the first signal names what was in flight and stops new work; the second goes to the owner', async () => {
  const forced: StopSignal[] = [];
  handleSignals({ command: 'backfill', onForce: (signal) => void forced.push(signal) });
  assert.equal(interrupted(), undefined);
  throwIfInterrupted();

  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const load = during('load-pg of 2024-W02', () => gate);
  const clean = during('clean of 2024-W03', () => during('clean of 2024-W03', () => gate));
  process.emit('SIGTERM');

  const stop = interrupted();
  assert.ok(stop instanceof InterruptedError);
  assert.equal(interruption.aborted, true);
  assert.equal(stop.signal, 'SIGTERM');
  assert.equal(stop.exitCode, 143);
  assert.equal(
    stop.message,
    'interrupted by SIGTERM during load-pg of 2024-W02, clean of 2024-W03; run it again to finish',
  );
  assert.throws(
    () => throwIfInterrupted(),
    (e: unknown) => e === stop,
  );
  const late = during('aggregate of 2024-W02', async () => assert.fail('started after the signal'));
  await assert.rejects(late, (e: unknown) => e === stop);
  // Work already going is not cut off: it ends its own way (a transaction rolls back at its COMMIT).
  release();
  await Promise.all([load, clean]);

  assert.deepEqual(forced, []);
  process.emit('SIGINT');
  assert.deepEqual(forced, ['SIGINT'], 'a second signal is the owner’s to act on');
  assert.equal(interrupted(), stop, 'the first signal stays the interruption');
});
