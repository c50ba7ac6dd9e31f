import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { aggregate } from '../../src/commands/aggregate.js';
import { clean } from '../../src/commands/clean.js';
import { generate } from '../../src/commands/generate.js';
import { loadPg } from '../../src/commands/load-pg.js';
import { parseWeek } from '../../src/lib/core/calendar.js';
import { openClickHouse } from '../../src/lib/clickhouse/database.js';
import { chTestContext } from '../helpers/clickhouse.js';
import { assertCleanFailure, cli, exists } from '../helpers/faults-cli.js';
import {
  freshDatabase,
  pgTargets,
  stopTestCluster,
  tempDataDir,
  testContext,
  type TestDatabase,
} from '../helpers/pg.js';
import { rm } from 'node:fs/promises';
import { freePort } from '../../src/lib/pg/embedded/port.js';

// A database that is down, held, or refuses us: one clear line on stderr and exit 1 (within a hang guard),
// no stack trace, the password never shown, and nothing written to the other database.

const W = parseWeek('2024-W01');
/** A hang guard for every run, not a performance assertion. */
const GUARD = { timeoutMs: 60_000 };

let dir: string;
let database: TestDatabase;
let pool: pg.Pool;

before(async () => {
  dir = await tempDataDir('sales-etl-db-down-');
  database = await freshDatabase(pgTargets().at(-1)!);
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
  // A small week cleaned, loaded and aggregated on the server, ready for the stages that follow.
  const ctx = testContext(dir, database.url);
  await generate({ ctx, weeks: [W], total: 3000, startWeek: W, periodWeeks: 1 });
  await clean({ ctx, weeks: [W] });
  await loadPg({ ctx, weeks: [W] });
  await aggregate({ ctx, weeks: [W] });
});

after(async () => {
  await pool?.end();
  await database?.drop();
  await stopTestCluster();
  await rm(dir, { recursive: true, force: true });
});

/** migrate-click runs of the week recorded as successful in PostgreSQL. */
async function publishedRuns(): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    "SELECT count(*)::text AS n FROM etl_runs WHERE stage = 'migrate-click' AND week = $1 AND status = 'ok'",
    [W.id],
  );
  return Number(rows[0]!.n);
}

test(
  'PostgreSQL at a closed port: load-pg and run-week fail in one line naming the server, ' +
    'and ClickHouse is never opened',
  async () => {
    const port = await freePort();
    const url = `postgres://etl:pg-s3cret@127.0.0.1:${port}/sales`;
    for (const args of [
      ['load-pg', '--week', W.id],
      ['aggregate', '--week', W.id],
      ['run-week', '--week', W.id, '--skip-generate'],
    ]) {
      const run = await cli(['--data-dir', dir, '--pg-url', url, ...args], GUARD);
      const line = assertCleanFailure(run, 1, args[0]);
      assert.match(
        line,
        new RegExp(`cannot connect to PostgreSQL at postgres://etl:\\*\\*\\*@127\\.0\\.0\\.1:${port}/sales`),
        line,
      );
      assert.ok(!(run.stdout + run.stderr).includes('pg-s3cret'), `${args[0]}: the password is not shown`);
    }
    assert.equal(await exists(path.join(dir, 'clickhouse')), false, 'nothing was written to ClickHouse');
  },
);

test('a wrong password on a running server: one line, exit 1, the password not shown', async () => {
  // The embedded cluster checks passwords (scram-sha-256); CI's throwaway server trusts everyone.
  const embedded = await freshDatabase(pgTargets()[0]!);
  try {
    const u = new URL(embedded.url);
    u.password = 'wrong-Pw-4242';
    const run = await cli(['--data-dir', dir, '--pg-url', u.toString(), 'load-pg', '--week', W.id], GUARD);
    const line = assertCleanFailure(run, 1, 'wrong password');
    const expected = /PostgreSQL at postgres:\/\/sales_etl:\*\*\*@127\.0\.0\.1:\d+\/.*password authentication failed/;
    assert.match(line, expected, line);
    assert.ok(!(run.stdout + run.stderr).includes('wrong-Pw-4242'));
  } finally {
    await embedded.drop();
  }
});

test(
  'ClickHouse held by another process, or at a closed port: ' +
    'migrate-click fails in one line and records no success in PostgreSQL',
  async () => {
    const before = await publishedRuns();
    const holder = await openClickHouse(chTestContext({ dataDir: dir }));
    try {
      const held = await cli(['--data-dir', dir, 'migrate-click', '--week', W.id], {
        ...GUARD,
        env: { DATABASE_URL: database.url },
      });
      const line = assertCleanFailure(held, 1, 'held');
      assert.equal(
        line,
        `✖ another sales-etl process is using ${path.join(dir, 'clickhouse')} (pid ${process.pid}); ` +
          'wait for it to finish',
      );
      const chain = await cli(['--data-dir', dir, 'run-week', '--week', W.id, '--skip-generate'], {
        ...GUARD,
        env: { DATABASE_URL: database.url },
      });
      assert.match(
        assertCleanFailure(chain, 1, 'run-week held'),
        /migrate-click failed: another sales-etl process is using/,
      );
    } finally {
      await holder.close();
    }
    const port = await freePort();
    const down = await cli(
      [
        '--data-dir',
        dir,
        '--clickhouse-url',
        `http://etl:ch-s3cret@127.0.0.1:${port}`,
        'migrate-click',
        '--week',
        W.id,
      ],
      {
        ...GUARD,
        env: { DATABASE_URL: database.url, CLICKHOUSE_PASSWORD: 'env-ch-s3cret' },
      },
    );
    const line = assertCleanFailure(down, 1, 'closed port');
    assert.match(line, new RegExp(`cannot connect to ClickHouse at http://etl:\\*\\*\\*@127\\.0\\.0\\.1:${port}`));
    assert.ok(!/ch-s3cret/.test(down.stdout + down.stderr), 'no ClickHouse password shown');
    assert.equal(await publishedRuns(), before, 'no migrate-click success recorded while ClickHouse was unavailable');
  },
);

test('PostgreSQL stopped under its URL: one line and exit 1, ClickHouse untouched', async () => {
  const url = database.url;
  // Stop the server itself (the test cluster, or nothing when a real server is configured: then a closed port
  // stands in).
  await pool.end();
  await database.drop();
  await stopTestCluster();
  const target = pgTargets().length > 1 ? `postgres://postgres:x@127.0.0.1:${await freePort()}/postgres` : url;
  const fresh = await tempDataDir('sales-etl-db-stopped-');
  try {
    const run = await cli(['--data-dir', fresh, '--pg-url', target, 'migrate-click', '--week', W.id], GUARD);
    const user = new URL(target).username;
    const named = new RegExp(`cannot connect to PostgreSQL at postgres://${user}:\\*\\*\\*@127\\.0\\.0\\.1:\\d+`);
    assert.match(assertCleanFailure(run, 1, 'stopped'), named);
    // ClickHouse is opened first (to fail fast on a held directory) but nothing is published into it.
    const ch = await openClickHouse(chTestContext({ dataDir: fresh }));
    try {
      const tables = await (
        await ch.client.query({
          query: "SELECT count() AS n FROM system.tables WHERE database = 'sales_etl' AND total_rows > 0",
          format: 'JSONEachRow',
        })
      ).json<{ n: string }>();
      assert.equal(Number(tables[0]!.n), 0, 'no rows in ClickHouse');
    } finally {
      await ch.close();
    }
  } finally {
    await rm(fresh, { recursive: true, force: true });
    pool = undefined as unknown as pg.Pool;
    database = undefined as unknown as TestDatabase;
  }
});
