-- The active rows of each partition (a Monday) of a staging or ready table of sales_etl.
SELECT partition, toString(sum(rows)) AS rows FROM system.parts
WHERE database = 'sales_etl' AND table = {table:String} AND active GROUP BY partition
