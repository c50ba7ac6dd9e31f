-- migrate-click: the sales and revenue of each week from $1 to $2 (Mondays)
-- that has any: what the engine must have read (sql/clickhouse/pulled-sales-figures.sql)
-- and the published sales_daily must add up to (week-figures.sql). Sums as text: exact.
--
-- From sales_region_weeks, the weeks' totals that load-pg keeps in step with
-- `sales` in the same transaction as each week's rows (and aggregate checks
-- against `sales` again), not from the sales themselves: the daily rows are
-- still counted from `sales`, in the same snapshot, so a difference between the
-- two is found all the same; this reads a few rows a week where counting a
-- quarter's 250,000 sales again took 60 to 130 ms of every run of weeks.
SELECT to_char(week_start, 'YYYY-MM-DD')   AS week_start,
       sum(sales_count)::text              AS sales_count,
       sum(revenue)::numeric(16,2)::text   AS amount_sum
FROM sales_region_weeks
WHERE week_start BETWEEN $1::date AND $2::date
GROUP BY week_start
