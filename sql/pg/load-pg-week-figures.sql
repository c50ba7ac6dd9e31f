-- One pass over the week's rows ($1 first day, $2 last day) gives the check figures and the per-region totals
-- aggregate's year to date is made of (sales_region_weeks, kept in step with sales in this transaction).
WITH regions AS (
  SELECT region, count(*) AS n, sum(sale_amount) AS revenue
  FROM sales WHERE sale_date BETWEEN $1::date AND $2::date GROUP BY region
), saved AS (
  INSERT INTO sales_region_weeks (week_start, region, sales_count, revenue)
  SELECT $1::date, region, n, revenue FROM regions
)
SELECT coalesce(sum(n), 0) AS rows, coalesce(sum(revenue), 0)::text AS amount FROM regions
