#!/usr/bin/env bash
# The old name of scripts/screenshots.sh: one PNG per screen into docs/screenshots/.
exec "$(dirname "$0")/screenshots.sh" "$@"
