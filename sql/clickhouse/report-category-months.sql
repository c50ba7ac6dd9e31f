-- Revenue and orders of each category in each calendar month of the period.
SELECT
    toString(toStartOfMonth(sale_date)) AS month,
    category,
    toString(sum(sales_count)) AS orders,
    toString(sum(amount_sum)) AS revenue
FROM sales_etl.sales_daily
WHERE week_start BETWEEN {from:Date} AND {to:Date}
GROUP BY month, category
ORDER BY month, category
