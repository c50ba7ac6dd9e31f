import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI, from dist/test/helpers. */
export const BIN = fileURLToPath(new URL('../../../bin/sales-etl.js', import.meta.url));

/** Variables a test run must not inherit from the developer's shell. */
const CLEARED = [
  'DATABASE_URL',
  'CLICKHOUSE_URL',
  'CLICKHOUSE_USER',
  'CLICKHOUSE_PASSWORD',
  'SALES_ETL_DATA_DIR',
  'TELEGRAM_BOT_TOKEN',
  'TELEGRAM_CHAT_ID',
  'TELEGRAM_API_URL',
  'NOTIFY_WEBHOOK_URL',
];

/** How a CLI run ended. */
export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit, in ms (reported, never asserted as a performance figure). */
  ms: number;
  /** Whether the hang guard had to kill it. */
  timedOut: boolean;
}

/** A CLI run in progress. */
export interface CliRun {
  child: ChildProcess;
  done: Promise<CliExit>;
  /** Resolves with the time (ms since spawn) when stderr first shows `text`, or undefined if the run ended first. */
  waitFor(text: string): Promise<number | undefined>;
}

export interface CliOptions {
  env?: Record<string, string>;
  /** Kill the child (SIGKILL) after this long: a hang guard, not a performance assertion. Default 120 s. */
  timeoutMs?: number;
  cwd?: string;
  /** In a process group of its own (as under a terminal or systemd), so the test can signal the whole group. */
  detached?: boolean;
}

/** Start the built CLI with an environment free of the caller's database and notification settings. */
export function startCli(args: string[], options: CliOptions = {}): CliRun {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const name of CLEARED) delete env[name];
  Object.assign(env, options.env ?? {});
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    env,
    cwd: options.cwd,
    detached: options.detached ?? false,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  const listeners: (() => void)[] = [];
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const l of listeners) l();
  });
  const guard = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 120_000);
  const done = new Promise<CliExit>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started, timedOut });
    });
  });
  const waitFor = (text: string) =>
    new Promise<number | undefined>((resolve) => {
      if (stderr.includes(text)) return resolve(Date.now() - started);
      listeners.push(() => {
        if (stderr.includes(text)) resolve(Date.now() - started);
      });
      void done.then(() => resolve(undefined));
    });
  return { child, done, waitFor };
}

/** Run the built CLI to the end. */
export function cli(args: string[], options: CliOptions = {}): Promise<CliExit> {
  return startCli(args, options).done;
}

/** Assert a run ended by itself with `code`; the message shows its output. */
export function assertExit(run: CliExit, code: number, label = ''): void {
  assert.equal(run.timedOut, false, `${label}: hung (killed after ${run.ms} ms)\n${run.stderr}`);
  assert.equal(
    run.code,
    code,
    `${label}: exit ${run.code ?? run.signal}, expected ${code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`,
  );
}

/**
 * A failed run: `code`, and its error is one `✖` line on stderr (the last),
 * with no stack frame and nothing from node's internals anywhere in its output.
 */
export function assertCleanFailure(run: CliExit, code: number, label = ''): string {
  assertExit(run, code, label);
  const all = run.stdout + run.stderr;
  assert.doesNotMatch(all, /^\s+at .+[(:]\d+/m, `${label}: a stack frame\n${all}`);
  assert.doesNotMatch(all, /node:internal|\.js:\d+:\d+/, `${label}: node internals\n${all}`);
  // commander follows a usage error with a hint line.
  const lines = run.stderr
    .split('\n')
    .filter((l) => l.trim() !== '' && !(code === 2 && l === '(run with --help for usage)'));
  const errors = lines.filter((l) => l.startsWith('✖'));
  assert.equal(errors.length, 1, `${label}: expected one ✖ line\n${run.stderr}`);
  assert.equal(lines.at(-1), errors[0], `${label}: the ✖ line comes last\n${run.stderr}`);
  return errors[0]!;
}

/**
 * A sha256 per file under `dir` (relative paths, sorted), for byte-identity
 * checks; `skip` leaves out top-level entries (databases, lock, logs).
 */
export async function treeHashes(dir: string, skip: string[] = []): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (rel: string) => {
    const entries = await readdir(path.join(dir, rel), { withFileTypes: true });
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (!rel && skip.includes(e.name)) continue;
      if (e.isDirectory()) await walk(child);
      else
        out[child] = createHash('sha256')
          .update(await readFile(path.join(dir, child)))
          .digest('hex');
    }
  };
  await walk('');
  return out;
}

/** Whether a path exists (without following a final symlink). */
export async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** A promise that resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
