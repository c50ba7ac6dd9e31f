import { readdir } from 'node:fs/promises';
import { parseWeek, type Week } from '../lib/core/calendar.js';
import { clickHouseStatement } from '../lib/clickhouse/sql.js';
import { openClickHouse } from '../lib/clickhouse/database.js';
import type { Context } from '../lib/core/config.js';
import { describeError, LockedError } from '../lib/core/errors.js';
import { inspectDataDir, pathExists } from '../lib/files/layout.js';
import { readCleanManifest } from '../lib/files/manifest.js';
import { REGIONS, type Region } from '../lib/core/regions.js';
import { acquireLock, type Lock } from '../lib/files/lock.js';
import { relocatedCluster } from '../lib/pg/embedded/cluster.js';
import { openPg } from '../lib/pg/database.js';
import { pgSql, runSql } from '../lib/pg/sql.js';
import { planPeriod, readPlan } from '../lib/core/plan.js';
import { formatTable } from '../lib/ui/table.js';

/** Options of `status`. */
export interface StatusOptions {
  ctx: Context;
  /** Weeks to show; undefined means the plan's period and any week found on disk. */
  weeks?: Week[] | undefined;
}

/**
 * How a database answered: `ok`, `absent` (embedded, never created), `busy`
 * (another run holds it), `unreachable` (cannot open), `error` (a query failed).
 */
export interface DatabaseState {
  state: 'ok' | 'absent' | 'busy' | 'unreachable' | 'error';
  target?: string;
  error?: string;
  /** The embedded cluster's real place when `<data-dir>/pg` links to it outside the data directory (root). */
  cluster?: string;
}

/** One week by stage. Database figures are null when the database could not be read. */
export interface WeekStatus {
  week: string;
  /** Regions with a raw file. */
  rawRegions: Region[];
  /** From clean/<week>/manifest.json; null when the week is not cleaned. */
  clean: { written: number; duplicates: number; rejected: number; missingRegions: string[] } | null;
  pgRows: number | null;
  aggRows: number | null;
  clickhouseRows: number | null;
  lastRun: { stage: string; status: string; finishedAt: string | null; message: string | null } | null;
}

/** What `status` found. */
export interface StatusResult {
  weeks: WeekStatus[];
  postgres: DatabaseState;
  clickhouse: DatabaseState;
}

async function weekDirs(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => /^\d{4}-W\d{2}$/.test(n));
}

/** The plan's period plus every week that has files on disk, in order. */
async function defaultWeeks(ctx: Context): Promise<Week[]> {
  const layout = ctx.config.layout;
  const plan = await readPlan(layout);
  const ids = new Set((plan ? planPeriod(plan) : []).map((w) => w.id));
  for (const dir of ['raw', 'clean']) for (const id of await weekDirs(`${layout.root}/${dir}`)) ids.add(id);
  return [...ids].sort().map((id) => parseWeek(id));
}

async function fileStatus(ctx: Context, week: Week): Promise<Pick<WeekStatus, 'rawRegions' | 'clean'>> {
  const layout = ctx.config.layout;
  const rawRegions: Region[] = [];
  for (const region of REGIONS) if (await pathExists(layout.raw(week, region))) rawRegions.push(region);
  const read = await readCleanManifest(layout, week);
  // Not cleaned yet (or a manifest being rewritten): shown as absent.
  if (read.kind !== 'ok') return { rawRegions, clean: null };
  return { rawRegions, clean: { ...read.manifest.totals, missingRegions: read.manifest.missingRegions } };
}

/**
 * A table of weeks by stage: raw files, clean rows and rejects, PostgreSQL
 * rows, aggregate rows, ClickHouse rows, the last run. A database that is not
 * there, busy with another run or unreachable is shown as such, not an error.
 */
export async function status(opts: StatusOptions): Promise<StatusResult> {
  const { ctx } = opts;
  const { config } = ctx;
  await inspectDataDir(config.layout);
  const weeks = opts.weeks ?? (await defaultWeeks(ctx));
  const rows = new Map<string, WeekStatus>();
  for (const week of weeks) {
    rows.set(week.id, {
      week: week.id,
      ...(await fileStatus(ctx, week)),
      pgRows: null,
      aggRows: null,
      clickhouseRows: null,
      lastRun: null,
    });
  }

  // The embedded databases live in this data directory: they are only started
  // under its lock (an embedded cluster cannot be opened by two processes).
  const embeddedPg = config.pgUrl === undefined;
  const embeddedCh = config.clickhouseUrl === undefined;
  const pgThere = !embeddedPg || (await pathExists(config.layout.pg));
  const chThere = !embeddedCh || (await pathExists(config.layout.clickhouse));
  let lock: Lock | undefined;
  let busy: string | undefined;
  if ((embeddedPg && pgThere) || (embeddedCh && chThere)) {
    try {
      lock = await acquireLock(config.layout, 'status', ctx.log);
    } catch (error) {
      if (!(error instanceof LockedError)) throw error;
      busy = error.message;
    }
  }
  try {
    const cluster = embeddedPg ? await relocatedCluster(config.layout.pg) : undefined;
    const postgres = {
      ...(await pgStatus(ctx, weeks, rows, { there: pgThere, busy: embeddedPg ? busy : undefined })),
      ...(cluster === undefined ? {} : { cluster }),
    };
    const clickhouse = await chStatus(ctx, weeks, rows, { there: chThere, busy: embeddedCh ? busy : undefined });
    return { weeks: [...rows.values()], postgres, clickhouse };
  } finally {
    await lock?.release();
  }
}

/**
 * One database's column of the table: absent, busy or unreachable says so; otherwise `read`
 * fills the rows, and a failure there is an `error` state, never a failed command.
 */
async function databaseStatus<D extends { target: string; close(): Promise<void> }>(
  ctx: Context,
  name: string,
  { there, busy }: { there: boolean; busy: string | undefined },
  open: () => Promise<D>,
  read: (db: D) => Promise<void>,
): Promise<DatabaseState> {
  if (!there) return { state: 'absent' };
  if (busy) return { state: 'busy', error: busy };
  let db: D;
  try {
    db = await open();
  } catch (error) {
    ctx.log.warn(`status: ${name}: ${describeError(error)}`);
    return { state: 'unreachable', error: describeError(error) };
  }
  try {
    await read(db);
    return { state: 'ok', target: db.target };
  } catch (error) {
    ctx.log.warn(`status: ${name} (${db.target}): ${describeError(error)}`);
    return { state: 'error', target: db.target, error: describeError(error) };
  } finally {
    await db.close();
  }
}

function pgStatus(
  ctx: Context,
  weeks: Week[],
  rows: Map<string, WeekStatus>,
  presence: { there: boolean; busy: string | undefined },
): Promise<DatabaseState> {
  return databaseStatus(
    ctx,
    'PostgreSQL',
    presence,
    () => openPg(ctx),
    async (db) => {
      if (weeks.length === 0) return;
      const file = await pgSql('status-weeks.sql');
      const client = await db.pool.connect();
      try {
        const result = await runSql<{
          week: string;
          sales_rows: string;
          agg_rows: string;
          last_stage: string | null;
          last_status: string | null;
          last_finished: Date | null;
          last_message: string | null;
        }>(client, file, [weeks.map((w) => w.id), weeks.map((w) => w.start)]);
        for (const r of result.rows) {
          const row = rows.get(r.week);
          if (!row) continue;
          row.pgRows = Number(r.sales_rows);
          row.aggRows = Number(r.agg_rows);
          row.lastRun =
            r.last_stage === null
              ? null
              : {
                  stage: r.last_stage,
                  status: r.last_status ?? '',
                  finishedAt: r.last_finished ? r.last_finished.toISOString() : null,
                  message: r.last_message,
                };
        }
      } finally {
        client.release();
      }
    },
  );
}

function chStatus(
  ctx: Context,
  weeks: Week[],
  rows: Map<string, WeekStatus>,
  presence: { there: boolean; busy: string | undefined },
): Promise<DatabaseState> {
  return databaseStatus(
    ctx,
    'ClickHouse',
    presence,
    () => openClickHouse(ctx),
    async (db) => {
      if (weeks.length === 0) return;
      const result = await db.client.query({
        query: await clickHouseStatement('status-weeks.sql'),
        query_params: { from: weeks[0]!.start, to: weeks.at(-1)!.end },
        format: 'JSONEachRow',
      });
      const counts = new Map(
        (await result.json<{ monday: string; rows: string }>()).map((r) => [r.monday, Number(r.rows)]),
      );
      for (const week of weeks) {
        const row = rows.get(week.id);
        if (row) row.clickhouseRows = counts.get(week.start) ?? 0;
      }
    },
  );
}

/** The status as a text table, with a line per database that could not be read. */
export function statusTable(result: StatusResult): string {
  const n = (v: number | null, db: DatabaseState) =>
    v === null ? (db.state === 'ok' ? '' : db.state) : v.toLocaleString('en-US');
  const head = ['week', 'raw', 'clean', 'rejects', 'postgres', 'sales_agg', 'clickhouse', 'last run'];
  const rows = result.weeks.map((w) => [
    w.week,
    w.rawRegions.length === REGIONS.length
      ? '4/4'
      : w.rawRegions.length === 0
        ? '-'
        : `${w.rawRegions.length}/4 no ${REGIONS.filter((r) => !w.rawRegions.includes(r)).join(',')}`,
    w.clean ? w.clean.written.toLocaleString('en-US') : '-',
    w.clean ? w.clean.rejected.toLocaleString('en-US') : '-',
    n(w.pgRows, result.postgres),
    n(w.aggRows, result.postgres),
    n(w.clickhouseRows, result.clickhouse),
    w.lastRun
      ? `${w.lastRun.stage} ${w.lastRun.status} ${w.lastRun.finishedAt?.slice(0, 16).replace('T', ' ') ?? ''}`.trim()
      : '-',
  ]);
  const lines = [formatTable(head, rows, [false, false, true, true, true, true, true, false])];
  for (const [name, db] of [
    ['PostgreSQL', result.postgres],
    ['ClickHouse', result.clickhouse],
  ] as const) {
    if (db.cluster !== undefined) {
      lines.push(`${name}: the embedded cluster is kept in ${db.cluster}, outside the data directory (pg links to it)`);
    }
    if (db.state === 'absent') lines.push(`${name}: no embedded database in the data directory yet`);
    else if (db.state !== 'ok') lines.push(`${name}: ${db.state}: ${db.error ?? ''}`);
  }
  return lines.join('\n');
}
