-- Orders and revenue of each week and region in the period (weeks a region has no rows are absent).
SELECT
    toString(week_start) AS monday,
    region,
    toString(sum(sales_count)) AS orders,
    toString(sum(amount_sum)) AS revenue
FROM sales_etl.sales_agg
WHERE week_start BETWEEN {from:Date} AND {to:Date}
GROUP BY week_start, region
ORDER BY week_start, indexOf(['North', 'South', 'East', 'West'], region), region
