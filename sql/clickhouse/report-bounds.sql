-- The weeks ClickHouse holds aggregates for: the report's period when there is no plan.
SELECT
    toString(min(week_start)) AS first_week_start,
    toString(max(week_start)) AS last_week_start,
    count() AS rows
FROM sales_etl.sales_agg
