-- migrate-click on the embedded engine: the distinct buyers of each week and
-- region among the sales pulled by pull-sales.sql, in the column order of
-- sales_etl.week_buyers. Run as `INSERT INTO <staging table> <this>`.
SELECT DISTINCT week_start, region, customer_id, toDateTime({imported_at:String}, 'Europe/Moscow')
FROM sales_etl_pg.sales_pulled
