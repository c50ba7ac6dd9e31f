import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dateOfDay, dayNumber } from '../../../src/lib/core/calendar.js';
import { calendarSection, categoryShares, peakDays } from '../../../src/lib/report/calendar.js';
import { createReportFormat } from '../../../src/lib/report/format.js';
import type { DailyFigures } from '../../../src/lib/report/queries.js';
import { reportText } from '../../../src/lib/report/text.js';

/** Every day of February and March 2026 at 1000.00, with the days given set apart. */
function days(special: Record<string, string>): DailyFigures[] {
  const out: DailyFigures[] = [];
  for (let d = dayNumber('2026-02-01'); d <= dayNumber('2026-03-31'); d++) {
    const day = dateOfDay(d);
    out.push({ day, orders: 10, revenue: special[day] ?? '1000.00' });
  }
  return out;
}

describe('the report calendar', () => {
  test('names the peak days of the period, each against the median day of its month', () => {
    const peaks = peakDays(days({ '2026-02-14': '3000.00', '2026-02-23': '2500.00', '2026-03-08': '4200.50' }));
    assert.deepEqual(
      peaks.map((p) => [p.day, p.name, p.revenue, p.versusMonth]),
      [
        ['2026-02-14', '14 February', '3000.00', 3],
        ['2026-02-23', '23 February', '2500.00', 2.5],
        ['2026-03-08', '8 March', '4200.50', 4.2005],
      ],
    );
  });

  test('keeps the best of a run of days with one name', () => {
    const peaks = peakDays([
      { day: '2025-12-28', orders: 1, revenue: '10.00' },
      { day: '2025-12-29', orders: 1, revenue: '30.00' },
      { day: '2025-12-30', orders: 1, revenue: '20.00' },
    ]);
    assert.deepEqual(
      peaks.map((p) => [p.day, p.name]),
      [['2025-12-29', 'before New Year']],
    );
  });

  test("gives each category's share of its month's revenue", () => {
    const { months, shares } = categoryShares([
      { month: '2026-02-01', category: 'Игрушки', orders: 1, revenue: '300.00' },
      { month: '2026-02-01', category: 'Кухня', orders: 1, revenue: '100.00' },
      { month: '2026-03-01', category: 'Кухня', orders: 1, revenue: '50.00' },
    ]);
    assert.deepEqual(months, ['2026-02-01', '2026-03-01']);
    assert.equal(shares.get('Игрушки')?.get('2026-02-01'), 0.75);
    assert.equal(shares.get('Кухня')?.get('2026-03-01'), 1);
  });

  test('renders the chart, the peaks and the month table, categories translated for --locale en', () => {
    const months = [
      { month: '2026-02-01', category: 'Игрушки', orders: 1, revenue: '300.00' },
      { month: '2026-02-01', category: 'Цветы и подарки', orders: 1, revenue: '100.00' },
    ];
    const en = calendarSection(days({ '2026-03-08': '5000.00' }), months, reportText('en'), createReportFormat('en'));
    assert.match(en, /<svg/);
    assert.match(en, /8 March/);
    assert.match(en, /×5\.00/);
    assert.match(en, /Toys/);
    assert.match(en, /Flowers and gifts/);
    assert.doesNotMatch(en, /Игрушки/);
    const ru = calendarSection(days({}), months, reportText('ru'), createReportFormat('ru'));
    assert.match(ru, /Игрушки/);
    assert.match(ru, /Календарь продаж/);
    const none = calendarSection([], [], reportText('ru'), createReportFormat('ru'));
    assert.match(none, /Нет данных по дням/);
  });
});
