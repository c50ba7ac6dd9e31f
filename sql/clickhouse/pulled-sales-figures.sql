-- migrate-click on the embedded engine: the sales pulled by pull-sales.sql per
-- week and their revenue, to compare with PostgreSQL's
-- (sql/pg/migrate-click-sales-figures.sql). Sums as strings: exact.
SELECT toString(week_start) AS week_start, toString(count()) AS sales_count, toString(sum(sale_amount)) AS amount_sum
FROM sales_etl_pg.sales_pulled
GROUP BY week_start
