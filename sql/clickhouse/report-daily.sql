-- Orders (sale lines) and revenue of each day of the period, all regions together.
SELECT
    toString(sale_date) AS day,
    toString(sum(sales_count)) AS orders,
    toString(sum(amount_sum)) AS revenue
FROM sales_etl.sales_daily
WHERE week_start BETWEEN {from:Date} AND {to:Date}
GROUP BY sale_date
ORDER BY sale_date
