-- aggregate: the week's distinct buyers in each region, their ids ascending,
-- into week_buyers (the caller deletes the week's old rows first, in the same
-- transaction).
--   $1  the week's Monday (date)     $2  the week's Sunday (date)
INSERT INTO week_buyers (week_start, region, customer_ids)
SELECT $1::date, s.region, array_agg(DISTINCT s.customer_id ORDER BY s.customer_id)
FROM sales AS s
WHERE s.sale_date BETWEEN $1::date AND $2::date
GROUP BY s.region
