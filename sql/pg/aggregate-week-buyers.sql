-- aggregate: the week's distinct buyers in each region, into week_buyers (the
-- caller deletes the week's old rows first, in the same transaction). The ids
-- are in no particular order: the pairs are hashed rather than sorted (a
-- sort by region and customer took three times as long), and ClickHouse
-- orders its week_buyers itself.
--   $1  the week's Monday (date)     $2  the week's Sunday (date)
INSERT INTO week_buyers (week_start, region, customer_ids)
SELECT $1::date, region, array_agg(customer_id)
FROM (SELECT DISTINCT region, customer_id FROM sales WHERE sale_date BETWEEN $1::date AND $2::date) AS b
GROUP BY region
