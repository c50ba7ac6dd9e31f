-- The week's sales ($1 first day, $2 last day), replaced in the same transaction.
DELETE FROM sales WHERE sale_date BETWEEN $1 AND $2
