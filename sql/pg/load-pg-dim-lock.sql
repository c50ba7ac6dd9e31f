-- Keeps the dimension table as it is (empty, on a first load) until the transaction ends.
LOCK TABLE {{table}} IN SHARE ROW EXCLUSIVE MODE
