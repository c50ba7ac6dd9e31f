-- migrate-click: the distinct buyers of each week (from sales_etl.week_start
-- to sales_etl.last_week_start) in each region, one line a buyer, as CSV in the
-- column order of ClickHouse's sales_etl.week_buyers, the week's Monday first.
COPY (
  SELECT to_char(week_start, 'YYYY-MM-DD'),
         region,
         unnest(customer_ids),
         current_setting('sales_etl.imported_at')
  FROM week_buyers
  WHERE week_start BETWEEN current_setting('sales_etl.week_start')::date
                       AND current_setting('sales_etl.last_week_start')::date
) TO STDOUT WITH (FORMAT csv)
