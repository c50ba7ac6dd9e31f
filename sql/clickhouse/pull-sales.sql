-- migrate-click on the embedded engine: every sale of the days {first:Date} to
-- {last:Date}, with its week's Monday, read straight from PostgreSQL (the day
-- filter is sent to it), into sales_etl_pg.sales_pulled, a Memory table held
-- for one run of weeks: its count and revenue per week are checked against
-- PostgreSQL's (pulled-sales-figures.sql), then pull-week-buyers.sql keeps the
-- distinct buyers and pull-sales-daily.sql the sales by day.
INSERT INTO sales_etl_pg.sales_pulled
SELECT toMonday(sale_date) AS week_start, sale_date, region, customer_id, product_id, quantity, sale_amount
FROM sales_etl_pg.sales
WHERE sale_date BETWEEN {first:Date} AND {last:Date}
