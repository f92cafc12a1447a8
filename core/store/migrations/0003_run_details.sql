-- Run details: records created by an export, per-entity results, and every failed record with its reason.

ALTER TABLE sy_integration_log ADD COLUMN count_exported INTEGER NOT NULL DEFAULT 0;

-- One row per entity of a run.
CREATE TABLE sy_integration_log_entity (
	log_id          INTEGER NOT NULL REFERENCES sy_integration_log (id) ON DELETE CASCADE,
	position        INTEGER NOT NULL, -- the order the entities ran in
	entity          TEXT    NOT NULL, -- the external entity
	local_entity    TEXT    NOT NULL,
	direction       TEXT    NOT NULL, -- import or export
	count_all       INTEGER NOT NULL DEFAULT 0,
	count_imported  INTEGER NOT NULL DEFAULT 0,
	count_exported  INTEGER NOT NULL DEFAULT 0,
	count_updated   INTEGER NOT NULL DEFAULT 0,
	count_unchanged INTEGER NOT NULL DEFAULT 0,
	count_failed    INTEGER NOT NULL DEFAULT 0,
	duration_ms     INTEGER NOT NULL DEFAULT 0,
	queries         TEXT    NOT NULL DEFAULT '[]', -- JSON array of the requests sent, e.g. the OData query
	PRIMARY KEY (log_id, entity, direction)
);

-- Every record that failed in a run, with its reason.
CREATE TABLE sy_integration_log_failure (
	id         INTEGER PRIMARY KEY,
	log_id     INTEGER NOT NULL REFERENCES sy_integration_log (id) ON DELETE CASCADE,
	entity     TEXT    NOT NULL,
	record_key TEXT    NOT NULL DEFAULT '', -- the primary key value, when known
	error      TEXT    NOT NULL
);
CREATE INDEX sy_integration_log_failure_log ON sy_integration_log_failure (log_id, entity);
