import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { processAlive } from '../core/process-alive.js';

/**
 * The id of another live process holding the embedded ClickHouse engine's
 * lock on `dir`, or undefined when the directory is free.
 *
 * The engine writes its pid into `<dir>/status` and holds an flock on that
 * file while it runs; the kernel drops the flock when the process dies, even
 * by SIGKILL, so a stale file is harmless. Asking before opening spares the
 * user the engine's own multi-line complaint on stderr. Where /proc/locks
 * exists (Linux) the flock itself is checked, so a recycled pid is not
 * mistaken for a holder; elsewhere a live pid is taken at its word.
 */
export async function embeddedHolder(dir: string): Promise<number | undefined> {
  const status = path.join(dir, 'status');
  let text: string;
  try {
    text = await readFile(status, 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(/^PID:\s*(\d+)/m.exec(text)?.[1]);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || !processAlive(pid)) return undefined;
  const locked = await flockHolders(status);
  if (locked === undefined) return pid;
  return locked.has(pid) ? pid : undefined;
}

/** The pids holding a lock on a file according to /proc/locks, or undefined where that file does not exist. */
async function flockHolders(file: string): Promise<Set<number> | undefined> {
  let locks: string;
  let inode: bigint;
  try {
    [locks, inode] = await Promise.all([
      readFile('/proc/locks', 'utf8'),
      stat(file, { bigint: true }).then((s) => s.ino),
    ]);
  } catch {
    return undefined;
  }
  const holders = new Set<number>();
  // e.g. "1: FLOCK  ADVISORY  WRITE 5590 fe:00:2146555 0 EOF"
  for (const line of locks.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const at = fields.findIndex((f) => /^[0-9a-f]+:[0-9a-f]+:\d+$/i.test(f));
    if (at < 1) continue;
    if (BigInt(fields[at]!.split(':')[2]!) === inode) holders.add(Number(fields[at - 1]));
  }
  return holders;
}
