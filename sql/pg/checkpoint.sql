-- Write out every buffer the session's work dirtied, now (PgDatabase.writeOut: the embedded
-- server's, ahead of its stop, which would otherwise do it then). The role has pg_checkpoint.
CHECKPOINT
