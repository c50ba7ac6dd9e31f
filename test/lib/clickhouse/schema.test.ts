import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openClickHouse, type ClickHouseDatabase } from '../../../src/lib/clickhouse/database.js';
import { embeddedHolder } from '../../../src/lib/clickhouse/lock.js';
import { applyClickHouseSchema } from '../../../src/lib/clickhouse/schema.js';
import { clickHouseStatement } from '../../../src/lib/clickhouse/sql.js';
import { withNames } from '../../../src/lib/core/sql.js';
import { chRows, chTestContext, tempDataDir } from '../../helpers/clickhouse.js';

describe('the embedded engine', () => {
  let tmp: Awaited<ReturnType<typeof tempDataDir>>;
  let db: ClickHouseDatabase;

  before(async () => {
    tmp = await tempDataDir('clickhouse-schema');
    db = await openClickHouse(chTestContext({ dataDir: tmp.dir }));
  });
  after(async () => {
    await db?.close();
    await tmp?.remove();
  });

  it('creates the database and tables, and applying the DDL again changes nothing', async () => {
    await applyClickHouseSchema(db.client);
    await applyClickHouseSchema(db.client);
    const columns = await chRows<{ table: string; name: string; type: string }>(
      db.client,
      "SELECT table, name, type FROM system.columns WHERE database = 'sales_etl' ORDER BY table, position",
    );
    const of = (table: string) => columns.filter((c) => c.table === table).map((c) => `${c.name} ${c.type}`);
    assert.deepEqual(of('sales_agg'), [
      'week_start Date',
      'region LowCardinality(String)',
      'product_id UInt32',
      'sales_count UInt32',
      'quantity_sum UInt32',
      'amount_sum Decimal(14, 2)',
      'avg_sale_amount Decimal(12, 2)',
      'revenue_rank UInt32',
      'revenue_share Decimal(9, 6)',
      'region_revenue_ytd Decimal(16, 2)',
      "aggregated_at DateTime64(6, 'Europe/Moscow')",
      "imported_at DateTime('Europe/Moscow')",
      'import_date Date',
    ]);
    assert.deepEqual(of('week_buyers'), [
      'week_start Date',
      'region LowCardinality(String)',
      'customer_id UInt32',
      "imported_at DateTime('Europe/Moscow')",
    ]);
    assert.deepEqual(of('products'), [
      'product_id UInt32',
      'name String',
      'category LowCardinality(String)',
      'list_price Decimal(12, 2)',
      "imported_at DateTime('Europe/Moscow')",
    ]);
    assert.deepEqual(of('sales_daily'), [
      'week_start Date',
      'sale_date Date',
      'region LowCardinality(String)',
      'category LowCardinality(String)',
      'sales_count UInt32',
      'quantity_sum UInt32',
      'amount_sum Decimal(16, 2)',
      "imported_at DateTime('Europe/Moscow')",
    ]);
    const keys = await chRows<{ name: string; partition_key: string; sorting_key: string }>(
      db.client,
      "SELECT name, partition_key, sorting_key FROM system.tables WHERE database = 'sales_etl' ORDER BY name",
    );
    assert.deepEqual(keys, [
      { name: 'products', partition_key: '', sorting_key: 'product_id' },
      { name: 'sales_agg', partition_key: 'week_start', sorting_key: 'week_start, region, product_id' },
      { name: 'sales_daily', partition_key: 'week_start', sorting_key: 'week_start, sale_date, region, category' },
      { name: 'week_buyers', partition_key: 'week_start', sorting_key: 'week_start, region, customer_id' },
    ]);
  });

  it('reads a name through quoteIdentifier as the name itself, a double quote and all', async () => {
    const odd = 'sales_etl.odd"name__stage';
    const create = { name: 'create.sql', text: 'CREATE TABLE {{t}} (x UInt8) ENGINE = Memory' };
    await db.client.command({ query: withNames(create, { t: odd }).text });
    try {
      const tables = await chRows<{ name: string }>(db.client, "SELECT name FROM system.tables WHERE name LIKE 'odd%'");
      assert.deepEqual(tables, [{ name: 'odd"name__stage' }]);
    } finally {
      await db.client.command({ query: await clickHouseStatement('publish-drop-tables.sql', { tables: [odd] }) });
    }
    assert.deepEqual(await chRows(db.client, "SELECT name FROM system.tables WHERE name LIKE 'odd%'"), []);
  });

  it('has every published table clean up replaced parts every second, also one made before it said so', async () => {
    const settings = async () =>
      chRows<{ name: string; on: number }>(
        db.client,
        `SELECT name, position(create_table_query, 'cleanup_delay_period = 1') > 0 AS on
         FROM system.tables WHERE database = 'sales_etl' ORDER BY name`,
      );
    assert.deepEqual(await settings(), [
      { name: 'products', on: 1 },
      { name: 'sales_agg', on: 1 },
      { name: 'sales_daily', on: 1 },
      { name: 'week_buyers', on: 1 },
    ]);
    // A data directory of an earlier version: the table without the setting (its default, 30 s, is
    // longer than a run lives, so the parts each publication replaced were never removed).
    await db.client.command({
      query: 'ALTER TABLE sales_etl.week_buyers RESET SETTING cleanup_delay_period, cleanup_delay_period_random_add',
    });
    assert.equal((await settings()).find((t) => t.name === 'week_buyers')?.on, 0);
    await db.close();
    db = await openClickHouse(chTestContext({ dataDir: tmp.dir }));
    assert.equal((await settings()).find((t) => t.name === 'week_buyers')?.on, 1);
  });

  it('sees no other holder of its own data directory', async () => {
    assert.equal(await embeddedHolder(path.join(tmp.dir, 'clickhouse')), undefined);
  });
});

describe('embeddedHolder', () => {
  it('ignores a status file left by a dead process or naming a recycled pid', async () => {
    const tmp = await tempDataDir('clickhouse-lock');
    try {
      const dir = path.join(tmp.dir, 'clickhouse');
      await mkdir(dir, { recursive: true });
      // A pid that has just exited.
      const gone = spawn(process.execPath, ['-e', '']);
      await new Promise((resolve) => gone.on('close', resolve));
      await writeFile(path.join(dir, 'status'), `PID: ${gone.pid}\nStarted at: 2024-05-20 12:00:00\nRevision: 1\n`);
      assert.equal(await embeddedHolder(dir), undefined);
      // A live process whose pid is in the file but holds no lock (a recycled pid) is not a holder either.
      const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
      try {
        await writeFile(path.join(dir, 'status'), `PID: ${sleeper.pid}\n`);
        assert.equal(await embeddedHolder(dir), undefined);
      } finally {
        sleeper.kill('SIGKILL');
      }
    } finally {
      await tmp.remove();
    }
  });
});
