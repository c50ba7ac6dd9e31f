import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createReportFormat, THIN_SPACE } from '../../../src/lib/report/format.js';
import { averageCheck, fromKopecks, toKopecks } from '../../../src/lib/core/money.js';
import { previousPeriod, periodOf } from '../../../src/lib/report/queries.js';
import { parseWeek } from '../../../src/lib/core/calendar.js';

const NBSP = '\u00a0';

describe('report formatting', () => {
  const ru = createReportFormat('ru');
  const en = createReportFormat('en');

  it(
    'writes roubles for a Russian reader: thin-space thousands, decimal comma, ₽, ' + 'exact beyond float precision',
    () => {
      assert.equal(ru.money('1234567.5'), `1${THIN_SPACE}234${THIN_SPACE}567,50${NBSP}₽`);
      assert.equal(ru.money('0.05'), `0,05${NBSP}₽`);
      // 2^53 + 1 roubles and some kopecks: a float would lose the last digit.
      assert.equal(
        ru.money('9007199254740993.99'),
        `9${THIN_SPACE}007${THIN_SPACE}199${THIN_SPACE}254${THIN_SPACE}740${THIN_SPACE}993,99${NBSP}₽`,
      );
      assert.equal(ru.int(1234567), `1${THIN_SPACE}234${THIN_SPACE}567`);
      assert.equal(ru.percent(0.1234), `12,3${NBSP}%`);
      assert.equal(ru.change(-0.0104), `\u22121,0${NBSP}%`);
      assert.equal(ru.change(0.5), `+50,0${NBSP}%`);
      assert.equal(ru.date('2024-05-13'), '13 мая 2024 г.');
      assert.equal(ru.dateTime(Date.UTC(2024, 4, 14, 9, 45)), '14 мая 2024 г. в 12:45 MSK');
    },
  );

  it('switches to en-US with --locale en', () => {
    assert.equal(en.money('1234567.5'), '₽1,234,567.50');
    assert.equal(en.int(1234567), '1,234,567');
    assert.equal(en.percent(0.1234), '12.3%');
    assert.equal(en.date('2024-05-13'), 'May 13, 2024');
  });

  it('averages the check exactly, rounding half up to the kopeck', () => {
    assert.equal(averageCheck('10.00', 3), '3.33');
    assert.equal(averageCheck('20.00', 3), '6.67');
    assert.equal(averageCheck('0.05', 2), '0.03', 'half a kopeck rounds up');
    assert.equal(averageCheck('0.03', 2), '0.02');
    assert.equal(averageCheck('90071992547409.93', 1), '90071992547409.93');
    assert.equal(averageCheck('12.34', 0), null);
    assert.equal(toKopecks('1234.5'), 123450n);
    assert.equal(toKopecks('7'), 700n);
    assert.equal(fromKopecks(5n), '0.05');
    assert.throws(() => toKopecks('1.234'), /more than two decimals/);
  });

  it('compares with the period of the same length just before', () => {
    const before = previousPeriod(periodOf(parseWeek('2024-W02'), parseWeek('2024-W05')));
    assert.deepEqual([before.from.id, before.to.id, before.weeks.length], ['2023-W50', '2024-W01', 4]);
  });
});
