-- aggregate: the week's old rows, deleted in the transaction that inserts the new ones ($1 the Monday).
DELETE FROM sales_agg WHERE week_start = $1
