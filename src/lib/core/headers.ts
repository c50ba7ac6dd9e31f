/** The header of every raw and clean sales file. */
export const SALES_COLUMNS = [
  'sale_id',
  'customer_id',
  'product_id',
  'quantity',
  'sale_date',
  'sale_amount',
  'region',
] as const;
export const SALES_HEADER = SALES_COLUMNS.join(',');

/** The header of `dim/customers.csv` (docs/architecture.md). */
export const CUSTOMERS_HEADER =
  'customer_id,full_name,gender,birth_date,registered_on,region,city,address,activity,max_orders';

/** The header of `dim/products.csv` (docs/architecture.md). */
export const PRODUCTS_HEADER = 'product_id,name,category,list_price';
