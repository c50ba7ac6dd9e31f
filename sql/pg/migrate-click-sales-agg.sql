-- migrate-click: the weeks' sales_agg (from sales_etl.week_start to
-- sales_etl.last_week_start) as CSV, in the column order of ClickHouse's
-- sales_etl.sales_agg, the week's Monday first. Dates and times are formatted
-- here so the server's DateStyle and TimeZone settings cannot change them.
COPY (
  SELECT to_char(week_start, 'YYYY-MM-DD'),
         region,
         product_id,
         sales_count,
         quantity_sum,
         amount_sum,
         avg_sale_amount,
         revenue_rank,
         revenue_share,
         region_revenue_ytd,
         to_char(aggregated_at AT TIME ZONE 'Europe/Moscow', 'YYYY-MM-DD HH24:MI:SS.US'),
         current_setting('sales_etl.imported_at'),
         current_setting('sales_etl.import_date')
  FROM sales_agg
  WHERE week_start BETWEEN current_setting('sales_etl.week_start')::date
                       AND current_setting('sales_etl.last_week_start')::date
  ORDER BY week_start, region, product_id
) TO STDOUT WITH (FORMAT csv)
