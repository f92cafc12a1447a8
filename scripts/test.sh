#!/usr/bin/env bash
# Starts the test servers and PostgreSQL (scripts/pgserver.sh), runs go vet and go test on every package, stops them.
# Fails if anything fails. Tests that need a server fail (not skip) here: SWITCHYARD_REQUIRE_SERVERS=1.
set -uo pipefail
cd "$(dirname "$0")/.."

trap 'scripts/testservers.sh stop >/dev/null 2>&1; scripts/pgserver.sh stop >/dev/null 2>&1' EXIT
exports=$(scripts/testservers.sh start) || { echo "test: the test servers did not start" >&2; exit 1; }
eval "$exports" # SWITCHYARD_ODATA_URL, SWITCHYARD_REST_URL, SWITCHYARD_FEATHERS_URL
exports=$(scripts/pgserver.sh start) || { echo "test: PostgreSQL did not start" >&2; exit 1; }
eval "$exports" # SWITCHYARD_PG_URL
export SWITCHYARD_REQUIRE_SERVERS=1

go vet ./... || exit 1
go test -count=1 ./...
rc=$?
# The headless commands' end-to-end tests and the app's screens once more, on PostgreSQL workspaces (a schema
# per test): about a minute.
SWITCHYARD_TEST_WORKSPACE=postgres go test -count=1 ./cmd/switchyard/ ./ui/ || rc=1

# The Windows build under Wine (scripts/wintest.sh, docs/platforms.md): it installs Wine and mingw-w64 when
# missing and says SKIPPED, without failing, where Wine cannot be installed; SWITCHYARD_WINDOWS_TESTS=0 leaves it out.
if [ "${SWITCHYARD_WINDOWS_TESTS:-1}" != 0 ]; then
	scripts/wintest.sh || rc=1
fi
exit "$rc"
