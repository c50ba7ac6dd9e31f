-- aggregate: the revenue of the week's new rows, exact ($1 the Monday).
SELECT coalesce(sum(amount_sum), 0)::text AS amount FROM sales_agg WHERE week_start = $1
