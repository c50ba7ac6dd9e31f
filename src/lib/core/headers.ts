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
