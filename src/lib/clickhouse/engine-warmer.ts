import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { holdNativeWork } from '../core/interrupt.js';

/**
 * The embedded engine started on a second thread. Opening chDB's first session
 * starts the process's one engine: it reads the metadata and parts of every
 * table, 0.2 s of this thread's time that run-week would otherwise spend after
 * clean, with nothing else to do. The engine is process-wide and its sessions
 * on the same directory share it, so a session opened here on a second thread,
 * while this one generates and cleans, leaves the main thread's own session
 * (`openEmbedded`) a millisecond to open.
 *
 * The order matters, and is chDB's, not ours: the thread closes its session
 * once the main thread has its own (`handOver`), but the thread itself ends
 * only after the main thread's session is closed too (`release`): a worker
 * whose isolate is torn down while another thread uses the engine crashes the
 * process (measured with chDB 26: a segmentation fault on the next query).
 * And the main thread loads chDB's library first, for the life of the process:
 * a worker that loaded it alone unloads it as it ends, and the process crashes
 * then, or at an exit while the worker still holds its session.
 * A failure here (a directory another process holds) is nobody's: the main
 * thread's open finds it again and says it in its own words.
 */
export interface EngineWarmer {
  /** Settles when the engine has started (true) or could not be (false); never rejects. */
  readonly ready: Promise<boolean>;
  /** The main thread has a session of its own: the thread may close its session. */
  handOver(): void;
  /** The main thread is done with the engine: the thread closes its session (if open) and ends. */
  release(): Promise<void>;
}

type Request = 'hand-over' | 'release';
type Reply = { kind: 'ready' } | { kind: 'failed'; message: string } | { kind: 'closed' };

interface Job {
  warmEngine: string;
}

/** Start the engine on `dir` on a second thread. */
export async function warmEngine(dir: string): Promise<EngineWarmer> {
  await import('chdb');
  const worker = new Worker(new URL(import.meta.url), { workerData: { warmEngine: dir } satisfies Job });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const replies: Array<(reply: Reply | undefined) => void> = [];
  const reply = () => new Promise<Reply | undefined>((resolve) => replies.push(resolve));
  worker.on('message', (r: Reply) => replies.shift()?.(r));
  void exited.then(() => {
    for (const resolve of replies.splice(0)) resolve(undefined);
  });
  worker.once('error', () => undefined);
  const ready = reply().then((r) => r?.kind === 'ready');
  // What the thread is doing inside chDB, if anything: starting the engine, closing its session, ending.
  // A forced exit (a second Ctrl-C) waits for it: a thread torn down in there aborts, and chDB's
  // handler of the abort hangs the process for good (seen in the signal tests). Idle, it may go.
  let inChdb: Promise<unknown> = ready;
  const letGo = holdNativeWork(() => inChdb.then(() => undefined));
  let released: Promise<void> | undefined;
  // Waiting for it keeps the process alive, and so does waiting for it to end; in between, while it
  // waits itself, it never does (a run that ends without `release`, by an exit, takes it down).
  void ready.then(() => released ?? worker.unref());
  return {
    ready,
    handOver: () => {
      inChdb = Promise.all([inChdb, reply()]);
      worker.postMessage('hand-over' satisfies Request);
    },
    release: () => {
      released ??= (async () => {
        worker.ref();
        inChdb = Promise.all([inChdb, exited]);
        worker.postMessage('release' satisfies Request);
        await exited;
        letGo();
      })();
      return released;
    },
  };
}

/** The thread: open a session, say so, close it when handed over (saying so), end when released. */
async function serve(dir: string): Promise<void> {
  const port = parentPort!;
  let session: { close(): void } | undefined;
  try {
    const { Session } = await import('chdb');
    session = new Session(dir);
    port.postMessage({ kind: 'ready' } satisfies Reply);
  } catch (error) {
    port.postMessage({ kind: 'failed', message: String(error) } satisfies Reply);
  }
  port.on('message', (request: Request) => {
    session?.close();
    session = undefined;
    if (request === 'release') port.close();
    else port.postMessage({ kind: 'closed' } satisfies Reply);
  });
}

if (!isMainThread && parentPort && typeof (workerData as Partial<Job> | undefined)?.warmEngine === 'string') {
  void serve((workerData as Job).warmEngine);
}
