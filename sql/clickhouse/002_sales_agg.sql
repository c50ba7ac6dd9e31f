-- The weekly aggregates of PostgreSQL's sales_agg, column for column, plus when
-- they were imported. One partition per week: migrate-click swaps a whole week
-- in with REPLACE PARTITION, so a reader sees the old week or the new one.
-- Outdated parts (those a REPLACE PARTITION replaced) are removed by a cleanup
-- pass, by default every 30 s: longer than an embedded run lives, so they would
-- pile up on disk run after run and be loaded at every open. Every second, they
-- go once ClickHouse's old_parts_lifetime (8 minutes) has passed.
CREATE TABLE IF NOT EXISTS sales_etl.sales_agg
(
    week_start          Date,
    region              LowCardinality(String),
    product_id          UInt32,
    sales_count         UInt32,
    quantity_sum        UInt32,
    amount_sum          Decimal(14, 2),
    avg_sale_amount     Decimal(12, 2),
    revenue_rank        UInt32,
    revenue_share       Decimal(9, 6),
    region_revenue_ytd  Decimal(16, 2),
    aggregated_at       DateTime64(6, 'Europe/Moscow'),
    imported_at         DateTime('Europe/Moscow'),
    import_date         Date
)
ENGINE = MergeTree
PARTITION BY week_start
ORDER BY (week_start, region, product_id)
SETTINGS cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
