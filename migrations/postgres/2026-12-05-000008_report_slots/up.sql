-- SQLite keys `reports` by a random integer drawn for each new report (see
-- the SQLite migration of the same name). PostgreSQL keeps rows in a heap
-- whatever their key, so here the column only lets both backends take the
-- same statements; rows from before it have none.
ALTER TABLE reports ADD COLUMN slot bigint;
