import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { parseWeek } from '../../src/lib/core/calendar.js';
import { openClickHouse } from '../../src/lib/clickhouse/database.js';
import { chRows, chTestContext, keepRegionWeeks, seedWeek, tempDataDir } from '../helpers/clickhouse.js';
import { freshDatabase, stopTestCluster, type TestDatabase } from '../helpers/pg.js';
import { freePort } from '../../src/lib/pg/embedded/port.js';

const BIN = fileURLToPath(new URL('../../../bin/sales-etl.js', import.meta.url));

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The built CLI in a child process, on the test's data directory and PostgreSQL. */
function cli(args: string[], env: Record<string, string>) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...env };
  for (const name of ['CLICKHOUSE_URL', 'CLICKHOUSE_USER', 'CLICKHOUSE_PASSWORD'])
    if (!(name in env)) delete childEnv[name];
  const child = spawn(process.execPath, [BIN, ...args], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const listeners: (() => void)[] = [];
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const l of listeners) l();
  });
  const done = new Promise<Exit>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  /** Resolves when stderr shows `text`, or when the process ends. */
  const waitFor = (text: string) =>
    new Promise<boolean>((resolve) => {
      if (stderr.includes(text)) return resolve(true);
      listeners.push(() => stderr.includes(text) && resolve(true));
      void done.then(() => resolve(stderr.includes(text)));
    });
  return { child, done, waitFor };
}

describe('migrate-click as a process', () => {
  let tmp: Awaited<ReturnType<typeof tempDataDir>>;
  let database: TestDatabase;
  let pool: pg.Pool;
  let env: Record<string, string>;
  const week = parseWeek('2024-W20');

  before(async () => {
    tmp = await tempDataDir('migrate-click-process');
    database = await freshDatabase({ name: 'embedded', url: undefined });
    env = { SALES_ETL_DATA_DIR: tmp.dir, DATABASE_URL: database.url };
    // The schema comes from the CLI's own first run; a week for it to publish comes from here.
    const first = await cli(['migrate-click', '--week', '2023-W02'], env).done;
    assert.equal(first.code, 1, first.stderr);
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
  });

  after(async () => {
    await pool?.end();
    await database?.drop();
    await stopTestCluster();
    await tmp?.remove();
  });

  it('leaves the old week or the new one when killed mid-run, and the next run succeeds', async () => {
    await seedWeek(pool, week, { products: 1000 });
    const published = await cli(['migrate-click', '--week', week.id], env).done;
    assert.equal(published.code, 0, published.stderr);
    const {
      rows: [old],
    } = await pool.query<{ rows: string; amount: string; sales: string }>(
      'SELECT count(*)::text AS rows, sum(amount_sum)::text AS amount, sum(sales_count)::text AS sales ' +
        'FROM sales_agg WHERE week_start = $1',
      [week.start],
    );
    // PostgreSQL moves on: a re-aggregated week with more rows and other sums.
    await seedWeek(pool, week, { products: 1500, salt: 3 });

    const outcomes: string[] = [];
    for (const pause of [0, 50, 250]) {
      const run = cli(['--verbose', 'migrate-click', '--week', week.id], env);
      assert.ok(
        await run.waitFor('streaming 6000 rows into sales_etl.sales_agg__stage_20240513'),
        'the run reached the insert',
      );
      await new Promise((resolve) => setTimeout(resolve, pause));
      run.child.kill('SIGKILL');
      const killed = await run.done;
      if (pause === 0) assert.equal(killed.signal, 'SIGKILL', 'killed before it finished');

      const check = await cli(['migrate-click', '--week', week.id, '--verify-only'], env).done;
      if (check.code === 0) {
        outcomes.push('new');
      } else {
        // Exactly the old week: every figure ClickHouse has is the old one.
        assert.equal(check.code, 1, check.stderr);
        assert.match(check.stderr, new RegExp(`rows ${old?.rows} in ClickHouse vs 6000 in PostgreSQL`));
        assert.ok(
          check.stderr.includes(`sum(amount_sum) ${Number(old?.amount)}`) ||
            check.stderr.includes(`sum(amount_sum) ${old?.amount}`),
          check.stderr,
        );
        assert.ok(check.stderr.includes(`sum(sales_count) ${old?.sales} in ClickHouse`), check.stderr);
        outcomes.push('old');
      }
    }
    if (process.env.TEST_VERBOSE) console.log('after each kill, ClickHouse held the', outcomes.join(', '), 'week');
    const next = await cli(['migrate-click', '--week', week.id], env).done;
    assert.equal(next.code, 0, `${outcomes.join(',')}: ${next.stderr}`);
    const verify = await cli(['migrate-click', '--week', week.id, '--verify-only'], env).done;
    assert.equal(verify.code, 0, verify.stderr);

    // No staging table outlives the run that follows a kill.
    const ch = await openClickHouse(chTestContext({ dataDir: tmp.dir }));
    try {
      const leftovers = await chRows(
        ch.client,
        "SELECT name FROM system.tables WHERE database = 'sales_etl' AND name LIKE '%\\_\\_stage%'",
      );
      assert.deepEqual(leftovers, []);
    } finally {
      await ch.close();
    }
  });

  it('says in one line that another process is using the embedded data, and exits 1', async () => {
    await seedWeek(pool, week, { products: 10 });
    const holder = await openClickHouse(chTestContext({ dataDir: tmp.dir }));
    let blocked: Exit;
    try {
      blocked = await cli(['migrate-click', '--week', week.id], env).done;
    } finally {
      await holder.close();
    }
    assert.equal(blocked.code, 1);
    assert.equal(
      blocked.stderr,
      `✖ another sales-etl process is using ${path.join(tmp.dir, 'clickhouse')} (pid ${process.pid}); ` +
        'wait for it to finish\n',
    );
    const free = await cli(['migrate-click', '--week', week.id], env).done;
    assert.equal(free.code, 0, free.stderr);
  });

  it('names an unreachable server in one line with the password hidden, and exits 1', async () => {
    const port = await freePort();
    const result = await cli(['migrate-click', '--week', week.id], {
      ...env,
      CLICKHOUSE_URL: `http://etl:s3cret-pw@127.0.0.1:${port}`,
    }).done;
    assert.equal(result.code, 1);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(`^✖ cannot connect to ClickHouse at http://etl:\\*\\*\\*@127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`),
    );
    assert.ok(!result.stderr.includes('s3cret-pw'));

    const fromEnv = await cli(['migrate-click', '--week', week.id], {
      ...env,
      CLICKHOUSE_URL: `http://127.0.0.1:${port}`,
      CLICKHOUSE_USER: 'etl',
      CLICKHOUSE_PASSWORD: 'env-s3cret',
    }).done;
    assert.equal(fromEnv.code, 1);
    assert.match(
      fromEnv.stderr,
      new RegExp(`^✖ cannot connect to ClickHouse at http://etl:\\*\\*\\*@127\\.0\\.0\\.1:${port}`),
    );
    assert.ok(!fromEnv.stderr.includes('env-s3cret'));
  });
  it('refuses in one line, exit 1, a week loaded again since it was aggregated; after aggregate it goes', async () => {
    const stale = parseWeek('2024-W22');
    await seedWeek(pool, stale, { products: 10 });
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `UPDATE sales SET customer_id = 9999 WHERE sale_id = (
           SELECT min(sale_id) FROM sales WHERE sale_date BETWEEN $1::date AND $1::date + 6)`,
        [stale.start],
      );
      await keepRegionWeeks(client, stale);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const refused = await cli(['migrate-click', '--week', stale.id], env).done;
    assert.equal(refused.code, 1, refused.stderr);
    // The fixture has no catalogue, so a warning comes first; the failure is one ✖ line, the last.
    const failures = refused.stderr.split('\n').filter((l) => l.startsWith('✖'));
    assert.equal(failures.length, 1, refused.stderr);
    assert.ok(refused.stderr.endsWith(`${failures[0]}\n`), refused.stderr);
    assert.match(
      failures[0]!,
      new RegExp(
        '^✖ migrate-click: in PostgreSQL, 2024-W22 was loaded again after it was aggregated ' +
          '\\(loaded at .+Z, aggregated at .+Z\\); run `sales-etl aggregate --week 2024-W22` first$',
      ),
    );
    const aggregated = await cli(['aggregate', '--week', stale.id], env).done;
    assert.equal(aggregated.code, 0, aggregated.stderr);
    const published = await cli(['migrate-click', '--week', stale.id], env).done;
    assert.equal(published.code, 0, published.stderr);
  });
});
