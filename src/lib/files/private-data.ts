import { chmod, lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Layout } from './layout.js';

/** The permission bits of the group and of other accounts. */
const SHARED_BITS = 0o077;

/**
 * Keep the data directory to the account that runs the tool. From now on this
 * process creates files and directories for that account alone, whatever
 * writes them (chDB too): the umask gains the group and other bits, and keeps
 * any stricter bits it had. What an earlier version left open is closed where
 * it matters: each entry of the data directory that is ours loses its group
 * and other bits, so the files deeper down, whatever their modes, are out of
 * reach. The data directory itself keeps its mode (as root, the embedded
 * server's account may need to pass through it); entries owned by another
 * account (the cluster of a server run as `postgres`) and links are left alone.
 */
export async function keepDataPrivate(layout: Layout): Promise<void> {
  const previous = process.umask(SHARED_BITS);
  if ((previous | SHARED_BITS) !== SHARED_BITS) process.umask(previous | SHARED_BITS);
  let names: string[];
  try {
    names = await readdir(layout.root);
  } catch {
    return; // not made yet: what the tool makes now is private
  }
  const uid = process.getuid?.();
  for (const name of names) {
    const entry = path.join(layout.root, name);
    const info = await lstat(entry).catch(() => undefined);
    if (!info || info.isSymbolicLink() || info.uid !== uid || (info.mode & SHARED_BITS) === 0) continue;
    // Another process may be replacing the entry right now; the next run closes it then.
    await chmod(entry, info.mode & 0o7777 & ~SHARED_BITS).catch(() => undefined);
  }
}
