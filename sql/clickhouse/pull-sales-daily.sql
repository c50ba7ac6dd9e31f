-- migrate-click on the embedded engine: the sales pulled by pull-sales.sql by
-- day, region and category (the catalogue read from PostgreSQL through the
-- link; products missing from it count as category ''), in the column order
-- of sales_etl.sales_daily, into the staging table {{stage}}.
INSERT INTO {{stage}}
SELECT s.week_start,
       s.sale_date,
       s.region,
       coalesce(p.category, '') AS category,
       count(),
       sum(s.quantity),
       sum(s.sale_amount),
       toDateTime({imported_at:String}, 'Europe/Moscow')
FROM sales_etl_pg.sales_pulled AS s
LEFT JOIN sales_etl_pg.products AS p ON p.product_id = s.product_id
GROUP BY s.week_start, s.sale_date, s.region, category
