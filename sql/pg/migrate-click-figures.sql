-- migrate-click: what ClickHouse must hold for the week ($1, its Monday).
-- Sums as text: money is compared digit for digit, never as a float.
SELECT count(*)::bigint::text                AS rows,
       coalesce(sum(amount_sum), 0)::text     AS amount_sum,
       coalesce(sum(sales_count), 0)::text    AS sales_count,
       (SELECT count(*)::text
          FROM (SELECT DISTINCT region, customer_id
                  FROM sales
                 WHERE sale_date BETWEEN $1::date AND $1::date + 6) AS b) AS buyers
FROM sales_agg
WHERE week_start = $1::date
