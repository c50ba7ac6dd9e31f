-- migrate-click on the embedded engine: the sales_agg rows of the weeks from
-- {first:Date} to {last:Date} (Mondays), read straight from PostgreSQL through
-- the link tables (src/lib/clickhouse/pg-link.ts), in the column order of
-- sales_etl.sales_agg, stamped with the import time, into the staging table
-- {{stage}}; the week filter is sent to PostgreSQL.
INSERT INTO {{stage}}
SELECT week_start,
       region,
       product_id,
       sales_count,
       quantity_sum,
       amount_sum,
       avg_sale_amount,
       revenue_rank,
       revenue_share,
       region_revenue_ytd,
       aggregated_at,
       toDateTime({imported_at:String}, 'Europe/Moscow'),
       toDate({import_date:String})
FROM sales_etl_pg.sales_agg
WHERE week_start BETWEEN {first:Date} AND {last:Date}
