-- The rows of a staging table of one week, or of the whole table.
SELECT toString(count()) AS rows FROM {{stage}}
