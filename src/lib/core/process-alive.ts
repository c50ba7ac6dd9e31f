/**
 * Whether a process with this PID exists on this machine. EPERM means it
 * exists but belongs to someone else; only ESRCH says it is gone, so any
 * doubt keeps a lock, a server or a temporary file alive rather than taking it.
 */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
