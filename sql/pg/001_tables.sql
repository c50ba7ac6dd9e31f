-- The pipeline's tables (docs/architecture.md, "PostgreSQL").
-- Money is numeric everywhere: sums of kopecks must stay exact.

CREATE TABLE customers (
  customer_id   integer PRIMARY KEY,
  full_name     text NOT NULL,
  gender        text,
  birth_date    date,
  registered_on date,
  region        text,
  city          text,
  address       text,
  activity      text,
  max_orders    integer
);

CREATE TABLE products (
  product_id integer PRIMARY KEY,
  name       text NOT NULL,
  category   text,
  list_price numeric(12,2)
);

-- No foreign keys to customers/products: they would slow COPY down for a
-- guarantee the clean stage and the generator already give.
CREATE TABLE sales (
  sale_id     bigint PRIMARY KEY,
  customer_id integer NOT NULL,
  product_id  integer NOT NULL,
  quantity    integer NOT NULL CHECK (quantity >= 1),
  sale_date   date NOT NULL,
  sale_amount numeric(12,2) NOT NULL CHECK (sale_amount > 0),
  region      text NOT NULL,
  loaded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sales_sale_date_idx ON sales (sale_date);

CREATE TABLE sales_agg (
  week_start         date NOT NULL,
  region             text NOT NULL,
  product_id         integer NOT NULL,
  sales_count        integer NOT NULL,
  quantity_sum       integer NOT NULL,
  amount_sum         numeric(14,2) NOT NULL,
  avg_sale_amount    numeric(12,2) NOT NULL,
  revenue_rank       integer NOT NULL,
  revenue_share      numeric(9,6) NOT NULL,
  region_revenue_ytd numeric(16,2) NOT NULL,
  aggregated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (week_start, region, product_id)
);

CREATE TABLE etl_runs (
  run_id      bigserial PRIMARY KEY,
  stage       text NOT NULL,
  week        text,
  status      text NOT NULL,
  rows_in     bigint,
  rows_out    bigint,
  started_at  timestamptz NOT NULL,
  finished_at timestamptz,
  message     text
);
CREATE INDEX etl_runs_week_idx ON etl_runs (week, stage);

-- Which dimension file was last upserted, so unchanged files are not reloaded.
CREATE TABLE dim_files (
  name      text PRIMARY KEY,
  sha256    text NOT NULL,
  loaded_at timestamptz NOT NULL DEFAULT now()
);
