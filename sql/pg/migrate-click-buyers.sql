-- migrate-click --verify-only: the distinct (region, customer) buyers of each
-- week from $1 to $2 (Mondays) that has sales, as many as
-- migrate-click-week-buyers.sql sends.
SELECT to_char(week_start, 'YYYY-MM-DD') AS week_start, count(*)::text AS buyers
FROM (SELECT DISTINCT sale_date - (extract(isodow FROM sale_date)::int - 1) AS week_start, region, customer_id
        FROM sales
       WHERE sale_date BETWEEN $1::date AND $2::date + 6) AS b
GROUP BY week_start
