import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../../src/lib/ui/logger.js';
import { formatDuration, progressLine, ProgressBar } from '../../../src/lib/ui/progress.js';

const left = (line: string) => /· (\S+) left/.exec(line)?.[1];

test('the time left leaves out the first week, which carries the start-up', () => {
  // The first week took 10 s (servers starting), every week after it 1 s.
  const at = (done: number) => ({ done, total: 52, rows: 0, elapsedMs: 10_000 + (done - 1) * 1000, firstWeekMs: 10e3 });
  assert.equal(left(progressLine({ ...at(0), elapsedMs: 3000, firstWeekMs: undefined })), '?');
  assert.equal(left(progressLine(at(1))), '?', 'one week says nothing about the pace');
  assert.equal(left(progressLine(at(2))), '0:50', '50 weeks at 1 s');
  assert.equal(left(progressLine(at(26))), '0:26');
  assert.equal(left(progressLine(at(52))), '0:00');
});

test('durations as m:ss, and h:mm:ss from an hour', () => {
  assert.deepEqual([0, 499, 500, 65_000, 599_499, 3_600_000, 3_725_000, -5].map(formatDuration), [
    '0:00',
    '0:00',
    '0:01',
    '1:05',
    '9:59',
    '1:00:00',
    '1:02:05',
    '0:00',
  ]);
});

test('the bar fills with the weeks done and names what is going on', () => {
  const state = { done: 13, total: 52, rows: 250_000, elapsedMs: 0, current: '2024-W14 clean' };
  assert.equal(progressLine(state, 8), '[##------] 13/52 weeks · 250,000 rows · ? left · 2024-W14 clean');
  assert.equal(progressLine({ done: 0, total: 0, rows: 0, elapsedMs: 0 }, 4), '[####] 0/0 weeks · 0 rows · 0:00 left');
});

test('a ProgressBar draws on its stream, and clears itself around a warning, which reaches the log', () => {
  const written: string[] = [];
  const stream = { columns: 30, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
  const warnings: string[] = [];
  const parent = { ...silentLogger(), warn: (m: string) => void warnings.push(m) };
  const bar = new ProgressBar(parent, false, stream);
  bar.log.info('chatter the bar replaces');
  assert.deepEqual(written, []);
  bar.update({ done: 1, total: 2, rows: 10, elapsedMs: 0 });
  assert.deepEqual(written, ['\r\u001b[2K[############------------] 1/']);
  bar.log.warn('a warning');
  assert.deepEqual(warnings, ['a warning']);
  assert.deepEqual(written.slice(1), ['\r\u001b[2K', '\r\u001b[2K[############------------] 1/']);
  bar.done();
  assert.equal(written.at(-1), '\r\u001b[2K');
  bar.log.warn('after the bar');
  assert.equal(written.length, 4, 'nothing drawn once done');
});
