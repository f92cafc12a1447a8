-- Switchyard workspace, schema version 9: one clock. docs/workspace.md describes every table.

-- The time of the write transaction under way: the store inserts the row when a write transaction
-- begins and deletes it before the transaction ends, so it never commits and no other connection sees
-- it. The triggers stamp modifiedon and the upload queue's created_at from it, so that every time a
-- transaction writes is the store's one clock (Store.Now). Plain SQL from another program finds the
-- table empty, and its rows are stamped with SQLite's clock.
CREATE TABLE sy_clock (
	id  INTEGER PRIMARY KEY CHECK (id = 1),
	now TEXT    NOT NULL
);
