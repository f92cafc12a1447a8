#!/usr/bin/env bash
# Installs what Switchyard needs to build and test on Debian/Ubuntu, when it is missing:
# the Debian packages for cgo, Fyne (X11 and Wayland), SQLite's cgo driver, Xvfb, ImageMagick and xdotool for screenshots,
# Node.js (>= 20) for the test servers, PostgreSQL (Debian 12's postgresql: 15) for scripts/pgserver.sh; a CJK font so that Chinese, Japanese and Korean text renders. Uses apt-get as root, else sudo, else says what to install.
set -euo pipefail

packages=(gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxrandr-dev libxcursor-dev
  libxinerama-dev libxi-dev libxxf86vm-dev libwayland-dev libxkbcommon-dev xvfb xauth imagemagick
  fonts-wqy-microhei xdotool postgresql)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "deps: missing Debian packages: ${missing[*]}" >&2
    echo "deps: install them as root with: apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  echo "deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v go >/dev/null 2>&1; then
  echo "deps: Go is not installed: install Go 1.26 or newer from https://go.dev/dl/ and put it on PATH" >&2
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "deps: Node.js $(node --version) is too old for the OData test server (SAP CAP 9 needs Node 20 or newer): install Node 20" >&2
  exit 1
fi
