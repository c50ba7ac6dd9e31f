import type pg from 'pg';
import type { Readable } from 'node:stream';
import { to as copyTo, type CopyToStreamQuery } from 'pg-copy-streams';
import type { Week } from '../lib/calendar.js';
import { moscowDateTime } from '../lib/calendar.js';
import { withClickHouse, type ClickHouseDatabase } from '../lib/clickhouse.js';
import {
  recoverPublications,
  replacePartitionFromCsv,
  stagePartition,
  stagingTable,
  swapStaged,
  type Partition,
  type PublishedTable,
  type StagedPartition,
} from '../lib/clickhouse-partition.js';
import { publishDailyWeek } from '../lib/clickhouse-daily.js';
import { clickHouseSql } from '../lib/clickhouse-schema.js';
import type { Context } from '../lib/config.js';
import { redact, StageError } from '../lib/errors.js';
import { during, throwIfInterrupted } from '../lib/interrupt.js';
import { inTransaction, recordRun, withPg, type PgDatabase } from '../lib/pg.js';
import { pgSql, runSql, type SqlFile } from '../lib/pg-sql.js';
import { defaultWeeks } from '../lib/plan.js';
import { describeMismatch, type WeekFigures } from '../lib/week-figures.js';

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
  /** Products in the published catalogue, sent now or found unchanged (undefined with --verify-only, or when PostgreSQL has none). */
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

/**
 * Publish the weeks' aggregates to ClickHouse with their import date (SPEC 7):
 * per week, stream PostgreSQL's rows into a staging table and swap the week's
 * partition in, then reconcile row count and sums with PostgreSQL. With
 * `verifyOnly`, only reconcile. Stops at the first week that fails.
 */
export async function migrateClick(opts: MigrateClickOptions): Promise<MigrateClickResult> {
  const { ctx } = opts;
  const weeks = opts.weeks ?? (await defaultWeeks(ctx.config.layout, STAGE));
  const verifyOnly = opts.verifyOnly ?? false;
  const importedAt = moscowDateTime((opts.now ?? new Date()).getTime());
  // ClickHouse first: a data directory held by another process fails at once, before PostgreSQL starts.
  return withClickHouse(ctx, opts.ch, (ch) =>
    withPg(ctx, opts.pg, async (pgDb) => {
      const result: MigrateClickResult = { weeks: [], verifyOnly, target: ch.target };
      if (!verifyOnly) {
        await recoverOnServer(ctx, ch, 'all', 'the catalogue');
        result.importedAt = importedAt;
        result.products = await publishProducts(ctx, pgDb, ch, importedAt);
      }
      for (const week of weeks) {
        const startedAt = new Date();
        try {
          await recoverOnServer(ctx, ch, { weekStart: week.start }, week.id);
          const published = await during(`${STAGE} of ${week.id}`, () =>
            verifyOnly ? verifyWeek(pgDb, ch, week) : publishWeek(ctx, pgDb, ch, week, importedAt),
          );
          // The report's calendar view: the week's sales by day and category (src/lib/clickhouse-daily.ts).
          if (!verifyOnly) await during(`${STAGE} of ${week.id}`, () => publishDailyWeek(pgDb, ch, week, importedAt));
          await record(pgDb, { week, startedAt, status: 'ok', published, verifyOnly });
          result.weeks.push(published);
          ctx.log.info(
            `${week.id}: ${published.rows.toLocaleString('en-US')} rows, amount ${published.amountSum} ` +
              `${verifyOnly ? 'match' : 'published to'} ${ch.target}`,
          );
        } catch (error) {
          await record(pgDb, { week, startedAt, status: 'failed', error, verifyOnly }).catch((e: unknown) =>
            ctx.log.warn(`could not record the failed run of ${week.id} in etl_runs: ${String(e)}`),
          );
          throw error;
        }
      }
      return result;
    }),
  );
}

/**
 * On a server, finish a publication of this partition that a killed run had
 * begun to swap in (the embedded engine does this for all on open). Only this
 * partition: another run may be publishing other weeks to the same server.
 */
async function recoverOnServer(ctx: Context, ch: ClickHouseDatabase, partition: Partition, what: string): Promise<void> {
  if (ch.embedded) return;
  for (const r of await recoverPublications(ch.client, partition)) {
    if (r.finished) ctx.log.warn(`${what}: finished publishing ${r.tables.join(', ')} to ${ch.target}, which a killed run had begun`);
  }
}

/** Copy one week and its buyers, then reconcile. */
/** One read-only snapshot, so figures and copies taken in it describe the same rows. */
const SNAPSHOT = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';

async function publishWeek(ctx: Context, pgDb: PgDatabase, ch: ClickHouseDatabase, week: Week, importedAt: string): Promise<MigratedWeek> {
  // One snapshot for the figures and both copies, so they describe the same rows.
  const { totals, buyersCopy } = await inTransaction(
    pgDb,
    async (client) => {
      const totals = await pgTotals(client, week);
      if (totals.rows === '0') throw noAggregates(week);
      await runSql(client, await pgSql('migrate-click-params.sql'), [week.start, importedAt, importedAt.slice(0, 10)]);
      ctx.log.debug(`${week.id}: streaming ${totals.rows} rows into ${stagingTable('sales_agg', { weekStart: week.start })}`);
      // Both COPYs are queued at once: PostgreSQL works out the week's buyers while
      // ClickHouse takes the aggregates, then holds the first of them in the socket
      // until they are read (nothing is held here: a week's buyers grow with its sales).
      const aggregates = await copyOut(client, 'migrate-click-sales-agg.sql');
      const buyersCopy = await copyOut(client, 'migrate-click-week-buyers.sql');
      buyersCopy.csv.once('error', () => undefined); // read below; a failure before that is reported by the first copy
      // Both tables are staged before either is swapped in: ClickHouse cannot swap two tables in
      // one statement, so a kill between the two swaps would leave the aggregates new and the
      // buyers still old; swapStaged leaves what the next open needs to finish the swap.
      const staged: StagedPartition[] = [];
      try {
        staged.push(await stageCsv(ch, 'sales_agg', week, aggregates, SALES_AGG_COLUMNS));
        staged.push(await stageCsv(ch, 'week_buyers', week, buyersCopy, WEEK_BUYERS_COLUMNS));
        ctx.log.debug(`${week.id}: staged ${staged[0]?.rows} sales_agg rows and ${staged[1]?.rows} buyers`);
        // A stop signal before the swap drops what was staged; once the swap has begun, it is finished.
        throwIfInterrupted();
        await swapStaged(ch.client, staged).catch((cause: unknown) => {
          throw new Error(`${STAGE}: cannot swap ${week.id} into ${ch.target}`, { cause });
        });
      } finally {
        for (const stage of staged) await stage.drop();
      }
      return { totals, buyersCopy };
    },
    { begin: SNAPSHOT, discardOnError: true },
  );
  // The COPY's own count (final once the COMMIT after it has answered) is PostgreSQL's
  // number of distinct buyers in this snapshot: no second pass over the week's sales.
  const postgres: WeekFigures = { ...totals, buyers: String(buyersCopy.csv.rowCount) };
  return reconcile(ch, week, postgres);
}

/** Reconcile a week without copying anything. */
async function verifyWeek(pgDb: PgDatabase, ch: ClickHouseDatabase, week: Week): Promise<MigratedWeek> {
  const postgres = await inTransaction(
    pgDb,
    async (client): Promise<WeekFigures> => {
      const totals = await pgTotals(client, week);
      const { rows: [buyers] } = await runSql<{ buyers: string }>(client, await pgSql('migrate-click-buyers.sql'), [week.start]);
      return { ...totals, buyers: buyers?.buyers ?? '0' };
    },
    { begin: SNAPSHOT },
  );
  if (postgres.rows === '0') throw noAggregates(week);
  return reconcile(ch, week, postgres);
}

async function reconcile(ch: ClickHouseDatabase, week: Week, postgres: WeekFigures): Promise<MigratedWeek> {
  const clickhouse = await chFigures(ch, week);
  const mismatch = describeMismatch(clickhouse, postgres);
  if (mismatch) {
    throw new StageError(`${STAGE}: ${week.id} in ${ch.target} does not match PostgreSQL: ${mismatch}`, STAGE);
  }
  return {
    week: week.id,
    rows: Number(clickhouse.rows),
    amountSum: postgres.amountSum,
    salesCount: Number(clickhouse.salesCount),
    buyers: Number(clickhouse.buyers),
  };
}

function noAggregates(week: Week): StageError {
  return new StageError(
    `${STAGE}: PostgreSQL has no aggregates for ${week.id}; run \`sales-etl aggregate --week ${week.id}\` first`,
    STAGE,
  );
}

/** PostgreSQL's rows and sums of the week's aggregates. */
async function pgTotals(client: pg.PoolClient, week: Week): Promise<Omit<WeekFigures, 'buyers'>> {
  const { rows } = await runSql<{ rows: string; amount_sum: string; sales_count: string }>(
    client,
    await pgSql('migrate-click-figures.sql'),
    [week.start],
  );
  const row = rows[0]!;
  return { rows: row.rows, amountSum: row.amount_sum, salesCount: row.sales_count };
}

async function chFigures(ch: ClickHouseDatabase, week: Week): Promise<WeekFigures> {
  const result = await ch.client.query({
    query: await clickHouseSql('week-figures'),
    query_params: { week_start: week.start },
    format: 'JSONEachRow',
  });
  const [row] = (await result.json()) as { rows: string; amount_sum: string; sales_count: string; buyers: string }[];
  if (!row) throw new Error(`sql/clickhouse/week-figures.sql returned no row for ${week.id}`);
  return { rows: row.rows, amountSum: row.amount_sum, salesCount: row.sales_count, buyers: row.buyers };
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
  week: Week,
  copy: { csv: Readable; file: SqlFile },
  columns: readonly [string, ...string[]],
): Promise<StagedPartition> {
  try {
    // PostgreSQL's CSV of dates, region codes and numbers: one row a line.
    return await stagePartition(ch.client, table, { weekStart: week.start }, columns, copy.csv, { oneRowPerLine: true });
  } catch (cause) {
    copy.csv.destroy();
    throw new Error(`${STAGE}: cannot publish ${week.id} to ${table} in ${ch.target} (${copy.file.name})`, { cause });
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
async function publishProducts(ctx: Context, pgDb: PgDatabase, ch: ClickHouseDatabase, importedAt: string): Promise<number | undefined> {
  return inTransaction(
    pgDb,
    async (client) => {
      const { rows: [postgres] } = await runSql<ProductsDigest>(client, await pgSql('migrate-click-products-digest.sql'));
      if (!postgres || postgres.products === '0') {
        // Not loaded yet (or a fresh database): an empty catalogue must not wipe the published one.
        ctx.log.warn(`PostgreSQL has no products: the catalogue in ${ch.target} is left as it was`);
        return undefined;
      }
      const wanted = `${postgres.products}:${postgres.digest}`;
      if (ch.embedded && knownCatalogue.get(ch) === wanted) {
        return Number(postgres.products);
      }
      const published = await ch.client.query({ query: await clickHouseSql('products-digest'), format: 'JSONEachRow' });
      const [clickhouse] = (await published.json()) as ProductsDigest[];
      if (clickhouse?.products === postgres.products && clickhouse.digest === postgres.digest) {
        ctx.log.debug(`products: ${ch.target} holds PostgreSQL's ${postgres.products} already; not sent again`);
        knownCatalogue.set(ch, wanted);
        return Number(postgres.products);
      }
      await runSql(client, await pgSql('migrate-click-params.sql'), ['1970-01-01', importedAt, importedAt.slice(0, 10)]);
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
    { begin: SNAPSHOT, discardOnError: true },
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
  const client = await pgDb.pool.connect();
  try {
    const what = run.verifyOnly ? 'verify-only' : 'published';
    await recordRun(client, {
      stage: STAGE,
      week: run.week.id,
      status: run.status,
      rowsIn: run.published?.rows ?? null,
      rowsOut: run.verifyOnly ? 0 : (run.published?.rows ?? null),
      startedAt: run.startedAt,
      message:
        run.status === 'ok'
          ? `${what}: ${run.published?.rows} rows, sum(amount_sum) ${run.published?.amountSum}, ${run.published?.buyers} buyers`
          : `${what}: ${redact(run.error instanceof Error ? run.error.message : String(run.error))}`,
    });
  } finally {
    client.release();
  }
}
