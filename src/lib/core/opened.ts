/** Something opened for a while: a database connection, a server. */
export interface Closable {
  close(): Promise<void>;
}

/**
 * Run `work` on the given resource, or on one opened for it and closed afterwards, whatever happens: a stage
 * called on its own opens its own database; `run-week` and `backfill` hand theirs in and close it themselves.
 */
export async function withOpened<D extends Closable, T>(
  given: D | undefined,
  open: () => Promise<D>,
  work: (resource: D) => Promise<T>,
): Promise<T> {
  if (given) return work(given);
  const opened = await open();
  try {
    return await work(opened);
  } finally {
    await opened.close();
  }
}
