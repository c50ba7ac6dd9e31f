import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile, realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { STAGES } from '../../src/commands/run-week.js';
import { signalExitCode, type StopSignal } from '../../src/lib/core/interrupt.js';
import { databaseChecksums } from '../helpers/checksums.js';
import {
  assertCleanFailure,
  assertExit,
  exists,
  sleep,
  startCli,
  treeHashes,
  type CliExit,
  type CliRun,
} from '../helpers/faults-cli.js';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { tempDataDir } from '../helpers/pg.js';

// SPEC 8, Stopping: SIGINT, SIGTERM or SIGHUP, to the process or to its whole group (a terminal's
// Ctrl-C, `systemctl stop`), at any moment of a backfill or a run-week. Each stopped run must exit
// 128 + n with one ✖ line and no stack, leave no server, lock, postmaster.pid or temporary file, and
// tell the webhook (week, stage, signal); the next run must end with the files and rows of a clean run.

const WEEKS = ['2024-W01', '2024-W02', '2024-W03'];
const PLAN = ['--start-week', WEEKS[0]!, '--weeks', String(WEEKS.length), '--total', '6000'];
/** Everything but the databases' own directories, the lock, logs, and the plan (it records when it was made). */
const FILES_SKIP = ['pg', 'clickhouse', '.lock', 'logs', 'pg.log', 'reports', 'store.json'];
/** Signal points, as fractions of the previous run's time from spawn to exit. */
const FRACTIONS = [0.05, 0.12, 0.22, 0.32, 0.42, 0.52, 0.62, 0.72, 0.82, 0.92];

interface Shot {
  signal: StopSignal;
  /** To the whole process group (the node process and anything in its group), not the process alone. */
  group: boolean;
  /** Run with --json, whose summary must say what stopped. */
  json?: boolean;
}
/** Each signal to the process and to its group, in turn. */
const SHOTS: Shot[] = [
  { signal: 'SIGINT', group: false },
  { signal: 'SIGTERM', group: true },
  { signal: 'SIGTERM', group: false },
  { signal: 'SIGINT', group: true },
];
const shown = (s: Shot) => `${s.signal} to the ${s.group ? 'group' : 'process'}`;

let sink: HttpSink;
const dirs: string[] = [];
before(async () => {
  sink = await startHttpSink();
});
after(async () => {
  await sink.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function newDir(name: string): Promise<string> {
  const dir = await tempDataDir(`sales-etl-signals-${name}-`);
  dirs.push(dir);
  return dir;
}

function send(run: CliRun, shot: Shot): void {
  try {
    if (shot.group) process.kill(-run.child.pid!, shot.signal);
    else run.child.kill(shot.signal);
  } catch {
    // already gone: the run finished first
  }
}

/** The pids of postgres servers running on `<dir>/pg` (Linux /proc). */
async function serversOn(dir: string): Promise<number[]> {
  const pgDir = await realpath(path.join(dir, 'pg')).catch(() => path.join(dir, 'pg'));
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    const d = cmdline.indexOf('-D');
    const postgres = path.basename(cmdline[0] ?? '').startsWith('postgres');
    if (postgres && d >= 0 && path.resolve(cmdline[d + 1] ?? '') === pgDir) {
      pids.push(Number(entry));
    }
  }
  return pids;
}

/** Files under a temporary name (layout.ts `tempName`, the lock's) anywhere outside the databases' own directories. */
async function tempFiles(dir: string, rel = ''): Promise<string[]> {
  const found: string[] = [];
  for (const e of await readdir(path.join(dir, rel), { withFileTypes: true }).catch(() => [])) {
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (!rel && (e.name === 'pg' || e.name === 'clickhouse')) continue;
    if (e.isDirectory()) found.push(...(await tempFiles(dir, child)));
    else if (/\.\d+\.[0-9a-f]{8}\.tmp$/.test(e.name)) found.push(child);
  }
  return found;
}

/** Nothing left behind: no lock, no server, no postmaster.pid, no temporary file. */
async function assertNothingLeft(dir: string, label: string): Promise<void> {
  assert.equal(await exists(path.join(dir, '.lock')), false, `${label}: the lock is released`);
  assert.deepEqual(await serversOn(dir), [], `${label}: no server left on the cluster`);
  assert.equal(await exists(path.join(dir, 'pg', 'postmaster.pid')), false, `${label}: no postmaster.pid`);
  assert.deepEqual(await tempFiles(dir), [], `${label}: no temporary file`);
}

/**
 * A run that died of the signal itself, which only node's own start-up (before any of our code runs:
 * no output) and its teardown after the result (the whole summary printed) leave to the default action.
 * In the teardown, the only complaint may be that an earlier signal came as the work was ending: two
 * signals a few ms apart at the very end, the second after node has closed its signal handles.
 */
function diedOf(exit: CliExit, signal: StopSignal): 'unstarted' | 'exiting' | undefined {
  if (exit.signal !== signal || exit.timedOut) return undefined;
  if (exit.stdout + exit.stderr === '') return 'unstarted';
  const done = /^(run-week \S+ ok in|backfill: \d+ weeks? in .* 0 failed$|\{"ok":true,)/m.test(exit.stdout);
  const complaints = exit.stderr.split('\n').filter((line) => line.includes('✖'));
  return done && complaints.every((line) => endingLine(signal).test(line)) ? 'exiting' : undefined;
}

/** The one line of a run whose work was done when `signal` came. */
function endingLine(signal: StopSignal): RegExp {
  return new RegExp(`^✖ ${signal} came as .+ was ending; its work was done$`);
}

/**
 * Check how a signalled run ended. 'stopped': exit 128 + n, one line naming what was interrupted, the
 * webhook told. 'ending': the signal came as the work was done (it says so, and exits 128 + n all the
 * same). 'finished': it had exited before the signal. 'unstarted', 'exiting': see `diedOf`.
 */
async function checkStopped(
  dir: string,
  exit: CliExit,
  shot: Shot,
  label: string,
): Promise<'stopped' | 'ending' | 'finished' | 'unstarted' | 'exiting'> {
  if (exit.code === 0) {
    assertExit(exit, 0, label);
    return 'finished';
  }
  const dead = diedOf(exit, shot.signal);
  if (dead) {
    await assertNothingLeft(dir, label);
    return dead;
  }
  const line = assertCleanFailure(exit, signalExitCode(shot.signal), label);
  // The one line is the only complaint: no step logs itself as failed.
  assert.doesNotMatch(exit.stderr, /^\S+ \S+ error /m, `${label}: an error line besides the ✖ one`);
  await assertNothingLeft(dir, label);
  if (endingLine(shot.signal).test(line)) return 'ending';
  assert.match(line, new RegExp(`^✖ interrupted by ${shot.signal} during .+; run it again to finish$`), label);
  assert.equal(sink.received.length, 1, `${label}: one notification\n${exit.stderr}`);
  const note = sink.received[0]!.json as { week: unknown; stage: string; signal: string; error: string };
  assert.equal(note.signal, shot.signal, label);
  const weeks = Array.isArray(note.week) ? (note.week as string[]) : [];
  assert.ok(weeks.length === 1 && WEEKS.includes(weeks[0]!), `${label}: week ${JSON.stringify(note.week)}`);
  assert.ok((STAGES as readonly string[]).includes(note.stage), `${label}: stage ${note.stage}`);
  assert.equal(`✖ ${note.error}`, line, `${label}: the notification says what the line says`);
  if (shot.json) {
    const summary = JSON.parse(exit.stdout) as Record<string, unknown>;
    assert.equal(summary.ok, false, label);
    assert.equal(summary.exitCode, signalExitCode(shot.signal), label);
    assert.equal(`✖ ${String(summary.error)}`, line, label);
    assert.equal(summary.notified, true, `${label}: --json says the notification went out`);
  }
  return 'stopped';
}

/**
 * A command interrupted at every fraction of the previous run's time, each shot in turn, each time
 * followed by a plain run that must end with `reference`'s files and rows.
 */
async function trials(
  dir: string,
  args: string[],
  weeks: string[],
  reference: { files: Record<string, string>; rows: Record<string, string>; ms: number },
  shots: Shot[],
  fractions: number[] = FRACTIONS,
): Promise<string[]> {
  const env = { NOTIFY_WEBHOOK_URL: `${sink.url}/hook` };
  const outcomes: string[] = [];
  let span = reference.ms;
  for (const [i, shot] of shots.entries()) {
    const fraction = fractions[i % fractions.length]!;
    const label = `${args.join(' ')}: ${shown(shot)} at ${fraction}`;
    sink.received.length = 0;
    const json = shot.json ? ['--json'] : [];
    const run = startCli(['--data-dir', dir, ...json, ...args], { env, detached: true, timeoutMs: 300_000 });
    await sleep(Math.round(fraction * span));
    send(run, shot);
    const outcome = await checkStopped(dir, await run.done, shot, label);
    outcomes.push(`${fraction}:${shot.signal}${shot.group ? '/group' : ''}:${outcome}`);
    const again = startCli(['--data-dir', dir, ...args], { timeoutMs: 300_000 });
    const done = await again.done;
    assertExit(done, 0, `${label}, then a run`);
    span = done.ms;
    assert.deepEqual(await treeHashes(dir, FILES_SKIP), reference.files, `${label}: the same bytes as a clean run`);
    assert.deepEqual(await databaseChecksums(dir, weeks), reference.rows, `${label}: the same rows as a clean run`);
  }
  if (process.env.TEST_VERBOSE) console.log(outcomes.join(' '));
  // Signals that all missed the work would prove nothing.
  assert.ok(outcomes.filter((o) => o.endsWith(':stopped')).length >= shots.length - 3, outcomes.join(' '));
  return outcomes;
}

/** A clean run of the command in a fresh directory: its files, its rows, and how long it took. */
async function cleanRun(dir: string, args: string[], weeks: string[]) {
  const run = startCli(['--data-dir', dir, ...args], { timeoutMs: 300_000 });
  const done = await run.done;
  assertExit(done, 0, `a clean ${args[0]}`);
  return { files: await treeHashes(dir, FILES_SKIP), rows: await databaseChecksums(dir, weeks), ms: done.ms };
}

test('backfill stopped at 10 points by SIGINT and SIGTERM, to the process and to its group', async () => {
  const args = ['backfill', ...PLAN];
  const reference = await cleanRun(await newDir('backfill-clean'), args, WEEKS);
  assert.ok(Number(reference.rows[`ch sales_agg ${WEEKS.at(-1)}`]!.split('/')[0]) > 0, JSON.stringify(reference.rows));
  // The first trial stops a backfill into an empty directory; the others, backfills over a finished one.
  // One of them with --json.
  const shots = FRACTIONS.map((_, i) => ({ ...SHOTS[i % SHOTS.length]!, json: i === 5 }));
  await trials(await newDir('backfill'), args, WEEKS, reference, shots);
});

/** A directory with the plan made, where run-week of the second week has what it needs. */
async function runWeekDir(name: string): Promise<string> {
  const dir = await newDir(name);
  const plan = startCli(['--data-dir', dir, 'generate', ...PLAN, '--week', WEEKS[0]!]);
  assertExit(await plan.done, 0, 'the plan');
  return dir;
}

const RUN_WEEK = ['run-week', '--week', WEEKS[1]!];

/** The clean run-week the two run-week tests compare with, and the directory their trials share. */
let runWeekSetup: Promise<{ reference: Awaited<ReturnType<typeof cleanRun>>; dir: string }> | undefined;
const runWeekTrials = () =>
  (runWeekSetup ??= (async () => ({
    reference: await cleanRun(await runWeekDir('run-week-clean'), RUN_WEEK, [WEEKS[1]!]),
    dir: await runWeekDir('run-week'),
  }))());

test('run-week stopped at 11 points by SIGINT, SIGTERM (to the process and its group) and SIGHUP', async () => {
  const { reference, dir } = await runWeekTrials();
  const hup: Shot = { signal: 'SIGHUP', group: true, json: true };
  const shots = [...FRACTIONS.map((_, i) => SHOTS[(i + 1) % SHOTS.length]!), hup];
  const outcomes = await trials(dir, RUN_WEEK, [WEEKS[1]!], reference, shots, [...FRACTIONS, 0.5]);
  assert.match(outcomes.at(-1)!, /SIGHUP\/group:(stopped|ending)$/, 'SIGHUP stops a run too');
});

test('a second Ctrl-C while stopping exits at once, no stack; the server goes, the next run finishes', async () => {
  const { reference, dir } = await runWeekTrials();
  let forced: string | undefined;
  // A first Ctrl-C starts the stopping (the stage rolls back, the server stops); the second one cuts it short.
  for (const fraction of [0.5, 0.7, 0.35, 0.85]) {
    const run = startCli(['--data-dir', dir, ...RUN_WEEK], { detached: true, timeoutMs: 300_000 });
    await sleep(Math.round(fraction * reference.ms));
    send(run, { signal: 'SIGINT', group: true });
    await sleep(5);
    send(run, { signal: 'SIGINT', group: true });
    const exit = await run.done;
    const label = `two Ctrl-C at ${fraction}`;
    if (exit.code === 0 || diedOf(exit, 'SIGINT')) continue;
    const line = assertCleanFailure(exit, 130, label);
    if (!/^✖ SIGINT again while stopping \(interrupted by SIGINT during .+\): stopped at once$/.test(line)) {
      assert.match(line, /^✖ (interrupted by SIGINT during|SIGINT came as)/, label);
      continue;
    }
    forced = label;
    assert.equal(await exists(path.join(dir, '.lock')), false, `${label}: the lock goes at exit`);
    // The server was told to stop at exit and finishes on its own, in its own process group.
    for (let i = 0; i < 300 && (await serversOn(dir)).length > 0; i++) await sleep(100);
    assert.deepEqual(await serversOn(dir), [], `${label}: the server stops`);
    const again = await startCli(['--data-dir', dir, ...RUN_WEEK], { timeoutMs: 300_000 }).done;
    assertExit(again, 0, `${label}, then a run`);
    assert.deepEqual(await tempFiles(dir), [], `${label}: the next run removed the temporary files`);
    assert.deepEqual(await treeHashes(dir, FILES_SKIP), reference.files, `${label}: the same bytes as a clean run`);
    const rows = await databaseChecksums(dir, [WEEKS[1]!]);
    assert.deepEqual(rows, reference.rows, `${label}: the same rows as a clean run`);
    break;
  }
  assert.ok(forced, 'a second signal came while a run was stopping');
});

test('a second Ctrl-C while the embedded ClickHouse runs a statement: exit 130 once it ends, not a crash', async () => {
  const helper = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'ch-busy.js');
  for (let trial = 0; trial < 3; trial++) {
    const dir = await newDir(`ch-busy-${trial}`);
    const child = spawn(process.execPath, [helper, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => c.toString().includes('busy') && resolve());
      void exited.then(({ code, signal }) => reject(new Error(`ch-busy exited ${code ?? signal}: ${err}`)));
    });
    child.kill('SIGINT');
    await sleep(20);
    child.kill('SIGINT');
    const { code, signal } = await exited;
    assert.deepEqual({ code, signal }, { code: 130, signal: null }, `trial ${trial}: ${err}`);
    assert.match(err, /SIGINT again while stopping \(interrupted by SIGINT during .+\): stopped at once/);
  }
});
