-- The embedded cluster's roles (src/lib/pg/embedded/auth.ts), run by the superuser on the
-- private Unix socket when the cluster has no secret yet: a new cluster, or one made before
-- the secret, whose superuser `postgres` had the password everyone knew.
-- Before it, the session sets sales_etl.verifier: the SCRAM verifier of the new secret.
DO $$
DECLARE
  verifier text := current_setting('sales_etl.verifier');
  statement text;
BEGIN
  -- The pipeline's role: it logs in with the secret, owns what it makes, and is no superuser.
  -- CREATEDB: the tests give each case a database of its own on the embedded cluster.
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'sales_etl') THEN
    EXECUTE format('ALTER ROLE sales_etl LOGIN NOSUPERUSER CREATEDB NOCREATEROLE PASSWORD %L', verifier);
  ELSE
    EXECUTE format('CREATE ROLE sales_etl LOGIN NOSUPERUSER CREATEDB NOCREATEROLE PASSWORD %L', verifier);
  END IF;
  -- The bench flushes the buffers between its measurements.
  GRANT pg_checkpoint TO sales_etl;
  -- The superuser comes in only through the socket (peer); it keeps no password at all.
  ALTER ROLE postgres PASSWORD NULL;
  -- The owner of the database owns its schema public (pg_database_owner), so the role makes its tables there.
  ALTER DATABASE postgres OWNER TO sales_etl;
  -- The tables an older cluster's pipeline made as the superuser: their indexes and the
  -- sequences of their columns follow them. (REASSIGN OWNED cannot take the bootstrap
  -- superuser's objects.)
  FOR statement IN
    SELECT format('ALTER %s %s OWNER TO sales_etl',
                  CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                                 ELSE 'TABLE' END,
                  c.oid::regclass)
    FROM pg_class c
    WHERE c.relnamespace = 'public'::regnamespace
      AND c.relowner = 'postgres'::regrole
      AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
      AND NOT EXISTS (SELECT FROM pg_depend d
                      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i'))
  LOOP
    EXECUTE statement;
  END LOOP;
END
$$;
