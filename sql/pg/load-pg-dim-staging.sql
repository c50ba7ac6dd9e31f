CREATE TEMP TABLE {{staging}} (LIKE {{table}}) ON COMMIT DROP
