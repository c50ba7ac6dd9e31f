-- sales_agg rows of one week, from sales: one statement, GROUP BY plus window functions.
--   $1  the week's Monday (date)     $2  the week's Sunday (date)
-- The caller deletes the week's rows first, in the same transaction.
--
-- avg_sale_amount = round(amount_sum / sales_count, 2): exact numeric division,
--   then numeric round(), which rounds half AWAY from zero (x.xx5 -> x.xx+0.01;
--   amounts are positive, so this is "half up"), to whole kopecks.
-- revenue_rank = rank() of amount_sum within the region's week, highest first.
--   rank(), not dense_rank(): products with equal revenue share a rank and the
--   next one skips (1, 1, 3), so rank N always means "N-1 products earned more".
-- revenue_share = amount_sum / the region's revenue that week, rounded (half
--   away from zero) to 6 decimals; numeric(9,6).
-- region_revenue_ytd = the region's revenue from the Monday of week 1 of the
--   week's ISO year through this week's Sunday: a running sum (window) over the
--   region's weekly totals.
WITH year_start AS (
  -- ISO week 1 is the week holding January 4th.
  SELECT date_trunc('week', make_date(extract(isoyear FROM $1::date)::int, 1, 4))::date AS monday
),
region_days AS (
  -- Grouping by the stored date first keeps per-row work to a plain hash
  -- aggregate; the weeks are then made of at most 7 x 4 rows each.
  SELECT s.sale_date, s.region, sum(s.sale_amount) AS revenue
  FROM sales s
  WHERE s.sale_date BETWEEN (SELECT monday FROM year_start) AND $2::date
  GROUP BY s.sale_date, s.region
),
region_weeks AS (
  SELECT sale_date - (extract(isodow FROM sale_date)::int - 1) AS week_start, region, sum(revenue) AS revenue
  FROM region_days
  GROUP BY 1, 2
),
region_ytd AS (
  SELECT week_start, region,
         sum(revenue) OVER (PARTITION BY region ORDER BY week_start ROWS UNBOUNDED PRECEDING) AS ytd
  FROM region_weeks
),
product_week AS (
  SELECT s.region, s.product_id,
         count(*) AS sales_count,
         sum(s.quantity) AS quantity_sum,
         sum(s.sale_amount) AS amount_sum
  FROM sales s
  WHERE s.sale_date BETWEEN $1::date AND $2::date
  GROUP BY s.region, s.product_id
)
INSERT INTO sales_agg (week_start, region, product_id, sales_count, quantity_sum, amount_sum, avg_sale_amount,
                       revenue_rank, revenue_share, region_revenue_ytd, aggregated_at)
SELECT $1::date,
       p.region,
       p.product_id,
       p.sales_count,
       p.quantity_sum,
       p.amount_sum,
       round(p.amount_sum / p.sales_count, 2),
       rank() OVER (PARTITION BY p.region ORDER BY p.amount_sum DESC),
       round(p.amount_sum / sum(p.amount_sum) OVER (PARTITION BY p.region), 6),
       y.ytd,
       now()
FROM product_week p
JOIN region_ytd y ON y.region = p.region AND y.week_start = $1::date
