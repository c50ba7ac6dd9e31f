-- How long a week loaded beside another waits for a row lock the other holds before both are loaded again
-- one by one. Only weeks sharing a sale_id wait.
SET LOCAL lock_timeout = '2s'
