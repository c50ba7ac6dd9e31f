-- The sales of each day, region and category: the calendar the weekly
-- aggregates cannot show (peak days, each category's share by month). One
-- partition per week, published by migrate-click after the week's aggregates
-- and swapped in on its own with REPLACE PARTITION.
CREATE TABLE IF NOT EXISTS sales_etl.sales_daily
(
    week_start    Date,
    sale_date     Date,
    region        LowCardinality(String),
    category      LowCardinality(String),
    sales_count   UInt32,
    quantity_sum  UInt32,
    amount_sum    Decimal(16, 2),
    imported_at   DateTime('Europe/Moscow')
)
ENGINE = MergeTree
PARTITION BY week_start
ORDER BY (week_start, sale_date, region, category)
SETTINGS cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
