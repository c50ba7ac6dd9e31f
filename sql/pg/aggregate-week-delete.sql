-- aggregate: the week's old aggregates, deleted in the transaction that inserts the new ones ($1 the Monday):
-- sales_agg, sales_daily and week_buyers, in one statement.
WITH agg AS (DELETE FROM sales_agg WHERE week_start = $1),
     daily AS (DELETE FROM sales_daily WHERE week_start = $1)
DELETE FROM week_buyers WHERE week_start = $1
