-- The record of the migrations applied: each NNN_name.sql, with the digest of the text applied.
CREATE TABLE IF NOT EXISTS schema_migrations (
    name text PRIMARY KEY, sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
