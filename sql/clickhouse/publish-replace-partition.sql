-- Swap the rows of a ready table in for one week of a published table, atomically.
ALTER TABLE {{table}} REPLACE PARTITION {week_start:Date} FROM {{source}}
