import os from 'node:os';

/**
 * The process's one owner of SIGINT, SIGTERM and SIGHUP (SPEC 8, Stopping).
 *
 * The first signal aborts `interruption`: no stage starts after it, a
 * PostgreSQL transaction still open rolls back instead of committing, and a
 * ClickHouse week not yet swapped in is dropped; everything then unwinds
 * through the ordinary failure paths (`finally` closes the databases, stops
 * the embedded server, releases the lock, removes temporary files). Under the
 * CLI (`handleSignals`) the top level then reports the interruption and
 * decides the exit code; a second signal calls its `onForce`, which exits at
 * once, or once the native work in flight has ended (`holdNativeWork`).
 * Without an owner (a library caller, a test) a signal stops the held
 * resources and is raised again, so the process still dies of it.
 *
 * Resources that must not outlive the process (the lock, the embedded
 * PostgreSQL, which runs in a process group of its own so that a signal sent
 * to ours does not reach it) register here with `holdResource`: their
 * synchronous `stopSync` also runs at exit, whatever the way out.
 */

/** The signals that stop a run: a terminal's Ctrl-C, `kill`, `systemctl stop`, a closed terminal. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** 128 + the signal's number: 130 SIGINT, 143 SIGTERM, 129 SIGHUP. */
export function signalExitCode(signal: StopSignal): number {
  return 128 + os.constants.signals[signal];
}

/** The run was stopped by a signal; it exits 128 + the signal's number. */
export class InterruptedError extends Error {
  override name = 'InterruptedError';
  readonly exitCode: number;
  constructor(
    readonly signal: StopSignal,
    /** What was in flight when the signal came, e.g. `load-pg of 2026-W41`. */
    readonly during: string,
  ) {
    super(`interrupted by ${signal} during ${during}; run it again to finish`);
    this.exitCode = signalExitCode(signal);
  }
}

/** Something that must not outlive the process: stopped on a signal without an owner, and at exit. */
export interface Resource {
  /** Stop it properly (a signal without an owner waits for this). */
  stop(): Promise<void>;
  /** Last resort at exit: synchronous, best effort. */
  stopSync(): void;
}

/** The CLI's part: what the work is called, and how a second signal ends the process. */
export interface SignalOwner {
  /** Named in the message when no stage is in flight, e.g. `backfill`. */
  command: string;
  /** A second signal while shutting down: exit now. */
  onForce(signal: StopSignal, first: InterruptedError): void;
}

const controller = new AbortController();

/** Aborted at the first stop signal, its reason the InterruptedError. */
export const interruption: AbortSignal = controller.signal;

let owner: SignalOwner | undefined;
const resources = new Set<Resource>();
/** What is in flight, in the order it began. */
const activities = new Map<symbol, string>();
let listening = false;
/** One listener per signal, so that each knows its own name. */
const handlers = Object.fromEntries(STOP_SIGNALS.map((s) => [s, () => onSignal(s)])) as Record<StopSignal, () => void>;

/** The interruption, if a signal has come. */
export function interrupted(): InterruptedError | undefined {
  return interruption.aborted ? (interruption.reason as InterruptedError) : undefined;
}

/** Throw the interruption if a signal has come: the place where work in progress gives way. */
export function throwIfInterrupted(): void {
  const stop = interrupted();
  if (stop) throw stop;
}

/**
 * Run `work`, named `what` (e.g. `load-pg of 2024-W20`) in the message a
 * signal prints while it runs. It does not start after a signal.
 */
export async function during<T>(what: string, work: () => Promise<T>): Promise<T> {
  throwIfInterrupted();
  const key = Symbol(what);
  activities.set(key, what);
  try {
    return await work();
  } finally {
    activities.delete(key);
  }
}

/**
 * Native work that must end before the process exits: the embedded ClickHouse runs a statement on a
 * thread of its own to the end, and an exit while one runs crashes the process (SIGSEGV) instead of
 * exiting with the signal's code. Registered by whoever started such work, until the returned
 * function is called.
 */
const nativeWork = new Set<() => Promise<void>>();

export function holdNativeWork(finished: () => Promise<void>): () => void {
  nativeWork.add(finished);
  return () => nativeWork.delete(finished);
}

/** Resolves once the native work in flight has ended, or after `limitMs` whatever it does. */
export function nativeWorkEnded(limitMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, limitMs);
  });
  const ended = Promise.all([...nativeWork].map((f) => f().catch(() => undefined))).then(() => undefined);
  return Promise.race([ended, limit]).finally(() => clearTimeout(timer));
}

/** Take charge of the stop signals for the CLI (called again, it only renames the command). */
export function handleSignals(next: SignalOwner): void {
  owner = next;
  listen();
}

/** Register a resource until the returned function is called. */
export function holdResource(resource: Resource): () => void {
  resources.add(resource);
  listen();
  return () => {
    resources.delete(resource);
    listen();
  };
}

function onSignal(stop: StopSignal): void {
  const first = interrupted();
  if (!first) {
    const what = [...new Set(activities.values())].join(', ') || owner?.command || 'the run';
    controller.abort(new InterruptedError(stop, what));
    if (!owner) void stopAll().finally(() => raise(stop));
  } else if (owner) {
    owner.onForce(stop, first);
  } else {
    raise(stop);
  }
}

/** Without an owner: stop what is held, then die of the signal as if nobody had listened. */
async function stopAll(): Promise<void> {
  await Promise.all([...resources].map((r) => r.stop().catch(() => undefined)));
}

function raise(signal: StopSignal): void {
  unlisten();
  process.kill(process.pid, signal);
}

function onExit(): void {
  for (const r of resources) {
    try {
      r.stopSync();
    } catch {
      // best effort: the process is going anyway
    }
  }
}

/** Listen while there is an owner or a resource; a library caller with neither keeps the default behaviour. */
function listen(): void {
  const wanted = owner !== undefined || resources.size > 0;
  if (wanted && !listening) {
    for (const s of STOP_SIGNALS) process.on(s, handlers[s]);
    process.on('exit', onExit);
    listening = true;
  } else if (!wanted && listening) {
    unlisten();
  }
}

function unlisten(): void {
  for (const s of STOP_SIGNALS) process.removeListener(s, handlers[s]);
  process.removeListener('exit', onExit);
  listening = false;
}
