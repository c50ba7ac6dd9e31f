import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generate } from '../../../src/commands/generate.js';
import { parseWeek, type Week } from '../../../src/lib/core/calendar.js';
import { REGIONS } from '../../../src/lib/core/regions.js';
import type { Layout } from '../../../src/lib/files/layout.js';
import { ledgerCacheWeek, loadLedgerStart, saveLedgerState } from '../../../src/lib/generator/ledger-cache.js';
import { clearSalesModelCache } from '../../../src/lib/generator/model-cache.js';
import { SalesModel } from '../../../src/lib/generator/sales.js';
import { newPlan, openPlan, Schedule, type GeneratorPlan } from '../../../src/lib/generator/store-plan.js';
import { quietContext, removeDir, tempDir } from '../../helpers/raw-rows.js';

const NOW = Date.parse('2026-11-27T12:00:00+03:00');

/** A week's valid sales, reduced to a digest: equal digests, equal weeks. */
function weekDigest(model: SalesModel, index: number): string {
  const hash = createHash('sha256');
  for (const s of model.salesOfWeek(index)) {
    hash.update(`${s.saleId},${s.customerId},${s.productId},${s.quantity},${s.time},${s.amount},${s.region}\n`);
  }
  return hash.digest('hex');
}

describe('the buyer ledger taken up where it was', () => {
  const plan = newPlan({ seed: 3, total: 20_000, periodWeeks: 8 }, NOW);
  const fresh = new SalesModel(plan, 10);
  const expected = Array.from({ length: 11 }, (_, i) => weekDigest(fresh, i));

  test('a model built from the state where week k starts draws weeks k, k + 1, ... as one from week 0', () => {
    for (const k of [0, 1, 4, 7]) {
      const state = new SalesModel(plan).ledgerStateAt(k);
      const model = new SalesModel(plan, plan.weeks - 1, state);
      for (let i = k; i < plan.weeks; i++) assert.equal(weekDigest(model, i), expected[i], `from week ${k}: week ${i}`);
    }
  });

  test('and past the horizon it was sized for, with the customers registered since added', () => {
    const state = new SalesModel(plan, plan.weeks - 1).ledgerStateAt(7);
    assert.equal(state.horizon, 7);
    const grown = new SalesModel(plan, 10, state);
    for (const i of [7, 8, 9, 10]) assert.equal(weekDigest(grown, i), expected[i], `week ${i}`);
    // Grown on the way, by the model itself (a week past its horizon continues the same ledger).
    const onTheWay = new SalesModel(plan, 7, state);
    for (const i of [7, 8, 9]) assert.equal(weekDigest(onTheWay, i), expected[i], `week ${i} on the way`);
  });

  test('an earlier week than the state starts over from week 0', () => {
    const model = new SalesModel(plan, 7, new SalesModel(plan).ledgerStateAt(6));
    assert.equal(weekDigest(model, 2), expected[2]);
  });
});

describe('cache/buyer-ledger.bin', () => {
  let dir = '';
  let reference = '';
  let plan: GeneratorPlan;
  let layout: Layout;
  let last: Week;

  const rawOf = async (root: string) =>
    Promise.all(REGIONS.map((r) => readFile(path.join(root, 'raw', last.id, `${r}.csv`), 'utf8')));

  before(async () => {
    dir = await tempDir('ledger-cache');
    reference = await tempDir('ledger-cache-ref');
    const { ctx } = quietContext(dir);
    // Eight weeks: the later ones, the last among them, on the second thread, which caches the ledger.
    await generate({ ctx, seed: 5, total: 20_000, periodWeeks: 8, now: NOW });
    layout = ctx.config.layout;
    plan = (await openPlan(layout, {}, ctx.log, NOW)).plan;
    last = parseWeek(new Schedule(plan).week(plan.weeks - 1).id);
    // The same plan, its last week generated alone from week 0 in another directory.
    await writeFile(path.join(reference, 'store.json'), await readFile(layout.store));
    clearSalesModelCache();
    await generate({ ctx: quietContext(reference).ctx, weeks: [last], now: NOW });
  });

  after(async () => {
    clearSalesModelCache();
    await removeDir(dir);
    await removeDir(reference);
  });

  test("holds the ledger where the period's last week starts, after a generate that reached it", async () => {
    assert.equal(ledgerCacheWeek(plan, [0, 1, 7]), 7);
    assert.equal(ledgerCacheWeek(plan, [0, 6]), undefined);
    const state = await loadLedgerStart(layout, plan, new Schedule(plan), 7);
    assert.ok(state, 'a cached state');
    assert.deepEqual(state, new SalesModel(plan).ledgerStateAt(7));
    // Not for a week before it, nor for another plan.
    assert.equal(await loadLedgerStart(layout, plan, new Schedule(plan), 6), undefined);
    const other = { ...plan, seed: plan.seed + 1 };
    assert.equal(await loadLedgerStart(layout, other, new Schedule(other), 7), undefined);
    // When the plan was made changes nothing generated, nor the cache.
    const remade = { ...plan, createdAt: '2030-01-01T00:00:00.000Z' };
    assert.deepEqual(await loadLedgerStart(layout, remade, new Schedule(remade), 7), state);
  });

  test('a week generated again from it in a new process has the same bytes', async () => {
    clearSalesModelCache();
    await generate({ ctx: quietContext(dir).ctx, weeks: [last], now: NOW });
    assert.deepEqual(await rawOf(dir), await rawOf(reference));
  });

  test('is read: a doctored ledger of the right key changes the week (hence the key: plan and code)', async () => {
    const good = await readFile(layout.ledgerCache);
    try {
      const state = new SalesModel(plan).ledgerStateAt(7);
      // Every registered customer out of orders but one: the week's buyers are all that one.
      state.remaining.fill(0, 1, state.added);
      await saveLedgerState(layout, plan, state);
      clearSalesModelCache();
      await generate({ ctx: quietContext(dir).ctx, weeks: [last], now: NOW });
      assert.notDeepEqual(await rawOf(dir), await rawOf(reference));
    } finally {
      await writeFile(layout.ledgerCache, good);
    }
    clearSalesModelCache();
    await generate({ ctx: quietContext(dir).ctx, weeks: [last], now: NOW });
    assert.deepEqual(await rawOf(dir), await rawOf(reference));
  });

  test('a file cut short, of another layout or of garbage is ignored, and the week is the same', async () => {
    const good = await readFile(layout.ledgerCache);
    const header = good.indexOf(0x0a, good.indexOf(0x0a) + 1) + 1;
    const negative = Buffer.from(good);
    negative.writeInt32LE(-5, header + ((4 - (header % 4)) % 4) + 4);
    const variants: Record<string, Buffer> = {
      'cut short': good.subarray(0, good.length - 1),
      'one byte too many': Buffer.concat([good, Buffer.from([0])]),
      'another magic line': Buffer.concat([Buffer.from('sales-etl buyer ledger 0\n'), good.subarray(25)]),
      'no header': Buffer.from('sales-etl buyer ledger 1\n'),
      'a header that is not JSON': Buffer.concat([
        good.subarray(0, 25),
        Buffer.from('{"key":\n'),
        good.subarray(header),
      ]),
      'a negative weight': negative,
      empty: Buffer.alloc(0),
    };
    try {
      for (const [what, bytes] of Object.entries(variants)) {
        await writeFile(layout.ledgerCache, bytes);
        assert.equal(await loadLedgerStart(layout, plan, new Schedule(plan), 7), undefined, what);
      }
      clearSalesModelCache();
      await generate({ ctx: quietContext(dir).ctx, weeks: [last], now: NOW });
      assert.deepEqual(await rawOf(dir), await rawOf(reference));
      await rm(layout.ledgerCache);
      assert.equal(await loadLedgerStart(layout, plan, new Schedule(plan), 7), undefined, 'no file');
    } finally {
      await writeFile(layout.ledgerCache, good);
    }
  });
});
