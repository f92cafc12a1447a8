-- Switchyard workspace, schema version 1. docs/workspace.md describes every table.
-- Times are text, ISO 8601 in UTC with milliseconds: 2026-01-31T08:15:00.000Z.

-- Named counters. 'versionnumber' feeds the versionnumber column of every local entity table.
CREATE TABLE sy_sequence (
	name  TEXT    PRIMARY KEY NOT NULL,
	value INTEGER NOT NULL DEFAULT 0
);
INSERT INTO sy_sequence (name, value) VALUES ('versionnumber', 0);

-- Local entities: one row per entity table, one row per business field.
CREATE TABLE sy_entity (
	name       TEXT PRIMARY KEY NOT NULL,
	label      TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE sy_field (
	entity     TEXT    NOT NULL REFERENCES sy_entity (name) ON DELETE CASCADE ON UPDATE CASCADE,
	name       TEXT    NOT NULL,
	position   INTEGER NOT NULL,
	label      TEXT    NOT NULL DEFAULT '',
	type       TEXT    NOT NULL CHECK (type IN ('string', 'int', 'decimal', 'double', 'bool', 'date',
	                                          'datetime', 'time', 'guid', 'binary', 'lookup')),
	target     TEXT    NOT NULL DEFAULT '',
	nullable   INTEGER NOT NULL DEFAULT 0,
	max_length INTEGER NOT NULL DEFAULT 0,
	precision  INTEGER NOT NULL DEFAULT 0,
	scale      INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (entity, name)
);

-- Integrations. Everything that belongs to one refers to its name with
-- ON DELETE CASCADE (deleting the integration deletes it) and ON UPDATE CASCADE
-- (renaming the integration follows).
CREATE TABLE sy_integration (
	name       TEXT PRIMARY KEY NOT NULL,
	connector  TEXT NOT NULL,
	settings   TEXT NOT NULL DEFAULT '{}', -- JSON object of settings, secrets excluded
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

CREATE TABLE sy_integration_secret (
	integration TEXT NOT NULL REFERENCES sy_integration (name) ON DELETE CASCADE ON UPDATE CASCADE,
	key         TEXT NOT NULL,
	value       TEXT NOT NULL,
	PRIMARY KEY (integration, key)
);

CREATE TABLE sy_entity_mapping (
	id              INTEGER PRIMARY KEY,
	integration     TEXT    NOT NULL REFERENCES sy_integration (name) ON DELETE CASCADE ON UPDATE CASCADE,
	position        INTEGER NOT NULL,
	external        TEXT    NOT NULL,
	local           TEXT    NOT NULL,
	primary_key     TEXT    NOT NULL DEFAULT '',
	direction       TEXT    NOT NULL DEFAULT '',
	download_filter TEXT    NOT NULL DEFAULT '',
	upload_filter   TEXT    NOT NULL DEFAULT '',
	disabled        INTEGER NOT NULL DEFAULT 0,
	UNIQUE (integration, position)
);

CREATE TABLE sy_field_mapping (
	entity_mapping INTEGER NOT NULL REFERENCES sy_entity_mapping (id) ON DELETE CASCADE,
	position       INTEGER NOT NULL,
	external       TEXT    NOT NULL,
	local          TEXT    NOT NULL,
	lookup         TEXT    NOT NULL DEFAULT '',
	disabled       INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (entity_mapping, position)
);

CREATE TABLE sy_schedule (
	integration TEXT    NOT NULL REFERENCES sy_integration (name) ON DELETE CASCADE ON UPDATE CASCADE,
	position    INTEGER NOT NULL,
	cron        TEXT    NOT NULL DEFAULT '',
	every       TEXT    NOT NULL DEFAULT '',
	enabled     INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (integration, position)
);

-- Cached catalogs of the external system: every snapshot is kept.
CREATE TABLE sy_schema_snapshot (
	id          INTEGER PRIMARY KEY,
	integration TEXT NOT NULL REFERENCES sy_integration (name) ON DELETE CASCADE ON UPDATE CASCADE,
	taken_at    TEXT NOT NULL,
	entities    TEXT NOT NULL -- JSON array of entities with their fields
);
CREATE INDEX sy_schema_snapshot_integration ON sy_schema_snapshot (integration, taken_at);

-- Runs: imports, exports, syncs and connection tests.
CREATE TABLE sy_integration_log (
	id              INTEGER PRIMARY KEY,
	integration     TEXT    NOT NULL REFERENCES sy_integration (name) ON DELETE CASCADE ON UPDATE CASCADE,
	kind            TEXT    NOT NULL, -- import, export, sync, test
	direction       TEXT    NOT NULL DEFAULT '',
	status          TEXT    NOT NULL, -- succeeded, partial, failed, cancelled, running
	started_at      TEXT    NOT NULL,
	ended_at        TEXT,             -- NULL while running
	count_all       INTEGER NOT NULL DEFAULT 0,
	count_imported  INTEGER NOT NULL DEFAULT 0,
	count_updated   INTEGER NOT NULL DEFAULT 0,
	count_unchanged INTEGER NOT NULL DEFAULT 0,
	count_failed    INTEGER NOT NULL DEFAULT 0,
	message         TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX sy_integration_log_integration ON sy_integration_log (integration, started_at);

-- How far a sync has got, per integration, entity and direction.
CREATE TABLE sy_integration_syncanchor (
	integration TEXT NOT NULL REFERENCES sy_integration (name) ON DELETE CASCADE ON UPDATE CASCADE,
	entity      TEXT NOT NULL,
	direction   TEXT NOT NULL,
	anchor      TEXT NOT NULL DEFAULT '',
	updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
	PRIMARY KEY (integration, entity, direction)
);

-- Local changes waiting for upload, and uploads sent, with their outcome.
CREATE TABLE sy_integration_transaction (
	id            INTEGER PRIMARY KEY,
	integration   TEXT REFERENCES sy_integration (name) ON DELETE CASCADE ON UPDATE CASCADE, -- NULL: any integration
	entity        TEXT    NOT NULL,
	record_id     TEXT    NOT NULL,
	operation     TEXT    NOT NULL CHECK (operation IN ('insert', 'update', 'delete')),
	versionnumber INTEGER NOT NULL DEFAULT 0,
	status        TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'done')),
	external_key  TEXT    NOT NULL DEFAULT '',
	error         TEXT    NOT NULL DEFAULT '',
	created_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
	sent_at       TEXT
);
CREATE INDEX sy_integration_transaction_status ON sy_integration_transaction (status, entity);
CREATE INDEX sy_integration_transaction_record ON sy_integration_transaction (entity, record_id);
CREATE INDEX sy_integration_transaction_integration ON sy_integration_transaction (integration);
