#!/usr/bin/env bash
# Starts and stops the servers that Switchyard's tests talk to, on 127.0.0.1 only.
#
#   scripts/testservers.sh start   start the SAP CAP OData service (testdata/cap), the json-server
#                                  REST API (testdata/rest) and the Feathers REST API (testdata/feathers),
#                                  and print `export SWITCHYARD_ODATA_URL=...`, `export SWITCHYARD_REST_URL=...`
#                                  and `export SWITCHYARD_FEATHERS_URL=...` on standard output
#   scripts/testservers.sh stop [ID...]    stop them (or only cap, rest, feathers) and remove the state files
#   scripts/testservers.sh status [ID...]  say whether they run (exit 1 when one does not)
#
# Diagnostics go to standard error, so `eval "$(scripts/testservers.sh start)"` works.
# State lives in .testservers/ at the repository root (cap.pid, odata.url, cap.log;
# rest.pid, rest.url, rest.log; feathers.pid, feathers.url, feathers.log).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="$ROOT/.testservers"
WAIT_SECONDS=60

say() { printf 'testservers: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# Each server is described by: its id (the state files' name), its title, its folder under testdata/,
# the state file of its URL, the variable that exports the URL, and the variable that may fix its port.
#   cap:  SAP CAP OData service, testdata/cap,  odata.url, SWITCHYARD_ODATA_URL, SWITCHYARD_CAP_PORT
#   rest: json-server REST API,  testdata/rest, rest.url,  SWITCHYARD_REST_URL,  SWITCHYARD_REST_PORT
#   feathers: Feathers REST API, testdata/feathers, feathers.url, SWITCHYARD_FEATHERS_URL, SWITCHYARD_FEATHERS_PORT
# (json-server's serve.js starts on a fresh copy of testdata/rest/db.json; Feathers' seeds its data in memory.)
describe() {
	case "$1" in
	cap) title="CAP OData service" dir="$ROOT/testdata/cap" urlfile=odata.url var=SWITCHYARD_ODATA_URL portvar=SWITCHYARD_CAP_PORT ;;
	rest) title="json-server REST API" dir="$ROOT/testdata/rest" urlfile=rest.url var=SWITCHYARD_REST_URL portvar=SWITCHYARD_REST_PORT ;;
	feathers) title="Feathers REST API" dir="$ROOT/testdata/feathers" urlfile=feathers.url var=SWITCHYARD_FEATHERS_URL portvar=SWITCHYARD_FEATHERS_PORT ;;
	esac
}

# alive ID succeeds when the pid in ID.pid is our serve.js.
alive() {
	[[ -f "$STATE/$1.pid" ]] || return 1
	local pid
	pid="$(cat "$STATE/$1.pid")"
	[[ "$pid" =~ ^[0-9]+$ ]] || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'serve\.js'
}

# install ID runs npm ci in the server's folder when node_modules is missing or older than its lock file.
install() {
	command -v node >/dev/null || die "node is not installed: install Node.js 20 (apt-get install nodejs npm)"
	command -v npm >/dev/null || die "npm is not installed: install it (apt-get install npm)"
	local marker="$dir/node_modules/.package-lock.json"
	if [[ ! -f "$marker" || "$dir/package-lock.json" -nt "$marker" ]]; then
		say "installing the $title's packages (npm ci --ignore-scripts)"
		(cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund >&2) ||
			die "npm ci failed in ${dir#"$ROOT/"}: check the network access to the npm registry"
	fi
}

# start ID starts the server unless it runs, waits until it says `listening URL`, and prints the export line.
start() {
	local id=$1 title dir urlfile var portvar
	describe "$id"
	mkdir -p "$STATE"
	if alive "$id" && [[ -s "$STATE/$urlfile" ]]; then
		say "$title already running (pid $(cat "$STATE/$id.pid"))"
		echo "export $var=$(cat "$STATE/$urlfile")"
		return
	fi
	rm -f "$STATE/$id.pid" "$STATE/$urlfile"
	install

	local log="$STATE/$id.log"
	: >"$log"
	(cd "$dir" && PORT="${!portvar:-0}" exec nohup node serve.js >>"$log" 2>&1 </dev/null) &
	local pid=$!
	echo "$pid" >"$STATE/$id.pid"

	local url="" i
	for ((i = 0; i < WAIT_SECONDS * 4; i++)); do
		url="$(sed -n 's/^listening \(http:\/\/127\.0\.0\.1:[0-9]*\/.*\)$/\1/p' "$log" | head -n 1)"
		[[ -n "$url" ]] && break
		if ! kill -0 "$pid" 2>/dev/null; then
			tail -n 30 "$log" >&2 || true
			rm -f "$STATE/$id.pid"
			die "the $title exited during start-up (log above, full log in $log)"
		fi
		sleep 0.25
	done
	if [[ -z "$url" ]]; then
		tail -n 30 "$log" >&2 || true
		kill "$pid" 2>/dev/null || true
		rm -f "$STATE/$id.pid"
		die "the $title did not say it was listening within ${WAIT_SECONDS}s (log in $log)"
	fi
	echo "$url" >"$STATE/$urlfile"
	say "$title at $url (pid $pid)"
	echo "export $var=$url"
}

# stop ID stops the server (TERM, then KILL after 5 s) and removes its state files.
stop() {
	local id=$1 title dir urlfile var portvar
	describe "$id"
	if alive "$id"; then
		local pid i
		pid="$(cat "$STATE/$id.pid")"
		kill "$pid" 2>/dev/null || true
		for ((i = 0; i < 20; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.25
		done
		if kill -0 "$pid" 2>/dev/null; then
			kill -KILL "$pid" 2>/dev/null || true
		fi
		say "$title stopped (pid $pid)"
	fi
	rm -f "$STATE/$id.pid" "$STATE/$urlfile"
}

# status ID says whether the server runs, and fails when it does not.
status() {
	local id=$1 title dir urlfile var portvar
	describe "$id"
	if alive "$id"; then
		say "$title running (pid $(cat "$STATE/$id.pid")) at $(cat "$STATE/$urlfile" 2>/dev/null)"
	else
		say "$title not running"
		return 1
	fi
}

case "${1:-}" in
start)
	start cap
	start rest
	start feathers
	;;
stop)
	shift
	for id in "${@:-cap rest feathers}"; do
		for one in $id; do stop "$one"; done
	done
	;;
status)
	shift
	rc=0
	for id in "${@:-cap rest feathers}"; do
		for one in $id; do status "$one" || rc=1; done
	done
	exit "$rc"
	;;
*) die "usage: scripts/testservers.sh start | stop [cap|rest|feathers...] | status [cap|rest|feathers...]" ;;
esac
