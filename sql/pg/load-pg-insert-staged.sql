-- The staged week into sales, leaving out the sale_ids already loaded for another week.
INSERT INTO sales (sale_id, customer_id, product_id, quantity, sale_date, sale_amount, region)
SELECT sale_id, customer_id, product_id, quantity, sale_date, sale_amount, region FROM sales_load ORDER BY sale_id
ON CONFLICT (sale_id) DO NOTHING
