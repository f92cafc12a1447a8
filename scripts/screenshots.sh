#!/usr/bin/env bash
# Takes screenshots of the real app under Xvfb into docs/screenshots/, at 1280×800 and 1024×700, in the dark
# and the light theme: a workspace holding the "crm" integration of testdata/crm.json against the test OData
# server, downloaded once headless so that Runs and Local data have something to show. The app is driven with
# its keyboard shortcuts (lists select their first row; Enter opens it) and a few clicks at places measured
# for each window size.
#   NAME.png              1280×800, dark        NAME-light.png        1280×800, light
#   NAME-1024.png         1024×700, dark        NAME-1024-light.png   1024×700, light
# BIN names the binary (default bin/switchyard); SCREENSHOT_WAIT the seconds the app gets to start;
# SIZES and THEMES narrow the passes (e.g. SIZES=1024x700 THEMES=dark).
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${BIN:-bin/switchyard}
out=docs/screenshots
mkdir -p "$out"
work=$(mktemp -d)
pids=()
# Stop at the end only the test servers this script started: others may be using the ones that ran before.
started=()
stop_pids() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done # let the app finish writing before its folder goes
  pids=()
}
cleanup() {
  stop_pids
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

# shot NAME: the whole screen (the window fills it) into $out/NAME$suffix.png.
shot() { import -window root -strip "$out/$1$suffix.png"; echo "wrote $out/$1$suffix.png"; }
# click X Y [WAIT]: a left click at X,Y of the window.
click() { xdotool mousemove "$1" "$2" click 1; sleep "${3:-0.6}"; }
# dclick X Y [WAIT]: a double click.
dclick() { xdotool mousemove "$1" "$2" click --repeat 2 --delay 80 1; sleep "${3:-1}"; }
# key COMBO [WAIT]: a key press, e.g. ctrl+3.
key() { xdotool key "$1"; sleep "${2:-0.8}"; }

# pass W H THEME: one run of the app at W×H in THEME (dark or light), a fresh workspace each time.
pass() {
  local w=$1 h=$2 theme=$3
  suffix=""
  [ "$w" = 1024 ] && suffix="-1024"
  [ "$theme" = light ] && suffix="$suffix-light"
  local ws="$work/$w-$theme.db"
  "$bin" --workspace "$ws" integration import "$work/crm.json" >/dev/null
  "$bin" --workspace "$ws" import crm >/dev/null

  local display=:$((90 + RANDOM % 9))
  Xvfb "$display" -screen 0 "${w}x${h}x24" -nolisten tcp >/dev/null 2>&1 &
  pids+=($!)
  sleep 1
  export DISPLAY=$display XDG_RUNTIME_DIR="$work/run" XDG_CONFIG_HOME="$work/config-$w-$theme"
  mkdir -m 0700 -p "$XDG_RUNTIME_DIR"
  # The window's size and theme, as the app keeps them between sessions.
  mkdir -p "$XDG_CONFIG_HOME/fyne/io.switchyard.app"
  local name="Dark theme"
  [ "$theme" = light ] && name="Light theme"
  printf '{"theme":"%s","window.width":%d,"window.height":%d}\n' "$name" "$w" "$h" \
    > "$XDG_CONFIG_HOME/fyne/io.switchyard.app/preferences.json"
  local session=()
  command -v dbus-run-session >/dev/null && session=(dbus-run-session --)
  "${session[@]}" "$bin" --workspace "$ws" >"$work/app-$w-$theme.log" 2>&1 &
  pids+=($!)
  sleep "${SCREENSHOT_WAIT:-6}"

  # Places clicked, measured for each size: the sidebar takes 14% of the width.
  local filter_x=852 preview_x=655 import_x=750 cell_x=560
  if [ "$w" = 1024 ]; then filter_x=745 preview_x=619 import_x=714 cell_x=470; fi
  local apply_x=$((w / 2 + 45)) apply_y=$((h / 2 + 275))

  shot integrations                              # the first integration is selected
  key ctrl+e 1
  shot integration-editor                        # its settings and schedules
  key ctrl+1
  key ctrl+o 2.5                                 # Map metadata, on the first mapped entity
  shot map-metadata
  click "$filter_x" 382 1.5                      # Download filter…
  xdotool type --delay 40 "revenue gt 1000000 and contains(name,'a')"
  sleep 2
  shot filter-editor
  click "$apply_x" "$apply_y" 1                  # Apply: the mapping has unsaved changes
  key ctrl+2 1                                   # leaving asks
  shot unsaved-prompt
  key Escape
  key ctrl+s 1.5                                 # saved: the check warns about the parent filter
  shot map-metadata-warnings
  key ctrl+d 1
  click "$preview_x" 98 4                        # Preview
  shot download-preview
  click "$import_x" 98 5                         # Import: every record with its name
  shot download-results
  key ctrl+2 1.5                                 # Local data: the first entity's rows
  shot local-data
  dclick "$cell_x" 290 1.5                       # a row: the record view
  shot record-view
  key Escape
  key ctrl+3
  shot runs
  key Return 1.5                                 # the latest run: its details, report and failures
  shot run-details
  key ctrl+4 1
  shot schedules
  key Return 1                                   # the schedule editor
  shot schedule-editor
  key Escape
  stop_pids
}

for size in ${SIZES:-1280x800 1024x700}; do
  for theme in ${THEMES:-dark light}; do
    pass "${size%x*}" "${size#*x}" "$theme"
  done
done
