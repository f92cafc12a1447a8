# Switchyard — `make run` opens the app, `make test` runs every test.
# Both install what is missing first (scripts/deps.sh).

SHELL   := /bin/bash
GO      ?= go
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
BIN     := bin/switchyard

.PHONY: all run build binary test vet package deps screenshot bench clean fuzz docs image pgserver-start pgserver-stop

all: build

## deps: install the Debian packages and npm modules the build and the tests need
deps:
	@scripts/deps.sh

## build: compile bin/switchyard
build: deps
	@$(MAKE) --no-print-directory binary

## binary: compile bin/switchyard without checking the Debian packages first (deploy/Containerfile's build)
binary:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/switchyard

## run: build and open the GUI on the default workspace ($$XDG_DATA_HOME/switchyard/workspace.db)
run: build
	./$(BIN) $(ARGS)

## vet: go vet every package
vet: deps
	$(GO) vet ./...

## docs: regenerate docs/cli.md and the connector settings tables of docs/integration-file.md from the code
## (cmd/switchyard's TestGeneratedDocs fails while they differ)
docs:
	$(GO) generate ./cmd/switchyard

## test: start the test servers, go vet and go test everything, stop the servers
test: deps
	@scripts/test.sh

## fuzz: run each fuzz target for FUZZTIME (default 60s); a crasher is kept under the package's testdata/fuzz/
FUZZTIME ?= 60s
FUZZ_TARGETS := FuzzParseMetadata:./connectors/odata FuzzDecodePage:./connectors/odata FuzzTypedScan:./connectors/odata FuzzDecodeIntegration:./core/mapping FuzzParse:./core/filter
fuzz: deps
	@failed=""; for t in $(FUZZ_TARGETS); do \
		echo "== $${t%%:*} in $${t#*:} for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$${t%%:*}$$" -fuzztime $(FUZZTIME) "$${t#*:}" || failed="$$failed $${t%%:*}"; \
	done; if [ -n "$$failed" ]; then echo "fuzz: crashers found by$$failed (kept under testdata/fuzz/)"; exit 1; fi

## package: a Linux tar.xz with the binary, the icon and the desktop entry from FyneApp.toml, into dist/
## The build number is the commit count, so that it increases with every commit and the checkout stays as it
## was: fyne package would otherwise write an increased Build back into the tracked FyneApp.toml.
BUILDNUM := $(shell git rev-list --count HEAD 2>/dev/null || echo 1)
package: build
	mkdir -p dist
	cp FyneApp.toml .FyneApp.toml.keep
	$(GO) tool fyne package -os linux --exe $(BIN) --name Switchyard --icon assets/icon.png --app-build $(BUILDNUM); \
		status=$$?; mv -f .FyneApp.toml.keep FyneApp.toml; exit $$status
	mv -f Switchyard.tar.xz dist/switchyard-$(VERSION)-linux-amd64.tar.xz
	@ls -l dist/

## windows: cross-build bin/switchyard.exe for Windows amd64 with mingw-w64 (installed when missing), with the
## icon, the version information and the application manifest embedded (scripts/windows.sh build)
.PHONY: windows package-windows test-windows
windows:
	@VERSION=$(VERSION) SWITCHYARD_BUILDNUM=$(BUILDNUM) scripts/windows.sh build

## package-windows: the signed .exe and a signed MSI (wixl, osslsigncode) in dist/; a real certificate comes from
## SWITCHYARD_SIGN_CERT, SWITCHYARD_SIGN_KEY and SWITCHYARD_SIGN_PASS, else a self-signed test one is made
package-windows: windows
	@VERSION=$(VERSION) SWITCHYARD_BUILDNUM=$(BUILDNUM) scripts/windows.sh package

## test-windows: the Windows build under Wine (make test's last step, alone): headless end to end, MSI, GUI screenshot
test-windows:
	@scripts/wintest.sh

## screenshots: one PNG per screen of the real app under Xvfb, with the test OData server, into docs/screenshots/
screenshots: build
	@scripts/screenshots.sh

## screenshot: the same as screenshots (kept for habit)
screenshot: screenshots

## bench: the benchmark programs against the machine's limits, one table (docs/performance.md); RECORDS=1000000 by default.
## Part 8 uses SWITCHYARD_PG_URL, else a PostgreSQL started for it (scripts/pgserver.sh) and stopped afterwards.
bench: deps
	@test -d testdata/cap/node_modules || (cd testdata/cap && npm ci --ignore-scripts --no-audit --no-fund)
	@started=; if [ -z "$$SWITCHYARD_PG_URL" ] && exports=$$(scripts/pgserver.sh start); then eval "$$exports"; started=1; fi; \
		status=0; $(GO) run ./cmd/switchyard-bench -records $(or $(RECORDS),1000000) -fixtures ../shared/fixtures || status=$$?; \
		if [ -n "$$started" ]; then scripts/pgserver.sh stop >/dev/null 2>&1; fi; exit $$status

## image: the headless runner's container image (deploy/Containerfile, docs/deploy.md) with podman or docker, as
## switchyard:$(VERSION); IMAGE=NAME:TAG names it otherwise
image:
	@engine=$$(command -v podman || command -v docker) || { echo "image: neither podman nor docker is installed" >&2; exit 1; }; \
		$$engine build -f deploy/Containerfile --build-arg VERSION=$(VERSION) -t $(or $(IMAGE),switchyard:$(VERSION)) .

## pgserver-start, pgserver-stop: a PostgreSQL for the tests outside make test (prints the SWITCHYARD_PG_URL to export)
pgserver-start:
	@scripts/pgserver.sh start
pgserver-stop:
	@scripts/pgserver.sh stop

clean:
	rm -rf bin dist .testservers
