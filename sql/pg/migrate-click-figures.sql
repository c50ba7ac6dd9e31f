-- migrate-click: what ClickHouse must hold for the week ($1, its Monday).
-- Sums as text: money is compared digit for digit, never as a float. The
-- distinct buyers are counted by the COPY that sends them
-- (migrate-click-week-buyers.sql), or by migrate-click-buyers.sql when only
-- verifying.
SELECT count(*)::bigint::text                AS rows,
       coalesce(sum(amount_sum), 0)::text     AS amount_sum,
       coalesce(sum(sales_count), 0)::text    AS sales_count
FROM sales_agg
WHERE week_start = $1::date
