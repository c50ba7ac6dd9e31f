-- A run of a stage, recorded in etl_runs inside the transaction of the data it describes
-- (src/lib/pg/database.ts recordRun): $1 stage, $2 week, $3 status, $4 rows_in, $5 rows_out,
-- $6 started_at, $7 finished_at (null: now), $8 message.
INSERT INTO etl_runs (stage, week, status, rows_in, rows_out, started_at, finished_at, message)
     VALUES ($1, $2, $3, $4, $5, $6, coalesce($7, clock_timestamp()), $8)
