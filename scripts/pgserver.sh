#!/usr/bin/env bash
# Starts and stops a throw-away PostgreSQL server for Switchyard's tests, on 127.0.0.1 only.
#
#   scripts/pgserver.sh start    install Debian's postgresql package when it is missing (scripts/deps.sh),
#                                create a temporary data directory, initdb it with trust authentication,
#                                start the server on a free port (SWITCHYARD_PG_PORT fixes it) and print
#                                `export SWITCHYARD_PG_URL=postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable`
#   scripts/pgserver.sh stop     stop it (pg_ctl -m fast) and remove its data directory and state files
#   scripts/pgserver.sh status   say whether it runs (exit 1 when it does not)
#
# PostgreSQL refuses to run as root: as root the server runs as the postgres user (runuser), which owns the
# data directory; as any other user it runs as that user. The binaries are PostgreSQL 15's
# (/usr/lib/postgresql/15/bin, Debian 12's package), else the newest under /usr/lib/postgresql, else
# $SWITCHYARD_PG_BIN. Diagnostics go to standard error, so `eval "$(scripts/pgserver.sh start)"` works.
# State lives in .testservers/ at the repository root: pg.dir (the data directory, under $TMPDIR or /tmp;
# the server's log is its file `log`, its Unix socket is in it too) and pg.url.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="$ROOT/.testservers"
VAR=SWITCHYARD_PG_URL
WAIT_SECONDS=60

say() { printf 'pgserver: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# bindir prints the folder of initdb and pg_ctl, or fails.
bindir() {
	local d
	for d in "${SWITCHYARD_PG_BIN:-}" /usr/lib/postgresql/15/bin; do
		[[ -n "$d" && -x "$d/initdb" && -x "$d/pg_ctl" ]] && { echo "$d"; return; }
	done
	d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
	[[ -n "$d" && -x "$d/initdb" ]] || return 1
	say "PostgreSQL 15 not found: using $d"
	echo "$d"
}

# as_pg runs a command as the server's user: postgres when we are root, else ourselves.
as_pg() {
	if [[ "$(id -u)" == 0 ]]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# alive succeeds when the data directory in pg.dir holds a running server.
alive() {
	[[ -s "$STATE/pg.dir" ]] || return 1
	local d bin
	d="$(cat "$STATE/pg.dir")"
	bin="$(bindir)" || return 1
	[[ -d "$d/data" ]] && as_pg "$bin/pg_ctl" -D "$d/data" status >/dev/null 2>&1
}

# listening PORT succeeds when something accepts connections on 127.0.0.1:PORT.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# freeport prints a port on 127.0.0.1 that nothing listens on (SWITCHYARD_PG_PORT when set).
freeport() {
	if [[ -n "${SWITCHYARD_PG_PORT:-}" ]]; then
		echo "$SWITCHYARD_PG_PORT"
		return
	fi
	local p i
	for ((i = 0; i < 50; i++)); do
		p=$((20000 + RANDOM % 30000))
		listening "$p" || { echo "$p"; return; }
	done
	die "found no free port between 20000 and 50000"
}

start() {
	mkdir -p "$STATE"
	if alive && [[ -s "$STATE/pg.url" ]]; then
		say "PostgreSQL already running in $(cat "$STATE/pg.dir")"
		echo "export $VAR=$(cat "$STATE/pg.url")"
		return
	fi
	stop >/dev/null 2>&1 || true # a server that died leaves its directory behind
	local bin
	if ! bin="$(bindir)"; then
		say "PostgreSQL is not installed: installing it with scripts/deps.sh"
		"$ROOT/scripts/deps.sh" >&2 || die "scripts/deps.sh failed: install Debian's postgresql package (apt-get install postgresql)"
		bin="$(bindir)" || die "no PostgreSQL under /usr/lib/postgresql after scripts/deps.sh: set SWITCHYARD_PG_BIN to its bin folder"
	fi
	if [[ "$(id -u)" == 0 ]] && ! id postgres >/dev/null 2>&1; then
		die "running as root, but there is no postgres user to run the server as (Debian's package creates it)"
	fi

	local d
	d="$(mktemp -d "${TMPDIR:-/tmp}/switchyard-pg.XXXXXX")"
	echo "$d" >"$STATE/pg.dir"
	[[ "$(id -u)" == 0 ]] && chown postgres: "$d"
	as_pg "$bin/initdb" -D "$d/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync >"$d/initdb.log" 2>&1 ||
		{ cat "$d/initdb.log" >&2; die "initdb failed (log above)"; }

	local port try
	for ((try = 1; try <= 5; try++)); do
		port="$(freeport)"
		if as_pg "$bin/pg_ctl" -D "$d/data" -l "$d/log" -w -t "$WAIT_SECONDS" \
			-o "-p $port -k $d -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null 2>&1; then
			local url="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
			echo "$url" >"$STATE/pg.url"
			say "PostgreSQL $("$bin/pg_ctl" --version | awk '{print $3}') at 127.0.0.1:$port, data in $d"
			echo "export $VAR=$url"
			return
		fi
		grep -q "could not bind\|Address already in use" "$d/log" 2>/dev/null && [[ -z "${SWITCHYARD_PG_PORT:-}" ]] || break
		say "port $port was taken: trying another"
	done
	tail -n 30 "$d/log" >&2 2>/dev/null || true
	die "PostgreSQL did not start (log above, full log in $d/log)"
}

# stop stops the server (fast shutdown: open sessions are ended) and removes its directory and state files.
stop() {
	[[ -s "$STATE/pg.dir" ]] || { rm -f "$STATE/pg.url"; return 0; }
	local d bin
	d="$(cat "$STATE/pg.dir")"
	if alive; then
		bin="$(bindir)"
		as_pg "$bin/pg_ctl" -D "$d/data" -m fast -w stop >/dev/null 2>&1 || die "pg_ctl stop failed (log in $d/log)"
		say "PostgreSQL stopped"
	fi
	[[ "$d" == */switchyard-pg.* ]] && rm -rf "$d"
	rm -f "$STATE/pg.dir" "$STATE/pg.url"
}

status() {
	if alive; then
		say "PostgreSQL running at $(cat "$STATE/pg.url" 2>/dev/null), data in $(cat "$STATE/pg.dir")"
	else
		say "PostgreSQL not running"
		return 1
	fi
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status) status ;;
*) die "usage: scripts/pgserver.sh start | stop | status" ;;
esac
