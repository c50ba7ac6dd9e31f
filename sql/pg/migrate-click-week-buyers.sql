-- migrate-click: the distinct buyers of each week (from sales_etl.week_start
-- to sales_etl.last_week_start) in each region, as CSV in the column order of
-- ClickHouse's sales_etl.week_buyers, the week's Monday first.
COPY (
  SELECT DISTINCT to_char(sale_date - (extract(isodow FROM sale_date)::int - 1), 'YYYY-MM-DD'),
         region,
         customer_id,
         current_setting('sales_etl.imported_at')
  FROM sales
  WHERE sale_date BETWEEN current_setting('sales_etl.week_start')::date
                      AND current_setting('sales_etl.last_week_start')::date + 6
) TO STDOUT WITH (FORMAT csv)
