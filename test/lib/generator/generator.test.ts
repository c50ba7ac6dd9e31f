import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dayNumber, parseWeek } from '../../../src/lib/core/calendar.js';
import { customerCore } from '../../../src/lib/generator/customers.js';
import { ageOn, civilFromDays, daysFromCivil, isoDay, yearsBefore } from '../../../src/lib/generator/days.js';
import { catalogue } from '../../../src/lib/generator/products.js';
import { DISCOUNTS, promotedPrice, SalesModel } from '../../../src/lib/generator/sales.js';
import { newPlan, periodSalesCounts, Schedule } from '../../../src/lib/generator/store-plan.js';
import { REGIONS, type Region } from '../../../src/lib/core/regions.js';

// A fixed "now" so the default period is the same on every run: Friday 2026-11-27, Moscow.
const NOW = Date.parse('2026-11-27T12:00:00+03:00');
// The default plan's shape of weekly totals.
const SHAPE = { startWeek: '2025-W48', salesSpread: 0.095, seasonAmplitude: 0.085 };

describe('weekly sales counts', () => {
  test('add up to exactly the total, every week (the last included) within ±10% of total / (365/7)', () => {
    for (const total of [1_000_000, 999_999, 123_457, 20_000]) {
      for (let seed = 0; seed < 300; seed++) {
        const counts = periodSalesCounts({ ...SHAPE, seed, total, weeks: 52 });
        assert.equal(counts.length, 52);
        assert.equal(
          counts.reduce((a, b) => a + b, 0),
          total,
          `seed ${seed} total ${total}`,
        );
        const mean = total / (365 / 7);
        for (const c of counts) {
          assert.ok(
            Math.abs(c - mean) <= 0.1 * mean,
            `seed ${seed} total ${total}: week of ${c} vs ${mean.toFixed(0)}`,
          );
        }
      }
    }
  });

  test('vary from week to week and depend on the seed', () => {
    const a = periodSalesCounts({ ...SHAPE, seed: 1, total: 1_000_000, weeks: 52 });
    const b = periodSalesCounts({ ...SHAPE, seed: 2, total: 1_000_000, weeks: 52 });
    assert.notDeepEqual(a, b);
    assert.ok(Math.max(...a) - Math.min(...a) > 1000);
  });

  test('stay exact for totals too small for the band, and for other period lengths', () => {
    for (const [total, weeks] of [
      [1, 52],
      [51, 52],
      [53, 52],
      [7, 3],
      [100_000, 13],
    ] as const) {
      const counts = periodSalesCounts({ ...SHAPE, seed: 5, total, weeks });
      assert.equal(
        counts.reduce((a, b) => a + b, 0),
        total,
      );
      for (const c of counts) assert.ok(c >= Math.floor(total / weeks) - Math.ceil((0.095 * total) / weeks) && c >= 0);
    }
  });

  test("follow the season: high before New Year, low after it, flat in autumn, at a year's proportions", () => {
    const counts = (startWeek: string) => periodSalesCounts({ ...SHAPE, startWeek, seed: 7, total: 20_000, weeks: 8 });
    const spread = (c: number[]) => (Math.max(...c) - Math.min(...c)) / (20_000 / 8);
    const winter = counts('2025-W48'); // 24 November 2025 to 18 January 2026
    assert.ok(Math.min(...winter.slice(0, 5)) > Math.max(...winter.slice(5)), `winter ${winter}`);
    assert.ok(spread(winter) > 0.1, `winter ${winter}`);
    assert.ok(spread(counts('2024-W36')) < 0.05, `autumn ${counts('2024-W36')}`);
    // A year's totals: December's weeks above the mean, January's and the May holidays' below it.
    const year = periodSalesCounts({ ...SHAPE, seed: 1, total: 1_000_000, weeks: 52 });
    const mean = 1_000_000 / 52;
    assert.ok(year[2]! > 1.05 * mean && year[6]! < 0.95 * mean && year[22]! < mean, `${year}`);
  });

  test('weeks after the period keep the steady rate', () => {
    const schedule = new Schedule(newPlan({}, NOW));
    const mean = 1_000_000 / 52;
    for (let i = 52; i < 80; i++) assert.ok(Math.abs(schedule.salesCount(i) - mean) <= 0.1 * mean);
    assert.equal(schedule.salesBefore(52), 1_000_000);
  });
});

describe('the default plan', () => {
  const plan = newPlan({}, NOW);
  const schedule = new Schedule(plan);

  test('covers the 52 weeks ending with the previous week, a million sales, seed 42', () => {
    assert.equal(plan.startWeek, '2025-W48');
    assert.equal(schedule.week(51).id, '2026-W47');
    assert.equal(plan.total, 1_000_000);
    assert.equal(plan.seed, 42);
  });

  test('starts with 72,700 customers and ends with about 142,900', () => {
    assert.equal(schedule.customersBefore(0), 72_700);
    const end = schedule.customersBefore(52);
    assert.ok(Math.abs(end - 142_900) < 0.01 * 142_900, `${end} customers at the end`);
    for (let i = 0; i < 52; i++) {
      const n = schedule.newCustomers(i);
      assert.ok(Math.abs(n - 1346) <= 0.1 * 1346 + 1, `week ${i}: ${n} new customers`);
    }
  });

  test('customers register in id order, from the opening to the end of their week, never later', () => {
    let last = -Infinity;
    const opened = dayNumber(plan.storeOpenedOn);
    for (let id = 1; id <= schedule.customersBefore(52); id += 7) {
      const c = customerCore(schedule, id);
      assert.ok(c.registeredDay >= last && c.registeredDay >= opened, `customer ${id}`);
      last = c.registeredDay;
    }
    assert.ok(last <= dayNumber(parseWeek('2026-W47').end));
    assert.ok(customerCore(schedule, 72_700).registeredDay < schedule.firstDay);
    assert.ok(customerCore(schedule, 72_701).registeredDay >= schedule.firstDay);
  });

  test('a year of sales: exactly the total, unique increasing ids, caps kept, buyers registered, amounts exact', () => {
    const model = new SalesModel(plan);
    const products = new Map(catalogue(plan).map((p) => [p.id, p]));
    const orders = new Map<number, number>();
    const regions = new Map<Region, number>();
    const quantities = new Array<number>(16).fill(0);
    let total = 0;
    let lastId = 0;
    let promoted = 0;
    let previous = '';
    for (let i = 0; i < 52; i++) {
      const week = schedule.week(i);
      const [first, last] = [dayNumber(week.start), dayNumber(week.end)];
      let n = 0;
      for (const s of model.salesOfWeek(i)) {
        n++;
        assert.equal(s.saleId, lastId + 1);
        lastId = s.saleId;
        assert.ok(s.day >= first && s.day <= last && s.time >= week.startMs && s.time < week.endMs);
        assert.ok(Number.isInteger(s.quantity) && s.quantity >= 1 && s.quantity <= 15);
        quantities[s.quantity]!++;
        const product = products.get(s.productId);
        assert.ok(product);
        assert.ok((DISCOUNTS as readonly number[]).includes(s.discount));
        assert.equal(s.unitPrice, promotedPrice(product.listPrice, s.discount));
        assert.ok(Number.isInteger(s.amount) && s.amount === s.quantity * s.unitPrice && s.amount > 0);
        if (s.discount > 0) promoted++;
        // The lines of one order come in a row, with the same buyer and time; the cap counts orders.
        const order = `${s.customerId}@${s.time}`;
        if (order !== previous) orders.set(s.customerId, (orders.get(s.customerId) ?? 0) + 1);
        previous = order;
        regions.set(s.region, (regions.get(s.region) ?? 0) + 1);
        if (s.saleId % 97 === 0) {
          const c = customerCore(schedule, s.customerId);
          assert.ok(c.registeredDay <= s.day, `sale ${s.saleId}: buyer registered after it`);
          assert.equal(c.region, s.region);
        }
      }
      assert.equal(n, schedule.salesCount(i));
      total += n;
    }
    assert.equal(total, 1_000_000);
    for (const [id, n] of orders)
      assert.ok(n <= customerCore(schedule, id).maxOrders, `customer ${id} ordered ${n} times`);
    // Small quantities far more common; promotions a minority.
    assert.ok(
      quantities[1]! > quantities[2]! && quantities[2]! > quantities[5]! && quantities[5]! > 5 * quantities[15]!,
    );
    assert.ok(promoted > 0.2 * total && promoted < 0.4 * total);
    // Every region, and not uniform.
    const shares = REGIONS.map((r) => (regions.get(r) ?? 0) / total);
    assert.ok(Math.min(...shares) > 0.1, `region shares ${shares}`);
    assert.ok(Math.max(...shares) - Math.min(...shares) > 0.1, `region shares ${shares}`);
    // Some customers never order.
    assert.ok(orders.size < schedule.customersBefore(52) * 0.95);
  });
});

describe('the catalogue', () => {
  test('has about a dozen categories with prices typical for each', () => {
    const products = catalogue({ seed: 42, products: 1000 });
    assert.equal(products.length, 1000);
    const byCategory = new Map<string, typeof products>();
    for (const p of products) byCategory.set(p.category, [...(byCategory.get(p.category) ?? []), p]);
    assert.ok(byCategory.size >= 10 && byCategory.size <= 14, `${byCategory.size} categories`);
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    const electronics = median((byCategory.get('Электроника') ?? []).map((p) => p.listPrice));
    const food = median((byCategory.get('Продукты и напитки') ?? []).map((p) => p.listPrice));
    assert.ok(electronics > 5 * food, `electronics ${electronics} vs food ${food}`);
    for (const p of products) assert.ok(Number.isInteger(p.listPrice) && p.listPrice > 0);
  });
});

describe('day arithmetic', () => {
  test('agrees with Date for every day over two centuries', () => {
    for (let day = dayNumber('1900-01-01'); day <= dayNumber('2100-12-31'); day++) {
      const date = new Date(day * 86_400_000).toISOString().slice(0, 10);
      assert.equal(isoDay(day), date);
      const [y, m, d] = civilFromDays(day);
      assert.equal(daysFromCivil(y, m, d), day);
    }
  });

  test('ages count whole years, leap birthdays included', () => {
    assert.equal(ageOn(dayNumber('2000-02-29'), dayNumber('2018-02-28')), 17);
    assert.equal(ageOn(dayNumber('2000-02-29'), dayNumber('2018-03-01')), 18);
    assert.equal(ageOn(dayNumber('2006-05-15'), dayNumber('2024-05-14')), 17);
    assert.equal(ageOn(dayNumber('2006-05-15'), dayNumber('2024-05-15')), 18);
    assert.equal(isoDay(yearsBefore(dayNumber('2024-02-29'), 18)), '2006-03-01');
    assert.equal(isoDay(yearsBefore(dayNumber('2024-02-29'), 4)), '2020-02-29');
  });
});
