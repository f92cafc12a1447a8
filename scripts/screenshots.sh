#!/usr/bin/env bash
# Takes one screenshot per screen of the real app under Xvfb, into docs/screenshots/: a workspace holding
# the "crm" integration of testdata/crm.json against the test OData server, downloaded once headless so that
# Runs and Local data have something to show. xdotool drives the window with the app's keyboard shortcuts
# and a few clicks at fixed places of the 1280×800 window.
# BIN names the binary (default bin/switchyard); SCREENSHOT_WAIT the seconds the app gets to start.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${BIN:-bin/switchyard}
out=docs/screenshots
mkdir -p "$out"
work=$(mktemp -d)
pids=()
# Stop at the end only the test servers this script started: others may be using the ones that ran before.
started=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done # let the app finish writing before its folder goes
  if [ ${#started[@]} -gt 0 ]; then scripts/testservers.sh stop "${started[@]}" >/dev/null 2>&1 || true; fi
  rm -rf "$work" 2>/dev/null || { sleep 1; rm -rf "$work"; }
}
trap cleanup EXIT

for tool in Xvfb xdotool import; do
  command -v "$tool" >/dev/null || { echo "screenshots: $tool is missing: run scripts/deps.sh" >&2; exit 1; }
done

for id in cap rest feathers; do
  scripts/testservers.sh status "$id" >/dev/null 2>&1 || started+=("$id")
done
scripts/testservers.sh start >/dev/null
url=$(cat .testservers/odata.url)
sed "s#@ODATA_URL@#$url#" testdata/crm.json > "$work/crm.json"
ws="$work/workspace.db"
"$bin" --workspace "$ws" integration import "$work/crm.json" >/dev/null
"$bin" --workspace "$ws" import crm >/dev/null

display=:$((90 + RANDOM % 9))
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
sleep 1
export DISPLAY=$display XDG_RUNTIME_DIR="$work/run" XDG_CONFIG_HOME="$work/config"
mkdir -m 0700 -p "$XDG_RUNTIME_DIR"
session=()
command -v dbus-run-session >/dev/null && session=(dbus-run-session --)
"${session[@]}" "$bin" --workspace "$ws" >"$work/app.log" 2>&1 &
pids+=($!)
sleep "${SCREENSHOT_WAIT:-6}"

# shot NAME: the whole screen (the window fills it) into $out/NAME.png.
shot() { import -window root "$out/$1.png"; echo "wrote $out/$1.png"; }
# click X Y: a left click at X,Y of the window.
click() { xdotool mousemove "$1" "$2" click 1; sleep "${3:-0.6}"; }
# key COMBO: a key press, e.g. ctrl+3.
key() { xdotool key "$1"; sleep "${2:-0.8}"; }

# The places clicked, in the 1280×800 window.
first_row_y=155     # the first row of a screen's list, below the heading, toolbar and header
list_x=420          # inside the lists of the content area

click "$list_x" "$first_row_y"                 # select crm
shot integrations
key ctrl+e 1
shot integration-editor
key ctrl+1
click "$list_x" "$first_row_y"
key ctrl+o 2
click 270 237                                   # the first external entity: Accounts
shot map-metadata
click "${FILTER_X:-745}" "${FILTER_Y:-277}" 1.5 # Download filter…
xdotool type --delay 40 "revenue gt 1000000 and contains(name,'a')"
sleep 2
shot filter-editor
click "${CANCEL_X:-595}" "${CANCEL_Y:-663}"     # the dialog's Cancel
key ctrl+1
click "$list_x" "$first_row_y"
key ctrl+d 1
click "${PREVIEW_X:-640}" "${PREVIEW_Y:-70}" 4 # Preview
shot download-preview
key ctrl+2
click 300 "${LOCAL_ROW_Y:-128}" 2               # the first local entity
shot local-data
key ctrl+3
shot runs
click "$list_x" "$first_row_y" 1.5             # the first run: its details
click 330 "${RUN_ENTITY_Y:-300}" 1              # its first entity: the queries
shot run-details
key ctrl+4
click "$list_x" "$first_row_y"
shot schedules
key ctrl+l 1
key ctrl+1
click "$list_x" "$first_row_y"
shot integrations-light
