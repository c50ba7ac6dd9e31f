import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Week } from '../lib/core/calendar.js';
import type { Context } from '../lib/core/config.js';
import { redact, StageError } from '../lib/core/errors.js';
import { during } from '../lib/core/interrupt.js';
import { readFileStream } from '../lib/files/layout.js';
import { readCleanManifest } from '../lib/files/manifest.js';
import { SALES_HEADER } from '../lib/core/headers.js';
import { inTransaction, recordRun, recordRunApart, withPg, type PgDatabase } from '../lib/pg/database.js';
import { defaultWeeks } from '../lib/core/plan.js';

/** Options of `load-pg`. */
export interface LoadPgOptions {
  ctx: Context;
  /** Weeks to load; undefined means the plan's whole period. */
  weeks?: Week[] | undefined;
  /** An open database (from `run-week`); left open. Absent: one is opened and closed here. */
  pg?: PgDatabase | undefined;
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
}

const STAGE = 'load-pg';
const SALES_COLUMNS = SALES_HEADER;
const CUSTOMER_COLUMNS = 'customer_id,full_name,gender,birth_date,registered_on,region,city,address,activity,max_orders';
const PRODUCT_COLUMNS = 'product_id,name,category,list_price';

/** The part of `clean/<week>/manifest.json` load-pg relies on. */
interface Manifest {
  week: string;
  files: { region: string; output: string; written: number }[];
}

/** Load the weeks' clean files into PostgreSQL (SPEC 6). */
export async function loadPg(opts: LoadPgOptions): Promise<LoadPgResult> {
  const { ctx } = opts;
  const weeks = opts.weeks ?? (await defaultWeeks(ctx.config.layout, STAGE));
  // Every manifest is checked before the database is touched: a missing week fails fast.
  const manifests = await Promise.all(weeks.map((week) => readManifest(ctx, week)));
  return withPg(ctx, opts.pg, async (db) => {
    const dimensions = await upsertDimensions(ctx, db);
    const loaded: LoadedWeek[] = [];
    // Two weeks at a time, each in its own transaction on its own connection: PostgreSQL parses
    // and indexes one week's COPY on each of the two cores. A week commits only after the week
    // before it has, so the outcome is that of loading them one by one (see `loadWeek`); when
    // two weeks hold the same sale_id, the rest of the weeks are loaded one by one.
    let together = weeks.length > 1;
    type InFlight = { week: Week; manifest: Manifest; attempt: Promise<Attempt> };
    const settle = async ({ week, manifest, attempt }: InFlight): Promise<void> => {
      const outcome = await ctx.log.task(`load-pg ${week.id}`, async () => {
        const first = await attempt;
        if (first.kind !== 'retry') return first;
        together = false;
        ctx.log.debug(`load-pg: ${week.id} shares sale_ids with the week loaded beside it; loading the rest one week at a time`);
        return loadWeek(ctx, db, week, manifest, { together: false });
      });
      if (outcome.kind !== 'loaded') throw new Error(`load-pg: ${week.id} was not loaded (${outcome.kind})`);
      loaded.push(outcome.week);
    };
    let previous: InFlight | undefined;
    for (const [i, week] of weeks.entries()) {
      const manifest = manifests[i] as Manifest;
      if (!together && previous) {
        await settle(previous);
        previous = undefined;
      }
      const turn = { after: previous?.attempt, together };
      const attempt = during(`load-pg of ${week.id}`, () => loadWeek(ctx, db, week, manifest, turn));
      attempt.catch(() => undefined); // awaited in turn below; an earlier week's failure is reported first
      if (previous) {
        try {
          await settle(previous);
        } catch (error) {
          await attempt.catch(() => undefined); // rolls back: the week before it failed
          throw error;
        }
      }
      previous = { week, manifest, attempt };
    }
    if (previous) await settle(previous);
    // No ANALYZE here: it samples the whole table (0.4-0.6 s at a million rows, more than loading a
    // week), autovacuum analyzes a table that grew by a tenth, and the statements that read sales by
    // week (aggregate-week.sql, migrate-click) are written to plan well on lagging statistics.
    return { weeks: loaded, dimensions };
  });
}

async function readManifest(ctx: Context, week: Week): Promise<Manifest> {
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
async function copyFile(client: pg.PoolClient, table: string, columns: string, file: string): Promise<number> {
  // HEADER MATCH (PostgreSQL 15+) refuses a file whose header is not exactly these columns.
  const copy = client.query(copyFrom(`COPY ${table} (${columns}) FROM STDIN WITH (FORMAT csv, HEADER MATCH)`));
  await pipeline(readFileStream(file, (await stat(file)).size), copy);
  return copy.rowCount;
}


/** The dimension files load-pg upserts before the weeks: table (and file) name, key, the file's columns. */
export const DIMENSIONS = [
  { name: 'customers', key: 'customer_id', columns: CUSTOMER_COLUMNS },
  { name: 'products', key: 'product_id', columns: PRODUCT_COLUMNS },
] as const;

/**
 * Upsert `dim/customers.csv` and `dim/products.csv` (COPY into a temporary
 * table, then INSERT ... ON CONFLICT DO UPDATE), each only when the file
 * changed since it was last loaded.
 */
async function upsertDimensions(ctx: Context, db: PgDatabase): Promise<string[]> {
  const { layout } = ctx.config;
  const done: string[] = [];
  for (const dim of DIMENSIONS) {
    const file = layout.dim(dim.name);
    const rel = layout.relative(file);
    if (!(await access(file).then(() => true, () => false))) {
      ctx.log.warn(`load-pg: ${rel} not found; ${dim.name} not updated`);
      continue;
    }
    const sha256 = await fileSha256(file);
    const last = await db.pool.query<{ sha256: string }>('SELECT sha256 FROM dim_files WHERE name = $1', [dim.name]);
    if (last.rows[0]?.sha256 === sha256) {
      ctx.log.debug(`load-pg: ${rel} unchanged since it was loaded`);
      continue;
    }
    const startedAt = new Date();
    const updates = dim.columns
      .split(',')
      .filter((c) => c !== dim.key)
      .map((c) => `${c} = EXCLUDED.${c}`)
      .join(', ');
    const changed = `(${dim.columns
      .split(',')
      .map((c) => `${dim.name}.${c}`)
      .join(', ')}) IS DISTINCT FROM (${dim.columns
      .split(',')
      .map((c) => `EXCLUDED.${c}`)
      .join(', ')})`;
    await inTransaction(db, async (client) => {
      // The first load goes straight into the empty table (half the time of staging and upserting
      // 140k customers); the lock keeps it empty until this transaction ends.
      await client.query(`LOCK TABLE ${dim.name} IN SHARE ROW EXCLUSIVE MODE`);
      const empty = (await client.query(`SELECT NOT EXISTS (SELECT 1 FROM ${dim.name}) AS empty`)).rows[0]?.empty === true;
      const target = empty ? dim.name : `${dim.name}_load`;
      if (!empty) await client.query(`CREATE TEMP TABLE ${dim.name}_load (LIKE ${dim.name}) ON COMMIT DROP`);
      let rows: number;
      try {
        rows = await copyFile(client, target, dim.columns, file);
      } catch (error) {
        throw new StageError(`load-pg: cannot load ${rel}`, STAGE, { cause: error });
      }
      const upserted = empty
        ? { rowCount: rows }
        : await client.query(
            `INSERT INTO ${dim.name} (${dim.columns}) SELECT ${dim.columns} FROM ${dim.name}_load
             ON CONFLICT (${dim.key}) DO UPDATE SET ${updates} WHERE ${changed}`,
          );
      await client.query(
        `INSERT INTO dim_files (name, sha256) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET sha256 = EXCLUDED.sha256, loaded_at = now()`,
        [dim.name, sha256],
      );
      await recordRun(client, {
        stage: `${STAGE}:${dim.name}`,
        week: null,
        status: 'ok',
        rowsIn: rows,
        rowsOut: upserted.rowCount ?? 0,
        startedAt,
        message: `${rel}: ${rows} rows, ${upserted.rowCount ?? 0} new or changed`,
      });
      ctx.log.info(`load-pg: ${dim.name}: ${rows} rows from ${rel}, ${upserted.rowCount ?? 0} new or changed`);
    });
    done.push(dim.name);
  }
  return done;
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
  await pipeline(createReadStream(file), hash);
  const sha256 = hash.digest('hex');
  digests.set(file, { identity, sha256 });
  return sha256;
}

/**
 * How long a week loaded beside another waits for a row lock the other holds
 * before both are loaded again one by one. Only weeks sharing a sale_id wait.
 */
const LOCK_TIMEOUT = '2s';

/** A COPY that stopped on a sale_id already in the table (SQLSTATE 23505). */
const isUniqueViolation = (error: unknown) => (error as { code?: unknown }).code === '23505';

interface WeekLoad {
  rowsIn: number;
  rowsOut: number;
  duplicates: { count: number; examples: string[] };
}

/** How one attempt at a week ended. */
type Attempt =
  | { kind: 'loaded'; week: LoadedWeek }
  /** Rolled back because it met the week loaded beside it on a sale_id; load it again on its own. */
  | { kind: 'retry' }
  /** Rolled back because the week before it failed. */
  | { kind: 'skipped' };

/** When a week may commit: after the week before it (`after`; none: at once), and whether it runs beside that week. */
interface Turn {
  after?: Promise<Attempt> | undefined;
  together: boolean;
}

/** Thrown inside a week's transaction to roll it back when the week before it did not commit. */
class NotMyTurn extends Error {
  constructor(readonly outcome: 'retry' | 'skipped') {
    super(`load-pg: rolled back (${outcome})`);
  }
}

/**
 * A lock wait or deadlock between two weeks loaded side by side: they hold the
 * same sale_id (SQLSTATE 55P03 lock_not_available after lock_timeout, 40P01).
 */
const isWeekCollision = (error: unknown) => ['55P03', '40P01'].includes(String((error as { code?: unknown }).code));

/**
 * Replace one week in `sales`: delete its rows, COPY the manifest's files,
 * check the counts, record the run, all in one transaction. The fast path
 * copies straight into `sales`; when a sale_id is already there for another
 * week, it starts over through a staging table that leaves those rows out.
 *
 * Beside the week before it (`turn.together`), the transaction commits only
 * once that week has, and rolls back if it did not. A sale_id in both weeks
 * makes one wait for the other: when the earlier week committed first, this
 * one finds the id taken and leaves it out, as one by one; when this one had
 * taken it first, the earlier week's wait ends with lock_timeout, both roll
 * back, and they are loaded again one by one ('retry'), so the earlier week
 * always keeps the row.
 */
async function loadWeek(ctx: Context, db: PgDatabase, week: Week, manifest: Manifest, turn: Turn): Promise<Attempt> {
  try {
    return { kind: 'loaded', week: await loadWeekOnce(ctx, db, week, manifest, turn) };
  } catch (error) {
    if (error instanceof NotMyTurn) return { kind: error.outcome };
    // This week's own failure is not recorded: it is loaded again.
    if (turn.together && isWeekCollision(error)) return { kind: 'retry' };
    throw error;
  }
}

/** Wait for the week before; roll back (by throwing) unless it committed. */
async function myTurn(turn: Turn): Promise<void> {
  if (!turn.after) return;
  let before: Attempt;
  try {
    before = await turn.after;
  } catch {
    throw new NotMyTurn('skipped');
  }
  if (before.kind !== 'loaded') throw new NotMyTurn(before.kind === 'retry' ? 'retry' : 'skipped');
}

async function loadWeekOnce(ctx: Context, db: PgDatabase, week: Week, manifest: Manifest, turn: Turn): Promise<LoadedWeek> {
  const { layout } = ctx.config;
  const files = manifest.files.map((f) => ({ ...f, path: layout.clean(week, f.region) }));
  const expected = files.reduce((n, f) => n + f.written, 0);
  const startedAt = new Date();

  const copyAll = async (client: pg.PoolClient, table: string): Promise<number> => {
    let total = 0;
    for (const f of files) {
      const rel = layout.relative(f.path);
      let rows: number;
      try {
        rows = await copyFile(client, table, SALES_COLUMNS, f.path);
      } catch (error) {
        if (isUniqueViolation(error) || (turn.together && isWeekCollision(error))) throw error;
        throw new StageError(`load-pg: cannot load ${rel} into PostgreSQL (week ${week.id} left as it was)`, STAGE, {
          cause: error,
        });
      }
      if (rows !== f.written) {
        throw new StageError(
          `load-pg: ${rel} has ${rows} rows but its manifest says ${f.written}; run \`sales-etl clean --week ${week.id}\` again`,
          STAGE,
        );
      }
      total += rows;
    }
    return total;
  };

  const finish = async (client: pg.PoolClient, load: WeekLoad): Promise<LoadedWeek> => {
    // One pass over the week's rows gives the check figures and the per-region totals aggregate's
    // year to date is made of (sales_region_weeks, kept in step with sales in this transaction).
    const check = await client.query<{ rows: string; amount: string }>(
      `WITH regions AS (
         SELECT region, count(*) AS n, sum(sale_amount) AS revenue
         FROM sales WHERE sale_date BETWEEN $1::date AND $2::date GROUP BY region
       ), saved AS (
         INSERT INTO sales_region_weeks (week_start, region, sales_count, revenue)
         SELECT $1::date, region, n, revenue FROM regions
       )
       SELECT coalesce(sum(n), 0) AS rows, coalesce(sum(revenue), 0)::text AS amount FROM regions`,
      [week.start, week.end],
    );
    const rows = Number(check.rows[0]?.rows ?? 0);
    if (rows !== load.rowsOut) {
      throw new StageError(
        `load-pg: ${load.rowsOut - rows} rows of clean/${week.id} have a sale_date outside ${week.start}..${week.end}; run \`sales-etl clean --week ${week.id}\` again`,
        STAGE,
      );
    }
    const { count, examples } = load.duplicates;
    const message =
      count > 0
        ? `${count} sale_id(s) already loaded for another week were skipped, e.g. ${examples.join(', ')}`
        : null;
    await recordRun(client, { stage: STAGE, week: week.id, status: 'ok', rowsIn: load.rowsIn, rowsOut: rows, startedAt, message });
    await myTurn(turn);
    return {
      week: week.id,
      rows,
      amount: check.rows[0]?.amount ?? '0',
      crossWeekDuplicates: count,
      crossWeekDuplicateIds: examples,
    };
  };

  const deleteWeek = async (client: pg.PoolClient) => {
    if (turn.together) await client.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
    await client.query('DELETE FROM sales WHERE sale_date BETWEEN $1 AND $2', [week.start, week.end]);
    await client.query('DELETE FROM sales_region_weeks WHERE week_start = $1', [week.start]);
  };

  let result: LoadedWeek;
  try {
    try {
      result = await inTransaction(db, async (client) => {
        await deleteWeek(client);
        const rows = await copyAll(client, 'sales');
        return finish(client, { rowsIn: rows, rowsOut: rows, duplicates: { count: 0, examples: [] } });
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      ctx.log.debug(`load-pg: ${week.id} has sale_ids already in sales; loading through a staging table`);
      result = await inTransaction(db, async (client) => {
        await deleteWeek(client);
        await client.query('CREATE TEMP TABLE sales_load (LIKE sales INCLUDING DEFAULTS) ON COMMIT DROP');
        const rows = await copyAll(client, 'sales_load');
        const dup = await client.query<{ count: string; examples: string[] | null }>(
          `SELECT count(*) AS count, (array_agg(l.sale_id::text ORDER BY l.sale_id))[1:5] AS examples
           FROM sales_load l JOIN sales s USING (sale_id)`,
        );
        const inserted = await client.query(
          `INSERT INTO sales (${SALES_COLUMNS}) SELECT ${SALES_COLUMNS} FROM sales_load ORDER BY sale_id
           ON CONFLICT (sale_id) DO NOTHING`,
        );
        const count = rows - (inserted.rowCount ?? 0);
        return finish(client, {
          rowsIn: rows,
          rowsOut: inserted.rowCount ?? 0,
          duplicates: { count, examples: dup.rows[0]?.examples ?? [] },
        });
      });
    }
  } catch (error) {
    if (!(error instanceof NotMyTurn) && !(turn.together && isWeekCollision(error))) {
      await recordFailure(ctx, db, week, startedAt, error);
    }
    throw error;
  }
  if (result.rows + result.crossWeekDuplicates !== expected) {
    // Unreachable unless the counting above is wrong; the transaction has committed, so say it loudly.
    ctx.log.warn(`load-pg: ${week.id}: ${result.rows} rows loaded + ${result.crossWeekDuplicates} skipped != ${expected} in the manifest`);
  }
  if (result.crossWeekDuplicates > 0) {
    ctx.log.warn(
      `load-pg: ${week.id}: ${result.crossWeekDuplicates} sale_id(s) were already loaded for another week and were skipped (e.g. ${result.crossWeekDuplicateIds.join(', ')})`,
    );
  }
  ctx.log.debug(`load-pg: ${week.id}: ${result.rows} rows, sum ${result.amount}`);
  return result;
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
