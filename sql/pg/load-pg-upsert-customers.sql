-- The staged customers.csv into customers: new ids inserted, changed rows updated, the rest left alone.
INSERT INTO customers (customer_id, full_name, gender, birth_date, registered_on, region, city, address, activity,
                       max_orders)
SELECT customer_id, full_name, gender, birth_date, registered_on, region, city, address, activity, max_orders
FROM customers_load
ON CONFLICT (customer_id) DO UPDATE SET
  full_name = EXCLUDED.full_name, gender = EXCLUDED.gender, birth_date = EXCLUDED.birth_date,
  registered_on = EXCLUDED.registered_on, region = EXCLUDED.region, city = EXCLUDED.city,
  address = EXCLUDED.address, activity = EXCLUDED.activity, max_orders = EXCLUDED.max_orders
WHERE (customers.customer_id, customers.full_name, customers.gender, customers.birth_date, customers.registered_on,
       customers.region, customers.city, customers.address, customers.activity, customers.max_orders)
  IS DISTINCT FROM
      (EXCLUDED.customer_id, EXCLUDED.full_name, EXCLUDED.gender, EXCLUDED.birth_date, EXCLUDED.registered_on,
       EXCLUDED.region, EXCLUDED.city, EXCLUDED.address, EXCLUDED.activity, EXCLUDED.max_orders)
