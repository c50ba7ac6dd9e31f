-- The categories of each region by revenue (products missing from the catalogue count as '').
SELECT
    s.region AS region,
    p.category AS category,
    toString(sum(s.sales_count)) AS orders,
    toString(sum(s.quantity_sum)) AS units,
    toString(sum(s.amount_sum)) AS revenue
FROM sales_etl.sales_agg AS s
LEFT JOIN sales_etl.products AS p ON p.product_id = s.product_id
WHERE s.week_start BETWEEN {from:Date} AND {to:Date}
GROUP BY region, category
ORDER BY indexOf(['North', 'South', 'East', 'West'], region), region, sum(s.amount_sum) DESC, category
LIMIT {limit:UInt32} BY region
