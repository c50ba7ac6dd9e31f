-- Each week's sales per region, written by load-pg in the transaction that
-- replaces the week in `sales` (so it always agrees with `sales`). aggregate
-- takes the region's revenue year to date from here: at most 53 x 4 small rows
-- instead of every sale of the year, whatever order weeks are loaded or
-- aggregated in.
CREATE TABLE sales_region_weeks (
  week_start  date    NOT NULL,   -- the week's Monday
  region      text    NOT NULL,
  sales_count bigint  NOT NULL,
  revenue     numeric(16,2) NOT NULL,
  PRIMARY KEY (week_start, region)
);

-- Weeks loaded before this table existed.
INSERT INTO sales_region_weeks (week_start, region, sales_count, revenue)
SELECT sale_date - (extract(isodow FROM sale_date)::int - 1), region, count(*), sum(sale_amount)
FROM sales
GROUP BY 1, 2;
