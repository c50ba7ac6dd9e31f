-- HEADER MATCH (PostgreSQL 15+) refuses a file whose header is not exactly these columns.
COPY {{table}} ({{columns}}) FROM STDIN WITH (FORMAT csv, HEADER MATCH)
