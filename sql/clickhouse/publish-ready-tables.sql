-- The ready tables (`<table>__ready[_<monday>[_<monday>]]`) a publication left, with their rows.
SELECT name, toString(total_rows) AS rows FROM system.tables WHERE database = 'sales_etl' AND name LIKE '%\_\_ready%'
