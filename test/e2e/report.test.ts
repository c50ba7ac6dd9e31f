import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openClickHouse } from '../../src/lib/clickhouse/database.js';
import { CLI } from '../helpers/clean-helpers.js';
import { chTestContext, tempDataDir } from '../helpers/clickhouse.js';
import { seedReportData, SEED_GAPS, type ReportSeed } from '../helpers/report-data.js';

function cli(dataDir: string, ...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const name of ['SALES_ETL_DATA_DIR', 'CLICKHOUSE_URL', 'DATABASE_URL']) delete env[name];
  const r = spawnSync(process.execPath, [CLI, '--data-dir', dataDir, ...args], { encoding: 'utf8', env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('sales-etl report', () => {
  let dir: { dir: string; remove(): Promise<void> };
  let seed: ReportSeed;

  before(async () => {
    dir = await tempDataDir('report-e2e');
    const db = await openClickHouse(chTestContext({ dataDir: dir.dir }));
    try {
      seed = await seedReportData(db.client);
    } finally {
      await db.close();
    }
  });
  after(() => dir?.remove());

  it('writes the report under reports/ and prints its path', async () => {
    const r = cli(dir.dir, 'report');
    assert.equal(r.code, 0, r.stderr);
    const file = path.join(dir.dir, 'reports', 'sales-2024-W18_2024-W23.html');
    assert.equal(r.stdout, `${file}\n`);
    assert.ok((await stat(file)).size > 10_000);
    assert.match(r.stderr, /warn\s+report: 3 region-weeks without data in 2024-W18\.\.2024-W23/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape that starts a terminal colour code
    assert.doesNotMatch(r.stderr, /\u001b\[/);
  });

  it('--json prints one summary with the headline figures', async () => {
    const out = path.join(dir.dir, 'elsewhere', 'q2.html');
    const r = cli(
      dir.dir,
      '--json',
      'report',
      '--from',
      '2024-W20',
      '--to',
      '2024-05-27',
      '--locale',
      'en',
      '--out',
      out,
    );
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    const summary = JSON.parse(lines[0]!);
    const rows = seed.agg.filter((a) => a.week_start >= '2024-05-13' && a.week_start <= '2024-05-27');
    const kopecks = rows.reduce((s, a) => s + BigInt(a.amount_sum.replace('.', '')), 0n);
    const orders = rows.reduce((s, a) => s + a.sales_count, 0);
    const buyers = new Set(
      seed.buyers.filter((b) => b.week_start >= '2024-05-13' && b.week_start <= '2024-05-27').map((b) => b.customer_id),
    );
    assert.deepEqual(
      [summary.ok, summary.command, summary.path, summary.from, summary.to, summary.weeks],
      [true, 'report', out, '2024-W20', '2024-W22', 3],
    );
    assert.equal(summary.orders, orders);
    assert.equal(summary.revenue, `${kopecks / 100n}.${String(kopecks % 100n).padStart(2, '0')}`);
    assert.equal(
      summary.averageCheck,
      `${(2n * kopecks + BigInt(orders)) / (2n * BigInt(orders)) / 100n}.` +
        `${String(((2n * kopecks + BigInt(orders)) / (2n * BigInt(orders))) % 100n).padStart(2, '0')}`,
    );
    assert.equal(summary.buyers, buyers.size);
    assert.deepEqual(summary.missing, [{ week: '2024-W21', region: SEED_GAPS['2024-W21']![0] }]);
    assert.match(await readFile(out, 'utf8'), /<html lang="en">/);
  });

  it('a bad --locale or week is a usage error (exit 2)', () => {
    const locale = cli(dir.dir, 'report', '--locale', 'de');
    assert.equal(locale.code, 2);
    assert.match(locale.stderr, /--locale.*ru, en/);
    const week = cli(dir.dir, 'report', '--from', '2024-W60', '--to', '2024-W61');
    assert.equal(week.code, 2);
    assert.match(week.stderr, /2024-W60/);
  });

  it('a period without data fails with one line naming ClickHouse (exit 1), writing nothing', async () => {
    const out = path.join(dir.dir, 'empty.html');
    const r = cli(dir.dir, 'report', '--week', '2023-W05', '--out', out);
    assert.equal(r.code, 1);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('✖'));
    assert.equal(errors.length, 1);
    assert.match(
      errors[0]!,
      /^✖ report: embedded ClickHouse \(.+\) has no aggregates for 2023-W05\.\.2023-W05; run migrate-click/,
    );
    await assert.rejects(stat(out), { code: 'ENOENT' });
  });
});
