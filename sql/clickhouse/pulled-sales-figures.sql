-- migrate-click on the embedded engine: the sales and revenue pulled by
-- pull-sales.sql per week, to compare with PostgreSQL's
-- (sql/pg/migrate-click-sales-figures.sql) before their buyers and daily sales
-- are staged. The revenue as text: exact.
SELECT toString(toMonday(sale_date)) AS week_start,
       toString(count()) AS sales_count,
       toString(sum(sale_amount)) AS amount_sum
FROM sales_etl_pg.sales_pulled
GROUP BY week_start
