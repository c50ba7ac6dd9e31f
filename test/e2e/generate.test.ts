import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseWeek, previousWeek, addWeeks } from '../../src/lib/core/calendar.js';
import { REGIONS } from '../../src/lib/core/regions.js';
import { canonicalOf, CLI, removeDir, tempDir } from '../helpers/raw-rows.js';

function cli(dataDir: string, ...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.SALES_ETL_DATA_DIR;
  const r = spawnSync(process.execPath, [CLI, '--data-dir', dataDir, ...args], { encoding: 'utf8', env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('sales-etl generate', () => {
  let dir = '';
  before(async () => {
    dir = await tempDir('gen-e2e');
  });
  after(() => removeDir(dir));

  test("a bad --start-week is the same usage error as backfill's, before any file is written", async () => {
    const own = await tempDir('gen-e2e-start-week');
    try {
      const generate = cli(own, 'generate', '--start-week', '2024-W99');
      const backfill = cli(own, 'backfill', '--start-week', '2024-W99');
      assert.equal(generate.code, 2, generate.stderr);
      assert.equal(backfill.code, 2, backfill.stderr);
      assert.match(generate.stderr, /^✖ option '--start-week <week>' argument '2024-W99' is invalid\. bad week/);
      assert.equal(generate.stderr, backfill.stderr);
      assert.deepEqual(await readdir(own), []);
    } finally {
      await removeDir(own);
    }
  });

  test(
    'removes what a killed run left under temporary names: ' + 'in raw/<week>/, dim/ and the data directory',
    async () => {
      const own = await tempDir('gen-e2e-temps');
      try {
        assert.equal(cli(own, 'generate', '--total', '2000', '--weeks', '2', '--start-week', '2024-W10').code, 0);
        const dead = spawnSync(process.execPath, ['-e', '0']).pid; // a process that is gone
        const litter = [
          `raw/2024-W11/.north.csv.${dead}.0badf00d.tmp`,
          `dim/.customers.csv.${dead}.0badf00d.tmp`,
          `.store.json.${dead}.0badf00d.tmp`,
        ];
        for (const f of litter) await writeFile(path.join(own, f), 'half written');
        const live = `raw/2024-W11/.south.csv.${process.pid}.0badf00d.tmp`; // a live process's: left alone
        await writeFile(path.join(own, live), 'being written');
        const r = cli(own, 'generate', '--week', '2024-W11');
        assert.equal(r.code, 0, r.stderr);
        for (const f of litter)
          assert.equal(
            await readFile(path.join(own, f)).then(
              () => true,
              () => false,
            ),
            false,
            `${f} is removed`,
          );
        assert.equal(await readFile(path.join(own, live), 'utf8'), 'being written');
      } finally {
        await removeDir(own);
      }
    },
  );

  test('creates a plan and writes its weeks; --json prints one summary', async () => {
    const r = cli(
      dir,
      '--json',
      'generate',
      '--total',
      '4000',
      '--weeks',
      '4',
      '--start-week',
      '2024-W10',
      '--seed',
      '3',
    );
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    const summary = JSON.parse(lines[0] as string);
    assert.equal(summary.ok, true);
    assert.equal(summary.command, 'generate');
    assert.equal(summary.planCreated, true);
    assert.equal(summary.plan.total, 4000);
    assert.equal(summary.products, 1000);
    assert.deepEqual(
      summary.weeks.map((w: { week: string }) => w.week),
      ['2024-W10', '2024-W11', '2024-W12', '2024-W13'],
    );
    assert.equal(
      summary.weeks.reduce((n: number, w: { validSales: number }) => n + w.validSales, 0),
      4000,
    );
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape that starts a terminal colour code
    assert.doesNotMatch(r.stderr, /\u001b\[/, 'no escape codes when not on a terminal');
    const files = await readdir(path.join(dir, 'raw', '2024-W12'));
    assert.deepEqual(files.sort(), ['east.csv', 'north.csv', 'south.csv', 'west.csv']);
    const customers = (await readFile(path.join(dir, 'dim', 'customers.csv'), 'utf8')).trim().split('\n').length - 1;
    assert.equal(customers, summary.customers);
    const plan = JSON.parse(await readFile(path.join(dir, 'store.json'), 'utf8'));
    assert.deepEqual([plan.seed, plan.total, plan.startWeek, plan.weeks], [3, 4000, '2024-W10', 4]);
  });

  test('regenerates one week identically and warns about plan flags it ignores', async () => {
    const file = path.join(dir, 'raw', '2024-W11', 'east.csv');
    const before = await readFile(file);
    const r = cli(dir, 'generate', '--week', '2024-03-13', '--seed', '9');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /--seed 9 ignored/);
    assert.match(r.stdout, /generated 1 week, [\d,]+ valid sales/);
    assert.ok(before.equals(await readFile(file)));
  });

  test('a bad --week exits 2 with one line naming the accepted forms, no stack trace', () => {
    const r = cli(dir, 'generate', '--week', '2024-W99');
    assert.equal(r.code, 2);
    const lines = r.stderr.trim().split('\n');
    assert.match(lines[0] as string, /2024-W99.*2024-W20/);
    assert.doesNotMatch(r.stderr, /^\s+at /m);
    assert.equal(r.stdout, '');
  });

  test('a week before the plan exits 2 with one line', () => {
    const r = cli(dir, 'generate', '--week', '2024-W09');
    assert.equal(r.code, 2);
    assert.deepEqual(r.stderr.trim().split('\n'), [
      "✖ generate: week 2024-W09 is before the plan's first week 2024-W10",
    ]);
  });
});

describe('sales-etl generate, the default plan', () => {
  let dir = '';
  before(async () => {
    dir = await tempDir('gen-e2e-year');
  });
  after(() => removeDir(dir));

  test('a million valid unique sales over the 52 weeks ending last week', async () => {
    const r = cli(dir, '--json', 'generate');
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    const last = previousWeek();
    assert.equal(summary.plan.startWeek, addWeeks(last, -51).id);
    assert.equal(summary.weeks.length, 52);
    assert.equal(summary.weeks.at(-1).week, last.id);
    assert.ok(Math.abs(summary.customers - 142_900) < 1_500, `${summary.customers} customers`);
    // Read every file back by the documented rules, independently of the generator.
    const ids = new Set<string>();
    for (const { week } of summary.weeks as Array<{ week: string }>) {
      const w = parseWeek(week);
      for (const region of REGIONS) {
        const text = await readFile(path.join(dir, 'raw', week, `${region}.csv`), 'utf8');
        for (const line of text.slice(0, -1).split('\n').slice(1)) {
          const canonical = canonicalOf(line, w);
          if (canonical !== undefined) ids.add(canonical.slice(0, canonical.indexOf(',')));
        }
      }
    }
    assert.equal(ids.size, 1_000_000);
  });
});
