import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { processAlive } from '../../core/process-alive.js';
import type { Logger } from '../../ui/logger.js';
import type { PgBinaries } from './binaries.js';
import type { ServerUser } from './server-user.js';

/** Run one of the PostgreSQL programs (as `user` when we are root); a spawn failure is an ordinary error. */
export function launch(
  program: string,
  args: string[],
  user: ServerUser | undefined,
  onLog: (text: string) => void,
): ChildProcess {
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
export function finished(child: ChildProcess, program: string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.on('error', (error) => reject(new Error(`cannot run ${program}: ${error.message}`, { cause: error })));
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(program)} exited with ${signal ?? `code ${code}`}`));
    });
  });
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

const READY = 'database system is ready to accept connections';
const READY_WITHIN_MS = 120_000;

/** A server process just spawned. */
export interface StartingServer {
  readonly child: ChildProcess;
  /** Resolves at its "ready to accept connections" line; rejects when it exits first. */
  readonly ready: Promise<void>;
}

/** Start `postgres` on `dir` and `port`, with `settings` and SERVER_SETTINGS. */
export function spawnPostgres(
  bin: PgBinaries,
  dir: string,
  port: number,
  settings: string[],
  user: ServerUser | undefined,
  onLog: (text: string) => void,
): StartingServer {
  let seen = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const options = [...settings, ...SERVER_SETTINGS].flatMap((s) => ['-c', s]);
  const args = ['-D', dir, '-p', String(port), '-c', 'lc_messages=C', ...options];
  const child = launch(bin.postgres, args, user, (text) => {
    onLog(text);
    // A message may arrive split over two chunks.
    seen = (seen + text).slice(-2 * READY.length);
    if (seen.includes(READY)) markReady();
  });
  const exited = finished(child, bin.postgres).then(() => {
    throw new Error('the server exited before it was ready');
  });
  exited.catch(() => undefined);
  return { child, ready: Promise.race([ready, exited]) };
}

/** Whether a server became ready in time, or why not. */
export type Readiness = { ready: true } | { ready: false; error: unknown };

/** Wait for a starting server's readiness, at most two minutes. */
export function readiness(server: StartingServer): Promise<Readiness> {
  return withTimeout(server.ready, READY_WITHIN_MS, 'no "ready" message within 120s').then(
    () => ({ ready: true }),
    (error: unknown) => ({ ready: false, error }),
  );
}

/** Kill a server that did not become ready (SIGKILL: it holds nothing yet), and wait for it a little. */
export async function killNow(child: ChildProcess): Promise<void> {
  if (child.pid && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await childExit(child, 10_000);
  }
}

/** Fast shutdown (SIGINT), and SIGKILL when the server is still there after 30 seconds. */
export async function stopServer(child: ChildProcess, log: Logger): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  const inTime = await withTimeout(exited, 30_000, 'no exit within 30s').then(
    () => true,
    () => false,
  );
  if (inTime) return;
  log.warn(`embedded PostgreSQL: pid ${child.pid} did not stop within 30s; killing it`);
  child.kill('SIGKILL');
  await exited;
}

/** Wait for a child to end (at most `ms`); true when it has. */
function childExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return withTimeout(new Promise<void>((resolve) => child.once('exit', () => resolve())), ms, 'timeout').then(
    () => true,
    () => false,
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Wait until a process (not our child) is gone; false when it is still there after `ms`. */
export async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!processAlive(pid)) return true;
    await sleep(100);
  }
  return !processAlive(pid);
}

/** Whether `pid` is a postgres server started on `dir` (Linux: /proc; elsewhere: any live process). */
export async function isPostgresOn(pid: number, dir: string): Promise<boolean> {
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
