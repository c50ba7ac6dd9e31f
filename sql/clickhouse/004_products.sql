-- The product catalogue, for categories in reports. Replaced wholesale on
-- every publish: one partition (tuple()), swapped in with REPLACE PARTITION.
CREATE TABLE IF NOT EXISTS sales_etl.products
(
    product_id   UInt32,
    name         String,
    category     LowCardinality(String),
    list_price   Decimal(12, 2),
    imported_at  DateTime('Europe/Moscow')
)
ENGINE = MergeTree
ORDER BY product_id
SETTINGS cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
