#!/usr/bin/env bash
# The Windows build of Switchyard, tested under Wine: the last step of scripts/test.sh (make test), and
# make test-windows alone.
#
#   1. installs what is missing (apt-get as root, else sudo): wine64, mingw-w64, Xvfb, ImageMagick, xdotool,
#      and for the MSI wixl, msitools and osslsigncode
#   2. builds bin/switchyard.exe (make windows) and two signed MSIs of it, the second one version higher (for the
#      upgrade test), into a temporary folder
#   3. prepares a Wine prefix (SWITCHYARD_WINEPREFIX, default .cache/wine) with the bcryptprimitives.dll shim that
#      Go 1.22+ programs need under Wine 8 (packaging/windows/bcryptprimitives.c, built with mingw-w64)
#   4. runs go test ./internal/wintest: headless commands end to end against a CAP server of its own, the exit
#      codes, secrets, the lock, schtasks through cmd.exe, "Open report", the MSI, a GUI screenshot
#
# When Wine cannot be installed or does not start, the step is SKIPPED (exit 0) and says why; a failing build or
# test fails it. SWITCHYARD_WINDOWS_TESTS=0 skips it on purpose. SWITCHYARD_WINDOWS_SCREENSHOT=FILE keeps the
# GUI screenshot. Costs: the first (cold) mingw build of Fyne's GL driver and SQLite takes about 6.5 minutes on
# 2 cores, later ones seconds (GOCACHE); a new Wine prefix about 10 s and 700 MB.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf 'wintest: %s\n' "$*" >&2; }
skip() {
	say "SKIPPED: $*"
	say "SKIPPED: the Windows build was not tested under Wine on this machine"
	exit 0
}
fail() {
	say "FAILED: $*"
	exit 1
}

[ "${SWITCHYARD_WINDOWS_TESTS:-1}" = 0 ] && skip "SWITCHYARD_WINDOWS_TESTS=0"
[ "$(uname -s)" = Linux ] || skip "the Wine tests run on Linux (this is $(uname -s))"
[ "$(uname -m)" = x86_64 ] || skip "the Wine tests need an x86-64 machine (this is $(uname -m))"
start=$SECONDS
phase=$SECONDS
lap() {
	say "$1 in $((SECONDS - phase)) s"
	phase=$SECONDS
}

# 1. Tools.
scripts/windows.sh deps wine ||
	skip "Wine and mingw-w64 could not be installed; to run this step: apt-get install -y --no-install-recommends wine64 gcc-mingw-w64-x86-64 xvfb xauth imagemagick xdotool"
WINE=$(command -v wine64 || command -v wine || { [ -x /usr/lib/wine/wine64 ] && echo /usr/lib/wine/wine64; } || true)
WINESERVER=$(command -v wineserver || { [ -x /usr/lib/wine/wineserver ] && echo /usr/lib/wine/wineserver; } || true)
[ -n "$WINE" ] || skip "wine64 is installed but no wine loader was found (looked for wine64, wine, /usr/lib/wine/wine64)"
msi=yes
scripts/windows.sh deps package || {
	msi=
	say "wixl, msitools or osslsigncode could not be installed: the MSI is not tested"
}
lap "tools ready ($("$WINE" --version 2>/dev/null || echo wine))"

# 2. The .exe and the MSIs.
make --no-print-directory windows || fail "make windows failed"
lap "make windows"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
export VERSION="${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}"
if [ -n "$msi" ]; then
	# What make package-windows does (without building the .exe again), twice: the second MSI one build higher.
	build=$(git rev-list --count HEAD 2>/dev/null || echo 1)
	SWITCHYARD_WINDOWS_OUT="$OUT/a" SWITCHYARD_BUILDNUM=$build scripts/windows.sh package || fail "packaging the MSI failed"
	SWITCHYARD_WINDOWS_OUT="$OUT/b" SWITCHYARD_BUILDNUM=$((build + 1)) scripts/windows.sh package ||
		fail "the second MSI (for the upgrade test) failed"
	export SWITCHYARD_WINDOWS_MSI SWITCHYARD_WINDOWS_MSI_NEXT SWITCHYARD_WINDOWS_MSI_VERSION SWITCHYARD_WINDOWS_MSI_NEXT_VERSION SWITCHYARD_WINDOWS_CERT
	SWITCHYARD_WINDOWS_MSI=$(ls "$OUT"/a/*.msi)
	SWITCHYARD_WINDOWS_MSI_NEXT=$(ls "$OUT"/b/*.msi)
	SWITCHYARD_WINDOWS_MSI_VERSION=$(msiinfo export "$SWITCHYARD_WINDOWS_MSI" Property | sed -n 's/^ProductVersion\t\(.*\)\r\{0,1\}$/\1/p')
	SWITCHYARD_WINDOWS_MSI_NEXT_VERSION=$(msiinfo export "$SWITCHYARD_WINDOWS_MSI_NEXT" Property | sed -n 's/^ProductVersion\t\(.*\)\r\{0,1\}$/\1/p')
	[ -f "$OUT/a/switchyard-test-signing.crt" ] && SWITCHYARD_WINDOWS_CERT="$OUT/a/switchyard-test-signing.crt"
	lap "two signed MSIs ($SWITCHYARD_WINDOWS_MSI_VERSION, $SWITCHYARD_WINDOWS_MSI_NEXT_VERSION)"
fi

# 3. The Wine prefix and the shim.
export WINEPREFIX="${SWITCHYARD_WINEPREFIX:-$ROOT/.cache/wine}"
export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
if [ ! -f "$WINEPREFIX/system.reg" ]; then
	mkdir -p "$(dirname "$WINEPREFIX")"
	say "creating the Wine prefix $WINEPREFIX"
	env -u DISPLAY -u WAYLAND_DISPLAY timeout 300 "$WINE" wineboot --init >/dev/null 2>&1 ||
		skip "Wine is installed but could not create a prefix in $WINEPREFIX (wineboot --init failed)"
	[ -n "$WINESERVER" ] && "$WINESERVER" -w
fi
shim="$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
if [ ! -f "$shim" ] || [ packaging/windows/bcryptprimitives.c -nt "$shim" ]; then
	x86_64-w64-mingw32-gcc -shared -O2 -s -o "$shim" packaging/windows/bcryptprimitives.c -ladvapi32 ||
		fail "building the bcryptprimitives.dll shim failed"
fi
env -u DISPLAY "$WINE" bin/switchyard.exe --version >/dev/null 2>&1 ||
	say "warning: bin/switchyard.exe --version does not run under Wine; the tests will say more"
lap "Wine prefix ready"

# 4. The tests, with a CAP server of their own (testdata/cap's packages installed as scripts/testservers.sh does).
if [ ! -f testdata/cap/node_modules/.package-lock.json ] || [ testdata/cap/package-lock.json -nt testdata/cap/node_modules/.package-lock.json ]; then
	(cd testdata/cap && npm ci --ignore-scripts --no-audit --no-fund >&2) || fail "npm ci in testdata/cap failed"
fi
export SWITCHYARD_WINE="$WINE" SWITCHYARD_WINDOWS_EXE="$ROOT/bin/switchyard.exe"
export SWITCHYARD_WINDOWS_VERSION="$VERSION"
go test -count=1 -v -timeout 30m ./internal/wintest 2>&1 | grep -v '^=== \(RUN\|PAUSE\|CONT\)'
rc=${PIPESTATUS[0]}
lap "go test ./internal/wintest"
[ -n "$WINESERVER" ] && "$WINESERVER" -k 2>/dev/null
say "the Windows step took $((SECONDS - start)) s"
[ "$rc" = 0 ] || fail "go test ./internal/wintest"
