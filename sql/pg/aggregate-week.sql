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
--   region's weekly totals in sales_region_weeks, which load-pg keeps in step
--   with sales in the same transaction as each week's rows. So the statement
--   reads only this week's sales plus at most 53 x 4 small rows, however much
--   of the year is loaded, and the figure is exact whatever order weeks are
--   loaded or aggregated in: it is the year to date of `sales` as it stands
--   when the week is aggregated. (Re-loading an earlier week changes the true
--   YTD of the later weeks; their sales_agg rows keep the old figure until
--   they are aggregated again, as with any derived table.)
--
-- The CTEs are MATERIALIZED, each computed once: statistics lag behind a
-- backfill (load-pg leaves ANALYZE to autovacuum once the table is big), and
-- with a week estimated at one row the planner would otherwise re-run the
-- year-to-date window once per product row.
WITH region_ytd AS MATERIALIZED (
  SELECT region, ytd
  FROM (
    SELECT w.region, w.week_start,
           sum(w.revenue) OVER (PARTITION BY w.region ORDER BY w.week_start ROWS UNBOUNDED PRECEDING) AS ytd
    FROM sales_region_weeks w
    -- ISO week 1 is the week holding January 4th.
    WHERE w.week_start BETWEEN date_trunc('week', make_date(extract(isoyear FROM $1::date)::int, 1, 4))::date
                           AND $1::date
  ) AS running
  WHERE running.week_start = $1::date
),
product_week AS MATERIALIZED (
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
-- aggregate.ts has checked that sales_region_weeks holds this week's sales.
JOIN region_ytd y ON y.region = p.region
