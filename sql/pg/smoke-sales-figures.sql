-- smoke: the rows and the exact amount sum of one week in sales, $1 its Monday
-- and $2 its Sunday. The sum as text: money is compared digit for digit.
SELECT count(*)::text                        AS rows,
       coalesce(sum(sale_amount), 0)::text   AS amount
FROM sales
WHERE sale_date BETWEEN $1 AND $2
