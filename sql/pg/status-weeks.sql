-- status: for each week (its id and Monday), the rows in sales and sales_agg
-- and the last run recorded in etl_runs. $1 = week ids, $2 = their Mondays.
WITH weeks AS (
  SELECT w.week, w.week_start
  FROM unnest($1::text[], $2::date[]) AS w (week, week_start)
)
SELECT w.week,
       (SELECT count(*) FROM sales s
         WHERE s.sale_date BETWEEN w.week_start AND w.week_start + 6)::text AS sales_rows,
       (SELECT count(*) FROM sales_agg a WHERE a.week_start = w.week_start)::text AS agg_rows,
       r.stage       AS last_stage,
       r.status      AS last_status,
       r.finished_at AS last_finished,
       r.message     AS last_message
FROM weeks w
LEFT JOIN LATERAL (
  SELECT e.stage, e.status, e.finished_at, e.message
  FROM etl_runs e
  WHERE e.week = w.week
  ORDER BY e.run_id DESC
  LIMIT 1
) r ON true
ORDER BY w.week_start;
