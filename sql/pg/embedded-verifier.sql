-- For embedded-roles.sql, which follows in the session: $1 the SCRAM verifier of the new secret.
SELECT set_config('sales_etl.verifier', $1, false)
