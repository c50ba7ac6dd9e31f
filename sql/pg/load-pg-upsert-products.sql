-- The staged products.csv into products: new ids inserted, changed rows updated, the rest left alone.
INSERT INTO products (product_id, name, category, list_price)
SELECT product_id, name, category, list_price
FROM products_load
ON CONFLICT (product_id) DO UPDATE SET
  name = EXCLUDED.name, category = EXCLUDED.category, list_price = EXCLUDED.list_price
WHERE (products.product_id, products.name, products.category, products.list_price)
  IS DISTINCT FROM (EXCLUDED.product_id, EXCLUDED.name, EXCLUDED.category, EXCLUDED.list_price)
