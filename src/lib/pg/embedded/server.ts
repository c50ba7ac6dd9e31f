import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { access, chown, lstat, readFile, readdir, readlink, realpath, rename, rm, symlink, unlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  accessSettings,
  admitPipeline,
  EMBEDDED_SUPERUSER,
  embeddedUrl,
  prepareAccess,
  type ClusterAccess,
} from './auth.js';
import { holdResource } from '../../core/interrupt.js';
import { makeDirectory, PRIVATE_FILE_MODE } from '../../files/layout.js';
import type { Logger } from '../../ui/logger.js';
import { blockedAt, mkdirOpen, rootCache, serverBinaries, serverUser, type PgBinaries, type ServerUser } from './binaries.js';
import { processAlive } from '../../core/process-alive.js';

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
  /** The pipeline role's URL on 127.0.0.1; it carries the cluster's secret, so it is never printed. */
  readonly url: string;
  readonly dir: string;
  /** The directory of the server's Unix socket (the superuser's only way in). */
  readonly socketDir: string;
  /** Stop the server (fast shutdown); safe to call twice. */
  stop(): Promise<void>;
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


const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Wait until a process is gone; false when it is still there after `ms`. */
async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!processAlive(pid)) return true;
    await sleep(100);
  }
  return !processAlive(pid);
}

/** Whether `pid` is a postgres server started on `dir` (Linux: /proc; elsewhere: any live process). */
async function isPostgresOn(pid: number, dir: string): Promise<boolean> {
  if (!processAlive(pid)) return false;
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

/** Make `dir` (if missing) a directory the server's user owns. */
async function ownedDirectory(dir: string, user: ServerUser | undefined): Promise<void> {
  await makeDirectory(dir);
  if (user) await chown(dir, user.uid, user.gid);
}

/**
 * Where the cluster's files really are. Usually `dir` itself; but when we
 * are root and the server's user cannot reach `dir` (a data directory under
 * /root, mode 700), the cluster lives in the cache and `dir` is a symlink to
 * it, so everything that looks at `dir` (postmaster.pid, status) still works.
 */
async function placeCluster(dir: string, label: string, user: ServerUser | undefined, log: Logger): Promise<string> {
  const dataDir = path.dirname(dir);
  await makeDirectory(dataDir);
  if (!user) {
    await ownedDirectory(dir, user);
    return realpath(dir);
  }
  const entry = await lstat(dir).catch(() => undefined);
  if (entry?.isSymbolicLink()) {
    const target = await realpath(dir).catch(() => undefined);
    if (target) return checkReachable(target, label, user);
    log.warn(`embedded PostgreSQL: ${label} links to a cluster that is gone; making a new one`);
    await unlink(dir);
  } else if (entry) {
    const real = await realpath(dir);
    if (!(await blockedAt(real, user))) {
      await ownedDirectory(real, user);
      return real;
    }
  } else if (!(await blockedAt(path.join(await realpath(dataDir), 'pg'), user))) {
    await ownedDirectory(dir, user);
    return realpath(dir);
  }

  const id = createHash('sha256').update(await realpath(dataDir)).digest('hex').slice(0, 16);
  const home = path.join(rootCache(), 'clusters', id);
  const target = path.join(home, 'pg');
  await mkdirOpen(home);
  if (await exists(target)) await removeOrphan(target, label, log);
  const why = `user ${user.name}, which runs the server, cannot reach ${label}`;
  if (entry && !entry.isSymbolicLink()) {
    // An existing cluster out of reach (made before, or by another user): move it, it is the user's data.
    try {
      await rename(dir, target);
    } catch (error) {
      throw new Error(
        `embedded PostgreSQL: ${why} and it cannot be moved to ${target}: ` +
          `run \`chmod o+x\` on the directories above it, choose another --data-dir, or give --pg-url`,
        { cause: error },
      );
    }
    log.warn(`embedded PostgreSQL: ${why}; moved the cluster to ${target} (${label} now links to it)${OUTSIDE}`);
  } else {
    log.warn(`embedded PostgreSQL: ${why}; keeping the cluster in ${target} (${label} links to it)${OUTSIDE}`);
  }
  await ownedDirectory(target, user);
  try {
    await symlink(target, dir, 'dir');
  } catch (error) {
    // Another process made the link first.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return checkReachable(await realpath(dir), label, user);
  }
  return checkReachable(target, label, user);
}

const OUTSIDE = ': it is outside the data directory, so back it up from there (`status` shows where it is)';

/**
 * Where the embedded cluster's files are when `dir` is a link to them (root, a data directory
 * user postgres cannot enter: see placeCluster); undefined when they are in `dir` itself.
 */
export async function relocatedCluster(dir: string): Promise<string | undefined> {
  const entry = await lstat(dir).catch(() => undefined);
  if (!entry?.isSymbolicLink()) return undefined;
  return realpath(dir).catch(() => readlink(dir));
}

/**
 * A cluster in the cache whose link is gone: its data directory was removed
 * (or a run was killed before linking it). A fresh data directory starts a
 * fresh cluster, so it is removed, unless a server still runs on it.
 */
async function removeOrphan(target: string, label: string, log: Logger): Promise<void> {
  const pid = Number.parseInt((await readFile(path.join(target, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0] ?? '', 10);
  if (Number.isInteger(pid) && pid > 0 && (await isPostgresOn(pid, target))) {
    throw new Error(`embedded PostgreSQL: a server (pid ${pid}) still runs on ${target}, the old cluster of ${label}: stop it first`);
  }
  log.warn(`embedded PostgreSQL: removing ${target}, the cluster of an earlier ${label} that no longer links to it`);
  await rm(target, { recursive: true, force: true });
}

/** A cluster directory the server's user cannot reach is one line with a way out. */
async function checkReachable(real: string, label: string, user: ServerUser): Promise<string> {
  const blocked = await blockedAt(real, user);
  if (blocked) {
    throw new Error(
      `embedded PostgreSQL runs as user ${user.name}, which cannot enter ${blocked} (needed for ${label}): ` +
        `run \`chmod o+x ${blocked}\`, choose another --data-dir, or give --pg-url`,
    );
  }
  return real;
}

/** Run one of the PostgreSQL programs (as `user` when we are root); a spawn failure is an ordinary error. */
function launch(program: string, args: string[], user: ServerUser | undefined, onLog: (text: string) => void): ChildProcess {
  const child = spawn(program, args, {
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
    // Messages in English whatever the machine's locale: readiness is detected by its message.
    env: { ...process.env, LC_MESSAGES: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // A process group of its own: a signal to ours (Ctrl-C, `systemctl stop`) must not stop the server
    // under a stage in flight; we stop it ourselves once the stage has rolled back (src/lib/core/interrupt.ts).
    detached: true,
  });
  child.stdout?.on('data', (chunk: Buffer) => onLog(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => onLog(chunk.toString('utf8')));
  return child;
}

/** Resolves when `child` exits with code 0; rejects on a spawn error or any other exit. */
function finished(child: ChildProcess, program: string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.on('error', (error) => reject(new Error(`cannot run ${program}: ${error.message}`, { cause: error })));
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(program)} exited with ${signal ?? `code ${code}`}`));
    });
  });
}

async function initdb(bin: PgBinaries, dir: string, user: ServerUser | undefined, onLog: (text: string) => void): Promise<void> {
  const child = launch(
    bin.initdb,
    [
      `--pgdata=${dir}`,
      // No password: the superuser only comes in on the private socket, and pg_hba.conf is rewritten before each start.
      '--auth-local=peer',
      '--auth-host=reject',
      `--username=${EMBEDDED_SUPERUSER}`,
      // UTF8 whatever the machine's locale (customer names are Cyrillic); C collation is fast and stable.
      '--encoding=UTF8',
      '--locale=C',
      '--lc-messages=C',
    ],
    user,
    onLog,
  );
  await finished(child, bin.initdb);
}

const READY = 'database system is ready to accept connections';

/** Start the server; `ready` resolves at its "ready to accept connections" line. */
function startServer(
  bin: PgBinaries,
  dir: string,
  port: number,
  settings: string[],
  user: ServerUser | undefined,
  onLog: (text: string) => void,
) {
  let seen = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const child = launch(
    bin.postgres,
    [
      '-D',
      dir,
      '-p',
      String(port),
      '-c',
      'lc_messages=C',
      ...[...settings, ...SERVER_SETTINGS].flatMap((s) => ['-c', s]),
    ],
    user,
    (text) => {
      onLog(text);
      // A message may arrive split over two chunks.
      seen = (seen + text).slice(-2 * READY.length);
      if (seen.includes(READY)) markReady();
    },
  );
  const exited = finished(child, bin.postgres).then(() => {
    throw new Error('the server exited before it was ready');
  });
  exited.catch(() => undefined);
  return { child, ready: Promise.race([ready, exited]) };
}

/** Wait for a child to end (at most `ms`); true when it has. */
function childExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return withTimeout(new Promise<void>((resolve) => child.once('exit', () => resolve())), ms, 'timeout').then(
    () => true,
    () => false,
  );
}

/**
 * Start the embedded cluster in `dir` (initialising it the first time) on a
 * free loopback port. The server is held as a resource of src/lib/core/interrupt.ts
 * until `stop()`: it is stopped however the process ends.
 */
export async function startEmbeddedPg(options: EmbeddedPgOptions): Promise<EmbeddedPg> {
  const dir = path.resolve(options.dir);
  const label = options.label ?? dir;
  const { log } = options;
  // PostgreSQL refuses to run as root: then it runs as the `postgres` system user.
  const user = process.getuid?.() === 0 ? await serverUser(log) : undefined;
  const bin = await serverBinaries(user, log);
  const real = await placeCluster(dir, label, user, log);

  await makeDirectory(path.dirname(options.logFile));
  const serverLog: WriteStream = createWriteStream(options.logFile, { flags: 'a', mode: PRIVATE_FILE_MODE });
  serverLog.on('error', (error) => log.debug(`embedded PostgreSQL: cannot write ${options.logFile}: ${error.message}`));
  const recent: string[] = [];
  const onLog = (text: string) => {
    if (!serverLog.writableEnded) serverLog.write(text.endsWith('\n') ? text : `${text}\n`);
    for (const line of text.split('\n')) if (line.trim()) recent.push(line.trim());
    recent.splice(0, Math.max(0, recent.length - 20));
  };
  const closeLog = () => new Promise<void>((resolve) => serverLog.end(resolve));

  let access: ClusterAccess;
  try {
    if (!(await exists(path.join(real, 'PG_VERSION')))) {
      const leftovers = await readdir(real).catch(() => [] as string[]);
      if (leftovers.length > 0) {
        // initdb refuses a non-empty directory; a half-initialised one is kept aside, not deleted.
        const aside = `${real}.broken-${Date.now()}`;
        log.warn(`embedded PostgreSQL: ${label} is not a complete cluster; moving it to ${path.basename(aside)}`);
        await rename(real, aside);
        await ownedDirectory(real, user);
      }
      log.info(`embedded PostgreSQL: initialising a new cluster in ${label}`);
      await initdb(bin, real, user, onLog);
    } else {
      await recoverLeftover(real, label, log);
    }
    access = await prepareAccess(real, user);
  } catch (error) {
    await closeLog();
    const reason = error instanceof Error ? `: ${error.message}` : '';
    throw new Error(`embedded PostgreSQL: cannot initialise ${label}${reason} (see ${options.logFile})`, { cause: error });
  }

  let port = await freePort();
  let proc: ChildProcess;
  // A server still starting is ours to stop too, if the process ends before it is handed over.
  let starting: ChildProcess | undefined;
  const unholdStarting = holdResource({
    stop: async () => void starting?.kill('SIGINT'),
    stopSync: () => void starting?.kill('SIGINT'),
  });
  // The free port may be taken by someone else before the server binds it: try another one.
  for (let attempt = 1; ; attempt++) {
    const server = startServer(bin, real, port, accessSettings(access), user, onLog);
    proc = server.child;
    starting = proc;
    try {
      await withTimeout(server.ready, 120_000, 'no "ready" message within 120s');
      break;
    } catch (error) {
      if (proc.pid && proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGKILL');
        await childExit(proc, 10_000);
      }
      if (attempt < 3 && recent.some((l) => /could not bind|Address already in use/i.test(l))) {
        log.debug(`embedded PostgreSQL: port ${port} was taken; trying another`);
        recent.length = 0;
        port = await freePort();
        continue;
      }
      unholdStarting();
      await closeLog();
      const reason = recent.filter((l) => /FATAL|ERROR|PANIC/.test(l)).at(-1) ?? (error instanceof Error ? error.message : '');
      throw new Error(`embedded PostgreSQL in ${label} did not start${reason ? `: ${reason}` : ''} (see ${options.logFile})`, {
        cause: error,
      });
    }
  }
  const pid = proc.pid;
  log.debug(`embedded PostgreSQL: started in ${label} on 127.0.0.1:${port} (pid ${pid})`);

  unholdStarting();
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      unhold();
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
  // A process that exits without stopping us (a second Ctrl-C, process.exit) must not leave the server
  // behind: fast shutdown, which the server, in its own process group, finishes after we are gone.
  const unhold = holdResource({
    stop,
    stopSync: () => {
      if (proc && proc.exitCode === null) proc.kill('SIGINT');
    },
  });

  let secret: string;
  try {
    secret = await admitPipeline(real, access, port);
  } catch (error) {
    await stop();
    const message = `embedded PostgreSQL in ${label} did not let the pipeline in (see ${options.logFile})`;
    throw new Error(message, { cause: error });
  }
  return { port, dir, socketDir: access.socketDir, url: embeddedUrl(port, secret), stop };
}

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
