-- The read-only role of a PostgreSQL workspace (docs/workspace.md "Roles").
--
-- A reader browses and previews: it lists, shows and exports integrations,
-- reads the local entities, the run logs and the schedules, and previews
-- imports and exports. It cannot run, sync or edit anything.
--
-- Run it as the workspace's owner (the role that created the workspace and
-- migrates it, which runs and edits) or as a superuser, with psql:
--
--   psql "$ADMIN_URL" -v schema=team -v owner=switchyard -v reader=analyst \
--        -f deploy/postgres/roles.sql
--
-- schema: the workspace's schema; owner: the role that creates its tables
-- (a new local entity is a new table); reader: the read-only role, which
-- must exist (CREATE ROLE analyst LOGIN PASSWORD '…').

-- Into the schema, and every table and view in it now.
GRANT USAGE ON SCHEMA :"schema" TO :"reader";
GRANT SELECT ON ALL TABLES IN SCHEMA :"schema" TO :"reader";

-- And the tables the owner creates later: a new local entity is readable
-- without granting again.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA :"schema" GRANT SELECT ON TABLES TO :"reader";
