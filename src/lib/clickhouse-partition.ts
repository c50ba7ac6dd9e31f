import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';

/** The published tables whose partitions migrate-click swaps in. */
export type PublishedTable = 'sales_agg' | 'week_buyers' | 'products' | 'sales_daily';

/** A partition of a published table: a week (its Monday) or the whole of an unpartitioned table. */
export type Partition = { weekStart: string } | 'all';

/** What one swap loaded. */
export interface SwapResult {
  /** Rows in the staging table just before it replaced the partition. */
  rows: number;
}

/**
 * The staging table of a partition, e.g. `sales_etl.sales_agg__stage_20240513`.
 * Table names cannot be bound parameters in `REPLACE PARTITION ... FROM`, so the
 * name is built here from a known table and a checked date and nothing else.
 */
export function stagingTable(table: PublishedTable, partition: Partition): string {
  if (partition === 'all') return `sales_etl.${table}__stage`;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(partition.weekStart)) throw new Error(`bad week start ${JSON.stringify(partition.weekStart)}`);
  return `sales_etl.${table}__stage_${partition.weekStart.replaceAll('-', '')}`;
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
 * The tables published together with `table` for a partition: a week's
 * aggregates and buyers must both be new or both old; the catalogue and a
 * week's daily sales each stand alone.
 */
function publishedTogether(partition: Partition, table: PublishedTable): readonly PublishedTable[] {
  if (table === 'sales_daily') return ['sales_daily'];
  return partition === 'all' ? ['products'] : ['sales_agg', 'week_buyers'];
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
   * fewer per table and week; migrate-click reconciles the published week with
   * PostgreSQL anyway). The embedded engine takes an insert as one string, so
   * batches keep the memory a week needs from growing with the week.
   */
  oneRowPerLine?: boolean;
}

/** The most bytes of CSV in one insert with `oneRowPerLine` (a default year's week is ~0.5 MB). */
const BATCH_BYTES = 1 << 20;

/** A stream's bytes in batches of whole lines of about `max` bytes (more only for a longer line), with their line counts. */
async function* lineBatches(source: Readable, max: number): AsyncGenerator<{ bytes: Buffer; lines: number }> {
  let pending: Buffer[] = [];
  let size = 0;
  const lines = (bytes: Buffer) => {
    let n = 0;
    for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1)) n++;
    return n + (bytes.length > 0 && bytes[bytes.length - 1] !== 10 ? 1 : 0);
  };
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
    const bytes = all.subarray(0, cut);
    pending = cut < all.length ? [all.subarray(cut)] : [];
    size = all.length - cut;
    yield { bytes, lines: lines(bytes) };
  }
  if (size > 0) {
    const bytes = Buffer.concat(pending);
    yield { bytes, lines: lines(bytes) };
  }
}

/** A partition's new rows, loaded into its staging table and not yet swapped in. */
export interface StagedPartition {
  readonly table: PublishedTable;
  readonly partition: Partition;
  /** Rows in the staging table (or lines sent to it, with `oneRowPerLine`). */
  readonly rows: number;
  /** Drop the staging (or ready) table; safe to call twice. */
  drop(): Promise<void>;
}

/** What `stagePartition` hands out, with the name its table has now. */
interface Stage extends StagedPartition {
  rows: number;
  source: string;
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
  const stage: Stage = {
    table,
    partition,
    rows: 0,
    source: stagingTable(table, partition),
    drop: () => {
      dropped ??= client.command({ query: `DROP TABLE IF EXISTS ${stage.source} SYNC`, ...STAGE_DDL }).then(() => undefined);
      return dropped;
    },
  };
  let dropped: Promise<void> | undefined;
  await createStage(client, stage.source, table);
  try {
    const insert = (values: Readable) =>
      client.insert({ table: stage.source, values, format: 'CSV', columns: [...columns] as [string, ...string[]] });
    if (options.oneRowPerLine) {
      for await (const batch of lineBatches(csv, BATCH_BYTES)) {
        await insert(Readable.from([batch.bytes], { objectMode: false }));
        stage.rows += batch.lines;
      }
    } else {
      await insert(csv);
      const staged = await client.query({ query: `SELECT toString(count()) AS rows FROM ${stage.source}`, format: 'JSONEachRow' });
      stage.rows = Number(((await staged.json()) as { rows: string }[])[0]?.rows ?? 0);
    }
  } catch (error) {
    await stage.drop().catch(() => undefined);
    throw error;
  }
  return stage;
}

/**
 * Swap staged partitions in, one statement each, so that a process killed at
 * any moment leaves a state the next open can finish (`recoverPublications`):
 *
 * 1. One RENAME turns every staging table into a ready table. Only complete
 *    stages get here, and nothing has been swapped yet: a kill before or
 *    during it leaves the old rows everywhere.
 * 2. REPLACE PARTITION from each ready table. A kill from here on leaves all
 *    the ready tables, and recovery swaps each of them in again, which also
 *    undoes the two copies a kill inside REPLACE PARTITION can leave (the
 *    engine renames the new part in before the empty part that covers the old
 *    one on disk; a restart then loads both) and the new aggregates with the
 *    old buyers that a kill between the two statements leaves.
 * 3. The caller drops the ready tables; once any is gone, all were swapped in.
 */
export async function swapStaged(client: ClickHouseClient, staged: readonly StagedPartition[]): Promise<void> {
  const stages = staged as readonly Stage[];
  const renames = stages.map((s) => `${s.source} TO ${readyTable(s.table, s.partition)}`);
  // With its metadata fsynced (unlike the staging DDL): this rename is what recovery goes by.
  await client.command({ query: `RENAME TABLE ${renames.join(', ')}` });
  for (const stage of stages) stage.source = readyTable(stage.table, stage.partition);
  for (const stage of stages) {
    try {
      await swapPartition(client, stage.table, stage.partition, stage.source, stage.rows);
    } catch (cause) {
      throw new Error(`cannot swap ${describePartition(stage.partition)} into sales_etl.${stage.table}`, { cause });
    }
  }
}

function describePartition(partition: Partition): string {
  return partition === 'all' ? 'the whole table' : `the week of ${partition.weekStart}`;
}

/** Replace one partition of a published table with the rows of `source` (dropping it when `source` is empty). */
async function swapPartition(client: ClickHouseClient, table: PublishedTable, partition: Partition, source: string, rows: number): Promise<void> {
  if (rows === 0) {
    // Newer servers refuse REPLACE PARTITION from an empty source; replacing with nothing is dropping.
    if (partition === 'all') await client.command({ query: `TRUNCATE TABLE sales_etl.${table}` });
    else {
      await client.command({
        query: `ALTER TABLE sales_etl.${table} DROP PARTITION {week_start:Date}`,
        query_params: { week_start: partition.weekStart },
      });
    }
  } else if (partition === 'all') {
    await client.command({ query: `ALTER TABLE sales_etl.${table} REPLACE PARTITION tuple() FROM ${source}` });
  } else {
    await client.command({
      query: `ALTER TABLE sales_etl.${table} REPLACE PARTITION {week_start:Date} FROM ${source}`,
      query_params: { week_start: partition.weekStart },
    });
  }
}

/** What `recoverPublications` did to one publication left by a killed run. */
export interface Recovery {
  partition: Partition;
  /** Swapped in again from the ready tables; false: not started, or finished, so the leftovers were only dropped. */
  finished: boolean;
  tables: PublishedTable[];
}

const READY_NAME = /^(sales_agg|week_buyers|products|sales_daily)__ready(?:_(\d{4})(\d{2})(\d{2}))?$/;

/**
 * Finish the publications a killed run left half done (see `swapStaged`):
 * where every ready table of a publication is there, swap each in again;
 * where only some are (killed during the RENAME, or while dropping them after
 * the swaps), the week is consistent already. Then drop the ready tables.
 * `only` limits this to one partition (a server may have another run's
 * publication in flight); the embedded engine, held by this process alone,
 * recovers everything, including staging tables, on open.
 */
export async function recoverPublications(client: ClickHouseClient, only?: Partition): Promise<Recovery[]> {
  const result = await client.query({
    query: `SELECT name, toString(total_rows) AS rows FROM system.tables WHERE database = 'sales_etl' AND name LIKE '%\\_\\_ready%'`,
    format: 'JSONEachRow',
  });
  const groups = new Map<string, { partition: Partition; table: PublishedTable; ready: Map<PublishedTable, number> }>();
  for (const { name, rows } of (await result.json()) as { name: string; rows: string | null }[]) {
    const m = READY_NAME.exec(name);
    if (!m) continue;
    const partition: Partition = m[2] === undefined ? 'all' : { weekStart: `${m[2]}-${m[3]}-${m[4]}` };
    if (only !== undefined && key(only) !== key(partition)) continue;
    const table = m[1] as PublishedTable;
    const publication = `${key(partition)}:${publishedTogether(partition, table).join(',')}`;
    const group = groups.get(publication) ?? { partition, table, ready: new Map() };
    group.ready.set(table, Number(rows ?? 0));
    groups.set(publication, group);
  }
  const recoveries: Recovery[] = [];
  for (const { partition, table: first, ready } of groups.values()) {
    const finished = publishedTogether(partition, first).every((t) => ready.has(t));
    for (const [table, rows] of ready) {
      if (finished) await swapPartition(client, table, partition, readyTable(table, partition), rows);
    }
    for (const table of ready.keys()) {
      await client.command({ query: `DROP TABLE IF EXISTS ${readyTable(table, partition)} SYNC`, ...STAGE_DDL });
    }
    recoveries.push({ partition, finished, tables: [...ready.keys()] });
  }
  return recoveries;
}

function key(partition: Partition): string {
  return partition === 'all' ? 'all' : partition.weekStart;
}

/** Drop every staging table (`__stage`): on the embedded engine, only a killed run can have left one. */
export async function dropStagingTables(client: ClickHouseClient): Promise<number> {
  const result = await client.query({
    query: `SELECT name FROM system.tables WHERE database = 'sales_etl' AND name LIKE '%\\_\\_stage%'`,
    format: 'JSONEachRow',
  });
  const names = ((await result.json()) as { name: string }[]).map((r) => r.name).filter((n) => /^[a-z_]+__stage(_\d{8})?$/.test(n));
  for (const name of names) await client.command({ query: `DROP TABLE IF EXISTS sales_etl.${name} SYNC`, ...STAGE_DDL });
  return names.length;
}

/**
 * DDL of a staging table skips the fsync of its metadata file: the table is
 * dropped within the run, and a process killed meanwhile loses nothing (the
 * file is in the page cache); only an OS crash could leave its metadata file
 * empty, which ClickHouse removes on the next start. Half of a staging table's
 * create-and-drop time is those fsyncs.
 */
const STAGE_DDL = { clickhouse_settings: { fsync_metadata: 0 } } as const;

/**
 * Create an empty staging table. It is normally absent (each run drops its
 * own), so creating comes first and costs one statement; a table of the same
 * name left by a killed run is dropped, and the create is tried again.
 */
async function createStage(client: ClickHouseClient, stage: string, table: PublishedTable): Promise<void> {
  const create = () => client.command({ query: `CREATE TABLE ${stage} AS sales_etl.${table}`, ...STAGE_DDL });
  try {
    await create();
  } catch (error) {
    const { code, type } = error as { code?: unknown; type?: unknown };
    if (code !== '57' && type !== 'TABLE_ALREADY_EXISTS') throw error;
    await client.command({ query: `DROP TABLE ${stage} SYNC`, ...STAGE_DDL });
    await create();
  }
}
