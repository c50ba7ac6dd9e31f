-- migrate-click: the published daily sales of a week, summed, to reconcile
-- with the week's aggregates (both come from the same PostgreSQL sales).
SELECT toString(count())          AS rows,
       toString(sum(sales_count)) AS sales_count,
       toString(sum(amount_sum))  AS amount_sum
FROM sales_etl.sales_daily
WHERE week_start = {week_start:Date}
