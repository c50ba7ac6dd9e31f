-- migrate-click: the weeks' sales (from sales_etl.week_start to
-- sales_etl.last_week_start) by day, region and category as CSV, in the
-- column order of ClickHouse's sales_etl.sales_daily, the week's Monday first
-- (products missing from the catalogue count as category '').
COPY (
  SELECT to_char(s.sale_date - (extract(isodow FROM s.sale_date)::int - 1), 'YYYY-MM-DD'),
         to_char(s.sale_date, 'YYYY-MM-DD'),
         s.region,
         coalesce(p.category, ''),
         count(*),
         sum(s.quantity),
         sum(s.sale_amount),
         current_setting('sales_etl.imported_at')
  FROM sales AS s
  LEFT JOIN products AS p ON p.product_id = s.product_id
  WHERE s.sale_date BETWEEN current_setting('sales_etl.week_start')::date
                        AND current_setting('sales_etl.last_week_start')::date + 6
  GROUP BY s.sale_date, s.region, coalesce(p.category, '')
  ORDER BY s.sale_date, s.region, coalesce(p.category, '')
) TO STDOUT WITH (FORMAT csv)
