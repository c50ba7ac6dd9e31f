import { createHash } from 'node:crypto';
import { chown, lstat, readFile, readdir, readlink, realpath, rename, rm, symlink, unlink } from 'node:fs/promises';
import path from 'node:path';
import { makeDirectory, pathExists } from '../../files/layout.js';
import type { Logger } from '../../ui/logger.js';
import { EMBEDDED_SUPERUSER } from './auth.js';
import type { PgBinaries } from './binaries.js';
import { finished, isPostgresOn, launch, waitForExit } from './process.js';
import { mkdirOpen, rootCache } from './root-cache.js';
import { blockedAt, type ServerUser } from './server-user.js';

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
export async function placeCluster(
  dir: string,
  label: string,
  user: ServerUser | undefined,
  log: Logger,
): Promise<string> {
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
  return relocate(dir, label, user, entry !== undefined && !entry.isSymbolicLink(), log);
}

const OUTSIDE = ': it is outside the data directory, so back it up from there (`status` shows where it is)';

/** Put the cluster in the cache and `dir` as a link to it; `moveExisting`: `dir` holds a cluster to move there. */
async function relocate(
  dir: string,
  label: string,
  user: ServerUser,
  moveExisting: boolean,
  log: Logger,
): Promise<string> {
  const id = createHash('sha256')
    .update(await realpath(path.dirname(dir)))
    .digest('hex')
    .slice(0, 16);
  const home = path.join(rootCache(), 'clusters', id);
  const target = path.join(home, 'pg');
  await mkdirOpen(home);
  if (await pathExists(target)) await removeOrphan(target, label, log);
  const why = `user ${user.name}, which runs the server, cannot reach ${label}`;
  if (moveExisting) {
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

/**
 * Where the embedded cluster's files are when `dir` is a link to them (root, a data directory
 * user postgres cannot enter: see placeCluster); undefined when they are in `dir` itself.
 */
export async function relocatedCluster(dir: string): Promise<string | undefined> {
  const entry = await lstat(dir).catch(() => undefined);
  if (!entry?.isSymbolicLink()) return undefined;
  return realpath(dir).catch(() => readlink(dir));
}

/** The pid in a cluster's postmaster.pid; NaN when there is none. */
async function postmasterPid(real: string): Promise<number> {
  const text = await readFile(path.join(real, 'postmaster.pid'), 'utf8').catch(() => '');
  return Number.parseInt(text.split('\n')[0] ?? '', 10);
}

/**
 * A cluster in the cache whose link is gone: its data directory was removed
 * (or a run was killed before linking it). A fresh data directory starts a
 * fresh cluster, so it is removed, unless a server still runs on it.
 */
async function removeOrphan(target: string, label: string, log: Logger): Promise<void> {
  const pid = await postmasterPid(target);
  if (Number.isInteger(pid) && pid > 0 && (await isPostgresOn(pid, target))) {
    throw new Error(
      `embedded PostgreSQL: a server (pid ${pid}) still runs on ${target}, the old cluster of ${label}: stop it first`,
    );
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

/**
 * Make the cluster in `real` ready to start: initialised the first time (a
 * half-initialised directory is moved aside, not deleted), or cleared of what
 * a killed run left behind.
 */
export async function readyCluster(
  real: string,
  label: string,
  bin: PgBinaries,
  user: ServerUser | undefined,
  log: Logger,
  onLog: (text: string) => void,
): Promise<void> {
  if (await pathExists(path.join(real, 'PG_VERSION'))) {
    await recoverLeftover(real, label, log);
    return;
  }
  const leftovers = await readdir(real).catch(() => [] as string[]);
  if (leftovers.length > 0) {
    // initdb refuses a non-empty directory.
    const aside = `${real}.broken-${Date.now()}`;
    log.warn(`embedded PostgreSQL: ${label} is not a complete cluster; moving it to ${path.basename(aside)}`);
    await rename(real, aside);
    await ownedDirectory(real, user);
  }
  log.info(`embedded PostgreSQL: initialising a new cluster in ${label}`);
  await initdb(bin, real, user, onLog);
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
    const shown = Number.isNaN(pid) ? '?' : pid;
    log.warn(`embedded PostgreSQL: removing stale ${label}/postmaster.pid (pid ${shown} is no longer a server on it)`);
  }
  await rm(pidFile, { force: true });
}

async function initdb(
  bin: PgBinaries,
  dir: string,
  user: ServerUser | undefined,
  onLog: (text: string) => void,
): Promise<void> {
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
