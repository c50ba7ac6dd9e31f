-- migrate-click: the sales and revenue of each week from $1 to $2 (Mondays)
-- that has any, counted from `sales` itself (by day first: the week of each
-- day is worked out once, not once a sale): what the engine must have read
-- (sql/clickhouse/pulled-sales-figures.sql) and the published sales_daily must
-- add up to (week-figures.sql). Sums as text: exact.
SELECT to_char(sale_date - (extract(isodow FROM sale_date)::int - 1), 'YYYY-MM-DD') AS week_start,
       sum(sales)::text                                                             AS sales_count,
       sum(amount)::numeric(16,2)::text                                             AS amount_sum
FROM (SELECT sale_date, count(*) AS sales, sum(sale_amount) AS amount
        FROM sales
       WHERE sale_date BETWEEN $1::date AND $2::date + 6
       GROUP BY sale_date) AS days
GROUP BY 1
