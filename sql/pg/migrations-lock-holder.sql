-- The backend that holds the migration lock ($1 its key), to say whom we wait for.
SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND granted LIMIT 1
