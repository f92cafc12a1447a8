-- Switchyard workspace, schema version 2: value maps, defaults, constants and
-- data-quality rules of field mappings. docs/workspace.md describes every table.

-- The default and the constant of a field mapping; NULL when it has none.
ALTER TABLE sy_field_mapping ADD COLUMN default_value  TEXT;
ALTER TABLE sy_field_mapping ADD COLUMN constant_value TEXT;
-- What becomes of a value the value map lacks: '' (fail), 'fail', 'keep' or 'empty'.
ALTER TABLE sy_field_mapping ADD COLUMN other_values   TEXT NOT NULL DEFAULT '';

-- A field mapping's value map: external value ↔ local value, with the label.
CREATE TABLE sy_field_value_map (
	entity_mapping INTEGER NOT NULL,
	field_position INTEGER NOT NULL,
	position       INTEGER NOT NULL,
	external       TEXT    NOT NULL,
	local          TEXT    NOT NULL,
	label          TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (entity_mapping, field_position, position),
	FOREIGN KEY (entity_mapping, field_position) REFERENCES sy_field_mapping (entity_mapping, position) ON DELETE CASCADE
);

-- A field mapping's data-quality rules, checked in order.
CREATE TABLE sy_field_rule (
	entity_mapping INTEGER NOT NULL,
	field_position INTEGER NOT NULL,
	position       INTEGER NOT NULL,
	rule           TEXT    NOT NULL CHECK (rule IN ('required', 'maxLength', 'pattern', 'email', 'range')),
	length         INTEGER NOT NULL DEFAULT 0, -- maxLength
	pattern        TEXT    NOT NULL DEFAULT '', -- pattern
	min            REAL,                        -- range; NULL when unbounded
	max            REAL,                        -- range; NULL when unbounded
	message        TEXT    NOT NULL DEFAULT '', -- replaces the rule's own message
	PRIMARY KEY (entity_mapping, field_position, position),
	FOREIGN KEY (entity_mapping, field_position) REFERENCES sy_field_mapping (entity_mapping, position) ON DELETE CASCADE
);
