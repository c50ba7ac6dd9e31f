-- migrate-click: what ClickHouse must hold for each week from $1 to $2 (Mondays)
-- that has aggregates: the rows and sums of its sales_agg, and its distinct
-- (region, customer) buyers, the rows its week_buyers has there. Sums as text:
-- money is compared digit for digit, never as a float. And whether load-pg
-- loaded the week again after aggregate last rebuilt it (`reloaded`, with both
-- times in UTC): its aggregates are then older than its sales. Both times are
-- their transactions' starts (now()); the data directory's lock keeps a load
-- and an aggregate of the same embedded database from overlapping, and on a
-- server an aggregate that overlapped a load is caught by the sums if they differ.
SELECT to_char(a.week_start, 'YYYY-MM-DD') AS week_start, a.rows, a.amount_sum, a.sales_count,
       coalesce(b.buyers, 0)::text AS buyers,
       coalesce(l.loaded_at > a.aggregated_at, false) AS reloaded,
       to_char(l.loaded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS"Z"') AS loaded_at,
       to_char(a.aggregated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS"Z"') AS aggregated_at
FROM (SELECT week_start,
             count(*)::bigint::text  AS rows,
             sum(amount_sum)::text   AS amount_sum,
             sum(sales_count)::text  AS sales_count,
             min(aggregated_at)      AS aggregated_at
        FROM sales_agg
       WHERE week_start BETWEEN $1::date AND $2::date
       GROUP BY week_start) AS a
LEFT JOIN (SELECT week_start, sum(cardinality(customer_ids)) AS buyers
             FROM week_buyers
            WHERE week_start BETWEEN $1::date AND $2::date
            GROUP BY week_start) AS b USING (week_start)
LEFT JOIN (SELECT week_start, max(loaded_at) AS loaded_at
             FROM sales_region_weeks
            WHERE week_start BETWEEN $1::date AND $2::date
            GROUP BY week_start) AS l USING (week_start)
ORDER BY a.week_start
