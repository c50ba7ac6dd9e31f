-- A migration applied, in its own transaction: $1 its file name, $2 the sha256 of its text.
INSERT INTO schema_migrations (name, sha256) VALUES ($1, $2)
