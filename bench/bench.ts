/**
 * `npm run bench`: a whole default year (1,000,000 sales, 52 weeks) through
 * every stage on the embedded databases, in a fresh temporary data directory,
 * one stage at a time over the whole year, each stage in its own process
 * (`node <NODE_FLAGS> bin/sales-etl.js --json <stage>`, what the bin's `#!` line runs) so its
 * wall time, CPU time and peak RSS are its own. Then the baselines, measured in
 * the same run on the same files and the same server, so the figures are ratios
 * that hold on a noisy machine, and a `backfill` of the same year into another
 * fresh directory, the way a user runs it, against the sum of the stages.
 *
 *   npm run bench                        the default year; rewrites bench/RESULTS.md
 *   npm run bench -- --scale             also ten million sales, side by side with the first run
 *   npm run bench -- --total 10000000    the same, with any number of sales
 *   npm run bench -- --base 50000        a smaller first run (a quick try of the bench; RESULTS.md untouched)
 *   npm run bench -- --no-results        do not rewrite bench/RESULTS.md
 *
 * How each figure is taken:
 * - peak RSS: the stage process's own, from getrusage at its exit (bench/usage-hook.ts,
 *   preloaded with `node --import`); the embedded PostgreSQL server is another process
 *   and not counted in it; chDB (ClickHouse) runs inside the process and is.
 * - load-pg, aggregate and migrate-click run against the year's embedded PostgreSQL,
 *   started once by the bench and handed to them as DATABASE_URL, so that load-pg and
 *   the psql \copy baseline load the same files into the same running server, each
 *   from a fresh process. Starting and stopping that server is timed on its own line
 *   and counted once in the sum of the stages (backfill starts it once too).
 * - clean's baseline runs in its own process too (bench/clean.js --baseline).
 */
import { spawn, execFile } from 'node:child_process';
import { chmod, cp, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { parseWeek, type Week } from '../src/lib/core/calendar.js';
import { createContext, resolveConfig } from '../src/lib/core/config.js';
import { silentLogger } from '../src/lib/ui/logger.js';
import { openPg } from '../src/lib/pg/database.js';
import { benchHistory, describeHistory, type HistoryRun, type HistoryTools } from './history.js';
import { findPsql, pgConnection, psqlCopyBaseline } from './load-pg.js';
import type { ProcessUsage } from './usage-hook.js';
import { NODE_FLAGS } from '../src/lib/core/node-flags.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The package root: this file is dist/bench/bench.js. */
const ROOT = path.resolve(HERE, '..', '..');
const RESULTS = path.join(ROOT, 'bench', 'RESULTS.md');
const RESULTS_JSON = path.join(ROOT, 'bench', 'RESULTS.json');

const DEFAULT_TOTAL = 1_000_000;
const SCALE_TOTAL = 10_000_000;
/** The issues' targets for a default year on this 2-core machine; the `vsPsql` ones are times over psql \copy's. */
const TARGETS = {
  endToEndSeconds: 20,
  loadPgVsPsql: 0.8,
  peakRssMB: 400,
  migrateClickVsPsql: 0.3,
  generateVsPsql: 0.5,
  backfillVsPsql: 2.0,
  runWeekVsPsql: 0.25,
  historyVsEmpty: 1.5,
};
/** A scale run is flagged when its time grows more than this over the proportional, or its memory by more than this. */
const SCALE_TIME_SLACK = 1.2;
const SCALE_RSS_DELTA_MB = 100;

const STAGE_NAMES = ['generate', 'clean', 'load-pg', 'aggregate', 'migrate-click'] as const;
type StageName = (typeof STAGE_NAMES)[number];

/** One measured process (or, for in-process lines, just the time). */
interface Measured {
  seconds: number;
  cpuSeconds?: number | undefined;
  peakRssMB?: number | undefined;
  /** The machine's 1-minute load average when it started: the machine is shared. */
  load?: number | undefined;
}

/** One line of the table. */
interface Line extends Measured {
  label: string;
  rows?: number | undefined;
  /** What the rows are. */
  rowsNote?: string | undefined;
}

/** Everything one year measured. */
interface YearRun {
  total: number;
  weeks: number;
  sales: number;
  stages: Record<StageName, Line>;
  cliStart: Line;
  cleanBaseline: Line;
  psql: Line | { skipped: string };
  pgStartStop: Line;
  stagesSum: Line;
  backfill: Line & { stageSeconds: Record<string, number> };
  /** run-week of the year's last week in a fresh process, starting the embedded databases itself. */
  runWeek: Line;
  notes: string[];
}

const mb = (kib: number) => (kib * 1024) / 1e6;
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const secs = (s: number) => s.toFixed(s < 10 ? 2 : 1);
const sales = (n: number) => (n % 1_000_000 === 0 ? `${n / 1_000_000}M` : int(n));
const progress = (text: string) => process.stderr.write(`bench: ${text}\n`);

/** What the measured processes run: a copy of the build taken at the start of the bench. */
interface Tools {
  cli: string;
  usageHook: string;
  cleanBaseline: string;
  scratch: string;
}

/**
 * Copy the built package (bin, dist, sql, package.json; node_modules linked)
 * into `scratch`, so that a rebuild while the bench runs (people share this
 * working tree) cannot mix two versions of the code into one set of figures.
 */
async function snapshot(scratch: string): Promise<Tools> {
  const pkg = path.join(scratch, 'package');
  for (const part of ['bin', 'sql', 'package.json', path.join('dist', 'src'), path.join('dist', 'bench')]) {
    await cp(path.join(ROOT, part), path.join(pkg, part), { recursive: true });
  }
  await symlink(path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules'));
  return {
    cli: path.join(pkg, 'bin', 'sales-etl.js'),
    usageHook: pathToFileURL(path.join(pkg, 'dist', 'bench', 'usage-hook.js')).href,
    cleanBaseline: path.join(pkg, 'dist', 'bench', 'clean.js'),
    scratch,
  };
}

/** Run `node --import usage-hook <args>`; its wall time, CPU time and peak RSS, and its stdout. */
async function measure(
  label: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  tools: Tools,
): Promise<Measured & { stdout: string }> {
  const usageFile = path.join(tools.scratch, `usage-${process.hrtime.bigint()}.json`);
  const load = os.loadavg()[0];
  const started = performance.now();
  progress(`${label} ...`);
  const { code, signal, stdout, stderr } = await new Promise<{
    code: number | null;
    signal: string | null;
    stdout: string;
    stderr: string;
  }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', tools.usageHook, ...args], {
      cwd: tools.scratch,
      env: { ...env, SALES_ETL_BENCH_USAGE: usageFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-20_000)));
    child.on('error', reject);
    child.on('close', (c, s) => resolve({ code: c, signal: s, stdout: out, stderr: err }));
  });
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) {
    const last = stderr.trim().split('\n').slice(-3).join(' | ');
    throw new Error(`bench: ${label} failed (${signal ?? `exit ${code}`}): ${last}`);
  }
  const usage = JSON.parse(await readFile(usageFile, 'utf8')) as ProcessUsage;
  progress(`${label} done in ${secs(seconds)} s`);
  return { seconds, cpuSeconds: usage.userSeconds + usage.systemSeconds, peakRssMB: mb(usage.maxRssKiB), load, stdout };
}

/** The one JSON line a `--json` command prints. */
function json<T>(stdout: string, label: string): T {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as T;
  } catch (cause) {
    throw new Error(`bench: ${label} printed no JSON summary`, { cause });
  }
}

interface WeekRows {
  week: string;
  rows: number;
}

/** Run every stage over a whole year of `total` sales, the baselines, then backfill of the same year. */
async function runYear(total: number, tools: Tools): Promise<YearRun> {
  const tag = `[${sales(total)}]`;
  const embedded: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: '', CLICKHOUSE_URL: '', NO_COLOR: '1' };
  const totalFlag = total === DEFAULT_TOTAL ? [] : ['--total', String(total)];
  const notes: string[] = [];
  const cli = (dir: string, ...args: string[]) => [
    ...NODE_FLAGS,
    tools.cli,
    '--data-dir',
    dir,
    '--json',
    '--no-color',
    ...args,
  ];

  const cliStart: Line = {
    label: 'CLI start (`sales-etl --help`)',
    ...(await measure(`${tag} CLI start`, [...NODE_FLAGS, tools.cli, '--help'], embedded, tools)),
  };

  const dir = await mkdtemp(path.join(os.tmpdir(), 'sales-etl-bench-year-'));
  await chmod(dir, 0o711); // the embedded PostgreSQL runs as another user when we are root
  let year: Omit<YearRun, 'backfill' | 'stagesSum' | 'runWeek'>;
  let runWeek: Line;
  try {
    const gen = await measure(`${tag} generate`, cli(dir, 'generate', ...totalFlag), embedded, tools);
    const generated = json<{ weeks: (WeekRows & { validSales: number; files: { rows: number }[] })[] }>(
      gen.stdout,
      'generate',
    );
    const rawRows = generated.weeks.reduce((n, w) => n + w.files.reduce((m, f) => m + f.rows, 0), 0);
    const validSales = generated.weeks.reduce((n, w) => n + w.validSales, 0);
    const weeks: Week[] = [];

    const base = await measure(`${tag} clean baseline`, [tools.cleanBaseline, '--baseline', dir], embedded, tools);
    const baseRows = json<{ rows: number }>(base.stdout, 'clean baseline').rows;
    const cl = await measure(`${tag} clean`, cli(dir, 'clean'), embedded, tools);
    const cleaned = json<{ weeks: { week: string; read: number; written: number }[] }>(cl.stdout, 'clean');
    const read = cleaned.weeks.reduce((n, w) => n + w.read, 0);
    const written = cleaned.weeks.reduce((n, w) => n + w.written, 0);
    for (const w of cleaned.weeks) weeks.push(parseWeek(w.week));

    // The year's embedded PostgreSQL, held open for the baseline and the three database stages.
    const ctx = { ...createContext(resolveConfig({ dataDir: dir, color: false }, embedded)), log: silentLogger() };
    let started = performance.now();
    progress(`${tag} starting the embedded PostgreSQL ...`);
    const db = await openPg(ctx);
    let startStop = (performance.now() - started) / 1000;
    let psql: YearRun['psql'];
    let load: Measured & { stdout: string };
    let agg: Measured & { stdout: string };
    let mig: Measured & { stdout: string };
    try {
      const { url } = await pgConnection(ctx, db);
      const server: NodeJS.ProcessEnv = { ...embedded, DATABASE_URL: url };
      const psqlPath = await findPsql();
      if (psqlPath) {
        await db.pool.query('CHECKPOINT');
        progress(`${tag} psql \\copy baseline ...`);
        const load = os.loadavg()[0];
        const r = await psqlCopyBaseline(ctx, db, weeks, psqlPath);
        psql = {
          label: 'baseline: `psql \\copy` of the same files (dim/ and clean/)',
          rows: r.rows,
          rowsNote: 'sales (and the dimensions)',
          seconds: r.seconds,
          load,
        };
        progress(`${tag} psql \\copy baseline done in ${secs(r.seconds)} s`);
      } else {
        psql = { skipped: 'psql not found (Debian: apt-get install postgresql-client): the load-pg ratio is skipped' };
        progress(`${tag} ${psql.skipped}`);
      }
      await db.pool.query('CHECKPOINT'); // both loads start from a clean buffer cache state
      load = await measure(`${tag} load-pg`, cli(dir, 'load-pg'), server, tools);
      agg = await measure(`${tag} aggregate`, cli(dir, 'aggregate'), server, tools);
      mig = await measure(`${tag} migrate-click`, cli(dir, 'migrate-click'), server, tools);
    } finally {
      started = performance.now();
      await db.close();
      startStop += (performance.now() - started) / 1000;
    }
    const loaded = json<{ weeks: (WeekRows & { crossWeekDuplicates: number })[] }>(load.stdout, 'load-pg');
    const loadRows = loaded.weeks.reduce((n, w) => n + w.rows, 0);
    const crossWeek = loaded.weeks.reduce((n, w) => n + w.crossWeekDuplicates, 0);
    const aggRows = json<{ weeks: WeekRows[] }>(agg.stdout, 'aggregate').weeks.reduce((n, w) => n + w.rows, 0);
    const published = json<{ weeks: (WeekRows & { salesCount: number })[] }>(mig.stdout, 'migrate-click').weeks;

    // The weekly cron job, cold: a fresh process that starts both embedded databases (the bench's server is
    // stopped by now) and runs the five stages of the year's last week over the year already there.
    const lastWeek = weeks.at(-1)!;
    const rw = await measure(`${tag} run-week (cold)`, cli(dir, 'run-week', '--week', lastWeek.id), embedded, tools);
    const rwStages = json<{ stages: { stage: string; rows: number }[] }>(rw.stdout, 'run-week').stages;
    const rwRows = rwStages.find((x) => x.stage === 'clean')?.rows;
    runWeek = { label: `run-week of one week (${lastWeek.id}), cold`, rows: rwRows, rowsNote: 'sales', ...rw };
    const pubRows = published.reduce((n, w) => n + w.rows, 0);
    const pubSales = published.reduce((n, w) => n + w.salesCount, 0);

    // Not a test, but figures from a run whose counts disagree would mean nothing.
    if (written !== validSales)
      notes.push(`clean wrote ${int(written)} rows, generate made ${int(validSales)} valid sales`);
    if (written - crossWeek !== loadRows) notes.push(`load-pg loaded ${int(loadRows)} rows of clean's ${int(written)}`);
    if (pubRows !== aggRows || pubSales !== loadRows) {
      notes.push(
        `migrate-click published ${int(pubRows)} rows (${int(pubSales)} sales); ` +
          `aggregate made ${int(aggRows)}, load-pg ${int(loadRows)}`,
      );
    }

    year = {
      total,
      weeks: generated.weeks.length,
      sales: validSales,
      cliStart,
      stages: {
        generate: { label: 'generate', rows: rawRows, rowsNote: 'raw lines written', ...gen },
        clean: { label: 'clean', rows: read, rowsNote: 'raw lines read', ...cl },
        'load-pg': { label: 'load-pg', rows: loadRows, rowsNote: 'sales loaded', ...load },
        aggregate: { label: 'aggregate', rows: loadRows, rowsNote: `sales → ${int(aggRows)} sales_agg rows`, ...agg },
        'migrate-click': { label: 'migrate-click', rows: pubRows, rowsNote: 'sales_agg rows published', ...mig },
      },
      cleanBaseline: {
        label: 'baseline: csv-parse → csv-stringify of the same raw files',
        rows: baseRows,
        rowsNote: 'records (headers too)',
        ...base,
      },
      psql,
      pgStartStop: { label: 'embedded PostgreSQL start + stop', seconds: startStop },
      notes,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const stagesSum: Line = {
    label: 'sum of the stages (and one server start + stop)',
    seconds: STAGE_NAMES.reduce((s, n) => s + year.stages[n].seconds, year.pgStartStop.seconds),
    cpuSeconds: STAGE_NAMES.reduce((s, n) => s + (year.stages[n].cpuSeconds ?? 0), 0),
    peakRssMB: Math.max(...STAGE_NAMES.map((n) => year.stages[n].peakRssMB ?? 0)),
    rows: year.sales,
    rowsNote: 'sales',
  };

  const dir2 = await mkdtemp(path.join(os.tmpdir(), 'sales-etl-bench-backfill-'));
  await chmod(dir2, 0o711);
  try {
    const bf = await measure(`${tag} backfill`, cli(dir2, 'backfill', ...totalFlag), embedded, tools);
    const result = json<{ weeks: { stages: { stage: string; seconds: number }[] }[]; totals: Record<string, number> }>(
      bf.stdout,
      'backfill',
    );
    const stageSeconds: Record<string, number> = {};
    for (const w of result.weeks)
      for (const s of w.stages) stageSeconds[s.stage] = (stageSeconds[s.stage] ?? 0) + s.seconds;
    const backfillSales = result.totals.clean ?? 0;
    if (backfillSales !== year.sales)
      notes.push(`backfill cleaned ${int(backfillSales)} sales, the stages ${int(year.sales)}`);
    return {
      ...year,
      runWeek,
      stagesSum,
      backfill: {
        label: 'backfill: the whole year, one command',
        rows: backfillSales,
        rowsNote: 'sales',
        stageSeconds,
        ...bf,
      },
    };
  } finally {
    await rm(dir2, { recursive: true, force: true });
  }
}

/** The machine the figures came from. */
async function machine(): Promise<{ lines: string[]; loadStart: number[] }> {
  const cpus = os.cpus();
  const loadStart = os.loadavg();
  let commit = 'unknown';
  try {
    const git = promisify(execFile);
    commit = (await git('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT })).stdout.trim();
    const dirty = (
      await git('git', ['--no-optional-locks', 'status', '--porcelain', '--untracked-files=no'], { cwd: ROOT })
    ).stdout.trim();
    if (dirty) commit += ' (with uncommitted changes in the working tree)';
  } catch {
    // not a git checkout: the commit stays unknown
  }
  return {
    loadStart,
    lines: [
      `- date: ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`,
      `- machine: ${os.availableParallelism()} CPUs (nproc), ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ` +
        `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory, ${os.type()} ${os.release()}`,
      `- node ${process.version}; commit ${commit}`,
      `- load average at start: ${loadStart.map((l) => l.toFixed(2)).join(' / ')} ` +
        '(1 / 5 / 15 min; the machine is shared)',
    ],
  };
}

/** psql \copy's time in the run, the yardstick of the issue's ratios (undefined without psql). */
const psqlSecondsOf = (y: YearRun) => ('skipped' in y.psql ? undefined : y.psql.seconds);

function row(l: Line, psqlSeconds?: number): string {
  const rows = l.rows === undefined ? '' : `${int(l.rows)} ${l.rowsNote ?? ''}`.trim();
  const rate = l.rows === undefined ? '' : int(l.rows / l.seconds);
  const cpu = l.cpuSeconds === undefined ? '' : secs(l.cpuSeconds);
  const rss = l.peakRssMB === undefined ? '' : int(l.peakRssMB);
  const load = l.load === undefined ? '' : l.load.toFixed(1);
  const vsPsql = psqlSeconds === undefined ? '' : `${(l.seconds / psqlSeconds).toFixed(2)}`;
  return `| ${l.label} | ${rows} | ${secs(l.seconds)} | ${rate} | ${cpu} | ${rss} | ${vsPsql} | ${load} |`;
}

/** The run's table, its ratios and the targets, as markdown. */
function describeYear(y: YearRun): string[] {
  const load = y.stages['load-pg'];
  const p = psqlSecondsOf(y);
  const lines = [
    `### ${int(y.sales)} sales, ${y.weeks} weeks`,
    '',
    '| stage (each its own process) | rows | wall s | rows/s | CPU s | peak RSS MB | × psql \\copy | load at start |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    row(y.stages.generate, p),
    row(y.stages.clean, p),
    row({ ...y.cleanBaseline, label: `↳ ${y.cleanBaseline.label}` }, p),
    row(load, p),
    'skipped' in y.psql
      ? `| ↳ baseline: psql \\copy | ${y.psql.skipped} | | | | | | |`
      : row({ ...y.psql, label: `↳ ${y.psql.label}` }, p),
    row(y.stages.aggregate, p),
    row(y.stages['migrate-click'], p),
    row(y.pgStartStop, p),
    row({ ...y.stagesSum, label: `**${y.stagesSum.label}**` }, p),
    row({ ...y.backfill, label: `**${y.backfill.label}**` }, p),
    row(y.runWeek, p),
    row(y.cliStart, p),
    '',
  ];
  const ratios: string[] = [];
  if (!('skipped' in y.psql)) {
    ratios.push(
      `- load-pg vs \`psql \\copy\` (the same files: dim/customers.csv, dim/products.csv and every clean file; ` +
        'same server, both from a fresh process): load-pg runs at ' +
        `**${pct(y.psql.seconds / load.seconds)}** of psql's speed ` +
        `(${secs(load.seconds)} s vs ${secs(y.psql.seconds)} s)`,
    );
  } else {
    ratios.push(`- load-pg vs \`psql \\copy\`: skipped, ${y.psql.skipped}`);
  }
  ratios.push(
    '- clean vs csv-parse → csv-stringify of the same bytes: clean takes ' +
      `**${(y.stages.clean.seconds / y.cleanBaseline.seconds).toFixed(2)}×** the baseline's time` +
      ` (CPU ${ratio(y.stages.clean.cpuSeconds, y.cleanBaseline.cpuSeconds)})`,
    `- backfill vs the sum of its stages: **${(y.backfill.seconds / y.stagesSum.seconds).toFixed(2)}×** ` +
      `(${secs(y.backfill.seconds)} s vs ${secs(y.stagesSum.seconds)} s); inside backfill: ` +
      Object.entries(y.backfill.stageSeconds)
        .map(([s, t]) => `${s} ${secs(t)} s`)
        .join(', '),
    `- every stage's wall time includes starting the CLI: ${secs(y.cliStart.seconds)} s ` +
      'for `sales-etl --help` in this run',
    "- load at start: the machine's 1-minute load average when the process started; " +
      `with ${os.availableParallelism()} CPUs, ` +
      `above ${os.availableParallelism()} means it shared them with other work`,
  );
  lines.push(...ratios, '');
  for (const note of y.notes) lines.push(`- ⚠ counts: ${note}`);
  return lines;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;
const ratio = (a: number | undefined, b: number | undefined) => (a && b ? `${(a / b).toFixed(2)}×` : 'n/a');

/** The issue's targets against the default-year run. */
function describeTargets(y: YearRun): string[] {
  const peaks = [y.backfill, y.runWeek, ...STAGE_NAMES.map((n) => y.stages[n])].map((l) => l.peakRssMB ?? 0);
  const peak = Math.max(...peaks);
  const met = (ok: boolean) => (ok ? 'met' : '**not met**');
  const psqlShare = 'skipped' in y.psql ? undefined : y.psql.seconds / y.stages['load-pg'].seconds;
  const lines = [
    `| target (for ${int(DEFAULT_TOTAL)} sales) | this run | |`,
    '|---|---:|---|',
    `| a whole default year end to end (backfill) under ${TARGETS.endToEndSeconds} s | ` +
      `${secs(y.backfill.seconds)} s | ${met(y.backfill.seconds < TARGETS.endToEndSeconds)} |`,
    psqlShare === undefined
      ? `| load-pg at ≥ ${pct(TARGETS.loadPgVsPsql)} of psql \\copy's speed | skipped (no psql) | |`
      : `| load-pg at ≥ ${pct(TARGETS.loadPgVsPsql)} of psql \\copy's speed | ${pct(psqlShare)} | ` +
        `${met(psqlShare >= TARGETS.loadPgVsPsql)} |`,
    `| peak RSS under ${TARGETS.peakRssMB} MB (every stage, backfill and run-week) | ${int(peak)} MB | ` +
      `${met(peak < TARGETS.peakRssMB)} |`,
  ];
  const p = psqlSecondsOf(y);
  const vs: [string, Line, number][] = [
    ['migrate-click over the year', y.stages['migrate-click'], TARGETS.migrateClickVsPsql],
    ['generate of the year', y.stages.generate, TARGETS.generateVsPsql],
    ['backfill of the whole year', y.backfill, TARGETS.backfillVsPsql],
    ['run-week of one week, cold', y.runWeek, TARGETS.runWeekVsPsql],
  ];
  for (const [what, l, limit] of vs) {
    lines.push(
      p === undefined
        ? `| ${what} ≤ ${limit}× psql \\copy | skipped (no psql) | |`
        : `| ${what} ≤ ${limit}× psql \\copy | ${(l.seconds / p).toFixed(2)}× | ${met(l.seconds / p <= limit)} |`,
    );
  }
  if (y.total !== DEFAULT_TOTAL)
    lines.push('', `(this run had ${int(y.total)} sales, not the default year: the targets do not apply to it)`);
  return [...lines, ''];
}

/** The scale run beside the first: time ratios and memory differences, flagged when off. */
function describeScale(a: YearRun, b: YearRun): string[] {
  const expected = b.total / a.total;
  const timeLimit = expected * SCALE_TIME_SLACK;
  const lines = [
    `### ${sales(b.total)} vs ${sales(a.total)} sales (${expected.toFixed(0)}× the sales)`,
    '',
    `| | ${sales(a.total)} wall s | ${sales(b.total)} wall s | time × | ` +
      `${sales(a.total)} peak RSS MB | ${sales(b.total)} peak RSS MB | RSS Δ MB | |`,
    '|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  const pairs: [string, Line, Line][] = [
    ...STAGE_NAMES.map((n): [string, Line, Line] => [n, a.stages[n], b.stages[n]]),
    ['clean baseline', a.cleanBaseline, b.cleanBaseline],
    ...(!('skipped' in a.psql) && !('skipped' in b.psql)
      ? [['psql \\copy baseline', a.psql, b.psql] as [string, Line, Line]]
      : []),
    ['sum of the stages', a.stagesSum, b.stagesSum],
    ['backfill', a.backfill, b.backfill],
  ];
  for (const [name, x, y] of pairs) {
    const times = y.seconds / x.seconds;
    const delta = x.peakRssMB !== undefined && y.peakRssMB !== undefined ? y.peakRssMB - x.peakRssMB : undefined;
    const flags = [
      times > timeLimit ? `⚠ time over ${timeLimit.toFixed(0)}×` : '',
      delta !== undefined && delta > SCALE_RSS_DELTA_MB ? `⚠ memory +${int(delta)} MB` : '',
    ].filter(Boolean);
    lines.push(
      `| ${name} | ${secs(x.seconds)} | ${secs(y.seconds)} | ${times.toFixed(1)}× | ` +
        `${x.peakRssMB === undefined ? '' : int(x.peakRssMB)} | ` +
        `${y.peakRssMB === undefined ? '' : int(y.peakRssMB)} | ` +
        `${delta === undefined ? '' : (delta >= 0 ? '+' : '') + int(delta)} | ${flags.join(', ') || 'ok'} |`,
    );
  }
  lines.push(
    '',
    `(flagged, not failed: a time over ${SCALE_TIME_SLACK}× the proportional ${expected.toFixed(0)}×, ` +
      `or a peak RSS more than ${SCALE_RSS_DELTA_MB} MB above the ${sales(a.total)} run's)`,
    '',
  );
  return lines;
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scale: { type: 'boolean', default: false },
      total: { type: 'string' },
      base: { type: 'string' },
      'no-results': { type: 'boolean', default: false },
      history: { type: 'boolean', default: false },
    },
  });
  const count = (text: string | undefined, flag: string) => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 1000)
      throw new Error(`bench: ${flag} wants a whole number of sales ≥ 1000, not "${text}"`);
    return n;
  };
  const base = count(values.base, '--base') ?? DEFAULT_TOTAL;
  const scale = count(values.total, '--total') ?? (values.scale ? SCALE_TOTAL : undefined);

  const host = await machine();
  process.stderr.write(`${host.lines.join('\n')}\n`);
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'sales-etl-bench-'));
  const runs: YearRun[] = [];
  const histories: (HistoryRun | undefined)[] = [];
  try {
    const tools = await snapshot(scratch);
    const historyTools: HistoryTools = {
      measure: (label, args, env) => measure(label, args, env, tools),
      cli: (dir, ...args) => [...NODE_FLAGS, tools.cli, '--data-dir', dir, '--json', '--no-color', ...args],
      progress,
    };
    runs.push(await runYear(base, tools));
    if (values.history) histories.push(await benchHistory(base, historyTools));
    if (scale !== undefined) {
      runs.push(await runYear(scale, tools));
      if (values.history) histories.push(await benchHistory(scale, historyTools));
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const [first, second] = runs as [YearRun, YearRun | undefined];
  const command = `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
  const loadEnd = os.loadavg();
  const header = [
    ...host.lines,
    `- load average at the end: ${loadEnd.map((l) => l.toFixed(2)).join(' / ')}`,
    `- command: \`${command}\``,
    '',
  ];
  const history = (h: HistoryRun | undefined) => (h ? describeHistory(h, TARGETS.historyVsEmpty) : []);
  const year = [...header, ...describeYear(first), ...describeTargets(first), ...history(histories[0])];
  const scaled = second
    ? [...header, ...describeYear(second), ...describeScale(first, second), ...history(histories[1])]
    : undefined;
  process.stdout.write(`\n${[...year, ...(scaled ?? [])].join('\n')}\n`);
  if (values['no-results']) return;
  if (base !== DEFAULT_TOTAL) {
    const where = path.relative(process.cwd(), RESULTS);
    process.stderr.write(`bench: ${where} (and .json) is only written for the default year\n`);
    return;
  }
  await writeResults(year, scaled);
  const run = (y: YearRun | undefined, h: HistoryRun | undefined) => y && { ...y, history: h };
  await writeResultsJson({
    date: new Date().toISOString(),
    machine: host.lines,
    command,
    loadAverage: { start: host.loadStart, end: loadEnd },
    targets: TARGETS,
    year: run(first, histories[0]),
    scale: run(second, histories[1]),
  });
}

/**
 * Write bench/RESULTS.json: the figures of RESULTS.md (every measured line, in seconds and MB as measured),
 * machine-readable. A run without a scale run keeps the previous file's `scale`, as RESULTS.md keeps its section.
 */
async function writeResultsJson(results: { scale?: unknown } & Record<string, unknown>): Promise<void> {
  if (results.scale === undefined) {
    const previous = await readFile(RESULTS_JSON, 'utf8').then(
      (t) => JSON.parse(t) as { scale?: unknown },
      () => undefined,
    );
    results.scale = previous?.scale ?? null;
  }
  // The stage processes' stdout (their --json summaries) is what the figures were read from, not a figure.
  const text = JSON.stringify(results, (key, value: unknown) => (key === 'stdout' ? undefined : value), 2);
  await writeFile(`${RESULTS_JSON}.tmp`, `${text}\n`);
  await rename(`${RESULTS_JSON}.tmp`, RESULTS_JSON);
  process.stderr.write(`bench: wrote ${path.relative(process.cwd(), RESULTS_JSON) || RESULTS_JSON}\n`);
}

const YEAR_HEADING = '## The default year';
const SCALE_HEADING = '## Scale run';

/**
 * Rewrite bench/RESULTS.md. A run without a scale run keeps the scale section
 * of the previous file as it was (it carries its own date, machine and commit).
 */
async function writeResults(year: string[], scaled: string[] | undefined): Promise<void> {
  let scaleSection = scaled ? [SCALE_HEADING, '', ...scaled].join('\n') : undefined;
  if (!scaleSection) {
    const previous = await readFile(RESULTS, 'utf8').catch(() => '');
    const at = previous.indexOf(`\n${SCALE_HEADING}\n`);
    if (at >= 0) scaleSection = previous.slice(at + 1).trimEnd();
  }
  const text = [
    '# Benchmark results',
    '',
    'Written by `npm run bench` (bench/bench.ts; how each figure is taken is in its header comment).',
    'Each stage runs over the whole year in its own process; ratios compare with baselines measured in',
    'the same run, on the same files and the same server. MB = 10⁶ bytes.',
    '',
    YEAR_HEADING,
    '',
    ...year,
    ...(scaleSection ? [scaleSection] : [`${SCALE_HEADING}`, '', 'Not run yet: `npm run bench -- --scale`.']),
  ].join('\n');
  await writeFile(`${RESULTS}.tmp`, `${text}\n`);
  await rename(`${RESULTS}.tmp`, RESULTS);
  process.stderr.write(`bench: wrote ${path.relative(process.cwd(), RESULTS) || RESULTS}\n`);
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`✖ ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
