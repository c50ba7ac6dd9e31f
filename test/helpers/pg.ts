import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, chmod, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import pg from 'pg';
import { Chalk } from 'chalk';
import { resolveConfig, type Context } from '../../src/lib/core/config.js';
import { startEmbeddedPg, type EmbeddedPg } from '../../src/lib/pg/embedded/server.js';
import type { Logger } from '../../src/lib/ui/logger.js';

const run = promisify(execFile);

/**
 * Where the PostgreSQL tests run: the embedded cluster always, and the real
 * server of `TEST_DATABASE_URL` when set. With `SALES_ETL_REQUIRE_REAL_PG=1`
 * a missing `TEST_DATABASE_URL` is a failing test, not a silent skip.
 */
export interface PgTarget {
  readonly name: 'embedded' | 'server';
  /** A maintenance database URL (for CREATE DATABASE); undefined = the test process's embedded cluster. */
  readonly url: string | undefined;
}

export function pgTargets(): PgTarget[] {
  const url = process.env.TEST_DATABASE_URL?.trim();
  const targets: PgTarget[] = [{ name: 'embedded', url: undefined }];
  if (url) targets.push({ name: 'server', url });
  else if (process.env.SALES_ETL_REQUIRE_REAL_PG === '1') {
    test('a real PostgreSQL server is configured (SALES_ETL_REQUIRE_REAL_PG=1)', () => {
      throw new Error('TEST_DATABASE_URL is not set, so the real-server PostgreSQL tests would be skipped');
    });
  }
  return targets;
}

/** A temporary data directory the `postgres` user can enter (root runs the cluster as postgres). */
export async function tempDataDir(prefix = 'sales-etl-pg-'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  await chmod(dir, 0o755);
  return dir;
}

/** A logger that keeps its lines, so tests can check warnings. */
export interface RecordingLogger extends Logger {
  readonly lines: string[];
}

export function recordingLogger(): RecordingLogger {
  const lines: string[] = [];
  const add = (level: string) => (message: string) => {
    lines.push(`${level} ${message}`);
  };
  return {
    lines,
    interactive: false,
    chalk: new Chalk({ level: 0 }),
    info: add('info'),
    warn: add('warn'),
    error: add('error'),
    success: add('ok'),
    debug: add('debug'),
    task: (_text, work) => work(() => undefined),
  };
}

/** A context for a data directory and, optionally, a server URL (undefined = embedded in `<data-dir>/pg`). */
export function testContext(dataDir: string, pgUrl?: string, log: Logger = recordingLogger()): Context {
  return { config: { ...resolveConfig({ dataDir }, {}), pgUrl }, log };
}

// v2: clusters with a secret and a pipeline role (issue 13); older checkouts keep using the first template.
const TEMPLATE = path.join(os.tmpdir(), `sales-etl-pg-template-v2-${process.getuid?.() ?? 'u'}`);

/**
 * Give `<dataDir>/pg` an initialised (stopped) cluster, copied from a
 * template made once per machine: initdb is the slow part of a first start.
 */
export async function seedEmbeddedCluster(dataDir: string): Promise<void> {
  if (
    !(await access(path.join(TEMPLATE, 'PG_VERSION')).then(
      () => true,
      () => false,
    ))
  ) {
    const scratch = await tempDataDir('sales-etl-pg-template-');
    try {
      const server = await startEmbeddedPg({
        dir: path.join(scratch, 'pg'),
        logFile: path.join(scratch, 'pg.log'),
        log: recordingLogger(),
      });
      await server.stop();
      await rename(path.join(scratch, 'pg'), TEMPLATE).catch(async (error: NodeJS.ErrnoException) => {
        // Another test process made it first.
        if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
      });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
  await mkdir(dataDir, { recursive: true });
  await run('cp', ['-a', TEMPLATE, path.join(dataDir, 'pg')]);
}

let cluster: { server: EmbeddedPg; dir: string } | undefined;

/** The test process's own embedded cluster, started on first use; stop it with `stopTestCluster()` in `after`. */
async function testCluster(): Promise<EmbeddedPg> {
  if (!cluster) {
    const dir = await tempDataDir('sales-etl-pg-cluster-');
    await seedEmbeddedCluster(dir);
    const server = await startEmbeddedPg({
      dir: path.join(dir, 'pg'),
      logFile: path.join(dir, 'pg.log'),
      log: recordingLogger(),
    });
    cluster = { server, dir };
  }
  return cluster.server;
}

/** Stop the test process's embedded cluster and remove it. */
export async function stopTestCluster(): Promise<void> {
  if (!cluster) return;
  const { server, dir } = cluster;
  cluster = undefined;
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}

/** A database of its own for one test. */
export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  /** A query on the test database (its own short-lived pool). */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  drop(): Promise<void>;
}

/** A fresh, empty database on the target, for one test. */
export async function freshDatabase(target: PgTarget): Promise<TestDatabase> {
  const admin = target.url ?? (await testCluster()).url;
  const name = `sales_etl_test_${randomBytes(5).toString('hex')}`;
  const adminClient = new pg.Client({ connectionString: admin });
  await adminClient.connect();
  try {
    await adminClient.query(`CREATE DATABASE ${name}`);
  } finally {
    await adminClient.end();
  }
  const u = new URL(admin);
  u.pathname = `/${name}`;
  const url = u.toString();
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  return {
    url,
    name,
    query: (text, values) => pool.query(text, values),
    async drop() {
      await pool.end();
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
