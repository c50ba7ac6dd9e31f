import { cpus } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { interruption } from '../core/interrupt.js';
import { Layout } from '../files/layout.js';
import { writeWeekCachingLedger } from './ledger-cache.js';
import { SalesModel } from './sales.js';
import type { GeneratorPlan } from './store-plan.js';
import type { WrittenWeek } from './write-week.js';

/**
 * Generating weeks on a second thread: each week is a pure function of the plan
 * (its own random streams; the buyer ledger is replayed up to it), so the
 * weeks split in two halves give the same bytes as one after another, in half
 * the time on two cores. The worker writes its weeks with its own model and
 * reports each as it is written.
 */

/** What the worker is given. */
interface Job {
  root: string;
  plan: GeneratorPlan;
  horizon: number;
  indices: number[];
  /** The week whose starting ledger to cache (ledger-cache.ts), if it is one of `indices`. */
  cacheLedgerAt: number | undefined;
}

type Message = { kind: 'week'; written: WrittenWeek } | { kind: 'failed'; message: string; stack?: string };

/** The fewest weeks worth a second thread (starting one and its model costs about a week's work). */
const MIN_WEEKS = 8;

/** Whether `weeks` weeks are generated faster on two threads here. */
export function worthASecondThread(weeks: number): boolean {
  return weeks >= MIN_WEEKS && cpus().length >= 2;
}

/**
 * Write the weeks at `indices` on a second thread, calling `onWeek` for each as it is written (in
 * order); resolves when all are. A stop signal ends the thread where it is (its files are written
 * under temporary names until complete, and the next run removes what it left) and rejects with
 * the interruption.
 */
export function writeWeeksOnWorker(job: Job, onWeek: (written: WrittenWeek) => void): Promise<void> {
  const worker = new Worker(new URL(import.meta.url), { workerData: job });
  return new Promise<void>((resolve, reject) => {
    let failed = false;
    const stop = () => {
      failed = true;
      void worker.terminate();
      reject(interruption.reason);
    };
    if (interruption.aborted) return stop();
    interruption.addEventListener('abort', stop, { once: true });
    worker.on('message', (message: Message) => {
      if (message.kind === 'week') onWeek(message.written);
      else {
        failed = true;
        const error = new Error(message.message);
        if (message.stack) error.stack = message.stack;
        reject(error);
      }
    });
    worker.on('error', (error) => {
      failed = true;
      reject(error);
    });
    worker.on('exit', (code) => {
      interruption.removeEventListener('abort', stop);
      if (!failed && code === 0) resolve();
      else if (!failed) reject(new Error(`generate: the second thread exited with code ${code}`));
    });
  });
}

async function work({ root, plan, horizon, indices, cacheLedgerAt }: Job): Promise<void> {
  const model = new SalesModel(plan, horizon);
  const layout = new Layout(root);
  for (const index of indices) {
    // This thread has no log: a ledger it could not cache is simply not cached.
    const written = await writeWeekCachingLedger(model, layout, index, index === cacheLedgerAt, () => undefined);
    parentPort!.postMessage({ kind: 'week', written } satisfies Message);
  }
}

if (!isMainThread && parentPort && (workerData as Job | undefined)?.indices) {
  work(workerData as Job).catch((error: unknown) => {
    const e = error instanceof Error ? error : new Error(String(error));
    // The cause chain does not survive the message; its first line does.
    const cause = e.cause instanceof Error ? `: ${e.cause.message}` : '';
    parentPort!.postMessage({ kind: 'failed', message: `${e.message}${cause}`, stack: e.stack } satisfies Message);
  });
}
