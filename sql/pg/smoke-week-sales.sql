-- smoke: what the week's sales ($1, its Monday) add up to, counted from `sales`
-- itself, to compare with what ClickHouse holds. Sums as text: exact.
SELECT count(*)::text AS sales_count,
       coalesce(sum(sale_amount), 0)::numeric(16,2)::text AS amount_sum
FROM sales
WHERE sale_date BETWEEN $1::date AND $1::date + 6
