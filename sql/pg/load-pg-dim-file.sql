-- The dimension file just loaded ($1 name, $2 sha256): the next load-pg skips it while it is unchanged.
INSERT INTO dim_files (name, sha256) VALUES ($1, $2)
ON CONFLICT (name) DO UPDATE SET sha256 = EXCLUDED.sha256, loaded_at = now()
