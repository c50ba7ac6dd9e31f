import type { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';

/** The published tables whose partitions migrate-click swaps in. */
export type PublishedTable = 'sales_agg' | 'week_buyers' | 'products';

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
    await staged.swap();
    return { rows: staged.rows };
  } finally {
    await staged.drop();
  }
}

/** A partition's new rows, loaded into its staging table and not yet swapped in. */
export interface StagedPartition {
  /** Rows in the staging table. */
  readonly rows: number;
  /** Swap the staged rows in (REPLACE PARTITION; an empty stage drops the partition). */
  swap(): Promise<void>;
  /** Drop the staging table; safe to call twice. */
  drop(): Promise<void>;
}

/**
 * The first half of `replacePartitionFromCsv`: load the CSV into a fresh
 * staging table and count it. Several partitions can be staged first and
 * swapped one right after another, so the moment when one is new and another
 * still old is one statement long. The caller drops the stage.
 */
export async function stagePartition(
  client: ClickHouseClient,
  table: PublishedTable,
  partition: Partition,
  columns: readonly [string, ...string[]],
  csv: Readable,
): Promise<StagedPartition> {
  const stage = stagingTable(table, partition);
  await createStage(client, stage, table);
  let dropped: Promise<void> | undefined;
  const drop = (): Promise<void> => {
    dropped ??= client.command({ query: `DROP TABLE IF EXISTS ${stage} SYNC`, ...STAGE_DDL }).then(() => undefined);
    return dropped;
  };
  let rows: number;
  try {
    await client.insert({ table: stage, values: csv, format: 'CSV', columns: [...columns] as [string, ...string[]] });
    const staged = await client.query({ query: `SELECT toString(count()) AS rows FROM ${stage}`, format: 'JSONEachRow' });
    rows = Number(((await staged.json()) as { rows: string }[])[0]?.rows ?? 0);
  } catch (error) {
    await drop().catch(() => undefined);
    throw error;
  }
  const swap = async (): Promise<void> => {
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
      await client.command({ query: `ALTER TABLE sales_etl.${table} REPLACE PARTITION tuple() FROM ${stage}` });
    } else {
      await client.command({
        query: `ALTER TABLE sales_etl.${table} REPLACE PARTITION {week_start:Date} FROM ${stage}`,
        query_params: { week_start: partition.weekStart },
      });
    }
  };
  return { rows, swap, drop };
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
