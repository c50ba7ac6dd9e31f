-- migrate-click: what ClickHouse holds for each of the weeks {weeks} (Mondays),
-- to reconcile with sql/pg/migrate-click-figures.sql (sales_agg and buyers)
-- and migrate-click-sales-figures.sql (sales_daily). Sums as strings: money
-- stays exact. A week with no rows in any table is absent.
SELECT toString(week_start)        AS week_start,
       toString(sum(rows))         AS rows,
       toString(sum(amount_sum))   AS amount_sum,
       toString(sum(sales_count))  AS sales_count,
       toString(sum(buyers))       AS buyers,
       toString(sum(daily_sales))  AS daily_sales,
       toString(sum(daily_amount)) AS daily_amount
FROM
(
    SELECT week_start, count() AS rows, sum(amount_sum) AS amount_sum, sum(sales_count) AS sales_count,
           0 AS buyers, 0 AS daily_sales, toDecimal128(0, 2) AS daily_amount
    FROM sales_etl.sales_agg
    WHERE week_start IN {weeks:Array(Date)}
    GROUP BY week_start
    UNION ALL
    SELECT week_start, 0, toDecimal128(0, 2), 0, count(), 0, toDecimal128(0, 2)
    FROM sales_etl.week_buyers
    WHERE week_start IN {weeks:Array(Date)}
    GROUP BY week_start
    UNION ALL
    SELECT week_start, 0, toDecimal128(0, 2), 0, 0, sum(sales_count), sum(amount_sum)
    FROM sales_etl.sales_daily
    WHERE week_start IN {weeks:Array(Date)}
    GROUP BY week_start
)
GROUP BY week_start
