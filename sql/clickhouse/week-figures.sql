-- migrate-click: what ClickHouse holds for each of the weeks {weeks} (Mondays),
-- to reconcile with sql/pg/migrate-click-figures.sql. Sums as strings: money
-- stays exact. A week with no rows in either table is absent.
SELECT toString(week_start)       AS week_start,
       toString(sum(rows))        AS rows,
       toString(sum(amount_sum))  AS amount_sum,
       toString(sum(sales_count)) AS sales_count,
       toString(sum(buyers))      AS buyers
FROM
(
    SELECT week_start, count() AS rows, sum(amount_sum) AS amount_sum, sum(sales_count) AS sales_count, 0 AS buyers
    FROM sales_etl.sales_agg
    WHERE week_start IN {weeks:Array(Date)}
    GROUP BY week_start
    UNION ALL
    SELECT week_start, 0, toDecimal128(0, 2), 0, count()
    FROM sales_etl.week_buyers
    WHERE week_start IN {weeks:Array(Date)}
    GROUP BY week_start
)
GROUP BY week_start
