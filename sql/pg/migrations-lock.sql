-- The migration lock, waiting for the run that holds it ($1 its key).
SELECT pg_advisory_lock($1)
