import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../../ui/logger.js';

const run = promisify(execFile);

/** The user the server runs as when we are root (supplementary groups are dropped on spawn). */
export interface ServerUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
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
    const reason =
      (failure as { stderr?: string } | undefined)?.stderr?.trim() || (failure instanceof Error ? failure.message : '');
    const message = `embedded PostgreSQL: cannot create the system user ${name} to run the server as`;
    throw new Error(`${message}${reason ? `: ${reason}` : ''}`, { cause: failure });
  }
  log.info(
    `embedded PostgreSQL: created the system user ${name} (uid ${created.uid}); PostgreSQL does not run as root`,
  );
  return created;
}

/** Whether a file's permission bits give `user` the access `bit` (0o1 execute/enter, 0o4 read). */
export function permits(mode: number, owner: number, group: number, user: ServerUser, bit: number): boolean {
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
    if (info && !permits(info.mode, info.uid, info.gid, user, 0o1)) return current;
    if (path.dirname(current) === current) return undefined;
  }
}
