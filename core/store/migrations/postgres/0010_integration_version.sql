-- Switchyard PostgreSQL workspace, schema version 10: a version number per integration (as the SQLite
-- workspace's 0010_integration_version.sql). Every save of an integration adds one, in the same transaction;
-- an editor saves only while the version it loaded is still the stored one.
ALTER TABLE sy_integration ADD COLUMN version bigint NOT NULL DEFAULT 1;
