-- migrate-click --verify-only: the week's distinct (region, customer) buyers
-- ($1, the week's Monday), as many as migrate-click-week-buyers.sql sends.
SELECT count(*)::text AS buyers
FROM (SELECT DISTINCT region, customer_id
        FROM sales
       WHERE sale_date BETWEEN $1::date AND $1::date + 6) AS b
