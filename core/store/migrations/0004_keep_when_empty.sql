-- Switchyard workspace, schema version 4: a field mapping can leave the target as it is when the source is empty.
ALTER TABLE sy_field_mapping ADD COLUMN keep_when_empty INTEGER NOT NULL DEFAULT 0;
