-- aggregate: what the week has to aggregate, checked before its rows are rebuilt:
-- its sales, and their count by sales_region_weeks (which only load-pg writes).
--   $1  the week's Monday (date)     $2  the week's Sunday (date)
SELECT (SELECT count(*) FROM sales WHERE sale_date BETWEEN $1 AND $2) AS n,
       (SELECT sum(sales_count) FROM sales_region_weeks WHERE week_start = $1) AS totals
