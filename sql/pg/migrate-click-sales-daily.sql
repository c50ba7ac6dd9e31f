-- migrate-click: the weeks' sales by day, region and category (from
-- sales_etl.week_start to sales_etl.last_week_start) as CSV, in the column
-- order of ClickHouse's sales_etl.sales_daily, the week's Monday first.
COPY (
  SELECT to_char(week_start, 'YYYY-MM-DD'),
         to_char(sale_date, 'YYYY-MM-DD'),
         region,
         category,
         sales_count,
         quantity_sum,
         amount_sum,
         current_setting('sales_etl.imported_at')
  FROM sales_daily
  WHERE week_start BETWEEN current_setting('sales_etl.week_start')::date
                       AND current_setting('sales_etl.last_week_start')::date
) TO STDOUT WITH (FORMAT csv)
