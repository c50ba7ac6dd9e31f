-- The sha256 of a dimension file when it was last loaded ($1: customers or products).
SELECT sha256 FROM dim_files WHERE name = $1
