-- Switchyard workspace, schema version 10: a version number per integration. docs/workspace.md describes every table.

-- Every save of an integration (its settings, secrets, entity and field mappings, schedules, a rename)
-- adds one, in the same transaction. An editor keeps the version it loaded and saves only while it is
-- still the stored one (UPDATE ... WHERE version = ?), so that two admins, two app windows or the app
-- and a headless import never overwrite each other silently. updated_at is when the version was saved.
ALTER TABLE sy_integration ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
