import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generate, type GenerateResult } from '../../../src/commands/generate.js';
import { dayNumber, parseWeek } from '../../../src/lib/core/calendar.js';
import { UsageError } from '../../../src/lib/core/errors.js';
import { ACTIVITIES, CITIES, ORDER_CAPS, type Activity } from '../../../src/lib/generator/customers.js';
import { ageOn } from '../../../src/lib/generator/days.js';
import { canonicalLine } from '../../../src/lib/generator/dirt.js';
import { clearSalesModelCache } from '../../../src/lib/generator/model-cache.js';
import { DISCOUNTS, promotedPrice, SalesModel } from '../../../src/lib/generator/sales.js';
import { completePlan, Schedule, type GeneratorPlan } from '../../../src/lib/generator/store-plan.js';
import { REGIONS, type Region } from '../../../src/lib/core/regions.js';
import { SALES_HEADER } from '../../../src/lib/core/headers.js';
import { canonicalOf, quietContext, removeDir, splitCsv, tempDir } from '../../helpers/raw-rows.js';

const NOW = Date.parse('2026-11-27T12:00:00+03:00');
const REGION_OF = new Map(REGIONS.map((r) => [r[0]?.toUpperCase() + r.slice(1), r]));
const toKopecks = (amount: string) => Math.round(Number(amount) * 100);

async function lines(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  assert.ok(text.endsWith('\n'), `${file} ends with a newline`);
  return text.slice(0, -1).split('\n');
}

describe('generate on a small plan', () => {
  let dir = '';
  let result: GenerateResult;
  let plan: GeneratorPlan;

  before(async () => {
    dir = await tempDir('gen');
    const { ctx } = quietContext(dir);
    result = await generate({
      ctx,
      seed: 7,
      total: 20_000,
      periodWeeks: 8,
      startWeek: parseWeek('2024-W10'),
      now: NOW,
    });
    plan = completePlan(JSON.parse(await readFile(path.join(dir, 'store.json'), 'utf8')));
  });
  after(() => removeDir(dir));

  test('writes the plan, the dimensions and four raw files a week', async () => {
    assert.equal(result.planCreated, true);
    assert.deepEqual(
      [plan.seed, plan.total, plan.startWeek, plan.weeks, plan.simulateOutage],
      [7, 20_000, '2024-W10', 8, false],
    );
    assert.deepEqual(plan.dirt, { exactDuplicate: 0.01, reExport: 0.003, formatNoise: 0.05, invalid: 0.005 });
    assert.deepEqual(
      result.weeks.map((w) => w.week),
      ['2024-W10', '2024-W11', '2024-W12', '2024-W13', '2024-W14', '2024-W15', '2024-W16', '2024-W17'],
    );
    assert.equal(
      result.weeks.reduce((n, w) => n + w.validSales, 0),
      20_000,
    );
    for (const w of result.weeks) {
      assert.deepEqual(await readdir(path.join(dir, 'raw', w.week)), [
        'east.csv',
        'north.csv',
        'south.csv',
        'west.csv',
      ]);
      assert.deepEqual(w.missingRegions, []);
    }
    assert.equal(result.products, 1000);
    assert.equal((await lines(path.join(dir, 'dim', 'products.csv'))).length, 1001);
  });

  test(
    'raw files hold exactly the valid sales, with amounts exact to the kopeck, ' + 'plus dirt at the planned rates',
    async () => {
      const model = new SalesModel(plan);
      const listPrice = new Map(model.products.map((p) => [p.id, p.listPrice]));
      let valid = 0;
      let invalid = 0;
      let exactDuplicates = 0;
      let reExports = 0;
      let noisy = 0;
      for (const [i, w] of result.weeks.entries()) {
        const week = parseWeek(w.week);
        const expected = new Map<string, string>();
        for (const s of model.salesOfWeek(i)) expected.set(canonicalLine(s), s.region);
        const validIds = new Set([...expected.keys()].map((l) => l.split(',')[0]));
        const seen = new Set<string>();
        for (const region of REGIONS) {
          const file = await lines(path.join(dir, 'raw', w.week, `${region}.csv`));
          assert.equal(file[0], SALES_HEADER);
          const texts = new Set<string>();
          for (const line of file.slice(1)) {
            const canonical = canonicalOf(line, week);
            if (canonical === undefined) {
              invalid++;
              const id = splitCsv(line)?.[0]?.trim();
              assert.ok(id === undefined || !validIds.has(id), `invalid row reuses a valid sale_id: ${line}`);
            } else if (seen.has(canonical)) {
              if (texts.has(line)) exactDuplicates++;
              else reExports++;
            } else {
              seen.add(canonical);
              assert.equal(expected.get(canonical), region, `${w.week}/${region}: unexpected sale ${canonical}`);
              const [, , product, qty, , amount] = canonical.split(',');
              const unit = toKopecks(amount as string) / Number(qty);
              const list = listPrice.get(Number(product)) as number;
              assert.ok(
                DISCOUNTS.some((d) => promotedPrice(list, d) === unit),
                `amount of ${canonical}`,
              );
              if (line !== canonical) noisy++;
            }
            texts.add(line);
          }
        }
        assert.equal(seen.size, expected.size, `${w.week}: every valid sale is in the files`);
        assert.equal(seen.size, w.validSales);
        valid += seen.size;
      }
      assert.equal(valid, 20_000);
      const rate = (n: number) => n / valid;
      assert.ok(rate(invalid) > 0.002 && rate(invalid) < 0.01, `invalid ${invalid}`);
      assert.ok(rate(exactDuplicates) > 0.005 && rate(exactDuplicates) < 0.02, `exact duplicates ${exactDuplicates}`);
      assert.ok(reExports > 10 && rate(reExports) < 0.01, `re-exports ${reExports}`);
      assert.ok(rate(noisy) > 0.03 && rate(noisy) < 0.08, `noisy ${noisy}`);
    },
  );

  test('customers: counts, ages, registration, regions and cities, caps respected by the sales', async () => {
    const schedule = new Schedule(plan);
    const rows = (await lines(path.join(dir, 'dim', 'customers.csv'))).map((l) => splitCsv(l) as string[]);
    assert.equal(
      rows[0]?.join(','),
      'customer_id,full_name,gender,birth_date,registered_on,region,city,address,activity,max_orders',
    );
    const customers = rows.slice(1);
    assert.equal(customers.length, schedule.customersBefore(8));
    assert.equal(result.customers, customers.length);
    const planEnd = dayNumber(parseWeek('2024-W17').end);
    const byId = new Map<number, { registered: number; region: Region; max: number }>();
    const regionCount = new Map<string, number>();
    let never = 0;
    for (const [k, c] of customers.entries()) {
      assert.equal(c.length, 10);
      const [id, name, gender, birth, registered, region, city, , activity, maxOrders] = c as [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        Activity,
        string,
      ];
      assert.equal(Number(id), k + 1);
      assert.equal(name.split(' ').length, 3, name);
      assert.ok(gender === 'M' || gender === 'F');
      const [b, r] = [dayNumber(birth), dayNumber(registered)];
      assert.ok(r >= dayNumber(plan.storeOpenedOn) && r <= planEnd, `customer ${id} registered ${registered}`);
      assert.ok(ageOn(b, r) >= 18, `customer ${id} is under 18 at registration`);
      const age = ageOn(b, planEnd);
      assert.ok(age >= 18 && age <= 87, `customer ${id} is ${age}`);
      const reg = REGION_OF.get(region) as Region;
      assert.ok(reg, region);
      assert.ok(
        CITIES[reg].some(([name]) => name === city),
        `${city} is not in ${region}`,
      );
      assert.ok(ACTIVITIES.includes(activity));
      const [min, max] = ORDER_CAPS[activity];
      assert.ok(Number(maxOrders) >= min && Number(maxOrders) <= max);
      if (activity === 'none') never++;
      regionCount.set(region, (regionCount.get(region) ?? 0) + 1);
      byId.set(Number(id), { registered: r, region: reg, max: Number(maxOrders) });
    }
    assert.ok(never > 0.05 * customers.length);
    const shares = [...regionCount.values()].map((n) => n / customers.length);
    assert.equal(shares.length, 4);
    assert.ok(Math.max(...shares) - Math.min(...shares) > 0.1, `regions ${[...regionCount]}`);

    // Orders on different days are different orders, so days bought on cannot exceed the cap.
    const orders = new Map<number, number>();
    const days = new Set<string>();
    for (const w of result.weeks) {
      const week = parseWeek(w.week);
      const seen = new Set<string>();
      for (const region of REGIONS) {
        for (const line of (await lines(path.join(dir, 'raw', w.week, `${region}.csv`))).slice(1)) {
          const canonical = canonicalOf(line, week);
          if (canonical === undefined || seen.has(canonical)) continue;
          seen.add(canonical);
          const [, customerId, , , date, , regionName] = canonical.split(',');
          const c = byId.get(Number(customerId));
          assert.ok(c, `unknown customer ${customerId}`);
          assert.ok(c.registered <= dayNumber(date as string), `${canonical}: bought before registering`);
          assert.equal(REGION_OF.get(regionName as string), c.region);
          assert.equal(c.region, region);
          if (days.has(`${customerId},${date}`)) continue;
          days.add(`${customerId},${date}`);
          orders.set(Number(customerId), (orders.get(Number(customerId)) ?? 0) + 1);
        }
      }
    }
    for (const [id, n] of orders) assert.ok(n <= (byId.get(id)?.max ?? 0), `customer ${id}: ${n} orders`);
  });

  test('a week generated alone, or out of order, equals the same week from the range, byte for byte', async () => {
    const other = await tempDir('gen-alone');
    try {
      await copyFile(path.join(dir, 'store.json'), path.join(other, 'store.json'));
      // A customers file left by another plan, with more customers than needed: it must be replaced.
      await mkdir(path.join(other, 'dim'));
      const header = 'customer_id,full_name,gender,birth_date,registered_on,region,city,address,activity,max_orders';
      await writeFile(
        path.join(other, 'dim', 'customers.csv'),
        `${header}\n1,Иванов Иван Иванович,M,1990-01-01,2023-01-01,West,Москва,"ул. Садовая, д. 1",low,2\n` +
          '999999,x,M,1990-01-01,2023-01-01,West,Москва,x,low,2\n',
      );
      const { ctx } = quietContext(other);
      const alone = await generate({ ctx, weeks: [parseWeek('2024-W15')], now: NOW });
      assert.equal(alone.planCreated, false);
      await generate({ ctx, weeks: [parseWeek('2024-W11'), parseWeek('2024-W10')], now: NOW });
      for (const week of ['2024-W15', '2024-W11', '2024-W10']) {
        for (const region of REGIONS) {
          const a = await readFile(path.join(dir, 'raw', week, `${region}.csv`));
          const b = await readFile(path.join(other, 'raw', week, `${region}.csv`));
          assert.ok(a.equals(b), `${week}/${region}.csv differs`);
        }
      }
      // The customers file holds everyone registered by the end of the period, whichever of its weeks were generated.
      const full = await readFile(path.join(dir, 'dim', 'customers.csv'), 'utf8');
      assert.equal(await readFile(path.join(other, 'dim', 'customers.csv'), 'utf8'), full);
      assert.equal(full.split('\n').length - 2, new Schedule(plan).customersBefore(8));

      // Weeks after the period go on at the steady rate, just as reproducibly.
      await generate({ ctx, weeks: [parseWeek('2024-W19')], now: NOW });
      const range = await generate({
        ctx: quietContext(dir).ctx,
        weeks: [parseWeek('2024-W18'), parseWeek('2024-W19')],
        now: NOW,
      });
      const mean = 20_000 / 8;
      for (const w of range.weeks) assert.ok(Math.abs(w.validSales - mean) <= 0.1 * mean, `${w.week}: ${w.validSales}`);
      for (const region of REGIONS) {
        const a = await readFile(path.join(dir, 'raw', '2024-W19', `${region}.csv`));
        const b = await readFile(path.join(other, 'raw', '2024-W19', `${region}.csv`));
        assert.ok(a.equals(b), `2024-W19/${region}.csv differs`);
      }
      const grown = await readFile(path.join(dir, 'dim', 'customers.csv'), 'utf8');
      assert.ok(grown.length > full.length && grown.startsWith(full));
      assert.equal(grown, await readFile(path.join(other, 'dim', 'customers.csv'), 'utf8'));
      // Both were extended in place; a directory without a customers file writes the same one whole.
      const fresh = await tempDir('gen-fresh');
      try {
        await copyFile(path.join(dir, 'store.json'), path.join(fresh, 'store.json'));
        await generate({ ctx: quietContext(fresh).ctx, weeks: [parseWeek('2024-W19')], now: NOW });
        assert.equal(await readFile(path.join(fresh, 'dim', 'customers.csv'), 'utf8'), grown);
        assert.equal(grown.split('\n').length - 2, new Schedule(plan).customersBefore(10));
      } finally {
        await removeDir(fresh);
      }
    } finally {
      await removeDir(other);
    }
  });

  test(
    'week after week in one process, as backfill runs it, gives the bytes of the whole range; ' +
      'another plan is not confused with it',
    async () => {
      const weekly = await tempDir('gen-weekly');
      const cold = await tempDir('gen-cold');
      try {
        await copyFile(path.join(dir, 'store.json'), path.join(weekly, 'store.json'));
        const { ctx } = quietContext(weekly);
        for (const w of result.weeks) await generate({ ctx, weeks: [parseWeek(w.week)], now: NOW });
        for (const w of result.weeks) {
          for (const region of REGIONS) {
            const a = await readFile(path.join(dir, 'raw', w.week, `${region}.csv`));
            const b = await readFile(path.join(weekly, 'raw', w.week, `${region}.csv`));
            assert.ok(a.equals(b), `${w.week}/${region}.csv differs`);
          }
        }
        const products = await readFile(path.join(dir, 'dim', 'products.csv'));
        assert.ok(
          products.equals(await readFile(path.join(weekly, 'dim', 'products.csv'))),
          'dim/products.csv differs',
        );
        // dir's customers file has grown past the period (the test above generated 2024-W19).
        const customers = await readFile(path.join(weekly, 'dim', 'customers.csv'), 'utf8');
        assert.ok((await readFile(path.join(dir, 'dim', 'customers.csv'), 'utf8')).startsWith(customers));
        assert.equal(customers.split('\n').length - 2, new Schedule(plan).customersBefore(8));

        // The same directory with another plan (another seed): its week must be that plan's, as a cold start makes it.
        const reseeded = `${JSON.stringify({ ...plan, seed: 8 }, null, 2)}\n`;
        await writeFile(path.join(weekly, 'store.json'), reseeded);
        await writeFile(path.join(cold, 'store.json'), reseeded);
        await generate({ ctx, weeks: [parseWeek('2024-W12')], now: NOW });
        clearSalesModelCache();
        await generate({ ctx: quietContext(cold).ctx, weeks: [parseWeek('2024-W12')], now: NOW });
        for (const region of REGIONS) {
          const a = await readFile(path.join(cold, 'raw', '2024-W12', `${region}.csv`));
          assert.ok(
            a.equals(await readFile(path.join(weekly, 'raw', '2024-W12', `${region}.csv`))),
            `reseeded ${region}.csv differs`,
          );
          assert.ok(
            !a.equals(await readFile(path.join(dir, 'raw', '2024-W12', `${region}.csv`))),
            `seed 8 wrote seed 7's ${region}.csv`,
          );
        }
      } finally {
        await removeDir(weekly);
        await removeDir(cold);
      }
    },
  );

  test('plan flags given for an existing plan are ignored with a warning', async () => {
    const { ctx, warnings } = quietContext(dir);
    const before = await readFile(path.join(dir, 'store.json'), 'utf8');
    const again = await generate({ ctx, weeks: [parseWeek('2024-W12')], seed: 8, total: 20_000, now: NOW });
    assert.equal(again.planCreated, false);
    assert.equal(again.plan.seed, 7);
    assert.equal(await readFile(path.join(dir, 'store.json'), 'utf8'), before);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] as string, /--seed 8 ignored.*has 7/);
  });

  test('a week before a new default plan is a usage error, and no plan is left behind', async () => {
    const empty = await tempDir('gen-no-plan');
    try {
      const { ctx } = quietContext(empty);
      await assert.rejects(
        generate({ ctx, weeks: [parseWeek('2024-W20')], now: NOW }),
        (e: Error) => e instanceof UsageError && /before the plan's first week 2025-W48/.test(e.message),
      );
      assert.deepEqual(await readdir(empty), []);
    } finally {
      await removeDir(empty);
    }
  });

  test('weeks before the plan, or not over yet, are usage errors', async () => {
    const { ctx } = quietContext(dir);
    await assert.rejects(
      generate({ ctx, weeks: [parseWeek('2024-W09')], now: NOW }),
      (e: Error) => e instanceof UsageError && /before the plan's first week 2024-W10/.test(e.message),
    );
    await assert.rejects(
      generate({ ctx, weeks: [parseWeek('2026-W48')], now: NOW }),
      (e: Error) => e instanceof UsageError && /has not ended yet/.test(e.message),
    );
  });
});

describe('generate with the simulated outage', () => {
  test("weeks 20 to 23 of the period each miss one region's file, stale ones removed", async () => {
    const dir = await tempDir('gen-outage');
    try {
      await mkdir(path.join(dir, 'raw', '2024-W20'), { recursive: true });
      await writeFile(
        path.join(dir, 'raw', '2024-W20', 'north.csv'),
        `${SALES_HEADER}\n1,1,1,1,2024-05-13,1.00,North\n`,
      );
      const { ctx } = quietContext(dir);
      const weeks = ['2024-W19', '2024-W20', '2024-W21', '2024-W22', '2024-W23', '2024-W24'].map((w) => parseWeek(w));
      const result = await generate({
        ctx,
        weeks,
        seed: 3,
        total: 5_200,
        periodWeeks: 26,
        startWeek: parseWeek('2024-W01'),
        simulateOutage: true,
        now: NOW,
      });
      const missing: Record<string, Region[]> = {
        '2024-W20': ['north'],
        '2024-W21': ['south'],
        '2024-W22': ['east'],
        '2024-W23': ['west'],
      };
      const schedule = new Schedule(completePlan(result.plan));
      for (const [i, w] of result.weeks.entries()) {
        const expected = missing[w.week] ?? [];
        assert.deepEqual(w.missingRegions, expected, w.week);
        const files = await readdir(path.join(dir, 'raw', w.week));
        assert.deepEqual(
          files.sort(),
          REGIONS.filter((r) => !expected.includes(r))
            .map((r) => `${r}.csv`)
            .sort(),
          w.week,
        );
        assert.equal(w.validSales + w.undeliveredSales, schedule.salesCount(18 + i));
        assert.equal(w.undeliveredSales > 0, expected.length > 0);
      }
    } finally {
      await removeDir(dir);
    }
  });
});

describe('plans of another generator model', () => {
  test('a model-1 plan is refused with one line naming --new-plan, which replaces it with a model-2 plan', async () => {
    const dir = await tempDir('gen-model-1');
    try {
      // store.json as the generator before issue 14 wrote it: no "model" field.
      const old = { version: 1, seed: 7, total: 6000, startWeek: '2024-W10', weeks: 3, simulateOutage: false };
      await writeFile(path.join(dir, 'store.json'), `${JSON.stringify(old, null, 2)}\n`);
      const { ctx } = quietContext(dir);
      await assert.rejects(generate({ ctx, now: NOW }), (e: Error) => {
        assert.ok(e instanceof UsageError);
        assert.match(e.message, /^generate: store\.json was made by generator model 1, /);
        assert.match(e.message, /`sales-etl generate --new-plan`/);
        assert.ok(!e.message.includes('\n'));
        return true;
      });
      assert.deepEqual(await readdir(dir), ['store.json']);
      const flags = { seed: 7, total: 6000, periodWeeks: 3, startWeek: parseWeek('2024-W10') };
      const renewed = await generate({ ctx, newPlan: true, ...flags, now: NOW });
      assert.equal(renewed.planCreated, true);
      const plan = JSON.parse(await readFile(path.join(dir, 'store.json'), 'utf8'));
      assert.equal(plan.model, 2);
      assert.equal(
        renewed.weeks.reduce((n, w) => n + w.validSales, 0),
        6000,
      );
      // From now on the plan is kept: a second run reuses it.
      assert.equal((await generate({ ctx, weeks: [parseWeek('2024-W11')], now: NOW })).planCreated, false);
    } finally {
      await removeDir(dir);
    }
  });
});

describe('generate with an empty list of weeks', () => {
  test('creates the plan and writes nothing else', async () => {
    const dir = await tempDir('gen-plan-only');
    try {
      const { ctx } = quietContext(dir);
      const result = await generate({ ctx, weeks: [], total: 6000, periodWeeks: 3, now: NOW });
      assert.equal(result.planCreated, true);
      assert.deepEqual([result.plan.total, result.plan.weeks, result.plan.startWeek], [6000, 3, '2026-W45']);
      assert.deepEqual(result.weeks, []);
      assert.deepEqual(await readdir(dir), ['store.json']);
    } finally {
      await removeDir(dir);
    }
  });
});
