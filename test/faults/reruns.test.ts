import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { parseWeek } from '../../src/lib/calendar.js';
import { openClickHouse } from '../../src/lib/clickhouse.js';
import { createContext, resolveConfig } from '../../src/lib/config.js';
import { openPg } from '../../src/lib/pg.js';
import { assertExit, cli, treeHashes } from '../helpers/faults-cli.js';
import { tempDataDir } from '../helpers/pg.js';

// Re-runs change nothing: backfill twice and run-week three times on the embedded databases leave
// byte-identical files (plan, dimensions, raw, clean, rejects, manifests) and identical database contents.

const WEEKS = ['2024-W01', '2024-W02'];
/** Everything but the databases' own directories, the lock and server logs. */
const FILES_SKIP = ['pg', 'clickhouse', '.lock', 'logs', 'pg.log', 'reports'];
let dir: string;

before(async () => {
  dir = await tempDataDir('sales-etl-reruns-');
});
after(() => rm(dir, { recursive: true, force: true }));

/** What the databases hold for the plan's weeks (load and import times left out). */
async function checksums(): Promise<Record<string, string>> {
  const ctx = createContext(resolveConfig({ dataDir: dir, color: false }, {}));
  const out: Record<string, string> = {};
  const pg = await openPg(ctx);
  try {
    for (const id of WEEKS) {
      const week = parseWeek(id);
      const { rows: [sales] } = await pg.pool.query<{ c: string }>(
        `SELECT count(*) || '/' || sum(sale_amount) || '/' ||
                md5(string_agg(concat_ws(',', sale_id, customer_id, product_id, quantity, sale_date, sale_amount, region), ';' ORDER BY sale_id)) AS c
         FROM sales WHERE sale_date BETWEEN $1 AND $2`,
        [week.start, week.end],
      );
      const { rows: [agg] } = await pg.pool.query<{ c: string }>(
        `SELECT count(*) || '/' || md5(string_agg(concat_ws(',', region, product_id, sales_count, quantity_sum, amount_sum, avg_sale_amount,
                                                  revenue_rank, revenue_share, region_revenue_ytd), ';' ORDER BY region, product_id)) AS c
         FROM sales_agg WHERE week_start = $1`,
        [week.start],
      );
      out[`pg sales ${id}`] = sales!.c;
      out[`pg sales_agg ${id}`] = agg!.c;
    }
    const { rows: dims } = await pg.pool.query<{ c: string }>(
      `SELECT (SELECT count(*) || '/' || md5(string_agg(concat_ws(',', customer_id, full_name, birth_date, region, city, address), ';' ORDER BY customer_id)) FROM customers)
              || ' ' || (SELECT count(*) || '/' || md5(string_agg(concat_ws(',', product_id, name, category, list_price), ';' ORDER BY product_id)) FROM products) AS c`,
    );
    out['pg dimensions'] = dims[0]!.c;
  } finally {
    await pg.close();
  }
  const ch = await openClickHouse(ctx);
  try {
    for (const id of WEEKS) {
      const week = parseWeek(id);
      const rows = await (
        await ch.client.query({
          query: `SELECT toString(count()) || '/' || toString(sum(amount_sum)) || '/' || toString(sum(sales_count)) || '/' ||
                         toString(groupBitXor(cityHash64(region, product_id, sales_count, quantity_sum, amount_sum, avg_sale_amount,
                                                         revenue_rank, revenue_share, region_revenue_ytd))) AS c
                  FROM sales_etl.sales_agg WHERE week_start = {week:Date}`,
          query_params: { week: week.start },
          format: 'JSONEachRow',
        })
      ).json<{ c: string }>();
      const buyers = await (
        await ch.client.query({
          query: `SELECT toString(count()) || '/' || toString(groupBitXor(cityHash64(region, customer_id))) AS c
                  FROM sales_etl.week_buyers WHERE week_start = {week:Date}`,
          query_params: { week: week.start },
          format: 'JSONEachRow',
        })
      ).json<{ c: string }>();
      out[`ch sales_agg ${id}`] = rows[0]!.c;
      out[`ch week_buyers ${id}`] = buyers[0]!.c;
    }
  } finally {
    await ch.close();
  }
  return out;
}

test('backfill twice, then run-week three times: the same bytes on disk and the same rows in both databases', async () => {
  const plan = ['--start-week', WEEKS[0]!, '--weeks', String(WEEKS.length), '--total', '3000'];
  const first = await cli(['--data-dir', dir, 'backfill', ...plan], { timeoutMs: 300_000 });
  assertExit(first, 0, 'backfill 1');
  const files = await treeHashes(dir, FILES_SKIP);
  for (const id of WEEKS) {
    for (const f of [`raw/${id}/north.csv`, `clean/${id}/north.csv`, `clean/${id}/manifest.json`, `rejects/${id}/north.csv`]) {
      assert.ok(files[f], `${f} exists after a backfill: ${Object.keys(files).join(' ')}`);
    }
  }
  assert.ok(files['store.json'] && files['dim/customers.csv'] && files['dim/products.csv']);
  const db = await checksums();
  assert.ok(Number(db[`pg sales ${WEEKS[1]}`]!.split('/')[0]) > 0, JSON.stringify(db));
  assert.ok(Number(db[`ch sales_agg ${WEEKS[1]}`]!.split('/')[0]) > 0, JSON.stringify(db));

  const second = await cli(['--data-dir', dir, 'backfill', ...plan], { timeoutMs: 300_000 });
  assertExit(second, 0, 'backfill 2');
  assert.deepEqual(await treeHashes(dir, FILES_SKIP), files, 'a second backfill rewrites the same bytes');
  assert.deepEqual(await checksums(), db, 'a second backfill leaves the same rows');

  for (const n of [1, 2, 3]) {
    const run = await cli(['--data-dir', dir, 'run-week', '--week', WEEKS[1]!], { timeoutMs: 300_000 });
    assertExit(run, 0, `run-week ${n}`);
    assert.deepEqual(await treeHashes(dir, FILES_SKIP), files, `run-week ${n} rewrites the same bytes`);
  }
  assert.deepEqual(await checksums(), db, 'three run-weeks leave the same rows');
});
