-- migrate-click on the embedded engine: the day, region, customer, product,
-- quantity and amount of every sale of the days {first:Date} to {last:Date},
-- read straight from PostgreSQL (the day filter is sent to it), into
-- sales_etl_pg.sales_pulled, a Memory table held for one run of weeks: its
-- sales and revenue per week are checked against PostgreSQL's
-- (pulled-sales-figures.sql), then pull-week-buyers.sql keeps the distinct
-- buyers and pull-sales-daily.sql sums the days.
INSERT INTO sales_etl_pg.sales_pulled
SELECT sale_date, region, customer_id, product_id, quantity, sale_amount
FROM sales_etl_pg.sales
WHERE sale_date BETWEEN {first:Date} AND {last:Date}
