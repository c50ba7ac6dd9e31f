/**
 * `npm run bench -- --history`: does history slow the weekly job down? One
 * week's load-pg and aggregate into databases already holding three years of
 * sales, against the same week into databases holding nothing else, each a
 * fresh process against a running server (the bench's own embedded one), in
 * the same run.
 *
 * The plan has 157 weeks (three years, then the measured week W), so both
 * directories have the same dimension files and the same week. Both sides load
 * W once untimed (the empty side: the dimensions and W; the history side: all
 * 157 weeks, then aggregates them), and then time load-pg of W again (the
 * week's DELETE finds its rows, the COPY puts them back: the re-run every
 * weekly job can be) and aggregate of W, each after a CHECKPOINT.
 */
import { chmod, cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseWeek } from '../src/lib/core/calendar.js';
import { createContext, resolveConfig } from '../src/lib/core/config.js';
import { silentLogger } from '../src/lib/ui/logger.js';
import { openPg } from '../src/lib/pg/database.js';
import { pgConnection } from './load-pg.js';

/** One timed process, as bench.ts measures it. */
export interface Timed {
  seconds: number;
  cpuSeconds?: number | undefined;
  peakRssMB?: number | undefined;
  load?: number | undefined;
  stdout: string;
}

/** What the history bench needs from bench.ts: how to run and time a CLI process. */
export interface HistoryTools {
  measure(label: string, args: string[], env: NodeJS.ProcessEnv): Promise<Timed>;
  cli(dir: string, ...args: string[]): string[];
  progress(text: string): void;
}

/** One side of the comparison. */
export interface HistorySide {
  /** Sales in the database besides the measured week's. */
  salesBefore: number;
  loadPg: Timed;
  aggregate: Timed;
}

/** The measured week into an empty database and into one holding `years` years. */
export interface HistoryRun {
  yearTotal: number;
  years: number;
  week: string;
  weekSales: number;
  empty: HistorySide;
  history: HistorySide;
}

const YEARS = 3;
const WEEKS = 52 * YEARS + 1;

/** Run the comparison for years of `yearTotal` sales each. */
export async function benchHistory(yearTotal: number, tools: HistoryTools): Promise<HistoryRun> {
  const tag = `[history ${YEARS} × ${yearTotal.toLocaleString('en-US')}]`;
  const embedded: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: '', CLICKHOUSE_URL: '', NO_COLOR: '1' };
  const histDir = await mkdtemp(path.join(os.tmpdir(), 'sales-etl-bench-history-'));
  const emptyDir = await mkdtemp(path.join(os.tmpdir(), 'sales-etl-bench-history-empty-'));
  await chmod(histDir, 0o711);
  await chmod(emptyDir, 0o711);
  try {
    const total = String(Math.round((yearTotal * WEEKS) / 52));
    tools.progress(`${tag} generating and cleaning ${WEEKS} weeks (untimed) ...`);
    const plan = ['--weeks', String(WEEKS), '--total', total];
    const gen = await tools.measure(`${tag} generate`, tools.cli(histDir, 'generate', ...plan), embedded);
    const generated = JSON.parse(gen.stdout.trim().split('\n').at(-1)!) as { weeks: { week: string }[] };
    const weeks = generated.weeks.map((w) => w.week);
    await tools.measure(`${tag} clean`, tools.cli(histDir, 'clean'), embedded);
    const measured = weeks.at(-1)!;
    const last = parseWeek(measured);
    // The empty side: the same plan, dimensions and clean week, nothing else.
    for (const part of ['store.json', 'dim', path.join('clean', last.id)]) {
      await cp(path.join(histDir, part), path.join(emptyDir, part), { recursive: true });
    }
    const empty = await side(tag, 'empty', emptyDir, measured, undefined, tools);
    const history = await side(tag, `${YEARS} years`, histDir, measured, weeks[0]!, tools);
    return { yearTotal, years: YEARS, week: measured, weekSales: weekSales(empty), empty, history };
  } finally {
    await rm(histDir, { recursive: true, force: true });
    await rm(emptyDir, { recursive: true, force: true });
  }
}

function weekSales(s: HistorySide): number {
  const out = JSON.parse(s.loadPg.stdout.trim().split('\n').at(-1)!) as { weeks: { rows: number }[] };
  return out.weeks.reduce((n, w) => n + w.rows, 0);
}

/** Fill `dir`'s database (the weeks from `historyFrom` to the week, or only the week), then time the week's stages. */
async function side(
  tag: string,
  name: string,
  dir: string,
  week: string,
  historyFrom: string | undefined,
  tools: HistoryTools,
): Promise<HistorySide> {
  const config = resolveConfig({ dataDir: dir, color: false }, { ...process.env, DATABASE_URL: '' });
  const ctx = { ...createContext(config), log: silentLogger() };
  const db = await openPg(ctx);
  try {
    const { url } = await pgConnection(ctx, db);
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: url, CLICKHOUSE_URL: '', NO_COLOR: '1' };
    if (historyFrom) {
      tools.progress(`${tag} loading and aggregating the history (untimed) ...`);
      const all = ['--from', historyFrom, '--to', week];
      await tools.measure(`${tag} ${name}: load-pg of the history`, tools.cli(dir, 'load-pg', ...all), env);
      await tools.measure(`${tag} ${name}: aggregate of the history`, tools.cli(dir, 'aggregate', ...all), env);
    } else {
      await tools.measure(`${tag} ${name}: first load-pg of the week`, tools.cli(dir, 'load-pg', '--week', week), env);
    }
    await db.pool.query('VACUUM ANALYZE');
    const { rows } = await db.pool.query<{ n: string }>('SELECT count(*)::text AS n FROM sales');
    await db.pool.query('CHECKPOINT');
    const one = ['--week', week];
    const loadPg = await tools.measure(
      `${tag} ${name}: load-pg --week ${week}`,
      tools.cli(dir, 'load-pg', ...one),
      env,
    );
    await db.pool.query('CHECKPOINT');
    const aggregate = await tools.measure(
      `${tag} ${name}: aggregate --week ${week}`,
      tools.cli(dir, 'aggregate', ...one),
      env,
    );
    const weekRows = weekSales({ salesBefore: 0, loadPg, aggregate });
    return { salesBefore: Number(rows[0]?.n ?? 0) - weekRows, loadPg, aggregate };
  } finally {
    await db.close();
  }
}

/** The comparison as markdown lines. */
export function describeHistory(h: HistoryRun, limit: number): string[] {
  const int = (n: number) => Math.round(n).toLocaleString('en-US');
  const s = (x: number) => x.toFixed(2);
  const lines = [
    `### One week (${h.week}, ${int(h.weekSales)} sales) into ${h.years} years of history ` +
      `(${int(h.history.salesBefore)} sales) vs into an empty database`,
    '',
    '| stage, one week (its own process) | empty: wall s | history: wall s | × | |',
    '|---|---:|---:|---:|---|',
  ];
  for (const [label, a, b] of [
    ['load-pg (re-load of the week)', h.empty.loadPg, h.history.loadPg],
    ['aggregate', h.empty.aggregate, h.history.aggregate],
  ] as const) {
    const x = b.seconds / a.seconds;
    const verdict = `${x <= limit ? 'met' : '**not met**'} (≤ ${limit}×)`;
    lines.push(`| ${label} | ${s(a.seconds)} | ${s(b.seconds)} | ${x.toFixed(2)}× | ${verdict} |`);
  }
  lines.push(
    '',
    '- each side loads the week once untimed (the empty side with the dimensions; the history side all its ' +
      'weeks), then the timed load-pg re-loads it (its DELETE finds the week) and aggregate rebuilds it; ' +
      'a CHECKPOINT before each',
    `- load at start: empty ${h.empty.loadPg.load?.toFixed(1) ?? '?'}, ` +
      `history ${h.history.loadPg.load?.toFixed(1) ?? '?'}`,
    '',
  );
  return lines;
}
