-- Since when each enabled schedule counts, kept across restarts: set when a schedule is added,
-- changed or enabled (NULL while disabled). A schedule with a last sync counts from the later of
-- the two. Enabled schedules already there count from their integration's last sync, or from now
-- when it never synced, as they did when the app started before this column.
ALTER TABLE sy_schedule ADD COLUMN counting_since TEXT;
UPDATE sy_schedule SET counting_since = coalesce(
	(SELECT max(l.started_at) FROM sy_integration_log l WHERE l.integration = sy_schedule.integration AND l.kind = 'sync'),
	strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
WHERE enabled = 1;
