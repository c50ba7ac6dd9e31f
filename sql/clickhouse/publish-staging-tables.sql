-- The staging tables (`<table>__stage[_<monday>[_<monday>]]`) a killed run left.
SELECT name FROM system.tables WHERE database = 'sales_etl' AND name LIKE '%\_\_stage%'
