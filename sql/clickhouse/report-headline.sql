-- Headline figures of one period: orders, units, revenue (exact, as a string),
-- distinct buyers over the whole period, and how many weeks have any data.
SELECT
    toString(a.orders) AS orders,
    toString(a.units) AS units,
    toString(a.revenue) AS revenue,
    toString(a.weeks) AS weeks_with_data,
    toString(b.buyers) AS buyers
FROM
(
    SELECT
        sum(sales_count) AS orders,
        sum(quantity_sum) AS units,
        sum(amount_sum) AS revenue,
        uniqExact(week_start) AS weeks
    FROM sales_etl.sales_agg
    WHERE week_start BETWEEN {from:Date} AND {to:Date}
) AS a
CROSS JOIN
(
    SELECT uniqExact(customer_id) AS buyers
    FROM sales_etl.week_buyers
    WHERE week_start BETWEEN {from:Date} AND {to:Date}
) AS b
