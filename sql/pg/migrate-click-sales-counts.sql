-- migrate-click on the embedded engine: the sales of each week from $1 to $2
-- (Mondays), which the engine must have read in full to find the weeks'
-- distinct buyers (sql/clickhouse/pulled-sales-counts.sql).
SELECT to_char(sale_date - (extract(isodow FROM sale_date)::int - 1), 'YYYY-MM-DD') AS week_start,
       count(*)::text AS sales
FROM sales
WHERE sale_date BETWEEN $1::date AND $2::date + 6
GROUP BY 1
