-- A link table of an earlier open in this process (a Memory database cannot rename, so no CREATE OR REPLACE).
DROP TABLE IF EXISTS {{table}}
