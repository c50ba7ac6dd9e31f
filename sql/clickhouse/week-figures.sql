-- migrate-click: what ClickHouse holds for the week, to reconcile with
-- sql/pg/migrate-click-figures.sql. Sums as strings: money stays exact.
SELECT toString(count())          AS rows,
       toString(sum(amount_sum))  AS amount_sum,
       toString(sum(sales_count)) AS sales_count,
       (SELECT toString(count()) FROM sales_etl.week_buyers WHERE week_start = {week_start:Date}) AS buyers
FROM sales_etl.sales_agg
WHERE week_start = {week_start:Date}
