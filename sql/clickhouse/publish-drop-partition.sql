-- Replace a week of a published table with nothing (newer servers refuse REPLACE PARTITION from an empty source).
ALTER TABLE {{table}} DROP PARTITION {week_start:Date}
