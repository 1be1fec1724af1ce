# evmcsd — build, run, test and install.
#
#   make run      build, then start evmcsd in the foreground on the default socket
#                 (/run/evmcsd/evmcsd.sock as root, $XDG_RUNTIME_DIR/evmcsd/evmcsd.sock otherwise)
#   make test     install missing Debian packages, then build (debug and release) and run every test
#   make install  install binaries, systemd units, sysusers entry, configuration and shell completions
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
CONFIGURATION ?= release
RUN_ARGS      ?=
KERNELS       ?=
CI_BENCH_OUT   = .build-intel-bench/ci
BINDIR         = $(DESTDIR)$(PREFIX)/bin
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
DEB_PACKAGES = libsystemd-dev systemd util-linux socat pkg-config libxml2 qemu-system-x86 libvirt-clients libvirt-daemon
# The Intel bench (Tools/intel-bench/README.md): the emulator, its text display, the initramfs and
# boot image tools, and what the bench script itself uses.
BENCH_DEB_PACKAGES = bochs bochs-term busybox-static isolinux syslinux-common genisoimage tmux xz-utils cpio kmod

.PHONY: deps bench-deps build run test install fuzz soak fuzz-parsers intel-bench intel-bench-ci clean

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
	$(SWIFT) build -c $(CONFIGURATION)

run: build
	.build/$(CONFIGURATION)/evmcsd $(RUN_ARGS)

test: deps
	$(SWIFT) build -c release
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

fuzz soak: build
	Tools/stress.sh $@

fuzz-parsers: deps
	Tools/fuzz-parsers.sh

intel-bench: build bench-deps
	Tools/intel-bench/bench.sh $(KERNELS)

# CI: one kernel, one CPU, then the fresh run is held against Tests/Fixtures/measured by the tests.
intel-bench-ci: bench-deps
	$(SWIFT) build -c release
	@rm -rf $(CI_BENCH_OUT); status=0; \
	CPUS=skylakex OUT=$(CI_BENCH_OUT) Tools/intel-bench/bench.sh 6.1 || status=$$?; \
	if [ $$status = 77 ]; then echo "intel-bench-ci: SKIPPED (see the reason above); no fresh Intel measurement this run"; exit 0; fi; \
	if [ $$status != 0 ]; then echo "intel-bench-ci: FAILED: the bench did not measure Debian 12's 6.1 (see above)"; exit 1; fi; \
	$(SWIFT) build --build-tests && \
	EVMCSD_BENCH_RESULTS=$(CURDIR)/$(CI_BENCH_OUT) $(SWIFT) test --skip-build --filter MeasuredProfileTests

install: build
	install -d $(BINDIR)
	install -m 0755 .build/$(CONFIGURATION)/evmcsd $(BINDIR)/evmcsd
	install -m 0755 .build/$(CONFIGURATION)/evmcsctl $(BINDIR)/evmcsctl
	install -m 0755 .build/$(CONFIGURATION)/evmcsd-libvirt-hook $(BINDIR)/evmcsd-libvirt-hook
	install -d $(DESTDIR)$(PREFIX)/share/evmcsd/libvirt-hook
	sed 's|/usr/local/bin/evmcsd-libvirt-hook|$(PREFIX)/bin/evmcsd-libvirt-hook|' contrib/libvirt-hook/evmcsd > $(DESTDIR)$(PREFIX)/share/evmcsd/libvirt-hook/evmcsd
	chmod 0755 $(DESTDIR)$(PREFIX)/share/evmcsd/libvirt-hook/evmcsd
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|/usr/local/bin/evmcsd|$(PREFIX)/bin/evmcsd|; s|/etc/evmcsd/|$(SYSCONFDIR)/evmcsd/|' systemd/evmcsd.service > $(DESTDIR)$(UNITDIR)/evmcsd.service
	install -m 0644 systemd/evmcsd.socket $(DESTDIR)$(UNITDIR)/evmcsd.socket
	@version=$$(systemctl --version 2>/dev/null | awk 'NR==1 {print $$2}'); \
	if [ -n "$$version" ] && [ "$$version" -lt 253 ]; then \
		echo "systemd $$version < 253: adding the Type=notify drop-in"; \
		install -d $(DESTDIR)$(UNITDIR)/evmcsd.service.d; \
		install -m 0644 systemd/compat-notify.conf $(DESTDIR)$(UNITDIR)/evmcsd.service.d/compat-notify.conf; \
	fi
	install -d $(DESTDIR)$(SYSUSERSDIR)
	install -m 0644 systemd/evmcsd.sysusers $(DESTDIR)$(SYSUSERSDIR)/evmcsd.conf
	install -d $(DESTDIR)$(SYSCONFDIR)/evmcsd
	[ -e $(DESTDIR)$(SYSCONFDIR)/evmcsd/evmcsd.toml ] || install -m 0644 config/evmcsd.toml $(DESTDIR)$(SYSCONFDIR)/evmcsd/evmcsd.toml
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	.build/$(CONFIGURATION)/evmcsctl --generate-completion-script bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/evmcsctl
	.build/$(CONFIGURATION)/evmcsctl --generate-completion-script zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_evmcsctl
	.build/$(CONFIGURATION)/evmcsctl --generate-completion-script fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/evmcsctl.fish
	@echo "installed; enable with: systemd-sysusers && systemctl daemon-reload && systemctl enable --now evmcsd.socket evmcsd.service"

clean:
	rm -rf .build .build-fuzz
