import { parseWeek } from '../../src/lib/core/calendar.js';
import { openClickHouse } from '../../src/lib/clickhouse/database.js';
import { createContext, resolveConfig } from '../../src/lib/core/config.js';
import { openPg } from '../../src/lib/pg/database.js';

/** What the embedded databases of `dir` hold for the weeks (load and import times left out), by table and week. */
export async function databaseChecksums(dir: string, weeks: readonly string[]): Promise<Record<string, string>> {
  const ctx = createContext(resolveConfig({ dataDir: dir, color: false }, {}));
  const out: Record<string, string> = {};
  const pg = await openPg(ctx);
  try {
    for (const id of weeks) {
      const week = parseWeek(id);
      const {
        rows: [sales],
      } = await pg.pool.query<{ c: string }>(
        `SELECT count(*) || '/' || sum(sale_amount) || '/' ||
                md5(string_agg(concat_ws(',', sale_id, customer_id, product_id, quantity, sale_date, sale_amount,
                                         region),
                               ';' ORDER BY sale_id)) AS c
         FROM sales WHERE sale_date BETWEEN $1 AND $2`,
        [week.start, week.end],
      );
      const {
        rows: [agg],
      } = await pg.pool.query<{ c: string }>(
        `SELECT count(*) || '/' || coalesce(sum(amount_sum), 0) || '/' ||
                md5(string_agg(concat_ws(',', region, product_id, sales_count, quantity_sum, amount_sum,
                                         avg_sale_amount, revenue_rank, revenue_share, region_revenue_ytd),
                               ';' ORDER BY region, product_id)) AS c
         FROM sales_agg WHERE week_start = $1`,
        [week.start],
      );
      out[`pg sales ${id}`] = sales!.c;
      out[`pg sales_agg ${id}`] = agg!.c;
    }
    const { rows: dims } = await pg.pool.query<{ c: string }>(
      `SELECT (SELECT count(*) || '/' || md5(string_agg(concat_ws(',', customer_id, full_name, birth_date, region, city,
                                                                  address), ';' ORDER BY customer_id)) FROM customers)
              || ' ' || (SELECT count(*) || '/' || md5(string_agg(concat_ws(',', product_id, name, category,
                                                                                list_price),
                                                                  ';' ORDER BY product_id)) FROM products) AS c`,
    );
    out['pg dimensions'] = dims[0]!.c;
  } finally {
    await pg.close();
  }
  const ch = await openClickHouse(ctx);
  try {
    for (const id of weeks) {
      const week = parseWeek(id);
      const rows = await (
        await ch.client.query({
          query: `SELECT toString(count()) || '/' || toString(sum(amount_sum)) || '/' ||
                         toString(sum(sales_count)) || '/' ||
                         toString(groupBitXor(cityHash64(region, product_id, sales_count, quantity_sum, amount_sum,
                                                         avg_sale_amount, revenue_rank, revenue_share,
                                                         region_revenue_ytd))) AS c
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
