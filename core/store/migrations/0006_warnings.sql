-- Records written with warnings (saved, but something left out, e.g. a lookup whose target is missing):
-- counted apart from the failed ones, and listed with them in the failures table, told apart by kind.

ALTER TABLE sy_integration_log ADD COLUMN count_warnings INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sy_integration_log_entity ADD COLUMN count_warnings INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sy_integration_log_failure ADD COLUMN kind TEXT NOT NULL DEFAULT 'failed'; -- failed or warning

-- What a lookup does when its target is not in the workspace: fail the record, warn (write it without
-- the lookup; '' is warn), or skip it.
ALTER TABLE sy_field_mapping ADD COLUMN missing_parent TEXT NOT NULL DEFAULT '';
