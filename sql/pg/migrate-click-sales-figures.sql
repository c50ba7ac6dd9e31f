-- migrate-click: the sales and revenue of each week from $1 to $2 (Mondays)
-- that has any or has daily sums: what the published sales_daily must add up to
-- (week-figures.sql), and what PostgreSQL's sales_daily adds up to, which
-- differs when the week was loaded again after it was aggregated. Sums as text: exact.
--
-- From sales_region_weeks, the weeks' totals that load-pg keeps in step with
-- `sales` in the same transaction as each week's rows (and aggregate checks
-- against `sales` again): a few rows a week where counting a quarter's 250,000
-- sales again took 60 to 130 ms of every run of weeks.
SELECT to_char(week_start, 'YYYY-MM-DD')              AS week_start,
       coalesce(r.sales_count, 0)::text               AS sales_count,
       coalesce(r.revenue, 0)::numeric(16,2)::text    AS amount_sum,
       coalesce(d.sales_count, 0)::text               AS daily_sales,
       coalesce(d.revenue, 0)::numeric(16,2)::text    AS daily_amount
FROM (SELECT week_start, sum(sales_count) AS sales_count, sum(revenue) AS revenue
        FROM sales_region_weeks
       WHERE week_start BETWEEN $1::date AND $2::date
       GROUP BY week_start) AS r
FULL JOIN (SELECT week_start, sum(sales_count) AS sales_count, sum(amount_sum) AS revenue
             FROM sales_daily
            WHERE week_start BETWEEN $1::date AND $2::date
            GROUP BY week_start) AS d USING (week_start)
