-- migrate-click's pulled sales (pull-sales.sql), held for one run of weeks.
CREATE TABLE sales_etl_pg.sales_pulled (week_start Date, region String, customer_id UInt32) ENGINE = Memory
