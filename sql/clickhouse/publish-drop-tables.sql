-- Staging or ready tables that have served (or that a killed run left), one or more.
DROP TABLE IF EXISTS {{tables}} SYNC
