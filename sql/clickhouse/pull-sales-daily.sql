-- migrate-click on the embedded engine: the sales pulled by pull-sales.sql by
-- day, region and category (the catalogue's, read from PostgreSQL; products
-- missing from it count as category ''), in the column order of
-- sales_etl.sales_daily, into the staging table {{stage}}: what
-- sql/pg/migrate-click-sales-daily.sql streams on the other path.
INSERT INTO {{stage}}
SELECT toMonday(s.sale_date) AS week_start,
       s.sale_date,
       s.region,
       coalesce(p.category, '') AS category,
       count() AS sales_count,
       sum(s.quantity) AS quantity_sum,
       sum(s.sale_amount) AS amount_sum,
       toDateTime({imported_at:String}, 'Europe/Moscow')
FROM sales_etl_pg.sales_pulled AS s
LEFT JOIN sales_etl_pg.products AS p ON p.product_id = s.product_id
GROUP BY week_start, s.sale_date, s.region, category
