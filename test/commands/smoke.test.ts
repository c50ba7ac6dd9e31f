import assert from 'node:assert/strict';
import { access, mkdir, rm, writeFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { checkWeek, Checks, smoke, type SmokeFigures } from '../../src/commands/smoke.js';
import type { RunWeekResult } from '../../src/commands/run-week.js';
import { Layout } from '../../src/lib/files/layout.js';
import { SALES_HEADER } from '../../src/lib/core/headers.js';
import { recordingLogger, stopTestCluster, tempDataDir, testContext } from '../helpers/pg.js';

after(stopTestCluster);

const WEEK = '2024-W20';

/** A week whose stages all agree: 3 sales, 1,000.00 + 234.50 + 0.05 in north's and south's clean files. */
function agreeing(): { figures: SmokeFigures; result: RunWeekResult } {
  const stage = (name: string, rows: number) => ({ stage: name, status: 'ok', rows, seconds: 0 });
  const result = {
    week: WEEK,
    ok: true,
    stages: [{ ...stage('generate', 3), validSales: 3 }, stage('clean', 3), stage('load-pg', 3)],
    warnings: [],
    seconds: 0,
  } as unknown as RunWeekResult;
  const figures: SmokeFigures = {
    sales: { rows: '3', amount: '1234.55' },
    agg: { rows: '2', amountSum: '1234.55', salesCount: '3' },
    // ClickHouse drops trailing zeros; the amounts are compared as exact decimals.
    clickhouse: { rows: '2', amountSum: '1234.55', salesCount: '3' },
  };
  return { figures, result };
}

describe('smoke', () => {
  let dir = '';
  let layout: Layout;
  before(async () => {
    dir = await tempDataDir('sales-etl-smoke-test-');
    layout = new Layout(dir);
    await mkdir(layout.cleanDir(WEEK), { recursive: true });
    const row = (id: number, amount: string, region: string) => `${id},1,1,1,2024-05-13,${amount},${region}`;
    await writeFile(layout.clean(WEEK, 'north'), `${SALES_HEADER}\n${row(1, '1000.00', 'north')}\n`);
    const south = `${SALES_HEADER}\n${row(2, '234.50', 'south')}\n${row(3, '0.05', 'south')}\n`;
    await writeFile(layout.clean(WEEK, 'south'), south);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('a week whose counts and sums agree passes all nine checks, whatever scale the sums are spelt in', async () => {
    const { figures, result } = agreeing();
    figures.clickhouse.amountSum = '1234.550';
    const checks = new Checks(recordingLogger());
    await checkWeek(checks, layout, figures, result);
    assert.equal(checks.all.length, 9);
    assert.deepEqual(
      checks.all.filter((c) => !c.ok),
      [],
    );
    const amount = checks.all.find((c) => c.what === 'PostgreSQL sales amount = clean amount');
    assert.deepEqual([amount?.expected, amount?.actual], ['1234.55', '1234.55']);
  });

  test('a kopeck of difference fails its check, even where a float could not tell', async () => {
    const { figures, result } = agreeing();
    figures.sales.amount = '1234.55';
    figures.agg.amountSum = '90071992547409.93';
    figures.clickhouse.amountSum = '1234.56';
    const log = recordingLogger();
    const checks = new Checks(log);
    await checkWeek(checks, layout, figures, result);
    const failed = checks.all.filter((c) => !c.ok).map((c) => `${c.what}: ${c.expected} vs ${c.actual}`);
    assert.deepEqual(failed, [
      'sales_agg amount_sum sum = sales amount: 1234.55 vs 90071992547409.93',
      'ClickHouse amount = PostgreSQL amount: 1234.55 vs 1234.56',
    ]);
    assert.equal(log.lines.filter((l) => l.startsWith('error smoke 2024-W20:')).length, 2);
  });

  test('a small plan through every stage: every check passes and the data directory is removed', async () => {
    const result = await smoke({ ctx: testContext(dir), total: 900, weeks: 2 });
    assert.equal(result.ok, true);
    assert.equal(result.weeks.length, 2);
    // Nine checks a week, then the second run of the last week: it succeeds and changes nothing.
    assert.equal(result.checks.length, 2 * 9 + 2);
    assert.deepEqual(
      result.checks.filter((c) => !c.ok),
      [],
    );
    const money = result.checks.filter((c) => /amount/.test(c.what)).map((c) => c.actual);
    for (const amount of money) assert.match(amount, /^[1-9]\d*\.\d\d$/);
    const last = result.checks.at(-1)!;
    assert.equal(last.what, 'a second run changes nothing');
    assert.match(last.expected, /^\d+\/\d+\.\d\d\/\d+\/\d+(\.\d+)?$/);
    assert.equal(
      await access(result.dataDir).then(
        () => true,
        () => false,
      ),
      false,
    );
  });
});
