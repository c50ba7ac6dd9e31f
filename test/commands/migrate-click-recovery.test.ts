import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { openClickHouse, type ClickHouseDatabase } from '../../src/lib/clickhouse/database.js';
import {
  replacePartitionFromCsv,
  stagePartition,
  swapStaged,
  type Partition,
} from '../../src/lib/clickhouse/partition.js';
import { createLogger } from '../../src/lib/ui/logger.js';
import { chRows, chTestContext, tempDataDir } from '../helpers/clickhouse.js';

// A run killed while it swaps a week in (SIGKILL of our process is a hard kill of the embedded
// engine) must leave nothing a reader can see half done: the next open finishes the swap. The
// kills here are deterministic: a child process does the steps of swapStaged by hand and kills
// itself at a chosen one, leaving on disk exactly what a run killed there would.

const WEEK = '2024-01-01';
const AGG = ['week_start', 'region', 'product_id', 'amount_sum'] as const;
const BUYERS = ['week_start', 'region', 'customer_id'] as const;
const DAILY = ['week_start', 'sale_date', 'region', 'category', 'sales_count', 'amount_sum'] as const;
const lib = (name: string) => new URL(`../../src/lib/${name}.js`, import.meta.url).href;

/** Version v of the week: 10·v aggregate rows of amount v each, 3·v buyers, v daily rows. */
function aggCsv(v: number): string {
  return Array.from({ length: 10 * v }, (_, i) => `${WEEK},North,${i + 1},${v}.00\n`).join('');
}
function buyersCsv(v: number): string {
  return Array.from({ length: 3 * v }, (_, i) => `${WEEK},North,${1000 * v + i}\n`).join('');
}
function dailyCsv(v: number): string {
  return Array.from({ length: v }, (_, i) => `${WEEK},${WEEK},North,c${i},${v},${v}.00\n`).join('');
}

async function weekState(ch: ClickHouseDatabase): Promise<string> {
  const [row] = await chRows<{ agg: string; amount: string; buyers: string; daily: string; leftovers: string }>(
    ch.client,
    `SELECT (SELECT toString(count()) FROM sales_etl.sales_agg WHERE week_start = {w:Date}) AS agg,
            (SELECT toString(sum(amount_sum)) FROM sales_etl.sales_agg WHERE week_start = {w:Date}) AS amount,
            (SELECT toString(count()) FROM sales_etl.week_buyers WHERE week_start = {w:Date}) AS buyers,
            (SELECT toString(count()) FROM sales_etl.sales_daily WHERE week_start = {w:Date}) AS daily,
            (SELECT toString(count()) FROM system.tables
              WHERE database = 'sales_etl' AND name LIKE '%\\_\\_%') AS leftovers`,
    { w: WEEK },
  );
  const { agg, amount, buyers, daily, leftovers } = row!;
  return `agg ${agg}/${Number(amount)} buyers ${buyers} daily ${daily} leftovers ${leftovers}`;
}
const version = (v: number) => `agg ${10 * v}/${10 * v * v} buyers ${3 * v} daily ${v} leftovers 0`;

describe('a publication killed while it swaps a week in', () => {
  let tmp: Awaited<ReturnType<typeof tempDataDir>>;
  let script: string;

  before(async () => {
    tmp = await tempDataDir('migrate-click-recovery');
    script = path.join(tmp.dir, 'kill.mjs');
    // Steps of swapStaged, by hand: stage v2 of the three tables, rename them ready, then the step
    // chosen by argv[3]; then SIGKILL. 'double' is what a kill inside REPLACE PARTITION leaves
    // (the engine renames the new part in before the empty part that covers the old one, so
    // both load after a restart): done here by attaching the old rows back beside the new.
    await writeFile(
      script,
      `import { Readable } from 'node:stream';
      import { openClickHouse } from '${lib('clickhouse/database')}';
      import { readyTable, stagePartition } from '${lib('clickhouse/partition')}';
      import { resolveConfig } from '${lib('core/config')}';
      import { createLogger } from '${lib('ui/logger')}';
      const [dataDir, at] = process.argv.slice(2);
      const ctx = {
        config: resolveConfig({ color: false, dataDir }, {}),
        log: createLogger({ interactive: false, verbose: false })
      };
      const ch = await openClickHouse(ctx);
      const p = { weekStart: '${WEEK}' };
      const c = (query) => ch.client.command({ query, query_params: { w: '${WEEK}' } });
      const agg = ${JSON.stringify(aggCsv(2))}, buyers = ${JSON.stringify(buyersCsv(2))};
      const daily = ${JSON.stringify(dailyCsv(2))};
      await stagePartition(ch.client, 'sales_agg', p, ${JSON.stringify(AGG)},
        Readable.from([agg], { objectMode: false }));
      await stagePartition(ch.client, 'week_buyers', p, ${JSON.stringify(BUYERS)},
        Readable.from([buyers], { objectMode: false }));
      await stagePartition(ch.client, 'sales_daily', p, ${JSON.stringify(DAILY)},
        Readable.from([daily], { objectMode: false }));
      if (at !== 'staged') {
        const ready = (t) => readyTable(t, p);
        await c('RENAME TABLE sales_etl.sales_agg__stage_20240101 TO ' + ready('sales_agg') +
          ', sales_etl.week_buyers__stage_20240101 TO ' + ready('week_buyers') +
          ', sales_etl.sales_daily__stage_20240101 TO ' + ready('sales_daily'));
        if (at === 'double') {
          await c('CREATE TABLE sales_etl.old AS sales_etl.sales_agg');
          await c('INSERT INTO sales_etl.old SELECT * FROM sales_etl.sales_agg');
        }
        if (at !== 'ready')
          await c('ALTER TABLE sales_etl.sales_agg REPLACE PARTITION {w:Date} FROM ' + ready('sales_agg'));
        if (at === 'double') await c('ALTER TABLE sales_etl.sales_agg ATTACH PARTITION {w:Date} FROM sales_etl.old');
        if (at === 'dropping') {
          await c('ALTER TABLE sales_etl.week_buyers REPLACE PARTITION {w:Date} FROM ' + ready('week_buyers'));
          await c('ALTER TABLE sales_etl.sales_daily REPLACE PARTITION {w:Date} FROM ' + ready('sales_daily'));
          await c('DROP TABLE ' + ready('sales_agg') + ' SYNC');
        }
      }
      process.stderr.write('at ' + at + '\\n');
      process.kill(process.pid, 'SIGKILL');
      `,
    );
  });

  after(async () => {
    await tmp?.remove();
  });

  /** Publish v1 cleanly, run the child to its kill point, and return what the next open shows and says. */
  async function killAt(at: string): Promise<{ state: string; warnings: string[]; during?: string }> {
    const warnings: string[] = [];
    const ctx = chTestContext({ dataDir: tmp.dir });
    const week: Partition = { weekStart: WEEK };
    let ch = await openClickHouse(ctx);
    try {
      await ch.client.command({ query: 'DROP TABLE IF EXISTS sales_etl.old SYNC' });
      const agg = await stagePartition(
        ch.client,
        'sales_agg',
        week,
        AGG,
        Readable.from([aggCsv(1)], { objectMode: false }),
      );
      const buyers = await stagePartition(
        ch.client,
        'week_buyers',
        week,
        BUYERS,
        Readable.from([buyersCsv(1)], { objectMode: false }),
      );
      const daily = await stagePartition(
        ch.client,
        'sales_daily',
        week,
        DAILY,
        Readable.from([dailyCsv(1)], { objectMode: false }),
      );
      await swapStaged(ch.client, [agg, buyers, daily]);
      for (const stage of [agg, buyers, daily]) await stage.drop();
      assert.equal(await weekState(ch), version(1), 'a clean publication');
    } finally {
      await ch.close();
    }
    const exit = await new Promise<{ signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [script, tmp.dir, at], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (_code, signal) => resolve({ signal, stderr }));
    });
    assert.equal(exit.signal, 'SIGKILL', exit.stderr);
    assert.match(exit.stderr, new RegExp(`at ${at}`));
    const log = createLogger({
      interactive: false,
      verbose: false,
      stream: { write: (s: string) => warnings.push(s.trim()) > 0 } as unknown as NodeJS.WritableStream,
    });
    ch = await openClickHouse({ ...ctx, log });
    try {
      await ch.client.command({ query: 'DROP TABLE IF EXISTS sales_etl.old SYNC' });
      return { state: await weekState(ch), warnings };
    } finally {
      await ch.close();
    }
  }

  it(
    "killed inside the aggregates' swap, leaving two copies on disk: " +
      'the next open shows the new week once, buyers too',
    async () => {
      const { state, warnings } = await killAt('double');
      assert.equal(state, version(2));
      assert.ok(
        warnings.some((w) =>
          /finished publishing the week of 2024-01-01 \(sales_agg, week_buyers, sales_daily\)/.test(w),
        ),
        warnings.join('\n'),
      );
    },
  );

  it('killed between two swaps: the next open swaps the buyers and daily sales in too', async () => {
    assert.equal((await killAt('swapped-agg')).state, version(2));
  });

  it('killed after renaming the stages, before any swap: the next open swaps all three in', async () => {
    assert.equal((await killAt('ready')).state, version(2));
  });

  it('killed while staging: the old week stays, and the staging tables go', async () => {
    assert.equal((await killAt('staged')).state, version(1));
  });

  it('killed while dropping the ready tables after the swaps: the new week stays as it is', async () => {
    const { state, warnings } = await killAt('dropping');
    assert.equal(state, version(2));
    assert.ok(!warnings.some((w) => /finished publishing/.test(w)), warnings.join('\n'));
  });

  it('a run of weeks left ready (killed after its RENAME): the next open swaps each of its weeks in', async () => {
    const ctx = chTestContext({ dataDir: tmp.dir });
    const run: Partition = { weekStart: '2024-01-08', lastWeekStart: '2024-01-15' };
    const csv = (table: 'agg' | 'buyers' | 'daily') =>
      ['2024-01-08', '2024-01-15']
        .flatMap((w, k) =>
          Array.from({ length: 2 + k }, (_, i) =>
            table === 'daily'
              ? `${w},${w},West,c${i},1,5.00\n`
              : `${w},West,${i + 1}${table === 'agg' ? ',5.00' : ''}\n`,
          ),
        )
        .join('');
    let ch = await openClickHouse(ctx);
    try {
      const bytes = (table: 'agg' | 'buyers' | 'daily') => Readable.from([csv(table)], { objectMode: false });
      const agg = await stagePartition(ch.client, 'sales_agg', run, AGG, bytes('agg'), { oneRowPerLine: true });
      const buyers = await stagePartition(ch.client, 'week_buyers', run, BUYERS, bytes('buyers'));
      await stagePartition(ch.client, 'sales_daily', run, DAILY, bytes('daily'));
      assert.deepEqual(
        [...agg.weekRows],
        [
          ['2024-01-08', 2],
          ['2024-01-15', 3],
        ],
      );
      assert.deepEqual([...buyers.weekRows].sort(), [
        ['2024-01-08', 2],
        ['2024-01-15', 3],
      ]);
      await ch.client.command({
        query: `RENAME TABLE
                  sales_etl.sales_agg__stage_20240108_20240115 TO sales_etl.sales_agg__ready_20240108_20240115,
                  sales_etl.week_buyers__stage_20240108_20240115 TO sales_etl.week_buyers__ready_20240108_20240115,
                  sales_etl.sales_daily__stage_20240108_20240115 TO sales_etl.sales_daily__ready_20240108_20240115`,
      });
    } finally {
      await ch.close();
    }
    const warnings: string[] = [];
    const stream = { write: (s: string) => warnings.push(s.trim()) > 0 } as unknown as NodeJS.WritableStream;
    ch = await openClickHouse({ ...ctx, log: createLogger({ interactive: false, verbose: false, stream }) });
    try {
      const rows = await chRows<{ w: string; agg: string; buyers: string; left: string }>(
        ch.client,
        `SELECT toString(week_start) AS w, toString(count()) AS agg,
                (SELECT toString(count()) FROM sales_etl.week_buyers b WHERE b.week_start = a.week_start) AS buyers,
                (SELECT toString(count()) FROM system.tables
                 WHERE database = 'sales_etl' AND name LIKE '%\\_\\_%') AS left
         FROM sales_etl.sales_agg a WHERE week_start IN ('2024-01-08', '2024-01-15')
         GROUP BY week_start ORDER BY week_start`,
      );
      assert.deepEqual(rows, [
        { w: '2024-01-08', agg: '2', buyers: '2', left: '0' },
        { w: '2024-01-15', agg: '3', buyers: '3', left: '0' },
      ]);
      const finished = /finished publishing the weeks of 2024-01-08 to 2024-01-15/;
      assert.ok(
        warnings.some((w) => finished.test(w)),
        warnings.join('\n'),
      );
    } finally {
      await ch.close();
    }
  });

  it('swaps in no part of a publication killed while renaming it ready: its ready tables are dropped', async () => {
    const ctx = chTestContext({ dataDir: tmp.dir });
    const week: Partition = { weekStart: WEEK };
    const csv = (text: string) => Readable.from([text], { objectMode: false });
    let ch = await openClickHouse(ctx);
    let before: string;
    try {
      before = await weekState(ch);
      // Two of the week's three tables ready, the buyers not: what a kill inside the RENAME leaves.
      await stagePartition(ch.client, 'sales_daily', week, DAILY, csv(`${WEEK},${WEEK},North,Кухня,3,30.00\n`));
      await stagePartition(ch.client, 'sales_agg', week, AGG, csv(aggCsv(5)));
      await ch.client.command({
        query:
          'RENAME TABLE sales_etl.sales_daily__stage_20240101 TO sales_etl.sales_daily__ready_20240101, ' +
          'sales_etl.sales_agg__stage_20240101 TO sales_etl.sales_agg__ready_20240101',
      });
    } finally {
      await ch.close();
    }
    ch = await openClickHouse(ctx);
    try {
      assert.equal(await weekState(ch), before, 'neither the aggregates nor the daily sales were swapped in');
    } finally {
      await ch.close();
    }
  });

  it('swaps a whole-table catalogue in with the same steps, leaving no ready table', async () => {
    const ch = await openClickHouse(chTestContext({ dataDir: tmp.dir }));
    try {
      const cols = ['product_id', 'name', 'category', 'list_price'] as const;
      await replacePartitionFromCsv(
        ch.client,
        'products',
        'all',
        cols,
        Readable.from(['1,a,c,1.00\n2,b,c,2.00\n'], { objectMode: false }),
      );
      await replacePartitionFromCsv(
        ch.client,
        'products',
        'all',
        cols,
        Readable.from(['3,d,c,3.00\n'], { objectMode: false }),
      );
      const [row] = await chRows<{ n: string; t: string }>(
        ch.client,
        'SELECT toString(count()) AS n, (SELECT toString(count()) FROM system.tables ' +
          "WHERE database = 'sales_etl' AND name LIKE '%\\_\\_%') AS t FROM sales_etl.products",
      );
      assert.deepEqual(row, { n: '1', t: '0' });
    } finally {
      await ch.close();
    }
  });

  it('stages one-row-a-line CSV in batches of whole lines and counts them as ClickHouse counts the rows', async () => {
    const ch = await openClickHouse(chTestContext({ dataDir: tmp.dir }));
    try {
      const week: Partition = { weekStart: WEEK };
      const chunks = [`${WEEK},North,1\n${WEEK},No`, `rth,2\n${WEEK},North,3`];
      // Over 1 MB in 64 kB pieces cut mid-line: sent as more than one insert of whole lines.
      const big = Array.from({ length: 60_000 }, (_, i) => `${WEEK},North,${i + 1}\n`).join('');
      const pieces = Array.from({ length: Math.ceil(big.length / 65_536) }, (_, i) =>
        big.slice(i * 65_536, (i + 1) * 65_536),
      );
      assert.ok(big.length > 1 << 20);
      for (const [csv, rows] of [
        [chunks, 3],
        [[`${WEEK},North,1\n`], 1],
        [[], 0],
        [pieces, 60_000],
      ] as const) {
        const stage = await stagePartition(
          ch.client,
          'week_buyers',
          week,
          BUYERS,
          Readable.from([...csv], { objectMode: false }),
          { oneRowPerLine: true },
        );
        try {
          const [row] = await chRows<{ n: string }>(
            ch.client,
            `SELECT toString(count()) AS n FROM sales_etl.week_buyers__stage_${WEEK.replaceAll('-', '')}`,
          );
          assert.equal(stage.rows, rows);
          assert.equal(Number(row?.n), rows);
        } finally {
          await stage.drop();
        }
      }
    } finally {
      await ch.close();
    }
  });
});
