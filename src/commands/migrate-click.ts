import type pg from 'pg';
import type { Readable } from 'node:stream';
import { to as copyTo, type CopyToStreamQuery } from 'pg-copy-streams';
import type { Week } from '../lib/core/calendar.js';
import { describeWeeks, moscowDateTime, weekOfDate, weeksApart } from '../lib/core/calendar.js';
import { checkClickHouseFree, type ClickHouseDatabase } from '../lib/clickhouse/database.js';
import { Connections } from '../lib/pipeline/connections.js';
import {
  describePartition,
  recoverPublications,
  replacePartitionFromCsv,
  stagePartition,
  stagePartitionWith,
  stagingTable,
  swapStaged,
  type Partition,
  type PublishedTable,
  type StagedPartition,
} from '../lib/clickhouse/partition.js';
import { clickHouseStatement } from '../lib/clickhouse/sql.js';
import type { Context } from '../lib/core/config.js';
import { describeError, redact, StageError } from '../lib/core/errors.js';
import { during, throwIfInterrupted } from '../lib/core/interrupt.js';
import { linkPostgres } from '../lib/clickhouse/pg-link.js';
import { inTransaction, READ_ONLY_SNAPSHOT, recordRunApart, type PgDatabase } from '../lib/pg/database.js';
import { pgSql, runSql, type SqlFile } from '../lib/pg/sql.js';
import { defaultWeeks } from '../lib/core/plan.js';
import { describeMismatch, type WeekFigures } from '../lib/core/week-figures.js';
import { canonicalDecimal } from '../lib/core/money.js';

const STAGE = 'migrate-click';

/** Options of `migrate-click`. */
export interface MigrateClickOptions {
  ctx: Context;
  /** Weeks to publish; undefined means the plan's whole period. */
  weeks?: Week[] | undefined;
  /** Only compare ClickHouse with PostgreSQL; copy nothing. */
  verifyOnly?: boolean | undefined;
  /** An open PostgreSQL (from `run-week`), left open; absent: opened and closed here. */
  pg?: PgDatabase | undefined;
  /** An open ClickHouse (from `run-week`), left open; absent: opened and closed here. */
  ch?: ClickHouseDatabase | undefined;
  /** The run's time, for `imported_at`; defaults to now. */
  now?: Date | undefined;
  /**
   * Called as each week is published (or verified) and recorded, in week order: when a later week
   * fails, the caller knows which are in (backfill publishes the weeks that are ready together).
   */
  onWeek?: ((week: MigratedWeek) => void) | undefined;
  /** The most buyers staged in one run of weeks; default `RUN_BUYERS`. */
  runBuyers?: number | undefined;
}

/** One published (or verified) week. */
export interface MigratedWeek {
  week: string;
  /** Rows of the week in ClickHouse's sales_agg, equal to PostgreSQL's. */
  rows: number;
  /** sum(amount_sum), exact. */
  amountSum: string;
  /** sum(sales_count). */
  salesCount: number;
  /** The week's distinct (region, customer) buyers published to week_buyers. */
  buyers: number;
}

/** What `migrate-click` did. */
export interface MigrateClickResult {
  weeks: MigratedWeek[];
  /** True when nothing was copied, only compared. */
  verifyOnly: boolean;
  /**
   * Products in the published catalogue, sent now or found unchanged (undefined with --verify-only, or when
   * PostgreSQL has none).
   */
  products?: number | undefined;
  /** The imported_at of the rows published, Moscow time `YYYY-MM-DD HH:MM:SS`. */
  importedAt?: string | undefined;
  /** Where the rows went. */
  target: string;
}

const SALES_AGG_COLUMNS = [
  'week_start',
  'region',
  'product_id',
  'sales_count',
  'quantity_sum',
  'amount_sum',
  'avg_sale_amount',
  'revenue_rank',
  'revenue_share',
  'region_revenue_ytd',
  'aggregated_at',
  'imported_at',
  'import_date',
] as const;
const WEEK_BUYERS_COLUMNS = ['week_start', 'region', 'customer_id', 'imported_at'] as const;
const PRODUCTS_COLUMNS = ['product_id', 'name', 'category', 'list_price', 'imported_at'] as const;
const SALES_DAILY_COLUMNS = [
  'week_start',
  'sale_date',
  'region',
  'category',
  'sales_count',
  'quantity_sum',
  'amount_sum',
  'imported_at',
] as const;

/**
 * The most consecutive weeks published together: staged in one set of
 * staging tables from one snapshot and reconciled by one query, then swapped in
 * week by week. The cost of a publication is mostly per statement, not per
 * row (a year in one run took 1.5 s where four quarters took 2.0): 53 weeks,
 * a year's worth whatever week they start at, unless their buyers are more than
 * `RUN_BUYERS`.
 */
const RUN_WEEKS = 53;

/**
 * Publish the weeks' aggregates to ClickHouse with their import date (SPEC 7):
 * consecutive weeks in runs of up to `RUN_WEEKS`, each run streamed from one
 * PostgreSQL snapshot into staging tables, then swapped in week by week (each
 * week atomically), then reconciled with PostgreSQL week by week (row count
 * and sums). With `verifyOnly`, only reconcile. Stops at the first week that fails.
 */
export async function migrateClick(opts: MigrateClickOptions): Promise<MigrateClickResult> {
  const { ctx } = opts;
  const weeks = opts.weeks ?? (await defaultWeeks(ctx.config.layout, STAGE));
  const verifyOnly = opts.verifyOnly ?? false;
  const importedAt = moscowDateTime((opts.now ?? new Date()).getTime());
  // A ClickHouse directory held by another process fails at once, before PostgreSQL starts. Then the
  // embedded PostgreSQL starts in processes of its own while this one loads the embedded engine.
  if (!opts.ch) await checkClickHouseFree(ctx);
  const connections = new Connections(ctx, { pg: opts.pg, ch: opts.ch });
  try {
    if (!opts.ch) connections.warmPg();
    const ch = await connections.ch();
    const pgDb = await connections.pg();
    const result: MigrateClickResult = { weeks: [], verifyOnly, target: ch.target };
    if (!verifyOnly) {
      await recoverOnServer(ctx, ch, 'all', 'the catalogue');
      result.importedAt = importedAt;
      result.products = await publishProducts(ctx, pgDb, ch, importedAt);
    }
    const runBuyers = opts.runBuyers ?? RUN_BUYERS;
    const migration: Migration = { ctx, pgDb, ch, verifyOnly, importedAt, onWeek: opts.onWeek, runBuyers };
    for (let at = 0; at < weeks.length; ) {
      const run = leadingRun(weeks.slice(at));
      at += await migrateRun(migration, run, result);
    }
    return result;
  } finally {
    await connections.close();
  }
}

/** What every run of one `migrate-click` shares. */
interface Migration {
  ctx: Context;
  pgDb: PgDatabase;
  ch: ClickHouseDatabase;
  verifyOnly: boolean;
  importedAt: string;
  onWeek?: ((week: MigratedWeek) => void) | undefined;
  runBuyers: number;
}

/**
 * Publish (or verify) one run of weeks and record each week in etl_runs, its published weeks added to
 * `result`. The number of weeks done; the first week that fails is recorded and its error thrown.
 */
async function migrateRun(m: Migration, run: Week[], result: MigrateClickResult): Promise<number> {
  const startedAt = new Date();
  let outcome: RunOutcome;
  try {
    outcome = await publishOrVerify(m, run);
  } catch (error) {
    // Nothing of the run was published. Refused at its first week: that week failed, the others were
    // not tried; otherwise each of its weeks failed.
    const failed = error instanceof RefusedWeek ? run.filter((w) => w.id === error.week) : run;
    for (const week of failed) await recordFailure(m, week, startedAt, error);
    throw error;
  }
  await finishPublished(m, run, startedAt, outcome, result);
  if (outcome.failure) {
    const { week, error } = outcome.failure;
    await recordFailure(m, week, startedAt, error);
    throw error;
  }
  return outcome.published.length;
}

/** Recover the run's partitions on a server, then publish (or verify) the run and release its memory. */
async function publishOrVerify(m: Migration, run: Week[]): Promise<RunOutcome> {
  const { ctx, ch, verifyOnly } = m;
  for (const week of run) await recoverOnServer(ctx, ch, { weekStart: week.start }, week.id);
  const outcome = await during(`${STAGE} of ${describeWeeks(run)}`, () =>
    verifyOnly ? verifyRun(m, run) : publishRun(m, run),
  );
  await releaseMemory(ch);
  return outcome;
}

/** For each week the run published (or verified): its etl_runs record, `result` and a log line. */
async function finishPublished(
  { ctx, pgDb, ch, verifyOnly, onWeek }: Migration,
  run: Week[],
  startedAt: Date,
  outcome: RunOutcome,
  result: MigrateClickResult,
): Promise<void> {
  for (const published of outcome.published) {
    const week = run.find((w) => w.id === published.week)!;
    await record(pgDb, { week, startedAt, status: 'ok', published, verifyOnly });
    result.weeks.push(published);
    onWeek?.(published);
    ctx.log.info(
      `${week.id}: ${published.rows.toLocaleString('en-US')} rows, amount ${published.amountSum} ` +
        `${verifyOnly ? 'match' : 'published to'} ${ch.target}`,
    );
  }
}

/** Record a week's failed run in etl_runs. Bookkeeping never hides the failure it records. */
function recordFailure(m: Migration, week: Week, startedAt: Date, error: unknown): Promise<void> {
  const { pgDb, verifyOnly, ctx } = m;
  return record(pgDb, { week, startedAt, status: 'failed', error, verifyOnly }).catch((e: unknown) =>
    ctx.log.warn(`could not record the failed run of ${week.id} in etl_runs: ${String(e)}`),
  );
}

/**
 * Hand the memory a run took back to the system. The embedded engine's
 * allocator keeps what a publication used for the next one, so its process
 * would otherwise settle a week's worth of buffers above what it needs. A
 * server looks after its own memory.
 */
async function releaseMemory(ch: ClickHouseDatabase): Promise<void> {
  if (ch.embedded) {
    await ch.client.command({ query: await clickHouseStatement('release-memory.sql') }).catch(() => undefined);
  }
}

/** What publishing (or verifying) a run of weeks did: the weeks done, in order, and the week that failed next. */
interface RunOutcome {
  published: MigratedWeek[];
  failure?: { week: Week; error: unknown } | undefined;
}

/** The consecutive weeks at the start of `weeks`, at most `RUN_WEEKS`. */
function leadingRun(weeks: Week[]): Week[] {
  const run = weeks.slice(0, 1);
  for (const week of weeks.slice(1, RUN_WEEKS)) {
    if (weeksApart(run.at(-1)!, week) !== 1) break;
    run.push(week);
  }
  return run;
}

/**
 * On a server, finish a publication of this partition that a killed run had
 * begun to swap in (the embedded engine does this for all on open). Only this
 * partition: another run may be publishing other weeks to the same server.
 */
async function recoverOnServer(
  ctx: Context,
  ch: ClickHouseDatabase,
  partition: Partition,
  what: string,
): Promise<void> {
  if (ch.embedded) return;
  for (const r of await recoverPublications(ch.client, partition)) {
    if (r.finished)
      ctx.log.warn(`${what}: finished publishing ${r.tables.join(', ')} to ${ch.target}, which a killed run had begun`);
  }
}

/**
 * Copy a run of consecutive weeks with their buyers and daily sales, swap them
 * in week by week (each week's three tables together), then reconcile each.
 * Weeks before the first one PostgreSQL cannot publish (no aggregates, or
 * aggregates older than its sales) are published, and that week is the
 * failure; likewise a week that does
 * not reconcile (the weeks after it were swapped in too, and stay: each is a
 * whole week, and the next run replaces them).
 */
async function publishRun({ ctx, pgDb, ch, importedAt, runBuyers }: Migration, run: Week[]): Promise<RunOutcome> {
  const linked = await linkPostgres(ch, pgDb, (error) =>
    ctx.log.debug(`cannot read PostgreSQL from ${ch.target} directly, streaming instead: ${describeError(error)}`),
  );
  // One snapshot for the figures and both copies, so they describe the same rows. The swap comes
  // after it has ended: a stop signal while staging ends the snapshot as a failure (inTransaction
  // checks before COMMIT) and drops what was staged, and no COMMIT after a swap can fail the swap.
  // All three tables are staged before any is swapped in: ClickHouse cannot swap two tables in one
  // statement, so a kill between two swaps would leave the aggregates new and the buyers or
  // daily sales still old; swapStaged leaves what the next open needs to finish the swap.
  const staged: StagedPartition[] = [];
  let snapshot: StagedRun;
  try {
    snapshot = await inTransaction(
      pgDb,
      (client) => stageRun(ctx, ch, client, run, { importedAt, linked, staged, runBuyers }),
      {
        begin: READ_ONLY_SNAPSHOT,
        discardOnError: true,
      },
    );
  } catch (error) {
    await dropStaged(staged);
    throw error;
  }
  const { weeks } = snapshot;
  try {
    // A stop signal before the swap drops what was staged; once the swap has begun, it is finished.
    throwIfInterrupted();
    await swapStaged(ch.client, staged).catch((cause: unknown) => {
      throw new Error(`${STAGE}: cannot swap ${describeWeeks(weeks)} into ${ch.target}`, { cause });
    });
  } finally {
    await dropStaged(staged);
  }
  return reconcileRun(ch, run, snapshot);
}

/** PostgreSQL's figures of a run's weeks, by Monday: of those it can publish, and why it cannot publish others. */
interface PgTotals {
  figures: Map<string, WeekFigures>;
  /** Weeks whose aggregates are older than their sales (loaded again since they were aggregated) or do not add up. */
  stale: Map<string, RefusedWeek>;
}

/** The weeks of a run staged from one PostgreSQL snapshot, and their figures in it. */
interface StagedRun {
  totals: PgTotals;
  weeks: Week[];
}

/** How `stageRun` stages: `linked`, the engine pulls from PostgreSQL itself; at most `runBuyers` buyers. */
interface StageRunOptions {
  importedAt: string;
  linked: boolean;
  staged: StagedPartition[];
  runBuyers: number;
}

/**
 * In the snapshot: the figures of the run's weeks, then the publishable ones copied into
 * staging tables (added to `staged`), pulled by ClickHouse when `linked`, streamed otherwise.
 */
async function stageRun(
  ctx: Context,
  ch: ClickHouseDatabase,
  client: pg.PoolClient,
  run: Week[],
  { importedAt, linked, staged, runBuyers }: StageRunOptions,
): Promise<StagedRun> {
  const totals = await pgTotals(client, run[0]!, run.at(-1)!);
  const weeks = publishable(run, totals, runBuyers);
  if (weeks.length === 0) throw unpublishable(run[0]!, totals)!;
  const partition: Exclude<Partition, 'all'> = { weekStart: weeks[0]!.start, lastWeekStart: weeks.at(-1)!.start };
  const rows = weeks.reduce((n, w) => n + Number(totals.figures.get(w.start)!.rows), 0);
  ctx.log.debug(`${weeks[0]!.id}: streaming ${rows} rows into ${stagingTable('sales_agg', partition)}`);
  await runSql(client, await pgSql('migrate-click-params.sql'), [
    partition.weekStart,
    importedAt,
    importedAt.slice(0, 10),
    partition.lastWeekStart ?? partition.weekStart,
  ]);
  if (linked) await pullRun(ch, partition, importedAt, staged);
  else await streamRun(ch, client, partition, staged);
  ctx.log.debug(
    `${weeks[0]!.id}: staged ${staged[0]?.rows} sales_agg rows, ${staged[1]?.rows} buyers ` +
      `and ${staged[2]?.rows} sales_daily rows`,
  );
  return { totals, weeks };
}

/**
 * Reconcile the swapped-in (or verified) weeks with their snapshot's figures. The week after them
 * that PostgreSQL cannot publish is the failure.
 */
async function reconcileRun(ch: ClickHouseDatabase, run: Week[], { totals, weeks }: StagedRun): Promise<RunOutcome> {
  const outcome = await reconcile(
    ch,
    weeks.map((w): [Week, WeekFigures] => [w, totals.figures.get(w.start)!]),
  );
  const next = run[weeks.length];
  const error = next && unpublishable(next, totals);
  if (!outcome.failure && error) outcome.failure = { week: next, error };
  return outcome;
}

/**
 * The most buyers staged in one run. The engine expands a region's buyers into
 * a row each as it stages them, a week's regions at a time, and gathers what it
 * inserts into blocks of up to a million rows: a year of ten million sales
 * (millions of buyers) in one run took 446 MB, 116 more than a default year. A
 * default year's 408,000 buyers are still one run; one week is always a run of
 * its own, whatever its size.
 */
const RUN_BUYERS = 1_000_000;

/** The weeks at the start of the run that PostgreSQL can publish, up to `maxBuyers` buyers (at least one week). */
function publishable(run: Week[], totals: PgTotals, maxBuyers: number): Week[] {
  const weeks: Week[] = [];
  let buyers = 0;
  for (const week of run) {
    if (unpublishable(week, totals)) break;
    buyers += Number(totals.figures.get(week.start)!.buyers);
    if (weeks.length > 0 && buyers > maxBuyers) break;
    weeks.push(week);
  }
  return weeks;
}

/** Why PostgreSQL cannot publish the week (no aggregates, or aggregates older than its sales); undefined if it can. */
function unpublishable(week: Week, totals: PgTotals): RefusedWeek | undefined {
  return totals.stale.get(week.start) ?? (totals.figures.has(week.start) ? undefined : noAggregates(week));
}

/**
 * Stage the weeks' aggregates, buyers and daily sales from PostgreSQL's COPY
 * output, streamed through this process, one COPY after another (pg takes one
 * query at a time on a connection; queueing the next is deprecated). PostgreSQL
 * unnests each region's buyers into a line each. Categories are the catalogue's
 * text, quoted, perhaps over lines, so ClickHouse counts the daily rows.
 */
async function streamRun(
  ch: ClickHouseDatabase,
  client: pg.PoolClient,
  partition: Exclude<Partition, 'all'>,
  staged: StagedPartition[],
): Promise<void> {
  const copy = (file: string) => copyOut(client, file);
  staged.push(await stageCsv(ch, 'sales_agg', partition, await copy('migrate-click-sales-agg.sql'), SALES_AGG_COLUMNS));
  const buyers = await copy('migrate-click-week-buyers.sql');
  staged.push(await stageCsv(ch, 'week_buyers', partition, buyers, WEEK_BUYERS_COLUMNS));
  const daily = await copy('migrate-click-sales-daily.sql');
  staged.push(await stageCsv(ch, 'sales_daily', partition, daily, SALES_DAILY_COLUMNS, false));
}

/**
 * Stage the weeks' aggregates, buyers and daily sales with the embedded engine
 * reading PostgreSQL itself (src/lib/clickhouse/pg-link.ts): no CSV through
 * this process. The engine reads on its own connections, outside this
 * snapshot; nothing else writes to the database meanwhile (the data
 * directory's lock), and what it read is checked against the snapshot's
 * figures by the reconciliation after the swap.
 */
async function pullRun(
  ch: ClickHouseDatabase,
  partition: Exclude<Partition, 'all'>,
  importedAt: string,
  staged: StagedPartition[],
): Promise<void> {
  const query_params = {
    first: partition.weekStart,
    last: partition.lastWeekStart ?? partition.weekStart,
    imported_at: importedAt,
    import_date: importedAt.slice(0, 10),
  };
  const pulledInto = (table: PublishedTable, file: string) =>
    stagePartitionWith(ch.client, table, partition, async (stage) => {
      await ch.client.command({ query: await clickHouseStatement(file, { stage }), query_params });
    });
  staged.push(await pulledInto('sales_agg', 'pull-sales-agg.sql'));
  staged.push(await pulledInto('week_buyers', 'pull-week-buyers.sql'));
  staged.push(await pulledInto('sales_daily', 'pull-sales-daily.sql'));
}

/** Drop the staging (or ready) tables of a publication, in the order they were staged. */
async function dropStaged(staged: StagedPartition[]): Promise<void> {
  for (const stage of staged) await stage.drop();
}

/**
 * Reconcile a run of weeks without copying anything, from one snapshot and one query on each side.
 * As when publishing, the weeks before the first one PostgreSQL cannot publish (no aggregates, or
 * aggregates older than its sales) are compared, and that week is the failure.
 */
async function verifyRun({ pgDb, ch, runBuyers }: Migration, run: Week[]): Promise<RunOutcome> {
  const totals = await inTransaction(pgDb, (client) => pgTotals(client, run[0]!, run.at(-1)!), {
    begin: READ_ONLY_SNAPSHOT,
  });
  const weeks = publishable(run, totals, runBuyers);
  if (weeks.length === 0) throw unpublishable(run[0]!, totals)!;
  return reconcileRun(ch, run, { totals, weeks });
}

/** The figures of a week ClickHouse holds nothing of. */
const NOTHING: WeekFigures = {
  rows: '0',
  amountSum: '0',
  salesCount: '0',
  buyers: '0',
  dailySales: '0',
  dailyAmount: '0',
};

/** Compare ClickHouse's figures of the weeks with PostgreSQL's, in one query; the weeks up to the first mismatch. */
async function reconcile(ch: ClickHouseDatabase, weeks: [Week, WeekFigures][]): Promise<RunOutcome> {
  const clickhouse = await chFigures(
    ch,
    weeks.map(([w]) => w),
  );
  const outcome: RunOutcome = { published: [] };
  for (const [week, postgres] of weeks) {
    const found = clickhouse.get(week.start) ?? NOTHING;
    const mismatch = describeMismatch(found, postgres);
    if (mismatch) {
      const error = new StageError(
        `${STAGE}: ${week.id} in ${ch.target} does not match PostgreSQL: ${mismatch}`,
        STAGE,
      );
      return { ...outcome, failure: { week, error } };
    }
    outcome.published.push({
      week: week.id,
      rows: Number(found.rows),
      amountSum: postgres.amountSum,
      salesCount: Number(found.salesCount),
      buyers: Number(found.buyers),
    });
  }
  return outcome;
}

function noAggregates(week: Week): RefusedWeek {
  return new RefusedWeek(week.id, `PostgreSQL has no aggregates for ${week.id}`);
}

/**
 * PostgreSQL's figures of each week from `first` to `last` that has aggregates, by Monday: the rows
 * and sums of its aggregates, its distinct buyers, and its sales and revenue (what its sales_daily
 * must add up to); and the weeks among them whose aggregates are older than their sales (loaded
 * again since they were aggregated) or do not add up to them.
 */
async function pgTotals(client: pg.PoolClient, first: Week, last: Week): Promise<PgTotals> {
  const range = [first.start, last.start];
  type Agg = Record<'week_start' | 'rows' | 'amount_sum' | 'sales_count' | 'buyers', string> &
    Record<'loaded_at' | 'aggregated_at', string | null> & { reloaded: boolean };
  type Sales = Record<'week_start' | 'sales_count' | 'amount_sum' | 'daily_sales' | 'daily_amount', string>;
  const { rows: aggregates } = await runSql<Agg>(client, await pgSql('migrate-click-figures.sql'), range);
  const { rows: sales } = await runSql<Sales>(client, await pgSql('migrate-click-sales-figures.sql'), range);
  const bySales = new Map(sales.map((r) => [r.week_start, r]));
  const totals: PgTotals = { figures: new Map(), stale: new Map() };
  for (const r of aggregates) {
    const loaded = bySales.get(r.week_start);
    const [salesCount, amount] = [loaded?.sales_count ?? '0', loaded?.amount_sum ?? '0'];
    const [daily, dailyAmount] = [loaded?.daily_sales ?? '0', loaded?.daily_amount ?? '0'];
    const addsUp = daily === salesCount && canonicalDecimal(dailyAmount) === canonicalDecimal(amount);
    if (r.reloaded || !addsUp) {
      const week = weekOfDate(r.week_start).id;
      const times = `loaded at ${r.loaded_at}, aggregated at ${r.aggregated_at}`;
      const why = r.reloaded
        ? `${week} was loaded again after it was aggregated (${times})`
        : `the aggregates of ${week} are not its sales (sales_daily adds up to ${daily} sales, ${dailyAmount}; ` +
          `sales has ${salesCount}, ${amount})`;
      totals.stale.set(r.week_start, new RefusedWeek(week, `in PostgreSQL, ${why}`));
    }
    totals.figures.set(r.week_start, {
      rows: r.rows,
      amountSum: r.amount_sum,
      salesCount: r.sales_count,
      buyers: r.buyers,
      dailySales: salesCount,
      dailyAmount: amount,
    });
  }
  return totals;
}

/** A week PostgreSQL cannot publish as its aggregates stand (its ISO week in `week`): aggregate must run first. */
class RefusedWeek extends StageError {
  constructor(
    readonly week: string,
    why: string,
  ) {
    super(`${STAGE}: ${why}; run \`sales-etl aggregate --week ${week}\` first`, STAGE);
  }
}

/** ClickHouse's figures of the weeks that have any rows, by Monday. */
async function chFigures(ch: ClickHouseDatabase, weeks: Week[]): Promise<Map<string, WeekFigures>> {
  const result = await ch.client.query({
    query: await clickHouseStatement('week-figures.sql'),
    query_params: { weeks: weeks.map((w) => w.start) },
    format: 'JSONEachRow',
  });
  type Row = Record<'week_start' | 'rows' | 'amount_sum' | 'sales_count' | 'buyers', string> &
    Record<'daily_sales' | 'daily_amount', string>;
  return new Map(
    ((await result.json()) as Row[]).map((r) => [
      r.week_start,
      {
        rows: r.rows,
        amountSum: r.amount_sum,
        salesCount: r.sales_count,
        buyers: r.buyers,
        dailySales: r.daily_sales,
        dailyAmount: r.daily_amount,
      },
    ]),
  );
}

/** A COPY ... TO STDOUT started (or queued) on the connection, and the file it came from. */
interface CopyOut {
  csv: CopyToStreamQuery;
  file: SqlFile;
}

async function copyOut(client: pg.PoolClient, sqlFile: string): Promise<CopyOut> {
  const file = await pgSql(sqlFile);
  return { csv: client.query(copyTo(file.text)), file };
}

/** Load a CSV stream of PostgreSQL's into the staging table of one week partition of a ClickHouse table. */
async function stageCsv(
  ch: ClickHouseDatabase,
  table: PublishedTable,
  partition: Partition,
  copy: { csv: Readable; file: SqlFile },
  columns: readonly [string, ...string[]],
  oneRowPerLine = true,
): Promise<StagedPartition> {
  try {
    // PostgreSQL's CSV of dates, region codes and numbers has one row a line.
    return await stagePartition(ch.client, table, partition, columns, copy.csv, { oneRowPerLine });
  } catch (cause) {
    copy.csv.destroy();
    const what = partition === 'all' ? 'the catalogue' : describePartition(partition);
    throw new Error(`${STAGE}: cannot publish ${what} to ${table} in ${ch.target} (${copy.file.name})`, { cause });
  }
}

/**
 * The catalogue (count:digest) each embedded engine was last seen to hold.
 * No other process can write to an open embedded engine, so a backfill asks
 * it once, not every week; a server is asked every time.
 */
const knownCatalogue = new WeakMap<ClickHouseDatabase, string>();

interface ProductsDigest {
  products: string;
  digest: string;
}

/**
 * Replace ClickHouse's product catalogue with PostgreSQL's, unless it holds
 * that very catalogue already (compared by digest: the catalogue rarely
 * changes, and a backfill would otherwise send it again with every week).
 */
async function publishProducts(
  ctx: Context,
  pgDb: PgDatabase,
  ch: ClickHouseDatabase,
  importedAt: string,
): Promise<number | undefined> {
  return inTransaction(
    pgDb,
    async (client) => {
      const {
        rows: [postgres],
      } = await runSql<ProductsDigest>(client, await pgSql('migrate-click-products-digest.sql'));
      if (!postgres || postgres.products === '0') {
        // Not loaded yet (or a fresh database): an empty catalogue must not wipe the published one.
        ctx.log.warn(`PostgreSQL has no products: the catalogue in ${ch.target} is left as it was`);
        return undefined;
      }
      const wanted = `${postgres.products}:${postgres.digest}`;
      if (ch.embedded && knownCatalogue.get(ch) === wanted) {
        return Number(postgres.products);
      }
      const digest = await clickHouseStatement('products-digest.sql');
      const published = await ch.client.query({ query: digest, format: 'JSONEachRow' });
      const [clickhouse] = (await published.json()) as ProductsDigest[];
      if (clickhouse?.products === postgres.products && clickhouse.digest === postgres.digest) {
        ctx.log.debug(`products: ${ch.target} holds PostgreSQL's ${postgres.products} already; not sent again`);
        knownCatalogue.set(ch, wanted);
        return Number(postgres.products);
      }
      const params = ['1970-01-01', importedAt, importedAt.slice(0, 10), '1970-01-01'];
      await runSql(client, await pgSql('migrate-click-params.sql'), params);
      const file = await pgSql('migrate-click-products.sql');
      const csv = client.query(copyTo(file.text));
      let rows: number;
      try {
        rows = (await replacePartitionFromCsv(ch.client, 'products', 'all', PRODUCTS_COLUMNS, csv)).rows;
      } catch (cause) {
        csv.destroy();
        throw new Error(`${STAGE}: cannot publish products to ${ch.target} (${file.name})`, { cause });
      }
      knownCatalogue.set(ch, wanted);
      return rows;
    },
    { begin: READ_ONLY_SNAPSHOT, discardOnError: true },
  );
}

interface RunRecord {
  week: Week;
  startedAt: Date;
  status: 'ok' | 'failed';
  verifyOnly: boolean;
  published?: MigratedWeek;
  error?: unknown;
}

async function record(pgDb: PgDatabase, run: RunRecord): Promise<void> {
  const what = run.verifyOnly ? 'verify-only' : 'published';
  await recordRunApart(pgDb, {
    stage: STAGE,
    week: run.week.id,
    status: run.status,
    rowsIn: run.published?.rows ?? null,
    rowsOut: run.verifyOnly ? 0 : (run.published?.rows ?? null),
    startedAt: run.startedAt,
    message:
      run.status === 'ok'
        ? `${what}: ${run.published?.rows} rows, sum(amount_sum) ${run.published?.amountSum}, ` +
          `${run.published?.buyers} buyers`
        : `${what}: ${redact(run.error instanceof Error ? run.error.message : String(run.error))}`,
  });
}
