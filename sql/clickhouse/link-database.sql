-- The embedded engine's link to PostgreSQL (src/lib/clickhouse/pg-link.ts): in memory only, never on disk.
CREATE DATABASE IF NOT EXISTS sales_etl_pg ENGINE = Memory
