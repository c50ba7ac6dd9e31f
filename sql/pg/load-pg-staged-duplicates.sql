-- The staged rows whose sale_id is already in sales (for another week), with the five smallest ids.
SELECT count(*) AS count, (array_agg(l.sale_id::text ORDER BY l.sale_id))[1:5] AS examples
FROM sales_load l JOIN sales s USING (sale_id)
