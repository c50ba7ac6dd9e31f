-- Swap the rows of a ready table in for the whole of an unpartitioned published table.
ALTER TABLE {{table}} REPLACE PARTITION tuple() FROM {{source}}
