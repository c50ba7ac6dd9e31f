-- migrate-click: what the week's sales add up to, to reconcile the published
-- sales_daily with (sql/clickhouse/sales-daily-figures.sql). Sums as text: exact.
SELECT count(*)::text AS sales_count,
       coalesce(sum(sale_amount), 0)::numeric(16,2)::text AS amount_sum
FROM sales
WHERE sale_date BETWEEN $1::date AND $1::date + 6
