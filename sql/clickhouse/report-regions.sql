-- Orders, units, revenue and distinct buyers per region over the period.
SELECT
    s.region AS region,
    toString(s.orders) AS orders,
    toString(s.units) AS units,
    toString(s.revenue) AS revenue,
    toString(b.buyers) AS buyers
FROM
(
    SELECT
        region,
        sum(sales_count) AS orders,
        sum(quantity_sum) AS units,
        sum(amount_sum) AS revenue
    FROM sales_etl.sales_agg
    WHERE week_start BETWEEN {from:Date} AND {to:Date}
    GROUP BY region
) AS s
LEFT JOIN
(
    SELECT region, uniqExact(customer_id) AS buyers
    FROM sales_etl.week_buyers
    WHERE week_start BETWEEN {from:Date} AND {to:Date}
    GROUP BY region
) AS b ON b.region = s.region
ORDER BY indexOf(['North', 'South', 'East', 'West'], region), region
