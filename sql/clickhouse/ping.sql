-- A query, not /ping: /ping answers without checking the credentials.
SELECT 1
