-- migrate-click on the embedded engine: the sales pulled by pull-sales.sql per
-- week, to compare with PostgreSQL's (sql/pg/migrate-click-sales-figures.sql)
-- before their buyers are staged.
SELECT toString(week_start) AS week_start, toString(count()) AS sales_count
FROM sales_etl_pg.sales_pulled
GROUP BY week_start
