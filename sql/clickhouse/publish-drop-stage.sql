-- A staging table of the same name a killed run left, dropped before the create is tried again.
DROP TABLE {{stage}} SYNC
