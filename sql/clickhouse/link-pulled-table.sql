-- migrate-click's pulled sales (pull-sales.sql), held for one run of weeks: what
-- the run's buyers and daily sales are made of.
CREATE TABLE sales_etl_pg.sales_pulled
(
    sale_date    Date,
    region       String,
    customer_id  UInt32,
    product_id   UInt32,
    quantity     UInt32,
    sale_amount  Decimal(12, 2)
)
ENGINE = Memory
