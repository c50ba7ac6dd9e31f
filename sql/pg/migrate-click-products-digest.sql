-- migrate-click: the product catalogue as ClickHouse would hold it, reduced to
-- a count and an md5 of one line per product (id, name, category, price with
-- two decimals, tab-separated, in id order). sql/clickhouse/products-digest.sql
-- builds the same lines from ClickHouse's copy: equal digests mean the
-- published catalogue is already this one and need not be sent again.
SELECT count(*)::text AS products,
       md5(coalesce(string_agg(
         product_id::text || E'\t' || name || E'\t' || coalesce(category, '') || E'\t'
           || coalesce(list_price, 0)::numeric(12,2)::text,
         E'\n' ORDER BY product_id), '')) AS digest
FROM products
