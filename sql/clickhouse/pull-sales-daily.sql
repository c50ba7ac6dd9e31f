-- migrate-click on the embedded engine: the sales by day, region and category
-- of the weeks from {first:Date} to {last:Date} (Mondays), read straight from
-- PostgreSQL's sales_daily through the link tables (src/lib/clickhouse/pg-link.ts),
-- in the column order of sales_etl.sales_daily, into the staging table
-- {{stage}}; the week filter is sent to PostgreSQL.
INSERT INTO {{stage}}
SELECT week_start, sale_date, region, category, sales_count, quantity_sum, amount_sum,
       toDateTime({imported_at:String}, 'Europe/Moscow')
FROM sales_etl_pg.sales_daily
WHERE week_start BETWEEN {first:Date} AND {last:Date}
