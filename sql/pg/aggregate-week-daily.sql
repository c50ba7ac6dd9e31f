-- aggregate: the week's sales by day, region and category, into sales_daily
-- (the caller deletes the week's old rows first, in the same transaction).
-- Products missing from the catalogue count as category ''.
--   $1  the week's Monday (date)     $2  the week's Sunday (date)
INSERT INTO sales_daily (week_start, sale_date, region, category, sales_count, quantity_sum, amount_sum)
SELECT $1::date, s.sale_date, s.region, coalesce(p.category, ''),
       count(*), sum(s.quantity), sum(s.sale_amount)
FROM sales AS s
LEFT JOIN products AS p ON p.product_id = s.product_id
WHERE s.sale_date BETWEEN $1::date AND $2::date
GROUP BY s.sale_date, s.region, coalesce(p.category, '')
