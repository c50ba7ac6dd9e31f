import { Readable, Transform } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { ClickHouseClient } from '@clickhouse/client';
import { clickHouseStatement } from './sql.js';
import { WEEK_MS } from '../core/calendar.js';
import { throwIfInterrupted } from '../core/interrupt.js';
import { quoteIdentifier } from '../core/sql.js';

/** The published tables whose partitions migrate-click swaps in. */
export type PublishedTable = 'sales_agg' | 'week_buyers' | 'products' | 'sales_daily';

/**
 * A partition of a published table: a week (its Monday), or the whole of an
 * unpartitioned table. With `lastWeekStart`, a run of consecutive weeks from
 * `weekStart` to that Monday, published together: staged in one table, then
 * swapped in week by week, each week on its own (see `swapStaged`).
 */
export type Partition = { weekStart: string; lastWeekStart?: string | undefined } | 'all';

const MONDAY = /^\d{4}-\d{2}-\d{2}$/;

/** The Mondays of a partition, in order (none for 'all'). */
export function weeksOf(partition: Partition): string[] {
  if (partition === 'all') return [];
  const { weekStart, lastWeekStart } = partition;
  const weeks = [weekStart];
  if (lastWeekStart === undefined || lastWeekStart === weekStart) return weeks;
  const last = Date.parse(`${lastWeekStart}T00:00:00Z`);
  for (let t = Date.parse(`${weekStart}T00:00:00Z`) + WEEK_MS; t <= last; t += WEEK_MS) {
    weeks.push(new Date(t).toISOString().slice(0, 10));
  }
  return weeks;
}

/** What one swap loaded. */
export interface SwapResult {
  /** Rows in the staging table just before it replaced the partition. */
  rows: number;
}

/**
 * The staging table of a partition, e.g. `sales_etl.sales_agg__stage_20240513`.
 * Table names cannot be bound parameters in `REPLACE PARTITION ... FROM`, so the
 * name is built here from a known table and a checked date and nothing else,
 * and goes into the statements through `withNames` (src/lib/core/sql.ts).
 */
export function stagingTable(table: PublishedTable, partition: Partition): string {
  if (partition === 'all') return `sales_etl.${table}__stage`;
  const { weekStart, lastWeekStart } = partition;
  for (const monday of [weekStart, lastWeekStart ?? weekStart]) {
    if (!MONDAY.test(monday)) throw new Error(`bad week start ${JSON.stringify(monday)}`);
  }
  const single = lastWeekStart === undefined || lastWeekStart === weekStart;
  const last = single ? '' : `_${lastWeekStart.replaceAll('-', '')}`;
  return `sales_etl.${table}__stage_${weekStart.replaceAll('-', '')}${last}`;
}

/**
 * The ready table of a partition, e.g. `sales_etl.sales_agg__ready_20240513`:
 * its staging table renamed once staged in full, with every other table of the
 * same publication. Its existence says "swap me in"; see `recoverPublications`.
 */
export function readyTable(table: PublishedTable, partition: Partition): string {
  return stagingTable(table, partition).replace(/__stage/, '__ready');
}

/**
 * The tables published together for a partition: a week's aggregates, buyers
 * and daily sales must be all new or all old; the catalogue stands alone.
 */
function publishedTogether(partition: Partition): readonly PublishedTable[] {
  return partition === 'all' ? ['products'] : ['sales_agg', 'week_buyers', 'sales_daily'];
}

/**
 * Replace one partition of `sales_etl.<table>` with the rows of a CSV stream,
 * atomically: the stream goes into a fresh staging table, then
 * `ALTER TABLE ... REPLACE PARTITION ... FROM` swaps the staged parts in (a
 * reader sees the old partition or the new one, never a mix, never nothing),
 * then the staging table is dropped. A staging table left by a killed run is
 * dropped and recreated by the next run of the same partition. An empty
 * stream empties the partition.
 *
 * `columns` names the CSV's columns in order, as in the table.
 */
export async function replacePartitionFromCsv(
  client: ClickHouseClient,
  table: PublishedTable,
  partition: Partition,
  columns: readonly [string, ...string[]],
  csv: Readable,
): Promise<SwapResult> {
  const staged = await stagePartition(client, table, partition, columns, csv);
  try {
    // A stop signal before the swap drops what was staged; once the swap has begun, it is finished.
    throwIfInterrupted();
    await swapStaged(client, [staged]);
    return { rows: staged.rows };
  } finally {
    await staged.drop();
  }
}

/** How `stagePartition` sends and counts what it stages. */
export interface StageOptions {
  /**
   * The CSV has one row a line (no quoted line breaks, as PostgreSQL writes
   * dates, codes and numbers). It is then sent in inserts of whole lines of at
   * most `BATCH_BYTES` each, and its lines are counted on the way instead of
   * asking ClickHouse for the staging table's count afterwards (one statement
   * fewer per table; migrate-click reconciles the published weeks with
   * PostgreSQL anyway); for a run of weeks, per week, by each line's first
   * field, its week's Monday. The embedded engine takes an insert as one
   * string, so batches keep the memory a publication needs from growing with it.
   */
  oneRowPerLine?: boolean;
}

/** The most bytes of CSV in one insert with `oneRowPerLine` (a default year's week fits in one). */
const BATCH_BYTES = 1 << 20;

/** Lines of a batch of whole lines, counted per first field's first 10 bytes (a `YYYY-MM-DD` Monday). */
function countLines(bytes: Buffer, perWeek: Map<string, number> | undefined): number {
  let n = 0;
  let key = '';
  let keyAt = -1;
  for (let start = 0; start < bytes.length; n++) {
    const end = bytes.indexOf(10, start);
    if (perWeek) {
      if (keyAt < 0 || bytes.compare(bytes, keyAt, keyAt + 10, start, start + 10) !== 0) {
        key = bytes.toString('latin1', start, start + 10);
        keyAt = start;
      }
      perWeek.set(key, (perWeek.get(key) ?? 0) + 1);
    }
    start = end === -1 ? bytes.length : end + 1;
  }
  return n;
}

/**
 * A stream of bytes in chunks of whole characters. The embedded engine's connection decodes
 * every chunk of an insert on its own, so a letter that PostgreSQL's COPY split between two chunks
 * (any Cyrillic one may be) would otherwise be stored as two U+FFFD.
 */
function wholeCharacters(source: Readable): Readable {
  const decoder = new StringDecoder('utf8');
  // Byte chunks still (the client takes no object stream for CSV), but each ends on a character.
  const whole = (text: string) => (text === '' ? undefined : Buffer.from(text, 'utf8'));
  const text = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      done(null, whole(decoder.write(chunk)));
    },
    flush(done) {
      done(null, whole(decoder.end()));
    },
  });
  source.once('error', (error) => text.destroy(error));
  return source.pipe(text);
}

/** A stream's bytes in batches of whole lines of about `max` bytes (more only for a longer line). */
async function* lineBatches(source: Readable, max: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    pending.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size < max) continue;
    const all = Buffer.concat(pending);
    const cut = all.lastIndexOf(10) + 1;
    if (cut === 0) {
      pending = [all];
      continue;
    }
    pending = cut < all.length ? [all.subarray(cut)] : [];
    size = all.length - cut;
    yield all.subarray(0, cut);
  }
  if (size > 0) yield Buffer.concat(pending);
}

/** A partition's new rows, loaded into its staging table and not yet swapped in. */
export interface StagedPartition {
  readonly table: PublishedTable;
  readonly partition: Partition;
  /** Rows in the staging table (or lines sent to it, with `oneRowPerLine`). */
  readonly rows: number;
  /** For a run of weeks: the rows of each week (its Monday) that has any. */
  readonly weekRows: ReadonlyMap<string, number>;
  /** Drop the staging (or ready) table; safe to call twice. */
  drop(): Promise<void>;
}

/** What `stagePartition` hands out, with the name its table has now. */
interface Stage extends StagedPartition {
  rows: number;
  weekRows: Map<string, number>;
  source: string;
  /** A swap failed part-way: the ready table stays for recovery to swap in (see `swapStaged`). */
  keep?: boolean;
}

/**
 * The first half of `replacePartitionFromCsv`: load the CSV into a fresh
 * staging table and count it. All tables of a publication are staged first,
 * then `swapStaged` swaps them in. The caller drops the stage.
 */
export async function stagePartition(
  client: ClickHouseClient,
  table: PublishedTable,
  partition: Partition,
  columns: readonly [string, ...string[]],
  csv: Readable,
  options: StageOptions = {},
): Promise<StagedPartition> {
  const weeks = weeksOf(partition);
  return withStage(client, table, partition, async (stage) => {
    const insert = (values: Readable) =>
      client.insert({
        table: quoteIdentifier(stage.source),
        values,
        format: 'CSV',
        columns: [...columns] as [string, ...string[]],
      });
    if (options.oneRowPerLine) {
      for await (const bytes of lineBatches(csv, BATCH_BYTES)) {
        await insert(Readable.from([bytes], { objectMode: false }));
        stage.rows += countLines(bytes, weeks.length > 1 ? stage.weekRows : undefined);
      }
    } else {
      await insert(wholeCharacters(csv));
      if (weeks.length > 1) stage.weekRows = await partitionRows(client, stage.source);
      else {
        const count = await clickHouseStatement('publish-stage-rows.sql', { stage: stage.source });
        const staged = await client.query({ query: count, format: 'JSONEachRow' });
        stage.rows = Number(((await staged.json()) as { rows: string }[])[0]?.rows ?? 0);
      }
    }
  });
}

/**
 * Like `stagePartition`, but the staging table (named by the argument) is
 * filled by `fill` (an `INSERT INTO <stage> SELECT ...` of the caller's)
 * instead of from a CSV stream; its rows are then counted per week.
 */
export async function stagePartitionWith(
  client: ClickHouseClient,
  table: PublishedTable,
  partition: Partition,
  fill: (stage: string) => Promise<void>,
): Promise<StagedPartition> {
  return withStage(client, table, partition, async (stage) => {
    await fill(stage.source);
    stage.weekRows = await partitionRows(client, stage.source);
  });
}

/** A fresh staging table for the partition, filled and counted by `load`; dropped again if that fails. */
async function withStage(
  client: ClickHouseClient,
  table: PublishedTable,
  partition: Partition,
  load: (stage: Stage) => Promise<void>,
): Promise<Stage> {
  const weeks = weeksOf(partition);
  let dropped: Promise<void> | undefined;
  const stage: Stage = {
    table,
    partition,
    rows: 0,
    weekRows: new Map(),
    source: stagingTable(table, partition),
    drop: () => {
      if (stage.keep) return Promise.resolve();
      dropped ??= dropTables(client, [stage.source]);
      return dropped;
    },
  };
  await createStage(client, stage.source, table);
  try {
    await load(stage);
    if (weeks.length > 1 || stage.weekRows.size > 0) {
      const stray = [...stage.weekRows.keys()].filter((w) => !weeks.includes(w));
      if (stray.length > 0) {
        throw new Error(`${stage.source}: rows outside its weeks (${stray.slice(0, 3).join(', ')})`);
      }
      stage.rows = [...stage.weekRows.values()].reduce((a, b) => a + b, 0);
    } else if (weeks.length === 1) {
      stage.weekRows.set(weeks[0]!, stage.rows);
    }
  } catch (error) {
    await stage.drop().catch(() => undefined);
    throw error;
  }
  return stage;
}

/** Active rows of each partition (a Monday) of a staging or ready table. */
async function partitionRows(client: ClickHouseClient, qualified: string): Promise<Map<string, number>> {
  const result = await client.query({
    query: await clickHouseStatement('publish-partition-rows.sql'),
    query_params: { table: qualified.replace(/^sales_etl\./, '') },
    format: 'JSONEachRow',
  });
  const rows = (await result.json()) as { partition: string; rows: string }[];
  return new Map(rows.map((r) => [r.partition, Number(r.rows)]));
}

/**
 * Swap staged partitions in, one statement each, so that a process killed at
 * any moment leaves a state the next open can finish (`recoverPublications`):
 *
 * 1. One RENAME turns every staging table into a ready table. Only complete
 *    stages get here, and nothing has been swapped yet: a kill before or
 *    during it leaves the old rows everywhere.
 * 2. REPLACE PARTITION from each ready table; for a run of weeks, week by
 *    week, each week in every table before the next week. A kill from here on
 *    leaves all the ready tables, and recovery swaps each of them in again,
 *    which also undoes the two copies a kill inside REPLACE PARTITION can leave
 *    (the engine renames the new part in before the empty part that covers
 *    the old one on disk; a restart then loads both) and the new aggregates
 *    with the old buyers that a kill between the two statements leaves.
 * 3. The caller drops the ready tables; once any is gone, all were swapped in. When a swap fails
 *    part-way, the drop leaves them, and the next run's recovery swaps them in again.
 */
export async function swapStaged(client: ClickHouseClient, staged: readonly StagedPartition[]): Promise<void> {
  const stages = staged as readonly Stage[];
  const renames = stages.map((s) => [s.source, readyTable(s.table, s.partition)] as const);
  // With its metadata fsynced (unlike the staging DDL): this rename is what recovery goes by.
  await client.command({ query: await clickHouseStatement('publish-rename-ready.sql', { renames }) });
  for (const stage of stages) stage.source = readyTable(stage.table, stage.partition);
  const first = stages[0]?.partition;
  if (first === undefined) return;
  if (stages.some((s) => key(s.partition) !== key(first))) {
    throw new Error('swapStaged: the stages cover different partitions');
  }
  for (const week of first === 'all' ? ['all' as const] : weeksOf(first)) {
    for (const stage of stages) {
      const partition: Partition = week === 'all' ? 'all' : { weekStart: week };
      const rows = week === 'all' ? stage.rows : (stage.weekRows.get(week) ?? 0);
      try {
        await swapPartition(client, stage.table, partition, stage.source, rows);
      } catch (cause) {
        // Some of it may be in already: the ready tables are what the next run's recovery swaps in
        // again (step 2), so the caller's drop leaves them.
        for (const s of stages) s.keep = true;
        const kept = stages.map((s) => s.source).join(', ');
        const what = `${describePartition(partition)} into sales_etl.${stage.table}`;
        throw new Error(`cannot swap ${what} (${kept} kept for the next run)`, { cause });
      }
    }
  }
}

/** `the week of 2024-05-13`, `the weeks of 2024-05-13 to 2024-08-05`, or `the whole table`. */
export function describePartition(partition: Partition): string {
  if (partition === 'all') return 'the whole table';
  const weeks = weeksOf(partition);
  return weeks.length === 1 ? `the week of ${partition.weekStart}` : `the weeks of ${weeks[0]} to ${weeks.at(-1)}`;
}

/** Replace one week (or 'all') of a published table with the rows of `source` (dropping it when `source` has none). */
async function swapPartition(
  client: ClickHouseClient,
  table: PublishedTable,
  partition: Partition,
  source: string,
  rows: number,
): Promise<void> {
  const target = `sales_etl.${table}`;
  const week = partition === 'all' ? undefined : { week_start: partition.weekStart };
  // Newer servers refuse REPLACE PARTITION from an empty source; replacing with nothing is dropping.
  const query =
    rows === 0
      ? await clickHouseStatement(week ? 'publish-drop-partition.sql' : 'truncate-table.sql', { table: target })
      : await clickHouseStatement(week ? 'publish-replace-partition.sql' : 'publish-replace-all.sql', {
          table: target,
          source,
        });
  await client.command(week ? { query, query_params: week } : { query });
}

/** What `recoverPublications` did to one publication left by a killed run. */
export interface Recovery {
  partition: Partition;
  /** Swapped in again from the ready tables; false: not started, or finished, so the leftovers were only dropped. */
  finished: boolean;
  tables: PublishedTable[];
}

const READY_NAME =
  /^(sales_agg|week_buyers|products|sales_daily)__ready(?:_(\d{4})(\d{2})(\d{2})(?:_(\d{4})(\d{2})(\d{2}))?)?$/;

/**
 * Finish the publications a killed run left half done (see `swapStaged`):
 * where every ready table of a publication is there, swap each in again (a
 * run of weeks week by week); where only some are (killed during the RENAME,
 * or while dropping them after the swaps), the weeks are consistent already.
 * Then drop the ready tables. `only` limits this to the publications of one
 * week (a server may have another run's publication in flight); the embedded
 * engine, held by this process alone, recovers everything, including staging
 * tables, on open.
 */
export async function recoverPublications(client: ClickHouseClient, only?: Partition): Promise<Recovery[]> {
  const result = await client.query({
    query: await clickHouseStatement('publish-ready-tables.sql'),
    format: 'JSONEachRow',
  });
  const groups = new Map<string, { partition: Partition; ready: Map<PublishedTable, number> }>();
  for (const { name, rows } of (await result.json()) as { name: string; rows: string | null }[]) {
    const m = READY_NAME.exec(name);
    if (!m) continue;
    const partition: Partition =
      m[2] === undefined
        ? 'all'
        : {
            weekStart: `${m[2]}-${m[3]}-${m[4]}`,
            lastWeekStart: m[5] === undefined ? undefined : `${m[5]}-${m[6]}-${m[7]}`,
          };
    if (only !== undefined && !covers(partition, only)) continue;
    const table = m[1] as PublishedTable;
    const publication = key(partition);
    const group = groups.get(publication) ?? { partition, ready: new Map() };
    group.ready.set(table, Number(rows ?? 0));
    groups.set(publication, group);
  }
  const recoveries: Recovery[] = [];
  for (const { partition, ready } of groups.values()) {
    // In the order they are published in, whatever order the catalogue lists them in.
    const tables = publishedTogether(partition).filter((t) => ready.has(t));
    const finished = tables.length === publishedTogether(partition).length;
    if (finished) {
      const weeks = weeksOf(partition);
      const perWeek = new Map<PublishedTable, Map<string, number>>();
      for (const table of tables) {
        const source = readyTable(table, partition);
        const single = new Map([[weeks[0] ?? 'all', ready.get(table)!]]);
        perWeek.set(table, weeks.length > 1 ? await partitionRows(client, source) : single);
      }
      for (const week of weeks.length === 0 ? ['all'] : weeks) {
        for (const table of tables) {
          const rows = perWeek.get(table)?.get(week) ?? 0;
          const one: Partition = week === 'all' ? 'all' : { weekStart: week };
          await swapPartition(client, table, one, readyTable(table, partition), rows);
        }
      }
    }
    const drops = [...ready.keys()].map((table) => readyTable(table, partition));
    if (drops.length > 0) await dropTables(client, drops);
    recoveries.push({ partition, finished, tables: finished ? tables : [...ready.keys()] });
  }
  return recoveries;
}

function key(partition: Partition): string {
  return partition === 'all' ? 'all' : `${partition.weekStart}/${partition.lastWeekStart ?? partition.weekStart}`;
}

/** Whether `partition` (a publication) includes every week of `wanted`. */
function covers(partition: Partition, wanted: Partition): boolean {
  if (partition === 'all' || wanted === 'all') return partition === wanted;
  const weeks = weeksOf(partition);
  return weeksOf(wanted).some((w) => weeks.includes(w));
}

/** Drop every staging table (`__stage`): on the embedded engine, only a killed run can have left one. */
export async function dropStagingTables(client: ClickHouseClient): Promise<number> {
  const result = await client.query({
    query: await clickHouseStatement('publish-staging-tables.sql'),
    format: 'JSONEachRow',
  });
  const names = ((await result.json()) as { name: string }[])
    .map((r) => r.name)
    .filter((n) => /^[a-z_]+__stage(_\d{8}){0,2}$/.test(n));
  if (names.length > 0)
    await dropTables(
      client,
      names.map((n) => `sales_etl.${n}`),
    );
  return names.length;
}

/**
 * DDL of a staging table skips the fsync of its metadata file: the table is
 * dropped within the run, and a process killed meanwhile loses nothing (the
 * file is in the page cache); only an OS crash could leave its metadata file
 * empty, which ClickHouse removes on the next start. Those fsyncs are much of
 * a staging table's create-and-drop time.
 */
const STAGE_DDL = { clickhouse_settings: { fsync_metadata: 0 } } as const;

/**
 * Create an empty staging table. It is normally absent (each run drops its
 * own), so creating comes first and costs one statement; a table of the same
 * name left by a killed run is dropped, and the create is tried again.
 */
async function createStage(client: ClickHouseClient, stage: string, table: PublishedTable): Promise<void> {
  const query = await clickHouseStatement('publish-create-stage.sql', { stage, table: `sales_etl.${table}` });
  const create = () => client.command({ query, ...STAGE_DDL });
  try {
    await create();
  } catch (error) {
    const { code, type } = error as { code?: unknown; type?: unknown };
    if (code !== '57' && type !== 'TABLE_ALREADY_EXISTS') throw error;
    await client.command({ query: await clickHouseStatement('publish-drop-stage.sql', { stage }), ...STAGE_DDL });
    await create();
  }
}

/** Drop staging or ready tables, by their qualified names. */
async function dropTables(client: ClickHouseClient, tables: readonly string[]): Promise<void> {
  await client.command({ query: await clickHouseStatement('publish-drop-tables.sql', { tables }), ...STAGE_DDL });
}
