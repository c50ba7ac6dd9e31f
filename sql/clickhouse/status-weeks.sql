-- status: the rows ClickHouse holds per week of sales_agg.
SELECT toString(week_start) AS monday,
       toString(count())    AS rows
FROM sales_etl.sales_agg
WHERE week_start BETWEEN {from:Date} AND {to:Date}
GROUP BY week_start
