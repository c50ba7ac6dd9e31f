-- The migration lock, if no other run holds it ($1 its key).
SELECT pg_try_advisory_lock($1) AS locked
