import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Week } from '../lib/core/calendar.js';
import type { Context } from '../lib/core/config.js';
import { redact, StageError } from '../lib/core/errors.js';
import { CUSTOMERS_HEADER, PRODUCTS_HEADER, SALES_HEADER } from '../lib/core/headers.js';
import { during, throwIfInterrupted } from '../lib/core/interrupt.js';
import { defaultWeeks } from '../lib/core/plan.js';
import { pathExists, readFileStream } from '../lib/files/layout.js';
import { readCleanManifest, type CleanManifest } from '../lib/files/manifest.js';
import { inTransaction, recordRun, recordRunApart, withPg, type PgDatabase } from '../lib/pg/database.js';
import { pgSql, runSql } from '../lib/pg/sql.js';
import { runWeeks, type Slot, type StepOutcome } from '../lib/pipeline/weeks.js';

/** Options of `load-pg`. */
export interface LoadPgOptions {
  ctx: Context;
  /** Weeks to load; undefined means the plan's whole period. */
  weeks?: Week[] | undefined;
  /** An open database (from `run-week`); left open. Absent: one is opened and closed here. */
  pg?: PgDatabase | undefined;
  /**
   * The week's place among weeks loaded side by side by the caller (backfill's `runWeeks`; one week
   * only): its turn decides the commit, and a week that must be loaded again alone (it shares
   * sale_ids with the week beside it) comes back as `again` instead of loaded.
   */
  slot?: Slot | undefined;
}

/** One loaded week. */
export interface LoadedWeek {
  week: string;
  rows: number;
  /** Sum of sale_amount, exact, as a decimal string. */
  amount: string;
  /** Rows whose sale_id was already loaded for another week: skipped, not loaded twice. */
  crossWeekDuplicates: number;
  /** A few of those sale_ids, smallest first. */
  crossWeekDuplicateIds: string[];
}

/** What `load-pg` did. */
export interface LoadPgResult {
  weeks: LoadedWeek[];
  /** Dimension files upserted this time (unchanged ones are skipped). */
  dimensions: string[];
  /** With `slot`: the week was rolled back, to be loaded again alone. */
  again?: boolean;
}

const STAGE = 'load-pg';

/** Load the weeks' clean files into PostgreSQL (SPEC 6). */
export async function loadPg(opts: LoadPgOptions): Promise<LoadPgResult> {
  const { ctx } = opts;
  const weeks = opts.weeks ?? (await defaultWeeks(ctx.config.layout, STAGE));
  // Every manifest is checked before the database is touched: a missing week fails fast.
  const manifests = await Promise.all(weeks.map((week) => readManifest(ctx, week)));
  return withPg(ctx, opts.pg, async (db) => {
    const dimensions = await upsertDimensions(ctx, db);
    if (opts.slot) {
      if (weeks.length !== 1) throw new Error('load-pg: a slot is for one week');
      const outcome = await during(`load-pg of ${weeks[0]!.id}`, () =>
        loadWeek(ctx, db, weeks[0]!, manifests[0]!, opts.slot!),
      );
      if (outcome.kind === 'failed') throw outcome.error;
      if (outcome.kind === 'again') return { weeks: [], dimensions, again: true };
      if (outcome.kind === 'stopped') throw new Error(`load-pg: ${weeks[0]!.id} was not loaded (stopped)`);
      return { weeks: [outcome.value], dimensions };
    }
    const loaded = await loadWeeks(ctx, db, weeks, manifests);
    // No ANALYZE here: it samples the whole table (longer than loading a week), autovacuum analyzes a
    // table that grew by a tenth, and the statements that read sales by week (aggregate-week.sql,
    // migrate-click) are written to plan well on lagging statistics.
    return { weeks: loaded, dimensions };
  });
}

/**
 * The weeks, two at a time, each in its own transaction on its own connection: PostgreSQL parses
 * and indexes one week's COPY on each of the two cores. The order and what commits when are those
 * of `runWeeks` (src/lib/pipeline/weeks.ts), so the outcome is that of loading them one by one;
 * when two weeks hold the same sale_id, the rest of the weeks are loaded one by one.
 */
async function loadWeeks(
  ctx: Context,
  db: PgDatabase,
  weeks: Week[],
  manifests: CleanManifest[],
): Promise<LoadedWeek[]> {
  const jobs = weeks.map((week, i) => ({ week, manifest: manifests[i] as CleanManifest }));
  const run = runWeeks(jobs, [
    {
      width: 2,
      step: ({ week, manifest }, slot) =>
        during(`load-pg of ${week.id}`, () => loadWeek(ctx, db, week, manifest, slot)),
    },
  ]);
  const loaded: LoadedWeek[] = [];
  try {
    // Reported in week order: an earlier week's failure is the one reported.
    for (const [i, week] of weeks.entries()) {
      const outcome = await ctx.log.task(`load-pg ${week.id}`, async () => {
        const ended = await run.weeks[i]!;
        if (ended.kind === 'failed') throw ended.error;
        return ended;
      });
      if (outcome.kind !== 'committed') throw new Error(`load-pg: ${week.id} was not loaded (${outcome.kind})`);
      loaded.push(outcome.value);
    }
  } finally {
    // A week loaded beside a failed one rolls back before load-pg reports the failure.
    await run.settled;
  }
  return loaded;
}

async function readManifest(ctx: Context, week: Week): Promise<CleanManifest> {
  const { layout } = ctx.config;
  const rel = layout.relative(layout.manifest(week));
  const read = await readCleanManifest(layout, week);
  if (read.kind === 'ok') return read.manifest;
  const message =
    read.kind === 'missing'
      ? `load-pg: week ${week.id} has no clean output (${rel} is missing); ` +
        `run \`sales-etl clean --week ${week.id}\` first`
      : `load-pg: ${rel} is not a valid manifest`;
  throw new StageError(message, STAGE, { cause: read.error });
}

/** COPY a CSV file (with its header) into a table through pg-copy-streams; returns the rows copied. */
async function copyFile(client: pg.PoolClient, table: string, header: string, file: string): Promise<number> {
  const statement = await pgSql('load-pg-copy.sql', { table, columns: header.split(',') });
  const copy = client.query(copyFrom(statement.text));
  await pipeline(readFileStream(file, (await stat(file)).size), copy);
  return copy.rowCount;
}

/** The dimension files load-pg upserts before the weeks: table (and file) name, the file's columns. */
export const DIMENSIONS = [
  { name: 'customers', columns: CUSTOMERS_HEADER, upsert: 'load-pg-upsert-customers.sql' },
  { name: 'products', columns: PRODUCTS_HEADER, upsert: 'load-pg-upsert-products.sql' },
] as const;

type Dimension = (typeof DIMENSIONS)[number];

/** Upsert `dim/customers.csv` and `dim/products.csv`, each only when the file changed since it was last loaded. */
async function upsertDimensions(ctx: Context, db: PgDatabase): Promise<string[]> {
  // One at a time per database: a week loaded beside another then finds the files the other
  // loaded recorded, instead of waiting for its lock to load them again.
  const previous = dimensionsDone.get(db) ?? Promise.resolve();
  const upserts = previous.then(async () => {
    const done: string[] = [];
    for (const dim of DIMENSIONS) {
      if (await upsertDimension(ctx, db, dim)) done.push(dim.name);
    }
    return done;
  });
  dimensionsDone.set(
    db,
    upserts.then(
      () => undefined,
      () => undefined,
    ),
  );
  return upserts;
}

/** The last dimension upsert begun on each open database. */
const dimensionsDone = new WeakMap<PgDatabase, Promise<void>>();

/** One dimension file, when it exists and changed: COPY into a temporary table, then INSERT ... ON CONFLICT. */
async function upsertDimension(ctx: Context, db: PgDatabase, dim: Dimension): Promise<boolean> {
  const { layout } = ctx.config;
  const file = layout.dim(dim.name);
  const rel = layout.relative(file);
  if (!(await pathExists(file))) {
    ctx.log.warn(`load-pg: ${rel} not found; ${dim.name} not updated`);
    return false;
  }
  const sha256 = await fileSha256(file);
  const last = await runSql<{ sha256: string }>(db.pool, await pgSql('load-pg-dim-sha256.sql'), [dim.name]);
  if (last.rows[0]?.sha256 === sha256) {
    ctx.log.debug(`load-pg: ${rel} unchanged since it was loaded`);
    return false;
  }
  const startedAt = new Date();
  await inTransaction(db, async (client) => {
    const { rows, changed } = await copyDimension(client, dim, file, rel);
    await runSql(client, await pgSql('load-pg-dim-file.sql'), [dim.name, sha256]);
    const message = `${rel}: ${rows} rows, ${changed} new or changed`;
    const stage = `${STAGE}:${dim.name}`;
    await recordRun(client, { stage, week: null, status: 'ok', rowsIn: rows, rowsOut: changed, startedAt, message });
    ctx.log.info(`load-pg: ${dim.name}: ${rows} rows from ${rel}, ${changed} new or changed`);
  });
  return true;
}

/** The file's rows into its table (inside the caller's transaction): the rows in the file, and those new or changed. */
async function copyDimension(client: pg.PoolClient, dim: Dimension, file: string, rel: string) {
  const table = { table: dim.name };
  const ids = { ...table, staging: `${dim.name}_load` };
  // The first load goes straight into the empty table (half the time of staging and upserting);
  // the lock keeps it empty until this transaction ends.
  await runSql(client, await pgSql('load-pg-dim-lock.sql', table));
  const empty = (await runSql(client, await pgSql('load-pg-dim-empty.sql', table))).rows[0]?.empty === true;
  if (!empty) await runSql(client, await pgSql('load-pg-dim-staging.sql', ids));
  let rows: number;
  try {
    rows = await copyFile(client, empty ? ids.table : ids.staging, dim.columns, file);
  } catch (error) {
    throw new StageError(`load-pg: cannot load ${rel}`, STAGE, { cause: error });
  }
  if (empty) return { rows, changed: rows };
  const upserted = await runSql(client, await pgSql(dim.upsert));
  return { rows, changed: upserted.rowCount ?? 0 };
}

/** Digests already computed in this process, by path, for the file's identity (inode, size, mtime). */
const digests = new Map<string, { identity: string; sha256: string }>();

/**
 * The file's sha256. A backfill checks the same dimension files every week
 * (customers.csv is tens of MB): a file whose inode, size and modification
 * time are unchanged is not read again. The generator replaces files by
 * renaming, which gives them a new inode.
 */
async function fileSha256(file: string): Promise<string> {
  const info = await stat(file, { bigint: true });
  const identity = `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}`;
  const known = digests.get(file);
  if (known?.identity === identity) return known.sha256;
  const hash = createHash('sha256');
  // In reads of 256 KiB, not the default 64: a year's customers.csv hashes in half the time.
  await pipeline(readFileStream(file, Number(info.size)), hash);
  const sha256 = hash.digest('hex');
  digests.set(file, { identity, sha256 });
  return sha256;
}

/** The SQLSTATE of a server error, also when a statement file's error carries it as its cause. */
function sqlState(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** A COPY that stopped on a sale_id already in the table (SQLSTATE 23505). */
const isUniqueViolation = (error: unknown) => sqlState(error) === '23505';

/**
 * A lock wait or deadlock between two weeks loaded side by side: they hold the
 * same sale_id (SQLSTATE 55P03 lock_not_available after lock_timeout, 40P01).
 */
const isWeekCollision = (error: unknown) => ['55P03', '40P01'].includes(sqlState(error) ?? '');

/** One week being loaded: what the steps below share. */
interface WeekJob {
  ctx: Context;
  db: PgDatabase;
  week: Week;
  files: { region: string; written: number; path: string }[];
  slot: Slot;
  startedAt: Date;
}

/** How a transaction of a week ended: as a step, or rolled back because a sale_id is already in sales. */
type WeekTry = StepOutcome<LoadedWeek> | { kind: 'duplicate' };

/**
 * Replace one week in `sales`: delete its rows, COPY the manifest's files,
 * check the counts, record the run, all in one transaction. The fast path
 * copies straight into `sales`; when a sale_id is already there for another
 * week, it starts over through a staging table that leaves those rows out.
 *
 * Beside another week (`slot.beside`), a sale_id in both makes one wait for
 * the other: when the earlier week committed first, this one finds the id
 * taken and leaves it out, as one by one; when this one had taken it first,
 * the earlier week's wait ends with lock_timeout, both roll back, and they
 * are loaded again one by one ('again'), so the earlier week always keeps the row.
 */
async function loadWeek(
  ctx: Context,
  db: PgDatabase,
  week: Week,
  manifest: CleanManifest,
  slot: Slot,
): Promise<StepOutcome<LoadedWeek>> {
  const files = manifest.files.map((f) => ({ ...f, path: ctx.config.layout.clean(week, f.region) }));
  const job: WeekJob = { ctx, db, week, files, slot, startedAt: new Date() };
  const outcome = await loadWeekOnce(job);
  if (outcome.kind === 'committed') reportWeek(job, outcome.value);
  if (outcome.kind === 'again') {
    ctx.log.debug(
      `load-pg: ${week.id} shares sale_ids with the week loaded beside it; loading the rest one week at a time`,
    );
  }
  return outcome;
}

async function loadWeekOnce(job: WeekJob): Promise<StepOutcome<LoadedWeek>> {
  try {
    const direct = await weekTransaction(job.db, (client) => copyDirect(job, client));
    return direct.kind === 'duplicate' ? await copyThroughStaging(job) : direct;
  } catch (error) {
    // This week's own failure is not recorded: it is loaded again.
    if (job.slot.beside && isWeekCollision(error)) return { kind: 'again' };
    await recordFailure(job.ctx, job.db, job.week, job.startedAt, error);
    return { kind: 'failed', error };
  }
}

/**
 * BEGIN, `work`, then COMMIT when it loaded the week (and no stop signal came) or ROLLBACK when it did
 * not; a thrown error rolls back and is rethrown.
 */
async function weekTransaction<O extends WeekTry>(
  db: PgDatabase,
  work: (client: pg.PoolClient) => Promise<O>,
): Promise<O> {
  const client = await db.pool.connect();
  let broken: Error | undefined;
  const rollback = () =>
    client.query('ROLLBACK').then(
      () => undefined,
      (error: Error) => {
        broken = error;
      },
    );
  try {
    await client.query('BEGIN');
    const outcome = await work(client);
    if (outcome.kind !== 'committed') {
      await rollback();
      return outcome;
    }
    throwIfInterrupted();
    await client.query('COMMIT');
    return outcome;
  } catch (error) {
    await rollback();
    throw error;
  } finally {
    client.release(broken);
  }
}

/** The fast path: the files straight into `sales`; `duplicate` when a sale_id is already there. */
async function copyDirect(job: WeekJob, client: pg.PoolClient): Promise<WeekTry> {
  await deleteWeek(job, client);
  const copied = await copyAll(job, client, 'sales');
  if (copied.kind === 'duplicate') return copied;
  return finish(job, client, { rowsIn: copied.rows, rowsOut: copied.rows, duplicates: { count: 0, examples: [] } });
}

/** The files through a staging table, leaving out the sale_ids already loaded for another week. */
async function copyThroughStaging(job: WeekJob): Promise<StepOutcome<LoadedWeek>> {
  job.ctx.log.debug(`load-pg: ${job.week.id} has sale_ids already in sales; loading through a staging table`);
  return weekTransaction(job.db, async (client) => {
    await deleteWeek(job, client);
    await runSql(client, await pgSql('load-pg-sales-staging.sql'));
    const copied = await copyAll(job, client, 'sales_load');
    if (copied.kind === 'duplicate') throw copied.error; // the staging table has no unique key
    const dup = await runSql<{ count: string; examples: string[] | null }>(
      client,
      await pgSql('load-pg-staged-duplicates.sql'),
    );
    const inserted = (await runSql(client, await pgSql('load-pg-insert-staged.sql'))).rowCount ?? 0;
    const duplicates = { count: copied.rows - inserted, examples: dup.rows[0]?.examples ?? [] };
    return finish(job, client, { rowsIn: copied.rows, rowsOut: inserted, duplicates });
  });
}

async function deleteWeek({ week, slot }: WeekJob, client: pg.PoolClient): Promise<void> {
  if (slot.beside) await runSql(client, await pgSql('load-pg-lock-timeout.sql'));
  await runSql(client, await pgSql('load-pg-delete-week.sql'), [week.start, week.end]);
  await runSql(client, await pgSql('load-pg-delete-region-weeks.sql'), [week.start]);
}

/** COPY the week's files into `table`, each checked against its manifest count. */
async function copyAll(
  { ctx, week, files, slot }: WeekJob,
  client: pg.PoolClient,
  table: string,
): Promise<{ kind: 'copied'; rows: number } | { kind: 'duplicate'; error: unknown }> {
  let rows = 0;
  for (const f of files) {
    const rel = ctx.config.layout.relative(f.path);
    let copied: number;
    try {
      copied = await copyFile(client, table, SALES_HEADER, f.path);
    } catch (error) {
      if (isUniqueViolation(error)) return { kind: 'duplicate', error };
      if (slot.beside && isWeekCollision(error)) throw error;
      throw new StageError(`load-pg: cannot load ${rel} into PostgreSQL (week ${week.id} left as it was)`, STAGE, {
        cause: error,
      });
    }
    if (copied !== f.written) {
      throw new StageError(
        `load-pg: ${rel} has ${copied} rows but its manifest says ${f.written}; ` +
          `run \`sales-etl clean --week ${week.id}\` again`,
        STAGE,
      );
    }
    rows += copied;
  }
  return { kind: 'copied', rows };
}

/** What a transaction put in `sales`, for `finish`. */
interface WeekLoad {
  rowsIn: number;
  rowsOut: number;
  duplicates: { count: number; examples: string[] };
}

/** Check the week's figures, record the run, and wait for the week before: commit, or roll back. */
async function finish(job: WeekJob, client: pg.PoolClient, load: WeekLoad): Promise<StepOutcome<LoadedWeek>> {
  const { week } = job;
  const figures = await pgSql('load-pg-week-figures.sql');
  const check = await runSql<{ rows: string; amount: string }>(client, figures, [week.start, week.end]);
  const rows = Number(check.rows[0]?.rows ?? 0);
  if (rows !== load.rowsOut) {
    throw new StageError(
      `load-pg: ${load.rowsOut - rows} rows of clean/${week.id} have a sale_date outside ` +
        `${week.start}..${week.end}; run \`sales-etl clean --week ${week.id}\` again`,
      STAGE,
    );
  }
  const { count, examples } = load.duplicates;
  const message =
    count > 0 ? `${count} sale_id(s) already loaded for another week were skipped, e.g. ${examples.join(', ')}` : null;
  const { rowsIn } = load;
  const { startedAt } = job;
  await recordRun(client, { stage: STAGE, week: week.id, status: 'ok', rowsIn, rowsOut: rows, startedAt, message });
  const turn = await job.slot.turn();
  if (turn !== 'commit') return { kind: turn === 'again' ? 'again' : 'stopped' };
  const amount = check.rows[0]?.amount ?? '0';
  const value = { week: week.id, rows, amount, crossWeekDuplicates: count, crossWeekDuplicateIds: examples };
  return { kind: 'committed', value };
}

/** After the commit: what the log says of the week. */
function reportWeek({ ctx, week, files }: WeekJob, result: LoadedWeek): void {
  const expected = files.reduce((n, f) => n + f.written, 0);
  if (result.rows + result.crossWeekDuplicates !== expected) {
    // Unreachable unless the counting above is wrong; the transaction has committed, so say it loudly.
    ctx.log.warn(
      `load-pg: ${week.id}: ${result.rows} rows loaded + ${result.crossWeekDuplicates} skipped != ${expected} ` +
        'in the manifest',
    );
  }
  if (result.crossWeekDuplicates > 0) {
    ctx.log.warn(
      `load-pg: ${week.id}: ${result.crossWeekDuplicates} sale_id(s) were already loaded for another week ` +
        `and were skipped (e.g. ${result.crossWeekDuplicateIds.join(', ')})`,
    );
  }
  ctx.log.debug(`load-pg: ${week.id}: ${result.rows} rows, sum ${result.amount}`);
}

/** A failed run is recorded outside the rolled-back transaction, for `status`; failing to record it hides nothing. */
async function recordFailure(ctx: Context, db: PgDatabase, week: Week, startedAt: Date, error: unknown): Promise<void> {
  try {
    await recordRunApart(db, {
      stage: STAGE,
      week: week.id,
      status: 'failed',
      startedAt,
      message: redact(error instanceof Error ? error.message : String(error)),
    });
  } catch (recordError) {
    ctx.log.debug(`load-pg: could not record the failure of ${week.id}: ${(recordError as Error).message}`);
  }
}
