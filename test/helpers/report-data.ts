import type { ClickHouseClient } from '@clickhouse/client';
import { parseWeek, weekRange } from '../../src/lib/core/calendar.js';

/** A row of ClickHouse's sales_agg as the seed writes it. */
export interface AggRow {
  week_start: string;
  region: string;
  product_id: number;
  sales_count: number;
  quantity_sum: number;
  /** Exact, two decimals. */
  amount_sum: string;
}

/** What the seed put into ClickHouse, for tests to compute their own answers from. */
export interface ReportSeed {
  agg: AggRow[];
  buyers: { week_start: string; region: string; customer_id: number }[];
  products: { product_id: number; name: string; category: string; list_price: string }[];
}

const REGIONS = ['North', 'South', 'East', 'West'];

/** The region-weeks the seed leaves out: an outage of South in W21, East and West in W23. */
export const SEED_GAPS: Record<string, string[]> = {
  '2024-W21': ['South'],
  '2024-W23': ['East', 'West'],
};

/** Weeks the seed fills (with the gaps above): 2024-W18 to 2024-W23. */
export const SEED_WEEKS = weekRange(parseWeek('2024-W18'), parseWeek('2024-W23'));

/** A small deterministic generator (LCG), so the data set is the same on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** A product name and a category that would run script if the report did not escape them. */
export const HOSTILE_NAME = 'Наушники <Pro> & "Bass" <script>alert(1)</script>';
export const HOSTILE_CATEGORY = 'Игрушки"><img src=x onerror=alert(2)>';

/**
 * Insert a small known data set into ClickHouse's sales_etl tables: six weeks,
 * four regions, eight products in three categories plus one product missing from
 * the catalogue (id 99), amounts with kopecks, and overlapping weekly buyers.
 */
export async function seedReportData(client: ClickHouseClient): Promise<ReportSeed> {
  const next = random(20240513);
  const products = [
    { product_id: 1, name: 'Чайник электрический', category: 'Кухня', list_price: '2490.00' },
    { product_id: 2, name: 'Сковорода 28 см', category: 'Кухня', list_price: '1890.50' },
    { product_id: 3, name: HOSTILE_NAME, category: 'Электроника', list_price: '5990.00' },
    { product_id: 4, name: 'Power bank 20000', category: 'Электроника', list_price: '3290.99' },
    { product_id: 5, name: 'Конструктор', category: HOSTILE_CATEGORY, list_price: '4590.00' },
    { product_id: 6, name: 'Мяч', category: HOSTILE_CATEGORY, list_price: '690.00' },
    { product_id: 7, name: 'Кофе 1 кг', category: 'Кухня', list_price: '1399.90' },
    { product_id: 8, name: 'Смартфон', category: 'Электроника', list_price: '24990.00' },
  ];
  const ids = [...products.map((p) => p.product_id), 99];
  const agg: AggRow[] = [];
  const buyers: ReportSeed['buyers'] = [];
  for (const week of SEED_WEEKS) {
    for (const region of REGIONS) {
      if (SEED_GAPS[week.id]?.includes(region)) continue;
      for (const product_id of ids) {
        if (next() < 0.25) continue;
        const sales_count = 1 + Math.floor(next() * 40);
        const quantity_sum = sales_count + Math.floor(next() * sales_count * 2);
        const kopecks =
          BigInt(sales_count) * BigInt(50_000 + Math.floor(next() * 2_000_000)) + BigInt(Math.floor(next() * 100));
        agg.push({
          week_start: week.start,
          region,
          product_id,
          sales_count,
          quantity_sum,
          amount_sum: `${kopecks / 100n}.${String(kopecks % 100n).padStart(2, '0')}`,
        });
      }
      const seen = new Set<number>();
      const count = 15 + Math.floor(next() * 20);
      while (seen.size < count) seen.add(1 + Math.floor(next() * 200));
      for (const customer_id of seen) buyers.push({ week_start: week.start, region, customer_id });
    }
  }
  const importedAt = '2024-06-11 12:45:00';
  await client.insert({
    table: 'sales_etl.sales_agg',
    format: 'JSONEachRow',
    values: agg.map((r) => ({
      ...r,
      avg_sale_amount: (Number(r.amount_sum) / r.sales_count).toFixed(2),
      revenue_rank: 1,
      revenue_share: '0.100000',
      region_revenue_ytd: r.amount_sum,
      aggregated_at: '2024-06-11 12:40:00.000000',
      imported_at: importedAt,
      import_date: '2024-06-11',
    })),
  });
  await client.insert({
    table: 'sales_etl.week_buyers',
    format: 'JSONEachRow',
    values: buyers.map((b) => ({ ...b, imported_at: importedAt })),
  });
  await client.insert({
    table: 'sales_etl.products',
    format: 'JSONEachRow',
    values: products.map((p) => ({ ...p, imported_at: importedAt })),
  });
  return { agg, buyers, products };
}
