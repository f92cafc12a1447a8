#!/usr/bin/env bash
# Builds, packages and signs Switchyard for Windows (amd64) on Linux.
#
#   scripts/windows.sh build     bin/switchyard.exe: cross-built with mingw-w64 (cgo: Fyne's GL driver and SQLite),
#                                with the icon, the version information and the application manifest embedded
#   scripts/windows.sh package   dist/switchyard-VERSION-windows-amd64.exe and .msi: the .exe signed, the MSI
#                                built with wixl around it, signed, and both signatures verified
#   scripts/windows.sh deps build|package|wine   install what that step needs (as scripts/deps.sh does)
#
# The Makefile's `make windows` and `make package-windows` call it. Variables:
#   VERSION                   the version shown (default: git describe), as `make build` sets it
#   SWITCHYARD_BUILDNUM       the fourth version field (default: the commit count, as `make package`)
#   SWITCHYARD_PUBLISHER      the publisher in the version information and in Add/Remove Programs (default Switchyard)
#   SWITCHYARD_WINDOWS_OUT    the folder for package's files (default dist/)
#   SWITCHYARD_SIGN_CERT      the code-signing certificate: a PEM or DER file (with SWITCHYARD_SIGN_KEY), or a
#                             .pfx/.p12 (key inside); unset, a throw-away self-signed test certificate is made
#   SWITCHYARD_SIGN_KEY       the private key (PEM or DER) of SWITCHYARD_SIGN_CERT
#   SWITCHYARD_SIGN_PASS      the password of the key or of the .pfx, if any (passed to osslsigncode in a 0600 file)
#   SWITCHYARD_SIGN_TIMESTAMP an RFC 3161 timestamp server URL (optional: without it the signature is valid only
#                             while the certificate is)
#   SWITCHYARD_SIGN_CAFILE    the CA bundle that verification trusts (default: the system bundle for a given
#                             certificate, the test certificate itself for the self-signed one)
# Keys are never written into the repository: the test key lives in a temporary folder removed on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
GO=${GO:-go}
CC_WIN=x86_64-w64-mingw32-gcc
WINDRES=x86_64-w64-mingw32-windres
EXE=bin/switchyard.exe
SYSO=cmd/switchyard/rsrc_windows_amd64.syso
UPGRADE_CODE=$(sed -n 's/.*UpgradeCode="\([0-9A-F-]*\)".*/\1/p' packaging/windows/switchyard.wxs)

say() { printf 'windows: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# install PACKAGE... installs the Debian packages that are missing: apt-get as root, else sudo, else says what to run.
install() {
	local missing=() p
	for p in "$@"; do
		[[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" == *"install ok installed"* ]] || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	local sudo=()
	if [ "$(id -u)" != 0 ]; then
		if command -v sudo >/dev/null 2>&1; then
			sudo=(sudo)
		else
			say "missing Debian packages: ${missing[*]}"
			die "install them as root with: apt-get install -y --no-install-recommends ${missing[*]}"
		fi
	fi
	say "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# Bounded, so that a mirror that hangs makes scripts/wintest.sh skip instead of stalling CI.
	timeout 300 "${sudo[@]}" apt-get update -qq
	timeout 600 "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

deps() {
	case "${1:-build}" in
	build) command -v "$CC_WIN" >/dev/null 2>&1 && command -v "$WINDRES" >/dev/null 2>&1 || install gcc-mingw-w64-x86-64 ;;
	package) install wixl msitools osslsigncode openssl ;;
	wine) install wine64 gcc-mingw-w64-x86-64 xvfb xauth imagemagick xdotool ;;
	*) die "deps: unknown step $1 (build, package or wine)" ;;
	esac
}

# versions sets MAJOR MINOR PATCH BUILD VERSION4 DISPLAY_VERSION PUBLISHER from FyneApp.toml, git and the environment.
versions() {
	local v
	v=$(sed -n 's/^Version *= *"\([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\)".*/\1/p' FyneApp.toml | head -n 1)
	[ -n "$v" ] || die "FyneApp.toml has no Version = \"MAJOR.MINOR.PATCH\""
	IFS=. read -r MAJOR MINOR PATCH <<<"$v"
	BUILD=${SWITCHYARD_BUILDNUM:-$(git rev-list --count HEAD 2>/dev/null || echo 1)}
	[[ "$BUILD" =~ ^[0-9]+$ ]] && [ "$BUILD" -le 65535 ] || die "the build number $BUILD is not an integer of 0 to 65535"
	VERSION4="$MAJOR.$MINOR.$PATCH.$BUILD"
	DISPLAY_VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
	PUBLISHER=${SWITCHYARD_PUBLISHER:-Switchyard}
}

build() {
	deps build
	versions
	BUILDTMP=$(mktemp -d)
	local tmp=$BUILDTMP
	# The .syso is only linked into windows/amd64 builds (its name says so); it is removed again after the build.
	trap 'rm -rf "$BUILDTMP"; rm -f "$ROOT/$SYSO"' EXIT
	local fill=(-e "s|@MAJOR@|$MAJOR|g" -e "s|@MINOR@|$MINOR|g" -e "s|@PATCH@|$PATCH|g" -e "s|@BUILD@|$BUILD|g"
		-e "s|@VERSION4@|$VERSION4|g" -e "s|@DISPLAY_VERSION@|$DISPLAY_VERSION|g" -e "s|@PUBLISHER@|$PUBLISHER|g"
		-e "s|@ICON@|$ROOT/packaging/windows/switchyard.ico|g" -e "s|@MANIFEST@|$tmp/switchyard.exe.manifest|g")
	sed "${fill[@]}" packaging/windows/switchyard.exe.manifest.in >"$tmp/switchyard.exe.manifest"
	sed "${fill[@]}" packaging/windows/switchyard.rc.in >"$tmp/switchyard.rc"
	"$WINDRES" -O coff -F pe-x86-64 -i "$tmp/switchyard.rc" -o "$tmp/rsrc.syso"
	mv "$tmp/rsrc.syso" "$SYSO"
	mkdir -p bin
	say "building $EXE $DISPLAY_VERSION ($VERSION4) with $CC_WIN"
	local start=$SECONDS
	GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC="$CC_WIN" CXX=x86_64-w64-mingw32-g++ \
		"$GO" build -ldflags "-s -w -X main.version=$DISPLAY_VERSION" -o "$EXE" ./cmd/switchyard
	say "built $EXE in $((SECONDS - start)) s: $(du -h "$EXE" | cut -f1)"
}

# signer sets SIGN_ARGS (osslsigncode's key arguments) and CAFILE, making a self-signed test certificate when none is given.
signer() {
	SIGNTMP=$(mktemp -d)
	trap 'rm -rf "$SIGNTMP"' EXIT # the test key (and a password file) never outlive the script
	chmod 700 "$SIGNTMP"
	SIGN_ARGS=()
	if [ -n "${SWITCHYARD_SIGN_CERT:-}" ]; then
		[ -r "$SWITCHYARD_SIGN_CERT" ] || die "SWITCHYARD_SIGN_CERT=$SWITCHYARD_SIGN_CERT cannot be read"
		case "$SWITCHYARD_SIGN_CERT" in
		*.pfx | *.p12 | *.PFX | *.P12) SIGN_ARGS=(-pkcs12 "$SWITCHYARD_SIGN_CERT") ;;
		*)
			[ -r "${SWITCHYARD_SIGN_KEY:-}" ] || die "give the certificate's private key in SWITCHYARD_SIGN_KEY (or a .pfx in SWITCHYARD_SIGN_CERT)"
			SIGN_ARGS=(-certs "$SWITCHYARD_SIGN_CERT" -key "$SWITCHYARD_SIGN_KEY")
			;;
		esac
		if [ -n "${SWITCHYARD_SIGN_PASS:-}" ]; then
			(umask 077 && printf '%s' "$SWITCHYARD_SIGN_PASS" >"$SIGNTMP/pass")
			SIGN_ARGS+=(-readpass "$SIGNTMP/pass")
		fi
		CAFILE=${SWITCHYARD_SIGN_CAFILE:-/etc/ssl/certs/ca-certificates.crt}
		CERT_NOTE="signed with $SWITCHYARD_SIGN_CERT"
	else
		say "no SWITCHYARD_SIGN_CERT: signing with a self-signed test certificate made now (Windows will not trust it)"
		openssl req -x509 -newkey rsa:3072 -sha256 -days 30 -nodes -keyout "$SIGNTMP/key.pem" -out "$SIGNTMP/cert.pem" \
			-subj "/CN=Switchyard test signing (untrusted)/O=$PUBLISHER" \
			-addext "basicConstraints=critical,CA:FALSE" -addext "keyUsage=critical,digitalSignature" \
			-addext "extendedKeyUsage=codeSigning" 2>/dev/null
		SIGN_ARGS=(-certs "$SIGNTMP/cert.pem" -key "$SIGNTMP/key.pem")
		cp "$SIGNTMP/cert.pem" "$OUT/switchyard-test-signing.crt"
		CAFILE=${SWITCHYARD_SIGN_CAFILE:-$OUT/switchyard-test-signing.crt}
		CERT_NOTE="signed with a self-signed TEST certificate ($OUT/switchyard-test-signing.crt): not trusted by Windows"
	fi
	if [ -n "${SWITCHYARD_SIGN_TIMESTAMP:-}" ]; then
		SIGN_ARGS+=(-ts "$SWITCHYARD_SIGN_TIMESTAMP")
	fi
}

# sign IN OUT signs a PE file or an MSI with SHA-256 and checks the signature.
sign() {
	rm -f "$2"
	osslsigncode sign "${SIGN_ARGS[@]}" -h sha256 -n "Switchyard" -in "$1" -out "$2" >/dev/null
	verify "$2"
}

# verify FILE checks FILE's Authenticode signature against CAFILE.
verify() {
	local out
	if ! out=$(osslsigncode verify -in "$1" -CAfile "$CAFILE" 2>&1); then
		printf '%s\n' "$out" >&2
		die "the signature of $1 does not verify"
	fi
	grep -q "Signature verification: ok" <<<"$out" || { printf '%s\n' "$out" >&2; die "the signature of $1 does not verify"; }
	say "signature of $(basename "$1") verified (osslsigncode verify: ok)"
}

package() {
	deps package
	versions
	OUT=${SWITCHYARD_WINDOWS_OUT:-dist}
	mkdir -p "$OUT"
	OUT=$(cd "$OUT" && pwd)
	[ -f "$EXE" ] || die "$EXE is missing: run make windows first"
	signer
	local base="$OUT/switchyard-$DISPLAY_VERSION-windows-amd64"
	local start=$SECONDS
	sign "$EXE" "$base.exe"

	# wixl 0.101 knows no <Environment>: the PATH entry is an Environment table row added afterwards, as WiX
	# would write it for <Environment Name="PATH" Value="[INSTALLDIR]" Part="last" Action="set" System="yes"/>:
	# "=-*PATH" = set on install, remove on uninstall, system variable; "[~];" = appended to the present value.
	# A rebuild of the same MAJOR.MINOR.PATCH replaces the installed one too (as WiX's AllowSameVersionUpgrades):
	# MSI compares only the first three version fields (fix_tables).
	local stage="$SIGNTMP/msi" msi="$SIGNTMP/switchyard.msi"
	mkdir -p "$stage" # wixl takes the files' paths relative to the .wxs
	cp packaging/windows/switchyard.wxs packaging/windows/switchyard.ico "$stage/"
	cp "$base.exe" "$stage/switchyard.exe"
	wixl -a x64 -D Version="$VERSION4" -D DisplayVersion="$DISPLAY_VERSION" -D Publisher="$PUBLISHER" \
		-D ExePath=switchyard.exe -D IconPath=switchyard.ico -o "$msi" "$stage/switchyard.wxs"
	msibuild "$msi" -q "CREATE TABLE \`Environment\` (\`Environment\` CHAR(72) NOT NULL, \`Name\` CHAR(255) NOT NULL LOCALIZABLE, \`Value\` CHAR(255) LOCALIZABLE, \`Component_\` CHAR(72) NOT NULL PRIMARY KEY \`Environment\`)"
	msibuild "$msi" -q "INSERT INTO \`Environment\` (\`Environment\`, \`Name\`, \`Value\`, \`Component_\`) VALUES ('SwitchyardPath', '=-*PATH', '[~];[INSTALLDIR]', 'MainExecutable')"
	fix_tables "$msi"
	sign "$msi" "$base.msi"
	say "packaged in $((SECONDS - start)) s, $CERT_NOTE:"
	ls -l "$base.exe" "$base.msi" >&2
}

# fix_tables adds the environment actions to the install sequence if wixl left them out, makes the upgrade row
# that finds older versions inclusive of the same MAJOR.MINOR.PATCH (msidbUpgradeAttributesVersionMaxInclusive,
# 512, with MigrateFeatures, 1), and points the Start-menu shortcut at the file itself (wixl writes an
# advertised shortcut, Target = the feature, whatever Advertise says).
fix_tables() {
	local dir
	dir=$(mktemp -d)
	msiinfo export "$1" InstallExecuteSequence >"$dir/seq.idt"
	grep -q '^WriteEnvironmentStrings' "$dir/seq.idt" ||
		msibuild "$1" -q "INSERT INTO \`InstallExecuteSequence\` (\`Action\`, \`Condition\`, \`Sequence\`) VALUES ('WriteEnvironmentStrings', '', 5200)"
	grep -q '^RemoveEnvironmentStrings' "$dir/seq.idt" ||
		msibuild "$1" -q "INSERT INTO \`InstallExecuteSequence\` (\`Action\`, \`Condition\`, \`Sequence\`) VALUES ('RemoveEnvironmentStrings', '', 3300)"
	# Attributes is part of the Upgrade table's key: the row is replaced, not updated.
	msibuild "$1" -q "DELETE FROM \`Upgrade\` WHERE \`ActionProperty\` = 'WIX_UPGRADE_DETECTED'"
	msibuild "$1" -q "INSERT INTO \`Upgrade\` (\`UpgradeCode\`, \`VersionMax\`, \`Attributes\`, \`ActionProperty\`) VALUES ('{$UPGRADE_CODE}', '$VERSION4', 513, 'WIX_UPGRADE_DETECTED')"
	msibuild "$1" -q "UPDATE \`Shortcut\` SET \`Target\` = '[#SwitchyardExe]' WHERE \`Shortcut\` = 'StartMenuShortcut'"
	# (Read whole, then searched: grep -q on a pipe would end msiinfo early, which pipefail counts as a failure.)
	msiinfo export "$1" Upgrade >"$dir/upgrade.idt"
	msiinfo export "$1" Shortcut >"$dir/shortcut.idt"
	grep -q "	513	" "$dir/upgrade.idt" || die "the Upgrade table of $1 was not updated"
	grep -qF "[#SwitchyardExe]" "$dir/shortcut.idt" || die "the Shortcut table of $1 was not updated"
	rm -rf "$dir"
}

case "${1:-}" in
deps) deps "${2:-build}" ;;
build) build ;;
package) package ;;
*) die "usage: scripts/windows.sh build | package | deps build|package|wine" ;;
esac
