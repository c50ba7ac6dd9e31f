import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generate, type GenerateResult } from '../../../src/commands/generate.js';
import { dayNumber, parseWeek, type Week } from '../../../src/lib/core/calendar.js';
import { ageOn, civilFromDays, isoDay } from '../../../src/lib/generator/days.js';
import { AGE_BANDS, CATEGORIES, ITEM_TYPES } from '../../../src/lib/generator/item-types.js';
import { retailDay } from '../../../src/lib/generator/retail-calendar.js';
import { REGIONS } from '../../../src/lib/core/regions.js';
import { canonicalOf, quietContext, removeDir, splitCsv, tempDir } from '../../helpers/raw-rows.js';

// The default plan of a fixed "now" (Friday 2026-11-27, Moscow): 2025-W48 to 2026-W47, a million sales.
const NOW = Date.parse('2026-11-27T12:00:00+03:00');

interface Customer {
  male: boolean;
  born: number;
  registered: number;
  region: string;
  band: number;
  firstName: string;
}

interface Product {
  category: string;
  price: number;
  type: number;
}

/** Everything read back from the files of a generated default year. */
interface Year {
  customers: Map<number, Customer>;
  products: Map<number, Product>;
  weekly: number[];
  /** Lines and revenue (kopecks) by day number. */
  lines: Map<number, number>;
  revenue: Map<number, number>;
  discounted: Map<number, number>;
  /** Lines by month (0-11) and category. */
  byMonth: Map<string, number>;
  /** Lines by month (0-11) and item type. */
  byMonthType: Map<string, number>;
  /** Lines by day number and category. */
  byDayCategory: Map<string, number>;
  /** Lines by group key ('M', 'F', 'north', 'band1', ...) and category. */
  byGroup: Map<string, Map<string, number>>;
  /** Lines of each product. */
  byProduct: Map<number, number>;
  /** Lines of each (customer, day): one order or more. */
  baskets: Map<string, number>;
  quantities: Array<{ quantity: number; price: number }>;
  /** Distinct valid sale ids. */
  saleIds: Set<number>;
  dirt: { valid: number; invalid: number; exactDuplicates: number; reExports: number; noisy: number };
}

/** The longest item type name a product name starts with. */
function typeOf(name: string): number {
  let best = -1;
  for (const [i, t] of ITEM_TYPES.entries()) {
    if (name.startsWith(`${t.name} `) && (best < 0 || t.name.length > (ITEM_TYPES[best]?.name.length ?? 0))) best = i;
  }
  return best;
}

function band(age: number): number {
  let b = 0;
  while (b + 1 < AGE_BANDS.length && age >= (AGE_BANDS[b + 1] as number)) b++;
  return b;
}

const bump = <K>(map: Map<K, number>, key: K, by = 1) => map.set(key, (map.get(key) ?? 0) + by);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const sum = (xs: Iterable<number>) => [...xs].reduce((a, b) => a + b, 0);

async function csvRows(file: string): Promise<string[][]> {
  const text = await readFile(file, 'utf8');
  return text
    .slice(0, -1)
    .split('\n')
    .slice(1)
    .map((l) => splitCsv(l) as string[]);
}

async function readYear(dir: string, result: GenerateResult): Promise<Year> {
  const customers = new Map<number, Customer>();
  const end = dayNumber(parseWeek('2026-W47').end);
  for (const [id, name, gender, birth, registered, region] of await csvRows(path.join(dir, 'dim', 'customers.csv'))) {
    const born = dayNumber(birth as string);
    customers.set(Number(id), {
      male: gender === 'M',
      born,
      registered: dayNumber(registered as string),
      region: (region as string).toLowerCase(),
      band: band(ageOn(born, end)),
      firstName: (name as string).split(' ')[1] as string,
    });
  }
  const products = new Map<number, Product>();
  for (const [id, name, category, price] of await csvRows(path.join(dir, 'dim', 'products.csv'))) {
    const kopecks = Math.round(Number(price) * 100);
    products.set(Number(id), { category: category as string, price: kopecks, type: typeOf(name as string) });
  }
  const y: Year = {
    customers,
    products,
    weekly: [],
    lines: new Map(),
    revenue: new Map(),
    discounted: new Map(),
    byMonth: new Map(),
    byMonthType: new Map(),
    byDayCategory: new Map(),
    byGroup: new Map(),
    byProduct: new Map(),
    baskets: new Map(),
    quantities: [],
    saleIds: new Set(),
    dirt: { valid: 0, invalid: 0, exactDuplicates: 0, reExports: 0, noisy: 0 },
  };
  for (const w of result.weeks) {
    const week: Week = parseWeek(w.week);
    let n = 0;
    for (const region of REGIONS) {
      const text = await readFile(path.join(dir, 'raw', w.week, `${region}.csv`), 'utf8');
      const seen = new Set<string>();
      const texts = new Set<string>();
      for (const line of text.slice(0, -1).split('\n').slice(1)) {
        const canonical = canonicalOf(line, week);
        if (canonical === undefined) y.dirt.invalid++;
        else if (seen.has(canonical)) {
          if (texts.has(line)) y.dirt.exactDuplicates++;
          else y.dirt.reExports++;
        } else {
          seen.add(canonical);
          if (line !== canonical) y.dirt.noisy++;
          n++;
          countSale(y, canonical);
        }
        texts.add(line);
      }
    }
    y.weekly.push(n);
    y.dirt.valid += n;
  }
  return y;
}

function countSale(y: Year, canonical: string): void {
  const [id, customerId, productId, qty, date, amount] = canonical.split(',') as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  y.saleIds.add(Number(id));
  const day = dayNumber(date);
  const kopecks = Math.round(Number(amount) * 100);
  const quantity = Number(qty);
  const product = y.products.get(Number(productId)) as Product;
  const c = y.customers.get(Number(customerId)) as Customer;
  bump(y.lines, day);
  bump(y.revenue, day, kopecks);
  if (kopecks < quantity * product.price) bump(y.discounted, day);
  const month = civilFromDays(day)[1] - 1;
  bump(y.byMonth, `${month}|${product.category}`);
  bump(y.byMonthType, `${month}|${product.type}`);
  bump(y.byDayCategory, `${day}|${product.category}`);
  for (const group of [c.male ? 'M' : 'F', c.region, `band${c.band}`, 'all']) {
    const m = y.byGroup.get(group) ?? new Map<string, number>();
    bump(m, product.category);
    y.byGroup.set(group, m);
  }
  bump(y.byProduct, Number(productId));
  bump(y.baskets, `${customerId}|${day}`);
  y.quantities.push({ quantity, price: product.price });
}

describe('a generated default year (model 2)', () => {
  let dir = '';
  let result: GenerateResult;
  let y: Year;
  const days = (from: string, to: string) => [...y.lines.keys()].filter((d) => isoDay(d) >= from && isoDay(d) <= to);
  const perDay = (map: Map<number, number>, from: string, to: string) => {
    const ds = days(from, to);
    return sum(ds.map((d) => map.get(d) ?? 0)) / ds.length;
  };
  /** A category's share of the lines of some months (0-11). */
  const monthShare = (category: string, months: number[]) => {
    let of = 0;
    let all = 0;
    for (const [key, n] of y.byMonth) {
      const [m, c] = key.split('|');
      if (!months.includes(Number(m))) continue;
      all += n;
      if (c === category) of += n;
    }
    return of / all;
  };
  const share = (group: string, category: string) => {
    const m = y.byGroup.get(group) as Map<string, number>;
    return (m.get(category) ?? 0) / sum(m.values());
  };
  const l1 = (a: string, b: string) => sum(CATEGORIES.map((c) => Math.abs(share(a, c.ru) - share(b, c.ru))));

  before(async () => {
    dir = await tempDir('gen-year');
    result = await generate({ ctx: quietContext(dir).ctx, now: NOW });
    y = await readYear(dir, result);
  });
  after(() => removeDir(dir));

  test('the assignment: exactly 1,000,000 valid unique sales, 19,178 ±10% a week, the last week the remainder', (t) => {
    assert.equal(y.dirt.valid, 1_000_000);
    assert.equal(y.saleIds.size, 1_000_000);
    assert.equal(y.weekly.length, 52);
    const mean = 1_000_000 / (365 / 7);
    for (const n of y.weekly) assert.ok(Math.abs(n - mean) <= 0.1 * mean, `a week of ${n}`);
    assert.equal(y.weekly.at(-1), 1_000_000 - sum(y.weekly.slice(0, -1)));
    t.diagnostic(`weeks ${Math.min(...y.weekly)}-${Math.max(...y.weekly)}, last ${y.weekly.at(-1)}`);
  });

  test('the assignment: 72,700 customers before the first week, about 1,346 more a week, ages 18-87', (t) => {
    const first = dayNumber(parseWeek('2025-W48').start);
    const end = dayNumber(parseWeek('2026-W47').end);
    const all = [...y.customers.values()];
    assert.equal(all.filter((c) => c.registered < first).length, 72_700);
    for (let w = 0; w < 52; w++) {
      const n = all.filter((c) => c.registered >= first + 7 * w && c.registered < first + 7 * w + 7).length;
      assert.ok(Math.abs(n - 1346) <= 0.1 * 1346 + 1, `week ${w}: ${n} new customers`);
    }
    assert.ok(Math.abs(all.length - 142_900) < 0.01 * 142_900, `${all.length} customers`);
    for (const c of all) {
      assert.ok(c.registered >= dayNumber('2023-01-01') && c.registered <= end);
      assert.ok(ageOn(c.born, c.registered) >= 18);
      const age = ageOn(c.born, end);
      assert.ok(age >= 18 && age <= 87, `aged ${age}`);
    }
    t.diagnostic(`${all.length} customers at the end`);
  });

  test('the assignment: dirt at about 1% / 0.3% / 5% / 0.5%', (t) => {
    const rate = (n: number) => n / y.dirt.valid;
    const { exactDuplicates, reExports, noisy, invalid } = y.dirt;
    assert.ok(rate(exactDuplicates) > 0.008 && rate(exactDuplicates) < 0.012, `exact duplicates ${exactDuplicates}`);
    assert.ok(rate(reExports) > 0.002 && rate(reExports) < 0.004, `re-exports ${reExports}`);
    assert.ok(rate(noisy) > 0.04 && rate(noisy) < 0.06, `format noise ${noisy}`);
    assert.ok(rate(invalid) > 0.004 && rate(invalid) < 0.006, `invalid ${invalid}`);
    const shares = [exactDuplicates, reExports, noisy, invalid].map((n) => (100 * rate(n)).toFixed(2));
    t.diagnostic(`dirt ${shares.join(' / ')} %`);
  });

  test('the season: high from mid-November to the end of December, low in January-February', (t) => {
    const linesRatio = perDay(y.lines, '2025-11-20', '2025-12-31') / perDay(y.lines, '2026-01-10', '2026-02-28');
    const revenueRatio = perDay(y.revenue, '2025-11-20', '2025-12-31') / perDay(y.revenue, '2026-01-10', '2026-02-28');
    assert.ok(linesRatio > 1.1, `lines a day ${linesRatio}`);
    assert.ok(revenueRatio > 1.2, `revenue a day ${revenueRatio}`);
    const may = perDay(y.lines, '2026-05-01', '2026-05-11') / perDay(y.lines, '2026-04-01', '2026-04-30');
    assert.ok(may < 0.95, `May holidays vs April ${may}`);
    // Weekly totals follow the season, not noise: neighbouring weeks are alike.
    const mean = sum(y.weekly) / 52;
    let num = 0;
    let den = 0;
    for (let i = 0; i < 52; i++) {
      den += (y.weekly[i]! - mean) ** 2;
      if (i < 51) num += (y.weekly[i]! - mean) * (y.weekly[i + 1]! - mean);
    }
    assert.ok(num / den > 0.5, `lag-1 autocorrelation ${num / den}`);
    t.diagnostic(
      `lines/day ${linesRatio.toFixed(3)}, revenue/day ${revenueRatio.toFixed(3)}, May holidays ` +
        `${may.toFixed(3)} of April, lag-1 ${(num / den).toFixed(2)}`,
    );
  });

  test('peak days sell several times the median day of their month', (t) => {
    const peaks = new Map<string, number[]>();
    for (const d of y.lines.keys()) {
      const peak = retailDay(d).peak;
      if (peak === undefined) continue;
      const month = isoDay(d).slice(0, 7);
      const typical = median(days(`${month}-01`, `${month}-31`).map((x) => y.lines.get(x) ?? 0));
      peaks.set(peak, [...(peaks.get(peak) ?? []), (y.lines.get(d) ?? 0) / typical]);
    }
    const least: Record<string, number> = {
      '11.11': 2.5,
      'Black Friday': 2.5,
      'before New Year': 1.4,
      '14 February': 1.8,
      '23 February': 1.8,
      '8 March': 1.8,
      'back to school': 1.4,
    };
    for (const [name, min] of Object.entries(least)) {
      const ratios = peaks.get(name);
      assert.ok(ratios && ratios.length > 0, `no ${name} in the year`);
      assert.ok(Math.max(...ratios) >= min, `${name}: ${ratios.map((r) => r.toFixed(2))}`);
    }
    t.diagnostic([...peaks].map(([n, r]) => `${n} ${r.map((x) => x.toFixed(2)).join('/')}`).join(', '));
  });

  test('promotions and the category mix follow the season', (t) => {
    const saleDays = [...y.lines.keys()].filter((d) => retailDay(d).saleDay);
    const ordinary = [...y.lines.keys()].filter((d) => !retailDay(d).saleDay && retailDay(d).month !== 0);
    const discounted = (ds: number[]) =>
      sum(ds.map((d) => y.discounted.get(d) ?? 0)) / sum(ds.map((d) => y.lines.get(d) ?? 0));
    assert.ok(discounted(saleDays) > 2 * discounted(ordinary), `${discounted(saleDays)} vs ${discounted(ordinary)}`);
    const toys = monthShare('Игрушки', [11]) / monthShare('Игрушки', [5, 6, 7]);
    const garden = monthShare('Ремонт и сад', [3, 4]) / monthShare('Ремонт и сад', [10, 11, 0]);
    const school = monthShare('Школа и канцелярия', [7]) / monthShare('Школа и канцелярия', [2, 3]);
    assert.ok(toys > 1.8, `toys December vs summer ${toys}`);
    assert.ok(garden > 2.5, `DIY and garden April-May vs November-January ${garden}`);
    assert.ok(school > 3, `school August vs March-April ${school}`);
    // Flowers and gifts in the week before 8 March; bicycles in spring and summer.
    const dayShare = (category: string, from: string, to: string) => {
      const ds = days(from, to);
      return sum(ds.map((d) => y.byDayCategory.get(`${d}|${category}`) ?? 0)) / sum(ds.map((d) => y.lines.get(d) ?? 0));
    };
    const springShare = (category: string) => dayShare(category, '2026-04-01', '2026-06-30');
    const flowers = dayShare('Цветы и подарки', '2026-03-01', '2026-03-08') / springShare('Цветы и подарки');
    assert.ok(flowers > 2, `flowers and gifts before 8 March vs April-June ${flowers}`);
    const beauty = dayShare('Красота и здоровье', '2026-03-04', '2026-03-08') / springShare('Красота и здоровье');
    assert.ok(beauty > 1.1, `beauty before 8 March ${beauty}`);
    const bikes = ITEM_TYPES.flatMap((ty, i) => (ty.name.startsWith('Велосипед') ? [i] : []));
    const typeLines = (types: number[], months: number[]) =>
      sum(types.flatMap((ty) => months.map((m) => y.byMonthType.get(`${m}|${ty}`) ?? 0)));
    const bikeRatio = typeLines(bikes, [4, 5, 6]) / 3 / (typeLines(bikes, [10, 11, 0, 1]) / 4);
    assert.ok(bikeRatio > 4, `bicycles May-July vs November-February ${bikeRatio}`);
    t.diagnostic(
      `discounted lines on sale days ${(100 * discounted(saleDays)).toFixed(1)}% vs ` +
        `${(100 * discounted(ordinary)).toFixed(1)}%; toys ×${toys.toFixed(2)}, garden ×${garden.toFixed(2)}, ` +
        `school ×${school.toFixed(2)}, flowers before 8 March ×${flowers.toFixed(2)}, beauty ×${beauty.toFixed(2)}, ` +
        `bicycles ×${bikeRatio.toFixed(1)}`,
    );
  });

  test('orders are baskets of one to several lines; quantity 1 dominates, almost always for expensive items', (t) => {
    const sizes = [...y.baskets.values()];
    const perOrder = 1_000_000 / sizes.length;
    const multi = sizes.filter((n) => n > 1).length / sizes.length;
    assert.ok(perOrder > 1.6 && perOrder < 3, `lines per customer and day ${perOrder}`);
    assert.ok(multi > 0.35 && multi < 0.7, `orders of more than one line ${multi}`);
    const ones = y.quantities.filter((q) => q.quantity === 1).length / y.quantities.length;
    const expensive = y.quantities.filter((q) => q.price >= 300_000);
    const expensiveOnes = expensive.filter((q) => q.quantity === 1).length / expensive.length;
    const mean = sum(y.quantities.map((q) => q.quantity)) / y.quantities.length;
    assert.ok(ones > 0.6, `quantity 1 in ${ones} of lines`);
    assert.ok(expensiveOnes > 0.93, `quantity 1 in ${expensiveOnes} of lines of items from 3,000 ₽`);
    assert.equal(expensive.filter((q) => q.quantity >= 4).length, 0);
    // Staples go by the pack: some lines of cheap items take six or more.
    assert.ok(y.quantities.filter((q) => q.price < 30_000 && q.quantity >= 6).length > 10_000);
    t.diagnostic(
      `lines per customer-day ${perOrder.toFixed(3)}, multi-line ${(100 * multi).toFixed(1)}%, ` +
        `quantity 1 ${(100 * ones).toFixed(1)}% (from 3,000 ₽: ${(100 * expensiveOnes).toFixed(2)}%), ` +
        `mean ${mean.toFixed(2)}`,
    );
  });

  test('list prices cohere within an item type and sit in its band', (t) => {
    const byType = new Map<number, number[]>();
    for (const p of y.products.values()) {
      assert.ok(p.type >= 0, 'every product name starts with its item type');
      const [min, max] = ITEM_TYPES[p.type]!.price;
      assert.ok(p.price >= min * 100 && p.price <= max * 100 + 1000, `${ITEM_TYPES[p.type]!.name} at ${p.price / 100}`);
      byType.set(p.type, [...(byType.get(p.type) ?? []), p.price]);
    }
    const spreads = [...byType.values()]
      .filter((ps) => ps.length >= 3)
      .map((ps) => {
        const s = [...ps].sort((a, b) => a - b);
        const q = (f: number) => s[Math.round(f * (s.length - 1))] as number;
        return q(0.9) / q(0.1);
      });
    assert.ok(spreads.length > 100);
    assert.ok(median(spreads) < 2.5, `median p90/p10 ${median(spreads)}`);
    const phone = [...y.products.values()].filter((p) => ITEM_TYPES[p.type]!.name === 'Смартфон').map((p) => p.price);
    const pasta = [...y.products.values()].filter((p) => ITEM_TYPES[p.type]!.name === 'Макароны').map((p) => p.price);
    assert.ok(Math.min(...phone) > 10 * Math.max(...pasta));
    t.diagnostic(
      `median p90/p10 within types ${median(spreads).toFixed(2)} over ${spreads.length} types, ` +
        `max ${Math.max(...spreads).toFixed(2)}`,
    );
  });

  test('about a dozen Russian categories, a skewed popularity with a long tail', (t) => {
    const categories = new Set([...y.products.values()].map((p) => p.category));
    assert.equal(categories.size, CATEGORIES.length);
    for (const c of categories) assert.match(c, /^[А-ЯЁ][а-яё ]+$/);
    const lines = [...y.products.keys()].map((id) => y.byProduct.get(id) ?? 0).sort((a, b) => b - a);
    const top = sum(lines.slice(0, lines.length / 5)) / 1_000_000;
    const rare = lines.filter((n) => n < 100).length;
    assert.ok(top > 0.55, `the top 20% of products make ${top} of lines`);
    assert.ok(rare >= 30, `${rare} products sell fewer than 100 lines a year`);
    t.diagnostic(
      `top 20% of products ${(100 * top).toFixed(1)}% of lines; ${rare} products under 100 lines, ` +
        `least ${lines.at(-1)}`,
    );
  });

  test('regions, genders and ages buy differently', (t) => {
    const regions = REGIONS.map((r) => l1(r, 'all'));
    for (const [i, d] of regions.entries()) assert.ok(d > 0.03, `${REGIONS[i]} differs from all by ${d}`);
    const genders = l1('M', 'F');
    assert.ok(genders > 0.2, `men vs women ${genders}`);
    const beauty = share('F', 'Красота и здоровье') / share('M', 'Красота и здоровье');
    const auto = share('M', 'Авто и вело') / share('F', 'Авто и вело');
    assert.ok(beauty > 1.8 && auto > 1.8, `beauty ×${beauty}, auto ×${auto}`);
    const toys = [0, 1, 2, 3].map((b) => share(`band${b}`, 'Игрушки'));
    assert.ok(toys[1]! > 1.4 * Math.max(toys[0]!, toys[3]!), `toys by age ${toys}`);
    const garden = share('south', 'Ремонт и сад') / share('north', 'Ремонт и сад');
    assert.ok(garden > 1.2, `DIY and garden south vs north ${garden}`);
    t.diagnostic(
      `L1 of region mix vs all ${regions.map((d) => (100 * d).toFixed(1)).join('/')} pp; ` +
        `men vs women ${(100 * genders).toFixed(1)} pp; ` +
        `beauty F/M ×${beauty.toFixed(2)}, auto M/F ×${auto.toFixed(2)}; ` +
        `toys by age ${toys.map((s) => (100 * s).toFixed(1)).join('/')}%; garden south/north ×${garden.toFixed(2)}`,
    );
  });

  test('first names follow the birth generation', (t) => {
    const share = (male: boolean, from: number, to: number, name: string) => {
      const group = [...y.customers.values()].filter((c) => {
        const born = civilFromDays(c.born)[0];
        return c.male === male && born >= from && born <= to;
      });
      return group.filter((c) => c.firstName === name).length / group.length;
    };
    const figures = {
      'Александр, men born 1980-1989': share(true, 1980, 1989, 'Александр'),
      'Сергей, men born 1955-1969': share(true, 1955, 1969, 'Сергей'),
      'Сергей, men born 2000-2008': share(true, 2000, 2008, 'Сергей'),
      'Анастасия, women born 1990-2008': share(false, 1990, 2008, 'Анастасия'),
      'Анастасия, women born 1938-1959': share(false, 1938, 1959, 'Анастасия'),
      'Валентина, women born 1938-1949': share(false, 1938, 1949, 'Валентина'),
      'Валентина, women born 1990-2008': share(false, 1990, 2008, 'Валентина'),
      'Елена, women born 1960-1979': share(false, 1960, 1979, 'Елена'),
    };
    const f = Object.values(figures);
    assert.ok(f[0]! > 0.08 && f[0]! < 0.15);
    assert.ok(f[1]! > 0.08 && f[2]! < 0.04);
    assert.ok(f[3]! > 0.06 && f[4]! < 0.01);
    assert.ok(f[5]! > 0.04 && f[6]! < 0.01);
    assert.ok(f[7]! > 0.1);
    const men = [...y.customers.values()].filter((c) => c.male);
    const counts = new Map<string, number>();
    for (const c of men) bump(counts, c.firstName);
    const top30 = sum([...counts.values()].sort((a, b) => b - a).slice(0, 30)) / men.length;
    assert.ok(top30 > 0.8, `the 30 most common male names cover ${top30}`);
    t.diagnostic(
      `${Object.entries(figures)
        .map(([k, v]) => `${k} ${(100 * v).toFixed(1)}%`)
        .join('; ')}; ` + `top 30 male names ${(100 * top30).toFixed(1)}% of men`,
    );
  });

  test('the assignment: with --simulate-outage, weeks 20 to 23 each miss one region, the sales unchanged', async () => {
    const outage = await tempDir('gen-year-outage');
    try {
      const weeks = ['2026-W14', '2026-W15', '2026-W16', '2026-W17', '2026-W18', '2026-W19'].map((w) => parseWeek(w));
      const r = await generate({ ctx: quietContext(outage).ctx, weeks, simulateOutage: true, now: NOW });
      const missing = r.weeks.map((w) => w.missingRegions.join(''));
      assert.deepEqual(missing, ['', 'north', 'south', 'east', 'west', '']);
      // Weeks 19 to 24 of the period: the outage withholds files, not sales.
      for (const [i, w] of r.weeks.entries()) assert.equal(w.validSales + w.undeliveredSales, y.weekly[18 + i]);
    } finally {
      await removeDir(outage);
    }
  });
});
