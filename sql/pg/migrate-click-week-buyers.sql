-- migrate-click: the distinct buyers of the week in each region, as CSV in
-- the column order of ClickHouse's sales_etl.week_buyers.
COPY (
  SELECT DISTINCT current_setting('sales_etl.week_start'),
         region,
         customer_id,
         current_setting('sales_etl.imported_at')
  FROM sales
  WHERE sale_date BETWEEN current_setting('sales_etl.week_start')::date
                      AND current_setting('sales_etl.week_start')::date + 6
) TO STDOUT WITH (FORMAT csv)
