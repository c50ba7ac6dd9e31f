import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { UsageError } from '../../../src/lib/core/errors.js';
import { defaultWeeks, planPeriod, readPlan, type StorePlan } from '../../../src/lib/core/plan.js';
import { Layout } from '../../../src/lib/files/layout.js';

const PLAN: StorePlan = { version: 1, seed: 7, total: 3000, startWeek: '2024-W51', weeks: 4, simulateOutage: false };

describe('the plan', () => {
  let dir = '';
  let layout: Layout;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sales-etl-plan-'));
    layout = new Layout(dir);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('no store.json: no plan, and the default weeks are a usage error telling what to do', async () => {
    assert.equal(await readPlan(layout), undefined);
    await assert.rejects(defaultWeeks(layout, 'load-pg'), (error: Error) => {
      assert.ok(error instanceof UsageError);
      assert.equal(
        error.message,
        `load-pg: no plan in ${dir} yet; give --week W (or --from/--to), or run \`sales-etl generate\` first`,
      );
      return true;
    });
  });

  test("the period runs week by week from startWeek, across the ISO year's end", async () => {
    await writeFile(layout.store, JSON.stringify({ ...PLAN, model: 2, extra: 'kept' }));
    const plan = await readPlan(layout);
    assert.equal(plan?.extra, 'kept');
    const ids = ['2024-W51', '2024-W52', '2025-W01', '2025-W02'];
    assert.deepEqual(
      planPeriod(PLAN).map((w) => w.id),
      ids,
    );
    assert.deepEqual(
      (await defaultWeeks(layout, 'clean')).map((w) => w.id),
      ids,
    );
    assert.deepEqual(
      planPeriod({ ...PLAN, startWeek: '2020-W53', weeks: 2 }).map((w) => [w.id, w.start, w.end]),
      [
        ['2020-W53', '2020-12-28', '2021-01-03'],
        ['2021-W01', '2021-01-04', '2021-01-10'],
      ],
    );
  });

  const broken: Array<[string, string]> = [
    ['not JSON', '{"startWeek": '],
    ['a bad start week', JSON.stringify({ ...PLAN, startWeek: '2024-W54' })],
    ['no weeks', JSON.stringify({ ...PLAN, weeks: 0 })],
    ['fractional weeks', JSON.stringify({ ...PLAN, weeks: 2.5 })],
  ];
  for (const [what, text] of broken) {
    test(`a store.json with ${what} is refused, naming the file and keeping the cause`, async () => {
      await writeFile(layout.store, text);
      await assert.rejects(readPlan(layout), (error: Error) => {
        assert.equal(error.message, `${layout.store} is not a valid plan`);
        assert.ok(error.cause instanceof Error);
        return true;
      });
    });
  }
});
