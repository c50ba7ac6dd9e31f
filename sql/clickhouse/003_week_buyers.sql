-- The distinct buyers of each week and region. Weekly distinct counts do not
-- add up over a period; these rows do: uniqExact(customer_id) over any weeks.
CREATE TABLE IF NOT EXISTS sales_etl.week_buyers
(
    week_start   Date,
    region       LowCardinality(String),
    customer_id  UInt32,
    imported_at  DateTime('Europe/Moscow')
)
ENGINE = MergeTree
PARTITION BY week_start
ORDER BY (week_start, region, customer_id)
SETTINGS cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
