-- The migrations applied so far, with their digests.
SELECT name, sha256 FROM schema_migrations
