-- Two more aggregates of each week, rebuilt by aggregate in the transaction
-- that rebuilds the week's sales_agg, and copied as they are by migrate-click
-- (SPEC 7: it copies aggregates; the grouping is PostgreSQL's):
--
-- sales_daily: the week's sales by day, region and category, the rows of
-- ClickHouse's sales_etl.sales_daily.
CREATE TABLE sales_daily (
  week_start   date    NOT NULL,   -- the week's Monday
  sale_date    date    NOT NULL,
  region       text    NOT NULL,
  category     text    NOT NULL,   -- '' for a product missing from the catalogue
  sales_count  integer NOT NULL,
  quantity_sum bigint  NOT NULL,
  amount_sum   numeric(16,2) NOT NULL,
  PRIMARY KEY (week_start, sale_date, region, category)
);

-- week_buyers: the week's distinct buyers in each region, one row a region
-- here (their ids, in no particular order) and one row a buyer in ClickHouse's
-- sales_etl.week_buyers, where weekly distinct counts add up over any weeks.
-- Kept uncompressed out of line: pglz gains little on arrays of ids.
CREATE TABLE week_buyers (
  week_start   date      NOT NULL,
  region       text      NOT NULL,
  customer_ids integer[] NOT NULL,
  PRIMARY KEY (week_start, region)
);
ALTER TABLE week_buyers ALTER COLUMN customer_ids SET STORAGE EXTERNAL;

-- When load-pg last loaded the week (its transaction's start): migrate-click
-- refuses a week loaded after it was aggregated (sales_agg.aggregated_at),
-- whose aggregates, daily sums and buyers are older than its sales. Weeks
-- loaded before this column existed have no such time, and are compared by
-- their sums only.
ALTER TABLE sales_region_weeks ADD COLUMN loaded_at timestamptz NOT NULL DEFAULT '-infinity';
ALTER TABLE sales_region_weeks ALTER COLUMN loaded_at SET DEFAULT now();

-- Weeks aggregated before these tables existed, from their sales as they stand.
INSERT INTO sales_daily (week_start, sale_date, region, category, sales_count, quantity_sum, amount_sum)
SELECT s.sale_date - (extract(isodow FROM s.sale_date)::int - 1), s.sale_date, s.region,
       coalesce(p.category, ''), count(*), sum(s.quantity), sum(s.sale_amount)
FROM sales AS s
LEFT JOIN products AS p ON p.product_id = s.product_id
WHERE s.sale_date - (extract(isodow FROM s.sale_date)::int - 1) IN (SELECT week_start FROM sales_agg)
GROUP BY 1, 2, 3, 4;

INSERT INTO week_buyers (week_start, region, customer_ids)
SELECT week_start, region, array_agg(customer_id)
FROM (SELECT DISTINCT s.sale_date - (extract(isodow FROM s.sale_date)::int - 1) AS week_start, s.region, s.customer_id
        FROM sales AS s
       WHERE s.sale_date - (extract(isodow FROM s.sale_date)::int - 1) IN (SELECT week_start FROM sales_agg)) AS b
GROUP BY week_start, region;
