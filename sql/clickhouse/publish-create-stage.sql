-- A fresh, empty staging table {{stage}} shaped like the published table {{table}}
-- (src/lib/clickhouse/partition.ts; names are filled in by withNames, src/lib/core/sql.ts).
CREATE TABLE {{stage}} AS {{table}}
