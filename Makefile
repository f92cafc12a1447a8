# Switchyard — `make run` opens the app, `make test` runs every test.
# Both install what is missing first (scripts/deps.sh).

SHELL   := /bin/bash
GO      ?= go
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
BIN     := bin/switchyard

.PHONY: all run build test vet package deps screenshot clean

all: build

## deps: install the Debian packages and npm modules the build and the tests need
deps:
	@scripts/deps.sh

## build: compile bin/switchyard
build: deps
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/switchyard

## run: build and open the GUI on the default workspace ($$XDG_DATA_HOME/switchyard/workspace.db)
run: build
	./$(BIN) $(ARGS)

## vet: go vet every package
vet: deps
	$(GO) vet ./...

## test: start the test servers, go vet and go test everything, stop the servers
test: deps
	@scripts/test.sh

## package: a Linux tar.xz with the binary, the icon and the desktop entry from FyneApp.toml, into dist/
package: build
	mkdir -p dist
	$(GO) tool fyne package -os linux --exe $(BIN) --name Switchyard --icon assets/icon.png
	mv -f Switchyard.tar.xz dist/switchyard-$(VERSION)-linux-amd64.tar.xz
	@ls -l dist/

## screenshot: the real window under Xvfb, with the test OData server, into docs/screenshots/
screenshot: build
	@scripts/screenshot.sh

clean:
	rm -rf bin dist .testservers
