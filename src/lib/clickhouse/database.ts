import path from 'node:path';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { warmEngine, type EngineWarmer } from './engine-warmer.js';
import { embeddedHolder } from './lock.js';
import { describePartition, dropStagingTables, recoverPublications } from './partition.js';
import { applyClickHouseSchema, scheduleCleanup } from './schema.js';
import { clickHouseStatement } from './sql.js';
import { resolveClickHouseServer } from './target.js';
import type { Context } from '../core/config.js';
import { holdNativeWork } from '../core/interrupt.js';
import { withOpened } from '../core/opened.js';
import { makeDirectory } from '../files/layout.js';

/** An open ClickHouse: a server over HTTP or the embedded engine, behind the same client. */
export interface ClickHouseDatabase {
  readonly client: ClickHouseClient;
  /** For messages: 'embedded ClickHouse (data/clickhouse)' or the server URL with the password hidden. */
  readonly target: string;
  /** True for the in-process engine (chDB). */
  readonly embedded: boolean;
  /** Close the client; for the embedded engine this releases its data directory. */
  close(): Promise<void>;
}

/**
 * Open ClickHouse for a command: `ctx.config.clickhouseUrl` when set, otherwise
 * the embedded engine in `<data-dir>/clickhouse`; then create the database and
 * tables if missing. Every failure is one line naming the target.
 */
export async function openClickHouse(ctx: Context): Promise<ClickHouseDatabase> {
  const db =
    ctx.config.clickhouseUrl === undefined ? await openEmbedded(ctx) : await openServer(ctx, ctx.config.clickhouseUrl);
  try {
    await applyClickHouseSchema(db.client);
  } catch (cause) {
    await db.close();
    throw new Error(`cannot create the sales_etl tables in ${db.target}`, { cause });
  }
  if (db.embedded && (openHere.get(ctx.config.layout.clickhouse) ?? 0) === 1) {
    try {
      await recoverEmbedded(ctx, db);
    } catch (cause) {
      await db.close();
      throw new Error(`cannot finish the publication a killed run left in ${db.target}`, { cause });
    }
  }
  return db;
}

/**
 * Open handles of this process on each embedded data directory. Recovery runs
 * on the first: a second one (a reader beside a run in the same process) must
 * not take the run's staging tables for a killed run's.
 */
const openHere = new Map<string, number>();

/**
 * Before anyone reads the embedded engine (this process holds it alone), finish
 * what a killed run left: publications it had begun to swap in are swapped in
 * again whole (see `swapStaged`), and its staging tables are dropped. Then make
 * sure the published tables remove the parts publications replace (`scheduleCleanup`).
 */
async function recoverEmbedded(ctx: Context, db: ClickHouseDatabase): Promise<void> {
  for (const r of await recoverPublications(db.client)) {
    const what = r.partition === 'all' ? 'the catalogue' : describePartition(r.partition);
    if (r.finished)
      ctx.log.warn(`${db.target}: finished publishing ${what} (${r.tables.join(', ')}), which a killed run had begun`);
    else ctx.log.debug(`${db.target}: dropped the leftover ready tables of ${what}`);
  }
  const dropped = await dropStagingTables(db.client);
  if (dropped > 0) ctx.log.debug(`${db.target}: dropped ${dropped} staging table(s) left by a killed run`);
  const altered = await scheduleCleanup(db.client);
  if (altered.length > 0) ctx.log.debug(`${db.target}: ${altered.join(', ')} now clean up replaced parts every second`);
}

/**
 * Run `work` with the given database, or with one opened for it and closed
 * afterwards (stages called on their own open their own; `run-week` shares one).
 */
export async function withClickHouse<T>(
  ctx: Context,
  given: ClickHouseDatabase | undefined,
  work: (db: ClickHouseDatabase) => Promise<T>,
): Promise<T> {
  return withOpened(given, () => openClickHouse(ctx), work);
}

async function openServer(ctx: Context, rawUrl: string): Promise<ClickHouseDatabase> {
  const server = resolveClickHouseServer(rawUrl, {
    user: ctx.config.clickhouseUser,
    password: ctx.config.clickhousePassword,
  });
  const client = createClient({
    url: server.url,
    username: server.username,
    password: server.password,
    application: 'sales-etl',
    log: clientLog(ctx),
  });
  try {
    // A query, not /ping: /ping answers without checking the credentials.
    await client.command({ query: await clickHouseStatement('ping.sql') });
  } catch (cause) {
    await client.close();
    throw new Error(`cannot connect to ${server.target}`, { cause });
  }
  ctx.log.debug(`using ${server.target} as ${server.username}`);
  return { client, target: server.target, embedded: false, close: () => client.close() };
}

/**
 * Fail at once, with the sentence `openClickHouse` would give, when the embedded engine's directory is
 * held by another process (nothing to check for a server): a command can ask before it starts the rest.
 */
export async function checkClickHouseFree(ctx: Context): Promise<void> {
  if (ctx.config.clickhouseUrl !== undefined) return;
  const holder = await embeddedHolder(ctx.config.layout.clickhouse);
  if (holder !== undefined) throw heldBy(ctx, holder);
}

function heldBy(ctx: Context, pid: number, cause?: unknown): Error {
  const shown = path.join(ctx.config.dataDir, 'clickhouse');
  return new Error(`another sales-etl process is using ${shown} (pid ${pid}); wait for it to finish`, { cause });
}

/** The embedded engines being started on a second thread (`warmEmbedded`), by data directory. */
const warming = new Map<string, Promise<EngineWarmer | undefined>>();

/**
 * Start the embedded engine on a second thread now (engine-warmer.ts), for a command that will open it
 * later and has other work for this thread until then; nothing for a server, or a directory another
 * process holds (the open says so then). `coolEmbedded` ends it if the command never opened the engine.
 */
export function warmEmbedded(ctx: Context): void {
  const dir = ctx.config.layout.clickhouse;
  if (ctx.config.clickhouseUrl !== undefined || warming.has(dir)) return;
  const started = (async () => {
    if ((await embeddedHolder(dir)) !== undefined) return undefined;
    await makeDirectory(dir);
    return warmEngine(dir);
  })().catch(() => undefined);
  warming.set(dir, started);
}

/** End the second thread `warmEmbedded` started, once this thread no longer uses the engine. */
export async function coolEmbedded(ctx: Context): Promise<void> {
  const dir = ctx.config.layout.clickhouse;
  const warmer = warming.get(dir);
  if (!warmer || (openHere.get(dir) ?? 0) > 0) return;
  warming.delete(dir);
  await (await warmer)?.release();
}

async function openEmbedded(ctx: Context): Promise<ClickHouseDatabase> {
  const dir = ctx.config.layout.clickhouse;
  const shown = path.join(ctx.config.dataDir, 'clickhouse');
  const target = `embedded ClickHouse (${shown})`;
  await checkClickHouseFree(ctx);
  // chDB writes its files with the process's umask; a private directory keeps them private whatever it is.
  await makeDirectory(dir);
  // chDB is large and slow to load: only the embedded path pays for it.
  const { createChdbConnection } = await import('chdb/connection');
  const { drainPending } = await import('chdb');
  // Started on a second thread: this thread's session opens at once (and not while that one starts).
  const warmer = await warming.get(dir);
  await warmer?.ready;
  let connection: ReturnType<typeof createChdbConnection>;
  try {
    connection = createChdbConnection({ path: dir });
    warmer?.handOver();
  } catch (cause) {
    // Lost a race with another process between the check above and the open.
    const raced = await embeddedHolder(dir);
    if (raced !== undefined) throw heldBy(ctx, raced, cause);
    throw new Error(`cannot open ${target}`, { cause });
  }
  // chDB implements the client's Connection contract against its own copy of
  // @clickhouse/client-common's types; the shapes match, the nominal types do not.
  const client = createClient({
    connection: connection as unknown as NonNullable<Parameters<typeof createClient>[0]>['connection'],
    log: clientLog(ctx),
  });
  ctx.log.debug(`using ${target}`);
  openHere.set(dir, (openHere.get(dir) ?? 0) + 1);
  // A forced exit (a second Ctrl-C) waits for the engine's statement in flight (src/cli-signals.ts).
  const letGo = holdNativeWork(drainPending);
  let closed = false;
  const close = async (): Promise<void> => {
    if (!closed) {
      closed = true;
      letGo();
      const left = (openHere.get(dir) ?? 1) - 1;
      if (left > 0) openHere.set(dir, left);
      else openHere.delete(dir);
    }
    await client.close();
    if (warmer) {
      // The engine's thread ends only once this one's session is gone (engine-warmer.ts).
      await drainPending();
      await coolEmbedded(ctx);
    }
  };
  return { client, target, embedded: true, close };
}

/**
 * The client's own warnings and errors, as debug lines of our log: they are
 * multi-line dumps that would break the one-line-per-failure rule, and every
 * failure they describe also reaches the caller as an error.
 */
function clientLog(ctx: Context) {
  type Params = { message: string; err?: Error };
  const say = ({ message, err }: Params) =>
    ctx.log.debug(`ClickHouse client: ${message}${err ? `: ${err.message}` : ''}`);
  class ForwardingLogger {
    trace(): void {}
    debug(): void {}
    info(): void {}
    warn(params: Params): void {
      say(params);
    }
    error(params: Params): void {
      say(params);
    }
  }
  return { LoggerClass: ForwardingLogger, level: ClickHouseLogLevel.WARN };
}
