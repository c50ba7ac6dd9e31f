-- migrate-click: the product catalogue as CSV, in the column order of
-- ClickHouse's sales_etl.products (the import time set by migrate-click-params.sql).
COPY (
  SELECT product_id, name, coalesce(category, ''), list_price, current_setting('sales_etl.imported_at')
  FROM products
  ORDER BY product_id
) TO STDOUT WITH (FORMAT csv)
