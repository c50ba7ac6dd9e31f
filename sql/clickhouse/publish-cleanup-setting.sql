-- A cleanup pass every second for a published table made before 002_sales_agg.sql said so.
ALTER TABLE {{table}} MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0
