-- The published tables of sales_etl created before their DDL set a cleanup pass
-- every second (002_sales_agg.sql), for src/lib/clickhouse/database.ts to alter.
SELECT name
FROM system.tables
WHERE database = 'sales_etl'
  AND name IN ('sales_agg', 'week_buyers', 'products', 'sales_daily')
  AND position(create_table_query, 'cleanup_delay_period = 1') = 0
