import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import {
  addWeeks,
  parseWeek,
  parseWeekFlags,
  previousWeek,
  WEEK_FORMS,
  weekOfInstant,
  weekRange,
  weeksInYear,
} from '../../../src/lib/core/calendar.js';
import { UsageError } from '../../../src/lib/core/errors.js';
import { REPO_ROOT } from '../../helpers/raw-rows.js';

const isUsage = (pattern: RegExp) => (e: unknown) => e instanceof UsageError && pattern.test(e.message);

describe('parseWeek', () => {
  test('takes a week name or any date inside the week', () => {
    const w = parseWeek('2024-W20');
    assert.deepEqual([w.id, w.isoYear, w.isoWeek, w.start, w.end], ['2024-W20', 2024, 20, '2024-05-13', '2024-05-19']);
    for (const date of ['2024-05-13', '2024-05-15', '2024-05-19', ' 2024-05-15 '])
      assert.equal(parseWeek(date).id, '2024-W20');
    assert.equal(parseWeek(' 2024-W20\n').id, '2024-W20');
    assert.equal(parseWeek('2024-05-20').id, '2024-W21');
  });

  test('weeks start at Monday 00:00 Moscow time (21:00 UTC on Sunday)', () => {
    const w = parseWeek('2024-W20');
    assert.equal(new Date(w.startMs).toISOString(), '2024-05-12T21:00:00.000Z');
    assert.equal(new Date(w.endMs).toISOString(), '2024-05-19T21:00:00.000Z');
  });

  test('handles year boundaries', () => {
    const w1 = parseWeek('2024-W01');
    assert.deepEqual([w1.start, w1.end], ['2024-01-01', '2024-01-07']);
    const w53 = parseWeek('2020-W53');
    assert.deepEqual([w53.start, w53.end, w53.isoYear], ['2020-12-28', '2021-01-03', 2020]);
    assert.equal(parseWeek('2021-01-03').id, '2020-W53');
    assert.equal(parseWeek('2021-01-04').id, '2021-W01');
    assert.equal(parseWeek('2019-12-30').id, '2020-W01');
    assert.equal(parseWeek('2024-12-30').id, '2025-W01');
    assert.equal(parseWeek('2027-01-01').id, '2026-W53');
    assert.equal(weeksInYear(2020), 53);
    assert.equal(weeksInYear(2024), 52);
    assert.equal(addWeeks(parseWeek('2020-W52'), 2).id, '2021-W01');
  });

  test('refuses anything else with a usage error that shows the accepted forms', () => {
    for (const bad of [
      '2024-W54',
      '2021-W53',
      '2024-W00',
      '2024-W5',
      '2024-w20',
      '2024-02-30',
      '2023-02-29',
      '2024-5-15',
      '15.05.2024',
      'last week',
      '',
      '2024-W20x',
    ]) {
      assert.throws(
        () => parseWeek(bad),
        (e: unknown) => e instanceof UsageError && e.message.includes(WEEK_FORMS),
        bad,
      );
    }
    assert.equal(parseWeek('2024-02-29').id, '2024-W09');
  });

  test('a week 53 of a year that has 52 says so', () => {
    const says = (pattern: RegExp) => (e: unknown) => e instanceof UsageError && pattern.test(e.message);
    assert.throws(() => parseWeek('2021-W53'), says(/2021 has 52 ISO weeks/));
    assert.throws(
      () => parseWeek('2024-W54'),
      (e: unknown) => e instanceof UsageError && !/ISO weeks/.test(e.message),
    );
    assert.equal(parseWeek('2026-W53').id, '2026-W53');
  });
});

describe('week ranges and flags', () => {
  test('a range includes both ends and crosses years', () => {
    assert.deepEqual(
      weekRange(parseWeek('2020-W52'), parseWeek('2021-W02')).map((w) => w.id),
      ['2020-W52', '2020-W53', '2021-W01', '2021-W02'],
    );
    assert.deepEqual(
      weekRange(parseWeek('2024-W20'), parseWeek('2024-05-15')).map((w) => w.id),
      ['2024-W20'],
    );
    assert.throws(() => weekRange(parseWeek('2024-W21'), parseWeek('2024-W20')), isUsage(/after/));
  });

  test('--week, --from/--to, or nothing', () => {
    assert.equal(parseWeekFlags({}), undefined);
    assert.deepEqual(
      parseWeekFlags({ week: '2024-05-15' })?.map((w) => w.id),
      ['2024-W20'],
    );
    assert.equal(parseWeekFlags({ from: '2024-W01', to: '2024-W52' })?.length, 52);
    assert.throws(() => parseWeekFlags({ week: '2024-W20', from: '2024-W01' }), isUsage(/either/));
    assert.throws(() => parseWeekFlags({ from: '2024-W01' }), isUsage(/both/));
  });
});

describe('previousWeek', () => {
  // Monday 2024-05-20 00:00 Moscow time is 2024-05-19 21:00 UTC.
  const monday = Date.parse('2024-05-19T21:00:00Z');

  test('is the last complete week before the moment, in Moscow time', () => {
    assert.equal(previousWeek(monday - 1).id, '2024-W19');
    assert.equal(previousWeek(monday).id, '2024-W20');
    assert.equal(weekOfInstant(monday - 1).id, '2024-W20');
    assert.equal(previousWeek(Date.parse('2021-01-04T00:00:00+03:00')).id, '2020-W53');
  });

  for (const tz of ['America/Los_Angeles', 'UTC', 'Asia/Tokyo']) {
    test(`is the same when the process runs in ${tz}`, () => {
      const calendar = pathToFileURL(path.join(REPO_ROOT, 'dist', 'src', 'lib', 'core', 'calendar.js')).href;
      const script = `const { previousWeek } = await import(${JSON.stringify(calendar)});
        const t = ${monday};
        console.log(JSON.stringify([previousWeek(t - 1).id, previousWeek(t).id, new Date(t).getHours(),
          Intl.DateTimeFormat().resolvedOptions().timeZone]));`;
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        env: { ...process.env, TZ: tz },
        encoding: 'utf8',
      });
      const [before, after, localHour, zone] = JSON.parse(out) as [string, string, number, string];
      assert.equal(zone, tz === 'UTC' ? 'UTC' : tz);
      assert.deepEqual([before, after], ['2024-W19', '2024-W20']);
      // The child really ran in another zone: its local clock does not read Moscow's midnight.
      if (tz !== 'UTC') assert.notEqual(localHour, 0);
    });
  }
});
