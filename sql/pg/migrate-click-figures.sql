-- migrate-click: what ClickHouse must hold for each week from $1 to $2 (Mondays)
-- that has aggregates. Sums as text: money is compared digit for digit, never
-- as a float. The distinct buyers are counted by the COPY that sends them
-- (migrate-click-week-buyers.sql), or by migrate-click-buyers.sql when only
-- verifying.
SELECT to_char(week_start, 'YYYY-MM-DD')   AS week_start,
       count(*)::bigint::text               AS rows,
       sum(amount_sum)::text                AS amount_sum,
       sum(sales_count)::text               AS sales_count
FROM sales_agg
WHERE week_start BETWEEN $1::date AND $2::date
GROUP BY week_start
ORDER BY week_start
