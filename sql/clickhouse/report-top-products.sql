-- The best-selling products of each region by revenue, with their catalogue name and category.
SELECT
    s.region AS region,
    s.product_id AS product_id,
    p.name AS name,
    p.category AS category,
    toString(s.orders) AS orders,
    toString(s.units) AS units,
    toString(s.revenue) AS revenue
FROM
(
    SELECT
        region,
        product_id,
        sum(sales_count) AS orders,
        sum(quantity_sum) AS units,
        sum(amount_sum) AS revenue
    FROM sales_etl.sales_agg
    WHERE week_start BETWEEN {from:Date} AND {to:Date}
    GROUP BY region, product_id
) AS s
LEFT JOIN sales_etl.products AS p ON p.product_id = s.product_id
ORDER BY indexOf(['North', 'South', 'East', 'West'], region), region, s.revenue DESC, product_id
LIMIT {limit:UInt32} BY region
