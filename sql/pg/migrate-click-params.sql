-- migrate-click: the weeks and the import time of this transaction, bound as
-- values ($1 the first week's Monday, $2 imported_at as Moscow wall-clock time,
-- $3 import date, $4 the last week's Monday: a run of consecutive weeks is
-- published together) for the COPY statements that follow (COPY takes no parameters).
SELECT set_config('sales_etl.week_start', $1, true),
       set_config('sales_etl.imported_at', $2, true),
       set_config('sales_etl.import_date', $3, true),
       set_config('sales_etl.last_week_start', $4, true)
