-- migrate-click on the embedded engine: the region and customer of every sale
-- of the days {first:Date} to {last:Date}, with its week's Monday, read
-- straight from PostgreSQL (the day filter is sent to it), into
-- sales_etl_pg.sales_pulled, a Memory table held for one
-- run of weeks: its rows per week are checked against PostgreSQL's count of
-- the weeks' sales (pulled-sales-figures.sql), then pull-week-buyers.sql keeps the distinct buyers.
INSERT INTO sales_etl_pg.sales_pulled
SELECT toMonday(sale_date) AS week_start, region, customer_id
FROM sales_etl_pg.sales
WHERE sale_date BETWEEN {first:Date} AND {last:Date}
