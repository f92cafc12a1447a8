-- What the connection said during a run, at level Info and above: retries with their reasons, sign-ins,
-- throttling. The CLI shows these only with -v; the run log keeps them.
CREATE TABLE sy_integration_log_note (
	id     INTEGER PRIMARY KEY,
	log_id INTEGER NOT NULL REFERENCES sy_integration_log (id) ON DELETE CASCADE,
	at     TEXT    NOT NULL, -- UTC ISO 8601
	level  TEXT    NOT NULL, -- INFO, WARN, ERROR
	text   TEXT    NOT NULL  -- the message and its attributes, e.g. retrying HTTP request method=GET url=… status=503
);
CREATE INDEX sy_integration_log_note_log ON sy_integration_log_note (log_id);
