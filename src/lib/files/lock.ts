import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import type { Context } from '../core/config.js';
import { LockedError } from '../core/errors.js';
import { holdResource } from '../core/interrupt.js';
import { processAlive } from '../core/process-alive.js';
import { PRIVATE_FILE_MODE, prepareDataDir, type Layout } from './layout.js';
import type { Logger } from '../ui/logger.js';

/** What the lock file of a data directory says about its holder. */
export interface LockInfo {
  pid: number;
  hostname: string;
  /** ISO date-time the holder started. */
  startedAt: string;
  /** The subcommand that holds it, e.g. `run-week`. */
  command: string;
}

/** A held lock; `release` is safe to call more than once. */
export interface Lock {
  readonly file: string;
  readonly info: LockInfo;
  release(): Promise<void>;
}

/** The holder as a reader sees it: `pid 123 on host (run-week, started 2024-05-20T09:45:00.000Z)`. */
export function describeHolder(info: LockInfo): string {
  return `pid ${info.pid} on ${info.hostname} (${info.command}, started ${info.startedAt})`;
}

async function readLock(file: string): Promise<{ text: string; info: LockInfo | undefined } | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read the lock file ${file}`, { cause: error });
  }
  try {
    const info = JSON.parse(text) as LockInfo;
    return { text, info: typeof info.pid === 'number' ? info : undefined };
  } catch {
    return { text, info: undefined };
  }
}

/**
 * Take the data directory's lock for one run, or throw LockedError naming the
 * holder. The file is written whole under a temporary name and hard-linked into
 * place, so it is created exclusively (like open 'wx') and a reader never sees
 * it half-written. A lock whose process is gone (same host, kill(pid, 0) →
 * ESRCH) is taken over with a log line.
 */
export async function acquireLock(layout: Layout, command: string, log: Logger): Promise<Lock> {
  const file = layout.lock;
  await prepareDataDir(layout);
  const info: LockInfo = { pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString(), command };
  const text = `${JSON.stringify(info)}\n`;
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, text, { flag: 'wx', mode: PRIVATE_FILE_MODE });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await link(temp, file);
        return holdLock(file, text, info);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new Error(`cannot create the lock file ${file}`, { cause: error });
        }
      }
      const held = await readLock(file);
      if (!held) continue; // released between our link and our read: try again
      if (held.info === undefined) {
        throw new LockedError(
          `${layout.root} is locked by ${file}, which is not a lock this tool wrote; remove it if no run is going on`,
        );
      }
      if (held.info.hostname !== os.hostname() || processAlive(held.info.pid)) {
        throw new LockedError(`another run holds ${layout.root}: ${describeHolder(held.info)}; lock file ${file}`);
      }
      await takeOver(file, held.text);
      log.warn(`took over the lock of a run that is gone: ${describeHolder(held.info)}`);
    }
    throw new LockedError(`could not take the lock ${file}: other processes keep taking it`);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/**
 * Remove a stale lock without removing a fresh one another process took in the
 * meantime: move it aside, and put it back if it is not the one we judged stale.
 */
async function takeOver(file: string, staleText: string): Promise<void> {
  const aside = `${file}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await rename(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = await readFile(aside, 'utf8').catch(() => staleText);
  if (moved !== staleText) await link(aside, file).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

function holdLock(file: string, text: string, info: LockInfo): Lock {
  /** The release has begun (`release`), or the file is gone for good (`releaseSync`). */
  let released = false;
  let gone = false;
  // A process that ends without releasing (a second Ctrl-C, process.exit), or while `release` is still
  // on its way, removes the file synchronously, if it is still ours; a signal to a library caller that
  // does not handle signals releases it too (src/lib/core/interrupt.ts).
  const releaseSync = () => {
    if (gone) return;
    gone = true;
    try {
      if (readFileSync(file, 'utf8') === text) unlinkSync(file);
    } catch {
      // already gone
    }
  };
  const lock: Lock = {
    file,
    info,
    async release() {
      if (released) return;
      released = true;
      try {
        // Only remove the file if it is still ours.
        const current = await readLock(file).catch(() => undefined);
        if (current?.text === text && !gone) await unlink(file).catch(() => undefined);
        gone = true;
      } finally {
        // Held until the file is gone: an exit in the meantime (a second Ctrl-C) removes it itself.
        unhold();
      }
    },
  };
  const unhold = holdResource({ stop: () => lock.release(), stopSync: releaseSync });
  return lock;
}

/** Run `work` holding the data directory's lock; released however `work` ends. */
export async function withLock<T>(ctx: Context, command: string, work: () => Promise<T>): Promise<T> {
  const lock = await acquireLock(ctx.config.layout, command, ctx.log);
  try {
    return await work();
  } finally {
    await lock.release();
  }
}
