-- The week's per-region totals ($1 its first day), written again from the new rows.
DELETE FROM sales_region_weeks WHERE week_start = $1
