-- migrate-click: the published catalogue reduced to the count and md5 that
-- sql/pg/migrate-click-products-digest.sql computes from PostgreSQL's.
SELECT toString(count()) AS products,
       lower(hex(MD5(arrayStringConcat(
         arrayMap(p -> p.2, arraySort(p -> p.1, groupArray((product_id,
           concat(toString(product_id), '\t', name, '\t', category, '\t', toDecimalString(list_price, 2)))))),
         '\n')))) AS digest
FROM sales_etl.products
