-- Empty a table: a published one replaced with nothing, or migrate-click's pulled sales after a run.
TRUNCATE TABLE {{table}}
