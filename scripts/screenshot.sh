#!/usr/bin/env bash
# Takes a screenshot of the real window under Xvfb: the Integrations screen of a workspace holding the
# "crm" integration of testdata/crm.json against the test OData server. Writes docs/screenshots/integrations.png.
set -euo pipefail
cd "$(dirname "$0")/.."

out=docs/screenshots
mkdir -p "$out"
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  scripts/testservers.sh stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

scripts/testservers.sh start >/dev/null
url=$(cat .testservers/odata.url)
sed "s#@ODATA_URL@#$url#" testdata/crm.json > "$work/crm.json"
ws="$work/workspace.db"
bin/switchyard --workspace "$ws" integration import "$work/crm.json"

display=:$((90 + RANDOM % 9))
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
sleep 1
export XDG_RUNTIME_DIR="$work/run" XDG_CONFIG_HOME="$work/config"
mkdir -m 0700 -p "$XDG_RUNTIME_DIR"
session=()
command -v dbus-run-session >/dev/null && session=(dbus-run-session --)
DISPLAY=$display "${session[@]}" bin/switchyard --workspace "$ws" >"$work/app.log" 2>&1 &
pids+=($!)
sleep "${SCREENSHOT_WAIT:-6}"
DISPLAY=$display import -window root "$out/integrations.png"
echo "wrote $out/integrations.png"
