-- Switchyard workspace, schema version 5: synchronisation. docs/workspace.md describes every table.

-- A row here, inserted and deleted inside one write transaction, turns change capture off for that
-- transaction: imports and syncs write local rows without queueing them for upload. SQLite has one
-- writer at a time and the row never commits, so no other connection ever sees it.
CREATE TABLE sy_capture_off (
	id INTEGER PRIMARY KEY CHECK (id = 1)
);

-- The upload queue gains the deleted row's values (for deletes: the external key lives there) and
-- the status 'dismissed' (a failed upload the admin gave up on). SQLite cannot alter a CHECK: rebuild.
CREATE TABLE sy_integration_transaction_new (
	id            INTEGER PRIMARY KEY,
	integration   TEXT REFERENCES sy_integration (name) ON DELETE CASCADE ON UPDATE CASCADE, -- NULL: any integration
	entity        TEXT    NOT NULL,
	record_id     TEXT    NOT NULL,
	operation     TEXT    NOT NULL CHECK (operation IN ('insert', 'update', 'delete')),
	versionnumber INTEGER NOT NULL DEFAULT 0,
	status        TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'done', 'dismissed')),
	external_key  TEXT    NOT NULL DEFAULT '',
	error         TEXT    NOT NULL DEFAULT '',
	created_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
	sent_at       TEXT,
	data          TEXT    -- JSON object of the row's values when it was deleted; NULL otherwise
);
INSERT INTO sy_integration_transaction_new (id, integration, entity, record_id, operation, versionnumber, status,
	external_key, error, created_at, sent_at)
SELECT id, integration, entity, record_id, operation, versionnumber, status, external_key, error, created_at, sent_at
FROM sy_integration_transaction;
DROP TABLE sy_integration_transaction;
ALTER TABLE sy_integration_transaction_new RENAME TO sy_integration_transaction;
CREATE INDEX sy_integration_transaction_status ON sy_integration_transaction (status, entity);
CREATE INDEX sy_integration_transaction_record ON sy_integration_transaction (entity, record_id);
CREATE INDEX sy_integration_transaction_integration ON sy_integration_transaction (integration, entity, status);

-- Records that failed in a sync, retried on every later sync until they succeed or the admin dismisses them.
CREATE TABLE sy_integration_quarantine (
	id          INTEGER PRIMARY KEY,
	integration TEXT    NOT NULL REFERENCES sy_integration (name) ON DELETE CASCADE ON UPDATE CASCADE,
	entity      TEXT    NOT NULL, -- the external entity
	direction   TEXT    NOT NULL CHECK (direction IN ('download', 'upload')),
	record_key  TEXT    NOT NULL DEFAULT '', -- download: the external key
	record_id   TEXT    NOT NULL DEFAULT '', -- upload: the local row's id
	reason      TEXT    NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 1,
	first_at    TEXT    NOT NULL,
	last_at     TEXT    NOT NULL,
	dismissed   INTEGER NOT NULL DEFAULT 0,
	UNIQUE (integration, entity, direction, record_key, record_id)
);

-- Conflicts of bidirectional entities: both versions, and which one won.
CREATE TABLE sy_integration_conflict (
	id          INTEGER PRIMARY KEY,
	integration TEXT    NOT NULL REFERENCES sy_integration (name) ON DELETE CASCADE ON UPDATE CASCADE,
	log_id      INTEGER REFERENCES sy_integration_log (id) ON DELETE SET NULL,
	entity      TEXT    NOT NULL,
	record_key  TEXT    NOT NULL,
	policy      TEXT    NOT NULL, -- external, local or newest
	winner      TEXT    NOT NULL, -- external or local
	local       TEXT    NOT NULL, -- JSON object of the local values
	external    TEXT    NOT NULL, -- JSON object of the external values
	at          TEXT    NOT NULL
);
CREATE INDEX sy_integration_conflict_integration ON sy_integration_conflict (integration, at);

-- One sync per integration at a time, across processes.
CREATE TABLE sy_integration_lock (
	integration  TEXT    PRIMARY KEY NOT NULL REFERENCES sy_integration (name) ON DELETE CASCADE ON UPDATE CASCADE,
	holder       TEXT    NOT NULL, -- host:pid:token of the holder
	host         TEXT    NOT NULL,
	pid          INTEGER NOT NULL,
	acquired_at  TEXT    NOT NULL,
	heartbeat_at TEXT    NOT NULL
);

-- External keys seen by the key reconciliation of a sync in progress.
CREATE TABLE sy_integration_seen (
	integration TEXT NOT NULL REFERENCES sy_integration (name) ON DELETE CASCADE ON UPDATE CASCADE,
	entity      TEXT NOT NULL,
	record_key  TEXT NOT NULL,
	PRIMARY KEY (integration, entity, record_key)
) WITHOUT ROWID;

-- The conflict policy of an entity mapping: external (the default), local or newest.
ALTER TABLE sy_entity_mapping ADD COLUMN conflict TEXT NOT NULL DEFAULT '';
