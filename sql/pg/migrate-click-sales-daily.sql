-- migrate-click: one week of sales by day, region and category as CSV, in the
-- column order of ClickHouse's sales_etl.sales_daily (products missing from
-- the catalogue count as category '').
COPY (
  SELECT current_setting('sales_etl.week_start'),
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
                        AND current_setting('sales_etl.week_start')::date + 6
  GROUP BY s.sale_date, s.region, coalesce(p.category, '')
  ORDER BY s.sale_date, s.region, coalesce(p.category, '')
) TO STDOUT WITH (FORMAT csv)
