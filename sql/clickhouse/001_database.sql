-- Everything sales-etl publishes lives in its own database.
CREATE DATABASE IF NOT EXISTS sales_etl;
