import path from 'node:path';
import pg from 'pg';
import type { Context } from '../core/config.js';
import { startEmbeddedPg, type EmbeddedPg } from './embedded/server.js';
import { redact } from '../core/errors.js';
import { throwIfInterrupted } from '../core/interrupt.js';
import { withOpened } from '../core/opened.js';
import { migratePg } from './migrations.js';
import { pgSql, runSql } from './sql.js';

/**
 * An open PostgreSQL database with the schema migrated. Type parsing differs
 * from pg's defaults in one way: `date` columns come back as `YYYY-MM-DD`
 * strings (never a Date shifted by the machine's time zone). `numeric` and
 * `bigint` come back as strings, as usual: money is never a float.
 */
export interface PgDatabase {
  /** Connections for queries and COPY. */
  readonly pool: pg.Pool;
  /** For messages: `embedded PostgreSQL (data/pg)` or the URL with the password redacted. */
  readonly target: string;
  /** Ends the pool; stops the embedded cluster when this database started one. */
  close(): Promise<void>;
  /**
   * On the embedded cluster this database started: write out what its buffers hold now (a
   * CHECKPOINT), so that `close`, whose stop would do it then, is quick; a year's loads leave
   * about 160 MB, a second of writing. Nothing on a server of `--pg-url`: its checkpoints are its own.
   */
  writeOut(): Promise<void>;
}

/** One row of `etl_runs`. */
export interface EtlRun {
  stage: string;
  week: string | null;
  status: 'ok' | 'failed';
  rowsIn?: number | null;
  rowsOut?: number | null;
  startedAt: Date;
  /** Defaults to the moment of recording. */
  finishedAt?: Date;
  message?: string | null;
}

const DATE_OID = 1082;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === DATE_OID && format !== 'binary'
      ? (value: string) => value
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/** `postgres://user:***@host:port/db`, with the default port and database filled in. */
export function describePgUrl(url: string): string {
  try {
    const u = new URL(url);
    const user = decodeURIComponent(u.username);
    const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || user || 'postgres';
    const auth = user ? `${u.username}${u.password ? ':***' : ''}@` : '';
    return `${u.protocol}//${auth}${u.hostname || 'localhost'}:${u.port || '5432'}/${database}`;
  } catch {
    return redact(url);
  }
}

function createPool(connectionString: string, ctx: Context): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: 4,
    connectionTimeoutMillis: 15_000,
    types,
    application_name: 'sales-etl',
  });
  // A connection dropped by the server (a shutdown: 57P01, ECONNRESET) must not crash the process. Idle,
  // the pool hears it; checked out, the client itself emits 'error' besides failing the query in
  // flight, which reports it: every client has a listener from the start.
  pool.on('error', (error) => ctx.log.debug(`PostgreSQL: idle connection closed: ${error.message}`));
  pool.on('connect', (client) =>
    client.on('error', (error) => ctx.log.debug(`PostgreSQL: connection closed: ${error.message}`)),
  );
  return pool;
}

/** Connect once, so an unreachable server is one line naming it rather than an error from deep inside a stage. */
async function checkConnection(pool: pg.Pool, target: string): Promise<void> {
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    throw new Error(`cannot connect to PostgreSQL at ${target}`, { cause: error });
  }
}

/**
 * Open the database of the configuration: the server of `--pg-url` /
 * `DATABASE_URL`, or else the embedded cluster in `<data-dir>/pg`, started
 * now. The schema migrations are applied before it is handed over.
 */
export async function openPg(ctx: Context): Promise<PgDatabase> {
  const { config, log } = ctx;
  let embedded: EmbeddedPg | undefined;
  let url: string;
  let target: string;
  if (config.pgUrl) {
    url = config.pgUrl;
    target = describePgUrl(url);
  } else {
    const label = config.layout.relative(config.layout.pg) || config.layout.pg;
    embedded = await startEmbeddedPg({
      dir: config.layout.pg,
      logFile: path.join(config.layout.root, 'pg.log'),
      log,
      label: path.join(path.basename(config.layout.root), label),
    });
    url = embedded.url;
    target = `embedded PostgreSQL (${path.join(path.basename(config.layout.root), label)}, port ${embedded.port})`;
  }
  const pool = createPool(url, ctx);
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      try {
        await pool.end();
      } finally {
        await embedded?.stop();
      }
    })();
    return closed;
  };
  try {
    await checkConnection(pool, target);
    const applied = await migratePg(pool, log);
    if (applied.length > 0) log.info(`PostgreSQL: applied ${applied.join(', ')} on ${target}`);
  } catch (error) {
    await close();
    throw error;
  }
  const writeOut = async (): Promise<void> => {
    if (embedded) await runSql(pool, await pgSql('checkpoint.sql'));
  };
  return { pool, target, close, writeOut };
}

/**
 * Run `work` on the given database (left open: its owner closes it) or on one
 * opened for the purpose and closed afterwards, whatever happens.
 */
export async function withPg<T>(
  ctx: Context,
  given: PgDatabase | undefined,
  work: (db: PgDatabase) => Promise<T>,
): Promise<T> {
  return withOpened(given, () => openPg(ctx), work);
}

/** Record a run in `etl_runs`, inside the caller's transaction so it commits with the data it describes. */
export async function recordRun(client: pg.ClientBase, run: EtlRun): Promise<void> {
  await client.query((await pgSql('etl-runs-record.sql')).text, [
    run.stage,
    run.week,
    run.status,
    run.rowsIn ?? null,
    run.rowsOut ?? null,
    run.startedAt,
    run.finishedAt ?? null,
    run.message ?? null,
  ]);
}

/**
 * Record a run on a connection of its own, outside any transaction: a failure
 * after its work rolled back, or a summary of stages that committed on their own.
 */
export async function recordRunApart(db: PgDatabase, run: EtlRun): Promise<void> {
  const client = await db.pool.connect();
  try {
    await recordRun(client, run);
  } finally {
    client.release();
  }
}

/** One read-only snapshot, so figures and copies taken in it describe the same rows. */
export const READ_ONLY_SNAPSHOT = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';

/** How `inTransaction` opens and ends its transaction. */
export interface TransactionOptions {
  /** The statement that opens it, e.g. `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`. */
  begin?: string;
  /** Drop the connection after a failure instead of returning it to the pool (a COPY may be cut off half-way). */
  discardOnError?: boolean;
}

/**
 * Run `work` in a transaction on one connection: COMMIT when it returns, ROLLBACK when it throws, or
 * when a stop signal came meanwhile (src/lib/core/interrupt.ts): an interrupted stage leaves the old state.
 */
export async function inTransaction<T>(
  db: Pick<PgDatabase, 'pool'>,
  work: (client: pg.PoolClient) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const client = await db.pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(options.begin ?? 'BEGIN');
    const result = await work(client);
    throwIfInterrupted();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    if (options.discardOnError) broken = error instanceof Error ? error : new Error(String(error));
    await client.query('ROLLBACK').catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}
