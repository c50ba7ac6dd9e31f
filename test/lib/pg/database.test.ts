import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { loadPg } from '../../../src/commands/load-pg.js';
import { parseWeek } from '../../../src/lib/core/calendar.js';
import { describeError } from '../../../src/lib/core/errors.js';
import { migratePg } from '../../../src/lib/pg/migrations.js';
import { runSql } from '../../../src/lib/pg/sql.js';
import { describePgUrl, openPg, recordRunApart, withPg } from '../../../src/lib/pg/database.js';
import {
  freshDatabase,
  pgTargets,
  recordingLogger,
  seedEmbeddedCluster,
  stopTestCluster,
  tempDataDir,
  testContext,
} from '../../helpers/pg.js';
import { makeSales, writeCleanWeek } from '../../helpers/pg-fixtures.js';

/** The schema's migrations, in order. */
const MIGRATIONS = ['001_tables.sql', '002_sales_region_weeks.sql', '003_week_daily_buyers.sql'];

after(stopTestCluster);

const here = path.dirname(fileURLToPath(import.meta.url));
const HOLDER = path.join(here, '..', '..', 'helpers', 'pg-holder.js');
const BIN = path.join(here, '..', '..', '..', '..', 'bin', 'sales-etl.js');
const W20 = parseWeek('2024-W20');

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Start a process holding the embedded cluster of `dataDir`; resolves once it is ready. */
function holdCluster(dataDir: string) {
  const child = spawn(process.execPath, [HOLDER, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      if (c.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`holder exited ${code}: ${err}`)));
  });
  return { child, ready };
}

async function postmasterPid(dataDir: string): Promise<number> {
  return Number((await readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]);
}

describe('embedded PostgreSQL', () => {
  test('initialises once, migrates once, and stops when closed', async () => {
    const dataDir = await tempDataDir();
    try {
      const log = recordingLogger();
      const ctx = testContext(dataDir, undefined, log);
      const first = await openPg(ctx);
      const migrations = await first.pool.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
      assert.deepEqual(
        migrations.rows.map((r) => r.name),
        MIGRATIONS,
      );
      const encoding = await first.pool.query<{ server_encoding: string }>('SHOW server_encoding');
      assert.equal(encoding.rows[0]?.server_encoding, 'UTF8');
      const pid = await postmasterPid(dataDir);
      await first.close();
      assert.equal(isAlive(pid), false, 'the server is stopped after close()');
      assert.ok(log.lines.some((l) => l.includes('initialising a new cluster')));

      const again = recordingLogger();
      await withPg(testContext(dataDir, undefined, again), undefined, async (db) => {
        assert.match(db.target, /embedded PostgreSQL/);
        assert.equal(
          (await db.pool.query('SELECT count(*)::int AS n FROM schema_migrations')).rows[0]?.n,
          MIGRATIONS.length,
        );
      });
      assert.equal(
        again.lines.some((l) => l.includes('initialising') || l.includes('applied')),
        false,
      );
      // The server's own chatter goes to pg.log, not to the terminal.
      assert.match(await readFile(path.join(dataDir, 'pg.log'), 'utf8'), /ready to accept connections/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('writeOut checkpoints the cluster it started, and leaves a server of a URL alone', async () => {
    const requested = async (pool: pg.Pool) =>
      (await pool.query<{ n: number }>('SELECT num_requested::int AS n FROM pg_stat_checkpointer')).rows[0]!.n;
    const dataDir = await tempDataDir();
    try {
      await withPg(testContext(dataDir), undefined, async (db) => {
        const before = await requested(db.pool);
        await db.writeOut();
        assert.equal(await requested(db.pool), before + 1);
      });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
    const server = await freshDatabase({ name: 'embedded', url: undefined });
    try {
      await withPg(testContext('/nonexistent', server.url), undefined, async (db) => {
        const before = await requested(db.pool);
        await db.writeOut();
        assert.equal(await requested(db.pool), before);
      });
    } finally {
      await server.drop();
    }
  });

  test('a cluster left running by a SIGKILLed process is recovered by the next load-pg', async () => {
    const dataDir = await tempDataDir();
    try {
      await seedEmbeddedCluster(dataDir);
      const holder = holdCluster(dataDir);
      await holder.ready;
      const orphan = await postmasterPid(dataDir);
      holder.child.kill('SIGKILL');
      await new Promise((resolve) => holder.child.once('exit', resolve));
      assert.equal(isAlive(orphan), true, 'the server outlives its killed parent');

      const log = recordingLogger();
      const ctx = testContext(dataDir, undefined, log);
      await writeCleanWeek(ctx.config.layout, W20, makeSales(W20, 300, 1, 41));
      const result = await loadPg({ ctx, weeks: [W20] });
      assert.equal(result.weeks[0]?.rows, 300);
      assert.ok(
        log.lines.some((l) => l.startsWith('warn') && l.includes(`pid ${orphan}`) && l.includes('stopping it')),
      );
      assert.equal(isAlive(orphan), false);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('a stale postmaster.pid is removed with a log line', async () => {
    const dataDir = await tempDataDir();
    try {
      await seedEmbeddedCluster(dataDir);
      // pid 1 is alive but is not a postgres on this directory.
      await writeFile(path.join(dataDir, 'pg', 'postmaster.pid'), `1\n${path.join(dataDir, 'pg')}\n`);
      const log = recordingLogger();
      await withPg(testContext(dataDir, undefined, log), undefined, async (db) => {
        await db.pool.query('SELECT 1');
      });
      assert.ok(log.lines.some((l) => l.startsWith('warn') && l.includes('removing stale')));
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('SIGTERM to a process holding the cluster stops the server and ends the process', async () => {
    const dataDir = await tempDataDir();
    try {
      await seedEmbeddedCluster(dataDir);
      const holder = holdCluster(dataDir);
      await holder.ready;
      const server = await postmasterPid(dataDir);
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        holder.child.once('exit', (_code, signal) => resolve(signal)),
      );
      holder.child.kill('SIGTERM');
      assert.equal(await exited, 'SIGTERM');
      assert.equal(isAlive(server), false);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('PostgreSQL errors', () => {
  test('a refused connection is one line naming host, port and database, password redacted, exit 1', async () => {
    const dataDir = await tempDataDir();
    try {
      const ctx = testContext(dataDir);
      await writeCleanWeek(ctx.config.layout, W20, makeSales(W20, 5, 1, 1));
      const url = 'postgres://etl:s3cret@127.0.0.1:1/sales';
      const cli = spawnSync(
        process.execPath,
        [BIN, '--data-dir', dataDir, '--pg-url', url, 'load-pg', '--week', '2024-W20'],
        {
          encoding: 'utf8',
          env: { ...process.env, NO_COLOR: '1' },
        },
      );
      assert.equal(cli.status, 1);
      const lines = cli.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('✖'));
      assert.equal(lines.length, 1, cli.stderr);
      assert.match(
        lines[0] ?? '',
        /cannot connect to PostgreSQL at postgres:\/\/etl:\*\*\*@127\.0\.0\.1:1\/sales: .*ECONNREFUSED/,
      );
      assert.doesNotMatch(cli.stderr, /s3cret| {4}at /);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('an unknown host names the server', async () => {
    const ctx = testContext('/nonexistent', 'postgres://etl:pw@no-such-host.invalid/sales');
    await assert.rejects(openPg(ctx), (error: Error) => {
      assert.match(
        describeError(error),
        new RegExp(
          String.raw`^cannot connect to PostgreSQL at postgres://etl:\*\*\*@no-such-host\.invalid:5432/sales: ` +
            '.*(ENOTFOUND|EAI_AGAIN)',
        ),
      );
      return true;
    });
  });

  test('describePgUrl fills in the port and database and hides the password', () => {
    assert.equal(describePgUrl('postgres://u:p%40ss@db.example/x'), 'postgres://u:***@db.example:5432/x');
    assert.equal(describePgUrl('postgresql://u@10.0.0.1:6543'), 'postgresql://u@10.0.0.1:6543/u');
  });

  for (const target of pgTargets()) {
    test(`a wrong password names the server (${target.name})`, async (t) => {
      const db = await freshDatabase(target);
      try {
        const u = new URL(db.url);
        u.password = 'definitely-wrong';
        u.username = u.username || 'postgres';
        // A server with trust authentication accepts any password; only then is there nothing to check.
        const probe = new pg.Client({ connectionString: u.toString() });
        const trusting = await probe.connect().then(
          () => true,
          () => false,
        );
        await probe.end().catch(() => undefined);
        if (trusting) {
          t.skip('this server trusts any password');
          return;
        }
        await assert.rejects(openPg(testContext('/nonexistent', u.toString())), (error: Error) => {
          const line = describeError(error);
          assert.match(
            line,
            new RegExp(
              String.raw`cannot connect to PostgreSQL at postgres://\w+:\*\*\*@127\.0\.0\.1:\d+/sales_etl_test_\w+: ` +
                'password authentication failed',
            ),
          );
          assert.doesNotMatch(line, /definitely-wrong/);
          return true;
        });
      } finally {
        await db.drop();
      }
    });

    test(`migrations are safe twice and under two concurrent runs (${target.name})`, async () => {
      const db = await freshDatabase(target);
      const pools = [new pg.Pool({ connectionString: db.url }), new pg.Pool({ connectionString: db.url })];
      try {
        const log = recordingLogger();
        const [a, b] = await Promise.all(pools.map((p) => migratePg(p, log)));
        assert.deepEqual([...(a ?? []), ...(b ?? [])], MIGRATIONS);
        assert.deepEqual(await migratePg(pools[0] as pg.Pool, log), []);
        const n = await db.query('SELECT count(*)::int AS n FROM schema_migrations');
        assert.equal(n.rows[0]?.n, MIGRATIONS.length);
      } finally {
        await Promise.all(pools.map((p) => p.end()));
        await db.drop();
      }
    });

    test(`recordRunApart records on a connection it gives back, also on failure (${target.name})`, async () => {
      const db = await freshDatabase(target);
      // One connection in all: a call that kept its connection would leave the next one waiting for ever.
      const pool = new pg.Pool({ connectionString: db.url, max: 1 });
      try {
        await migratePg(pool, recordingLogger());
        const apart = { pool, target: 'test', close: () => pool.end(), writeOut: async () => undefined };
        const startedAt = new Date('2024-05-20T10:00:00Z');
        await recordRunApart(apart, { stage: 'load-pg', week: '2024-W20', status: 'failed', startedAt, message: 'm' });
        const bad = { stage: null as unknown as string, week: null, status: 'ok' as const, startedAt };
        await assert.rejects(recordRunApart(apart, bad), /null value in column "stage"/);
        await recordRunApart(apart, { stage: 'migrate-click', week: '2024-W20', status: 'ok', rowsIn: 3, startedAt });
        const runs = await pool.query('SELECT stage, status, rows_in::int FROM etl_runs ORDER BY run_id');
        assert.deepEqual(runs.rows, [
          { stage: 'load-pg', status: 'failed', rows_in: null },
          { stage: 'migrate-click', status: 'ok', rows_in: 3 },
        ]);
        assert.equal(pool.idleCount, 1);
      } finally {
        await pool.end();
        await db.drop();
      }
    });

    test(`a failing SQL statement names its .sql file and line (${target.name})`, async () => {
      const db = await freshDatabase(target);
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const file = { name: 'sql/pg/broken.sql', text: '-- a comment\nSELECT 1\n  FROM no_such_table' };
        await assert.rejects(runSql(client, file), (error: Error) => {
          assert.match(describeError(error), /^sql\/pg\/broken\.sql:3 failed: relation "no_such_table" does not exist/);
          return true;
        });
      } finally {
        await client.end();
        await db.drop();
      }
    });
  }
});
