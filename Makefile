# evmcsd — build, run, test and install.
#
#   make run      build, then start evmcsd in the foreground on the default socket
#                 (/run/evmcsd/evmcsd.sock as root, $XDG_RUNTIME_DIR/evmcsd/evmcsd.sock otherwise)
#   make test     install missing Debian packages, then build (debug and release) and run every test
#   make test-clients  the Python and Go client libraries (clients/): mypy --strict, pytest, go vet,
#                 gofmt, go test, against .build/debug/evmcsd (or EVMCSD_BIN, then no Swift build)
#   make install  install binaries, systemd units, sysusers and tmpfiles entries, configuration,
#                 shell completions and man pages
#   make deb      build evmcsd_<version>_amd64.deb (debhelper; Docs/operations.md)
#   make test-package  install, run and purge that .deb in a freshly bootstrapped Debian 12
#   make fuzz     1,000,000 fuzzed frames against a fresh release daemon (Docs/reliability.md)
#   make soak     1,000 clients x 100 requests, 100,000 connection churn, 60 s of slow clients
#   make fuzz-parsers  libFuzzer on the JSON parser and the document loader, 60 s each
#   make intel-bench   Debian's kernels on a Bochs-emulated Intel CPU, measured by the release
#                      binaries (KERNELS="5.10 6.1 6.12", CPUS="skylakex haswell"; RECORD=1 updates
#                      Tests/Fixtures/measured); Tools/intel-bench/README.md
#   make intel-bench-ci  the bench for Debian 12's 6.1 on Skylake-X, held against the committed run

SWIFT         ?= swift
PREFIX        ?= /usr/local
DESTDIR       ?=
SYSCONFDIR    ?= /etc
UNITDIR       ?= /etc/systemd/system
SYSUSERSDIR   ?= /usr/lib/sysusers.d
TMPFILESDIR   ?= /usr/lib/tmpfiles.d
MANDIR        ?= $(PREFIX)/share/man
BASHCOMPDIR   ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR    ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR   ?= $(PREFIX)/share/fish/vendor_completions.d
# The Type=notify drop-in for systemd < 253: auto (when this machine's systemd is older),
# yes (always: the Debian package, whose unit then works on every systemd), no.
COMPAT_NOTIFY ?= auto
CONFIGURATION ?= release
RUN_ARGS      ?=
KERNELS       ?=
CI_BENCH_OUT   = .build-intel-bench/ci
# A recorded host profile for the daemon that `make test-package` starts in the chroot.
PACKAGE_TEST_PROFILE ?= Docs/examples/skylake-6.8.json
BINDIR         = $(DESTDIR)$(PREFIX)/bin
PRODUCTS       = .build/$(CONFIGURATION)
# Release builds link the Swift runtime statically and get no RUNPATH: the binaries then need
# only glibc, libstdc++/libgcc_s and libsystemd, and look for nothing in the toolchain.
# Concrete generic types (KeyedDecodingContainer<Status.CodingKeys>, say) get their metadata from direct
# accessor calls, not from mangled names that the runtime demangles and checks against every protocol
# conformance of the binary on first use: evmcsctl status 2.6 M -> 0.8 M instructions, evmcsd spawn
# to READY=1 15 -> 12 ms (Docs/performance.md).
DIRECT_METADATA = -Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors
SELF_CONTAINED = --static-swift-stdlib --disable-local-rpath $(DIRECT_METADATA)
RELEASE_FLAGS  = $(if $(filter release,$(CONFIGURATION)),$(SELF_CONTAINED))
VERSION        = $(shell sed -n 's/.*static let current = "\(.*\)"/\1/p' Sources/VMXModel/EVMCSVersion.swift)
SUDO          := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian packages the build and the tests need:
#   libsystemd-dev  sd-daemon/sd-journal for the CSystemd module (pkg-config libsystemd)
#   systemd         systemd-socket-activate and systemd-analyze in the end-to-end tests
#   util-linux      setpriv, to run test clients as nobody
#   socat           the shell client the tests (and users) talk to the socket with
#   pkg-config      lets SwiftPM find libsystemd
#   libxml2         FoundationXML (evmcsctl reads libvirt domain XML)
#   qemu-system-x86 the QMP tests run a real qemu-system-x86_64 (TCG, and KVM where /dev/kvm exists)
#   libvirt-clients virsh, which makes the domain XML of the libvirt tests (test:///default driver)
#   libvirt-daemon  the test:///default driver virsh uses
#   debhelper dpkg-dev fakeroot lintian  make deb (and its check)
#   debootstrap binutils strace          make test-package (the clean system; readelf; what the static
#                                        evmcsctl opens)
#   man-db                               man pages rendered in make test-package's chroot
DEB_PACKAGES = libsystemd-dev systemd util-linux socat pkg-config libxml2 qemu-system-x86 libvirt-clients \
	libvirt-daemon debhelper dpkg-dev fakeroot lintian debootstrap binutils strace man-db
# The Intel bench (Tools/intel-bench/README.md): the emulator, its text display, the initramfs and
# boot image tools, and what the bench script itself uses.
# bochsbios and vgabios by name: bochs also accepts seabios for both, and where seabios is already
# installed (qemu-system-x86 pulls it in) apt picks it, which has neither ROM image the bench boots.
BENCH_DEB_PACKAGES = bochs bochs-term bochsbios vgabios busybox-static isolinux syslinux-common genisoimage tmux \
	xz-utils cpio kmod

.PHONY: deps bench-deps build man run test install install-files deb test-package fuzz soak fuzz-parsers \
	intel-bench intel-bench-ci clean

deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# Installs what the bench needs; a failure is reported and left to the bench, which then says
# exactly what is missing and skips (exit 77).
bench-deps:
	@missing=""; for p in $(BENCH_DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		($(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) \
			|| echo "intel-bench: could not install$$missing"; \
	fi

build: deps
	$(SWIFT) build -c $(CONFIGURATION) $(RELEASE_FLAGS)

# evmcsd(8) and evmcsctl(1), from the commands' own help (swift-argument-parser's generate-manual).
man: build
	Tools/man-pages.sh $(PRODUCTS) .build/man

run: build
	$(PRODUCTS)/evmcsd $(RUN_ARGS)

test: deps
	$(SWIFT) build -c release $(SELF_CONTAINED)
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# The client libraries (clients/python, clients/go; Docs/client.md). Installs what a fresh Debian 12
# lacks (python3-pytest, python3-jsonschema, golang-go from Debian; mypy with pip), builds the
# Swift debug products unless EVMCSD_BIN names a daemon (EVMCSCTL_BIN defaults to the evmcsctl next
# to it), then runs every step and names each one that failed.
CLIENTS_PYTHON ?= python3
EVMCSD_BIN     ?=

.PHONY: test-clients
test-clients:
	@missing=""; \
	$(CLIENTS_PYTHON) -c 'import pytest' 2>/dev/null || missing="$$missing python3-pytest"; \
	$(CLIENTS_PYTHON) -c 'import jsonschema' 2>/dev/null || missing="$$missing python3-jsonschema"; \
	$(CLIENTS_PYTHON) -m pip --version >/dev/null 2>&1 || missing="$$missing python3-pip"; \
	command -v go >/dev/null 2>&1 || missing="$$missing golang-go"; \
	if [ -n "$$missing" ]; then \
		echo "test-clients: installing:$$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing \
			|| { echo "test-clients: FAILED to install$$missing"; exit 1; }; \
	fi; \
	if ! $(CLIENTS_PYTHON) -m mypy --version >/dev/null 2>&1; then \
		echo "test-clients: installing mypy with pip"; \
		$(CLIENTS_PYTHON) -m pip install -q mypy 2>/dev/null || $(CLIENTS_PYTHON) -m pip install -q --break-system-packages mypy \
			|| { echo "test-clients: FAILED to install mypy (pip install mypy)"; exit 1; }; \
	fi
	@if [ -z "$(EVMCSD_BIN)" ]; then $(MAKE) deps && $(SWIFT) build; fi
	@bin="$(if $(EVMCSD_BIN),$(abspath $(EVMCSD_BIN)),$(CURDIR)/.build/debug/evmcsd)"; \
	ctl="$${EVMCSCTL_BIN:-$$(dirname "$$bin")/evmcsctl}"; \
	export EVMCSD_BIN="$$bin" EVMCSCTL_BIN="$$ctl"; \
	race=""; if [ "$$(go env CGO_ENABLED)" = 1 ] && command -v gcc >/dev/null 2>&1; then race="-race"; fi; \
	failed=""; \
	step() { name="$$1"; shift; echo "== test-clients: $$name"; if "$$@"; then echo "== test-clients: $$name: ok"; \
		else echo "== test-clients: $$name: FAILED"; failed="$$failed\n  $$name"; fi; }; \
	export SITE=$$(mktemp -d) PY="$(CLIENTS_PYTHON)"; \
	step "pip install ./clients/python" sh -c '{ $$PY -m pip install -q --no-deps --target "$$SITE" ./clients/python \
		|| $$PY -m pip install -q --no-deps --no-build-isolation --target "$$SITE" ./clients/python \
		|| $$PY -m pip install -q --no-deps --break-system-packages --target "$$SITE" ./clients/python; } \
		&& cd / && PYTHONPATH="$$SITE" $$PY -c "import evmcsd; print(evmcsd.__name__, evmcsd.__version__, evmcsd.__file__)"'; \
	rm -rf "$$SITE"; \
	step "mypy --strict (clients/python)" sh -c 'cd clients/python && MYPYPATH=src:tests:examples $(CLIENTS_PYTHON) -m mypy --strict --explicit-package-bases src examples tests'; \
	step "pytest (clients/python)" sh -c 'cd clients/python && $(CLIENTS_PYTHON) -m pytest -ra -p no:cacheprovider tests'; \
	step "go vet (clients/go)" sh -c 'cd clients/go && go vet ./...'; \
	step "gofmt -l (clients/go)" sh -c 'cd clients/go && out=$$(gofmt -l .) && [ -z "$$out" ] || { echo "not gofmt-ed: $$out"; exit 1; }'; \
	step "go test $$race (clients/go)" sh -c "cd clients/go && go test $$race -count=1 ./..."; \
	if [ -n "$$failed" ]; then printf "test-clients: FAILED:$$failed\n"; exit 1; fi; \
	echo "test-clients: every step passed"

fuzz soak: build
	Tools/stress.sh $@

fuzz-parsers: deps
	Tools/fuzz-parsers.sh

intel-bench: build bench-deps
	Tools/intel-bench/bench.sh $(KERNELS)

# CI: one kernel, one CPU, then the fresh run is held against Tests/Fixtures/measured by the tests.
intel-bench-ci: bench-deps
	$(SWIFT) build -c release $(SELF_CONTAINED)
	@rm -rf $(CI_BENCH_OUT); status=0; \
	CPUS=skylakex OUT=$(CI_BENCH_OUT) Tools/intel-bench/bench.sh 6.1 || status=$$?; \
	if [ $$status = 77 ]; then echo "intel-bench-ci: SKIPPED (see the reason above); no fresh Intel measurement this run"; exit 0; fi; \
	if [ $$status != 0 ]; then echo "intel-bench-ci: FAILED: the bench did not measure Debian 12's 6.1 (see above)"; exit 1; fi; \
	$(SWIFT) build --build-tests && \
	EVMCSD_BENCH_RESULTS=$(CURDIR)/$(CI_BENCH_OUT) $(SWIFT) test --skip-build --filter MeasuredProfileTests

install: build man
	$(MAKE) install-files
	@echo "installed; enable with: systemd-sysusers && systemd-tmpfiles --create evmcsd.conf && systemctl daemon-reload && systemctl enable --now evmcsd.socket evmcsd.service"

# What `install` copies, from binaries and man pages already built (debian/rules calls it).
install-files:
	install -d $(BINDIR)
	install -m 0755 $(PRODUCTS)/evmcsd $(BINDIR)/evmcsd
	install -m 0755 $(PRODUCTS)/evmcsctl $(BINDIR)/evmcsctl
	install -m 0755 $(PRODUCTS)/evmcsd-libvirt-hook $(BINDIR)/evmcsd-libvirt-hook
	install -d $(DESTDIR)$(PREFIX)/share/evmcsd/libvirt-hook
	sed 's|/usr/local/bin/evmcsd-libvirt-hook|$(PREFIX)/bin/evmcsd-libvirt-hook|' contrib/libvirt-hook/evmcsd > $(DESTDIR)$(PREFIX)/share/evmcsd/libvirt-hook/evmcsd
	chmod 0755 $(DESTDIR)$(PREFIX)/share/evmcsd/libvirt-hook/evmcsd
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|/usr/local/bin/evmcsd|$(PREFIX)/bin/evmcsd|; s|/etc/evmcsd/|$(SYSCONFDIR)/evmcsd/|' systemd/evmcsd.service > $(DESTDIR)$(UNITDIR)/evmcsd.service
	install -m 0644 systemd/evmcsd.socket $(DESTDIR)$(UNITDIR)/evmcsd.socket
	@version=$$(systemctl --version 2>/dev/null | awk 'NR==1 {print $$2}'); \
	if [ "$(COMPAT_NOTIFY)" = yes ] || { [ "$(COMPAT_NOTIFY)" = auto ] && [ -n "$$version" ] && [ "$$version" -lt 253 ]; }; then \
		echo "adding the Type=notify drop-in (COMPAT_NOTIFY=$(COMPAT_NOTIFY), systemd $${version:-absent})"; \
		install -d $(DESTDIR)$(UNITDIR)/evmcsd.service.d; \
		install -m 0644 systemd/compat-notify.conf $(DESTDIR)$(UNITDIR)/evmcsd.service.d/compat-notify.conf; \
	fi
	install -d $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR)
	install -m 0644 systemd/evmcsd.sysusers $(DESTDIR)$(SYSUSERSDIR)/evmcsd.conf
	install -m 0644 systemd/evmcsd.tmpfiles $(DESTDIR)$(TMPFILESDIR)/evmcsd.conf
	install -d $(DESTDIR)$(SYSCONFDIR)/evmcsd
	[ -e $(DESTDIR)$(SYSCONFDIR)/evmcsd/evmcsd.toml ] || install -m 0644 config/evmcsd.toml $(DESTDIR)$(SYSCONFDIR)/evmcsd/evmcsd.toml
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	$(PRODUCTS)/evmcsctl --generate-completion-script bash | sed '1{/^#!/d}' > $(DESTDIR)$(BASHCOMPDIR)/evmcsctl  # sourced, not run
	$(PRODUCTS)/evmcsctl --generate-completion-script zsh > $(DESTDIR)$(ZSHCOMPDIR)/_evmcsctl
	$(PRODUCTS)/evmcsctl --generate-completion-script fish > $(DESTDIR)$(FISHCOMPDIR)/evmcsctl.fish
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8
	install -m 0644 .build/man/evmcsctl.1 $(DESTDIR)$(MANDIR)/man1/evmcsctl.1
	install -m 0644 .build/man/evmcsd.8 $(DESTDIR)$(MANDIR)/man8/evmcsd.8
	install -m 0644 .build/man/evmcsd-libvirt-hook.8 $(DESTDIR)$(MANDIR)/man8/evmcsd-libvirt-hook.8

# evmcsd_<version>_amd64.deb (and its .buildinfo, .changes) in this directory, not dpkg's `..`;
# then lintian on it (errors fail the build).
deb: deps
	@changelog=$$(dpkg-parsechangelog -S Version); [ "$$changelog" = "$(VERSION)" ] || \
		{ echo "debian/changelog says $$changelog, Sources/VMXModel/EVMCSVersion.swift says $(VERSION)"; exit 1; }
	@# debhelper skips the build when its stamp exists; the binaries may be newer than the last package.
	rm -f debian/debhelper-build-stamp
	dpkg-buildpackage --build=binary --no-sign --no-pre-clean \
		--buildinfo-option=-u$(CURDIR) --buildinfo-file=evmcsd_$(VERSION)_amd64.buildinfo \
		--changes-option=-u$(CURDIR) --changes-file=evmcsd_$(VERSION)_amd64.changes
	lintian --fail-on error --info evmcsd_$(VERSION)_amd64.deb

test-package: deb
	Tools/test-package.sh evmcsd_$(VERSION)_amd64.deb $(PACKAGE_TEST_PROFILE)

clean:
	rm -rf .build .build-fuzz debian/.debhelper debian/evmcsd debian/files debian/*.substvars debian/*.debhelper.log \
		evmcsd_*.deb evmcsd_*.buildinfo evmcsd_*.changes
