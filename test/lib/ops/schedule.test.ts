import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../../src/lib/core/errors.js';
import {
  formatWeeklyTime,
  notDueReason,
  parseWeeklyTime,
  wallClock,
  WEEKLY_RUN,
} from '../../../src/lib/ops/schedule.js';

test('--only-at values: day names or their first letters, 24-hour time, a zone (default Moscow)', () => {
  assert.deepEqual(parseWeeklyTime('Tue 12:45 Europe/Moscow'), WEEKLY_RUN);
  assert.deepEqual(parseWeeklyTime(' tuesday 12:45 '), WEEKLY_RUN);
  assert.deepEqual(parseWeeklyTime('SUN 0:05 UTC'), { weekday: 0, hour: 0, minute: 5, timeZone: 'UTC' });
  assert.equal(formatWeeklyTime(parseWeeklyTime('mon 7:00 Asia/Kathmandu')), 'Mon 07:00 Asia/Kathmandu');
  const bad = ['Tu 12:45', 'Tux 12:45', 'Tue 24:00', 'Tue 12:60', 'Tue 12', '12:45 Tue', 'Tue 12:45 Mars/Base', ''];
  for (const text of bad) {
    assert.throws(() => parseWeeklyTime(text), UsageError, text);
  }
});

test('a guarded run starts from its minute to 15 minutes after it, in its own zone, and at no other time', () => {
  const tuesday = Date.UTC(2026, 2, 10, 9, 45); // Tuesday 12:45 Moscow
  const minute = 60_000;
  assert.equal(notDueReason(WEEKLY_RUN, tuesday), undefined);
  assert.equal(notDueReason(WEEKLY_RUN, tuesday + 14 * minute + 59_000), undefined);
  assert.equal(
    notDueReason(WEEKLY_RUN, tuesday + 15 * minute),
    'it is 2026-03-10 (Tuesday) 13:00 in Europe/Moscow, not within 15 minutes after Tue 12:45',
  );
  assert.match(notDueReason(WEEKLY_RUN, tuesday - 1000) ?? '', /12:44 in Europe\/Moscow/);
  assert.match(notDueReason(WEEKLY_RUN, tuesday - 3600_000) ?? '', /11:45/); // New York's other line in summer
  assert.match(notDueReason(WEEKLY_RUN, tuesday + 86_400_000) ?? '', /Wednesday/);
  // A zone with daylight saving: the same wall time is another instant in summer.
  const ny = parseWeeklyTime('Tue 05:45 America/New_York');
  assert.equal(notDueReason(ny, Date.UTC(2026, 6, 7, 9, 45)), undefined); // EDT, UTC-4
  assert.equal(notDueReason(ny, Date.UTC(2026, 0, 6, 10, 45)), undefined); // EST, UTC-5
  assert.notEqual(notDueReason(ny, Date.UTC(2026, 0, 6, 9, 45)), undefined);
});

test('wallClock gives the zone offset of the moment, half and quarter hours included', () => {
  assert.deepEqual(wallClock(Date.UTC(2026, 0, 6, 9, 45), 'Asia/Kathmandu'), {
    weekday: 2,
    hour: 15,
    minute: 30,
    second: 0,
    date: '2026-01-06',
    utcOffset: '+05:45',
  });
  assert.equal(wallClock(Date.UTC(2026, 0, 6, 9, 45), 'UTC').utcOffset, '+00:00');
  assert.equal(wallClock(Date.UTC(2026, 0, 6, 9, 45), 'Pacific/Honolulu').weekday, 1);
});
