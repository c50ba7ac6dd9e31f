-- migrate-click on the embedded engine: the distinct buyers of the weeks from
-- {first:Date} to {last:Date} (Mondays), read straight from PostgreSQL's
-- week_buyers through the link tables (src/lib/clickhouse/pg-link.ts), one row
-- a region there and one row a buyer here, in the column order of
-- sales_etl.week_buyers, into the staging table {{stage}}; the week filter is
-- sent to PostgreSQL.
INSERT INTO {{stage}}
SELECT week_start, region, arrayJoin(customer_ids), toDateTime({imported_at:String}, 'Europe/Moscow')
FROM sales_etl_pg.week_buyers
WHERE week_start BETWEEN {first:Date} AND {last:Date}
