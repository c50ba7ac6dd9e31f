-- Every staging table of a publication becomes a ready table, in one statement: what recovery goes by.
RENAME TABLE {{renames}}
