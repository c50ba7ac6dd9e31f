-- migrate-click: the week and the import time of this transaction, bound as
-- values ($1 week start, $2 imported_at as Moscow wall-clock time, $3 import
-- date) for the COPY statements that follow (COPY takes no parameters).
SELECT set_config('sales_etl.week_start', $1, true),
       set_config('sales_etl.imported_at', $2, true),
       set_config('sales_etl.import_date', $3, true)
