-- migrate-click on the embedded engine: the distinct buyers of each week and
-- region among the sales pulled by pull-sales.sql, in the column order of
-- sales_etl.week_buyers, into the staging table {{stage}}.
INSERT INTO {{stage}}
SELECT DISTINCT week_start, region, customer_id, toDateTime({imported_at:String}, 'Europe/Moscow')
FROM sales_etl_pg.sales_pulled
