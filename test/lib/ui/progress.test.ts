import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressLine } from '../../../src/lib/ui/progress.js';

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
