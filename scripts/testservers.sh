#!/usr/bin/env bash
# Starts and stops the servers that Switchyard's tests talk to, on 127.0.0.1 only.
#
#   scripts/testservers.sh start   start the SAP CAP OData service (testdata/cap) and the json-server
#                                  REST API (testdata/rest), and print `export SWITCHYARD_ODATA_URL=...`
#                                  and `export SWITCHYARD_REST_URL=...` on standard output
#   scripts/testservers.sh stop    stop them and remove the state files
#   scripts/testservers.sh status  say whether they run
#
# Diagnostics go to standard error, so `eval "$(scripts/testservers.sh start)"` works.
# State lives in .testservers/ at the repository root (cap.pid, odata.url, cap.log;
# rest.pid, rest.url, rest.log).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="$ROOT/.testservers"
CAP="$ROOT/testdata/cap"
REST="$ROOT/testdata/rest"
WAIT_SECONDS=60

say() { printf 'testservers: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# cap_alive succeeds when the pid in cap.pid is our serve.js.
cap_alive() {
	[[ -f "$STATE/cap.pid" ]] || return 1
	local pid
	pid="$(cat "$STATE/cap.pid")"
	[[ "$pid" =~ ^[0-9]+$ ]] || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'serve\.js'
}

cap_install() {
	command -v node >/dev/null || die "node is not installed: install Node.js 20 (apt-get install nodejs npm)"
	command -v npm >/dev/null || die "npm is not installed: install it (apt-get install npm)"
	local marker="$CAP/node_modules/.package-lock.json"
	if [[ ! -f "$marker" || "$CAP/package-lock.json" -nt "$marker" ]]; then
		say "installing the CAP test server's packages (npm ci --ignore-scripts)"
		(cd "$CAP" && npm ci --ignore-scripts --no-audit --no-fund >&2) ||
			die "npm ci failed in testdata/cap: check the network access to the npm registry"
	fi
}

cap_start() {
	mkdir -p "$STATE"
	if cap_alive && [[ -s "$STATE/odata.url" ]]; then
		say "CAP already running (pid $(cat "$STATE/cap.pid"))"
		echo "export SWITCHYARD_ODATA_URL=$(cat "$STATE/odata.url")"
		return
	fi
	rm -f "$STATE/cap.pid" "$STATE/odata.url"
	cap_install

	local log="$STATE/cap.log"
	: >"$log"
	(cd "$CAP" && PORT="${SWITCHYARD_CAP_PORT:-0}" exec nohup node serve.js >>"$log" 2>&1 </dev/null) &
	local pid=$!
	echo "$pid" >"$STATE/cap.pid"

	local url="" i
	for ((i = 0; i < WAIT_SECONDS * 4; i++)); do
		url="$(sed -n 's/^listening \(http:\/\/127\.0\.0\.1:[0-9]*\/.*\)$/\1/p' "$log" | head -n 1)"
		[[ -n "$url" ]] && break
		if ! kill -0 "$pid" 2>/dev/null; then
			tail -n 30 "$log" >&2 || true
			rm -f "$STATE/cap.pid"
			die "the CAP test server exited during start-up (log above, full log in $log)"
		fi
		sleep 0.25
	done
	if [[ -z "$url" ]]; then
		tail -n 30 "$log" >&2 || true
		kill "$pid" 2>/dev/null || true
		rm -f "$STATE/cap.pid"
		die "the CAP test server did not say it was listening within ${WAIT_SECONDS}s (log in $log)"
	fi
	echo "$url" >"$STATE/odata.url"
	say "CAP OData service at $url (pid $pid)"
	echo "export SWITCHYARD_ODATA_URL=$url"
}

cap_stop() {
	if cap_alive; then
		local pid i
		pid="$(cat "$STATE/cap.pid")"
		kill "$pid" 2>/dev/null || true
		for ((i = 0; i < 20; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.25
		done
		if kill -0 "$pid" 2>/dev/null; then
			kill -KILL "$pid" 2>/dev/null || true
		fi
		say "CAP stopped (pid $pid)"
	fi
	rm -f "$STATE/cap.pid" "$STATE/odata.url"
}

cap_status() {
	if cap_alive; then
		say "CAP running (pid $(cat "$STATE/cap.pid")) at $(cat "$STATE/odata.url" 2>/dev/null)"
	else
		say "CAP not running"
		return 1
	fi
}

# rest_alive succeeds when the pid in rest.pid is our json-server serve.js.
rest_alive() {
	[[ -f "$STATE/rest.pid" ]] || return 1
	local pid
	pid="$(cat "$STATE/rest.pid")"
	[[ "$pid" =~ ^[0-9]+$ ]] || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'serve\.js'
}

rest_install() {
	command -v node >/dev/null || die "node is not installed: install Node.js 20 (apt-get install nodejs npm)"
	command -v npm >/dev/null || die "npm is not installed: install it (apt-get install npm)"
	local marker="$REST/node_modules/.package-lock.json"
	if [[ ! -f "$marker" || "$REST/package-lock.json" -nt "$marker" ]]; then
		say "installing the REST test server's packages (npm ci --ignore-scripts)"
		(cd "$REST" && npm ci --ignore-scripts --no-audit --no-fund >&2) ||
			die "npm ci failed in testdata/rest: check the network access to the npm registry"
	fi
}

# rest_start starts json-server on a fresh copy of testdata/rest/db.json (serve.js copies the seed).
rest_start() {
	mkdir -p "$STATE"
	if rest_alive && [[ -s "$STATE/rest.url" ]]; then
		say "json-server already running (pid $(cat "$STATE/rest.pid"))"
		echo "export SWITCHYARD_REST_URL=$(cat "$STATE/rest.url")"
		return
	fi
	rm -f "$STATE/rest.pid" "$STATE/rest.url"
	rest_install

	local log="$STATE/rest.log"
	: >"$log"
	(cd "$REST" && PORT="${SWITCHYARD_REST_PORT:-0}" exec nohup node serve.js >>"$log" 2>&1 </dev/null) &
	local pid=$!
	echo "$pid" >"$STATE/rest.pid"

	local url="" i
	for ((i = 0; i < WAIT_SECONDS * 4; i++)); do
		url="$(sed -n 's/^listening \(http:\/\/127\.0\.0\.1:[0-9]*\/.*\)$/\1/p' "$log" | head -n 1)"
		[[ -n "$url" ]] && break
		if ! kill -0 "$pid" 2>/dev/null; then
			tail -n 30 "$log" >&2 || true
			rm -f "$STATE/rest.pid"
			die "the REST test server exited during start-up (log above, full log in $log)"
		fi
		sleep 0.25
	done
	if [[ -z "$url" ]]; then
		tail -n 30 "$log" >&2 || true
		kill "$pid" 2>/dev/null || true
		rm -f "$STATE/rest.pid"
		die "the REST test server did not say it was listening within ${WAIT_SECONDS}s (log in $log)"
	fi
	echo "$url" >"$STATE/rest.url"
	say "json-server REST API at $url (pid $pid)"
	echo "export SWITCHYARD_REST_URL=$url"
}

rest_stop() {
	if rest_alive; then
		local pid i
		pid="$(cat "$STATE/rest.pid")"
		kill "$pid" 2>/dev/null || true
		for ((i = 0; i < 20; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.25
		done
		if kill -0 "$pid" 2>/dev/null; then
			kill -KILL "$pid" 2>/dev/null || true
		fi
		say "json-server stopped (pid $pid)"
	fi
	rm -f "$STATE/rest.pid" "$STATE/rest.url"
}

rest_status() {
	if rest_alive; then
		say "json-server running (pid $(cat "$STATE/rest.pid")) at $(cat "$STATE/rest.url" 2>/dev/null)"
	else
		say "json-server not running"
		return 1
	fi
}

case "${1:-}" in
start)
	cap_start
	rest_start
	;;
stop)
	cap_stop
	rest_stop
	;;
status)
	rc=0
	cap_status || rc=1
	rest_status || rc=1
	exit "$rc"
	;;
*) die "usage: scripts/testservers.sh start|stop|status" ;;
esac
