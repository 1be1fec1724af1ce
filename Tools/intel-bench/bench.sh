#!/usr/bin/env bash
# The Intel bench: Debian's own kernels load kvm_intel nested=1 on a Bochs-emulated Intel CPU,
# and evmcsd's release binaries measure them from inside (Tools/intel-bench/README.md).
#
#   Tools/intel-bench/bench.sh [KERNEL...]     e.g. 6.1, or 5.10 6.1 6.12 (default: all)
#
# Environment:
#   CPUS           Bochs CPU aliases from cpus.conf (default: every line)
#   OUT            results directory (default .build-intel-bench/results); one folder per run
#   RECORD=1       also copy each run's results to Tests/Fixtures/measured/
#   BOOT_TIMEOUT   seconds one boot may take (default 1200); a boot that never reaches /init
#                  is retried once
#   PARALLEL       runs at once (default 1; Bochs is single-threaded)
#   BIN            directory of the release evmcsd and evmcsctl (default .build/release)
#   EVMCSD_BENCH_CACHE  where kernel packages and apt lists are kept between runs
#                  (default /var/cache/evmcsd-intel-bench)
#
# Exit status: 0 every run measured; 1 a run failed (the step and its reason are printed);
# 77 the bench cannot run on this machine (a tool or a kernel package cannot be had).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${EVMCSD_BENCH_CACHE:-/var/cache/evmcsd-intel-bench}
out=${OUT:-$repo/.build-intel-bench/results}
bin=${BIN:-$repo/.build/release}
boot_timeout=${BOOT_TIMEOUT:-1200}
parallel=${PARALLEL:-1}
record=${RECORD:-0}
kernels=("$@")
[ ${#kernels[@]} -gt 0 ] || mapfile -t kernels < <(awk '!/^#/ && NF {print $1}' "$here/kernels.conf")
read -r -a cpus <<< "${CPUS:-$(awk '!/^#/ && NF {printf "%s ", $1}' "$here/cpus.conf")}"

say() { echo "intel-bench: $*" >&2; }
cannot_run() { say "SKIPPED: $*"; exit 77; }
fail() { say "FAILED: $*"; exit 1; }

# --- step: tools ---------------------------------------------------------------------------
check_tools() {
	local missing=()
	local -A packages=(
		[bochs]=bochs [genisoimage]=genisoimage [tmux]=tmux [python3]=python3 [xz]=xz-utils
		[cpio]=cpio [modinfo]=kmod [socat]=socat [apt-get]=apt [unshare]=util-linux
	)
	for tool in "${!packages[@]}"; do
		command -v "$tool" >/dev/null || missing+=("$tool (Debian package ${packages[$tool]})")
	done
	[ -e /usr/lib/x86_64-linux-gnu/bochs/plugins/libbx_term_gui.so ] || missing+=("Bochs term display (Debian package bochs-term)")
	[ -e /usr/share/bochs/BIOS-bochs-latest ] || missing+=("the Bochs BIOS image (Debian package bochsbios)")
	[ -e /usr/share/vgabios/vgabios.bin ] || missing+=("the VGA BIOS image (Debian package vgabios)")
	[ -x /bin/busybox ] && file -L /bin/busybox | grep -q 'statically linked' \
		|| missing+=("a static busybox (Debian package busybox-static)")
	[ -e /usr/lib/ISOLINUX/isolinux.bin ] || missing+=("isolinux.bin (Debian package isolinux)")
	[ -e /usr/lib/syslinux/modules/bios/ldlinux.c32 ] || missing+=("ldlinux.c32 (Debian package syslinux-common)")
	[ ${#missing[@]} -eq 0 ] || cannot_run "step tools: missing ${missing[*]}"
	for program in evmcsd evmcsctl; do
		[ -x "$bin/$program" ] || fail "step tools: $bin/$program is not built (swift build -c release)"
	done
}

# --- step: fetch ---------------------------------------------------------------------------
# A private apt configuration on Debian's mirror: the system's sources are never touched. The
# mirror URI and keyring are the system's own Debian source; only the suites differ.
apt_private() {
	apt-get -o Dir::Etc::SourceList="$cache/apt/sources.list" -o Dir::Etc::SourceParts=/nonexistent \
		-o Dir::State::Lists="$cache/apt/lists" -o Dir::Cache="$cache/apt/cache" \
		-o Debug::NoLocking=1 "$@"
}

write_sources() {
	local uri keyring
	uri=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
	keyring=$(awk '/^Signed-By:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
	if [ -z "$uri" ]; then
		uri=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' \
			/etc/apt/sources.list 2>/dev/null || true)
	fi
	[ -n "$uri" ] || cannot_run "step fetch: no Debian mirror in the system's apt sources to reuse"
	keyring=${keyring:-/usr/share/keyrings/debian-archive-keyring.gpg}
	mkdir -p "$cache/apt/lists/partial" "$cache/apt/cache/archives/partial" "$cache/debs"
	awk '!/^#/ && NF {print $2}' "$here/kernels.conf" | sort -u | while read -r suite; do
		echo "deb [signed-by=$keyring] $uri $suite main"
	done > "$cache/apt/sources.list.new"
	mv "$cache/apt/sources.list.new" "$cache/apt/sources.list"
}

# fetch_kernel PACKAGE: the extracted package in $cache/kernels/PACKAGE (downloaded once).
fetch_kernel() {
	local package=$1 tree=$cache/kernels/$1 deb
	[ -e "$tree/.complete" ] && return 0
	deb=$(ls "$cache/debs/${package}"_*.deb 2>/dev/null | head -n 1 || true)
	if [ -z "$deb" ]; then
		write_sources
		if [ -z "$(find "$cache/apt/lists" -name '*_Packages' -mmin -1440 2>/dev/null | head -n 1)" ]; then
			apt_private update -qq >"$cache/apt/update.log" 2>&1 \
				|| cannot_run "step fetch: apt-get update on the private configuration failed: $(tail -n 3 "$cache/apt/update.log")"
		fi
		(cd "$cache/debs" && apt_private download "$package" >"$cache/apt/download.log" 2>&1) \
			|| cannot_run "step fetch: cannot download $package: $(grep -E '^E:' "$cache/apt/download.log" | head -n 2)"
		deb=$(ls "$cache/debs/${package}"_*.deb | head -n 1)
	fi
	rm -rf "$tree"
	mkdir -p "$tree"
	dpkg-deb -x "$deb" "$tree" || fail "step fetch: cannot unpack $deb"
	basename "$deb" > "$tree/.deb"
	touch "$tree/.complete"
}

# --- step: initramfs -----------------------------------------------------------------------
# copy_with_libraries ROOT PROGRAM...: each program and every shared library ldd lists, at the
# same paths under ROOT.
copy_with_libraries() {
	local root=$1 file
	shift
	# ldd says "not a dynamic executable" on stderr for the static evmcsctl; it has nothing to copy.
	for file in $(ldd "$@" 2>/dev/null | awk '/=> \// {print $3} /^\t\// {print $1}' | sort -u) "$@"; do
		[ "${file#"$root"}" = "$file" ] || continue
		mkdir -p "$root$(dirname "$file")"
		cp -L "$file" "$root$file"
		case $file in *.so*) strip --strip-unneeded "$root$file" 2>/dev/null || true ;; esac
	done
}

# build_image PACKAGE WORK NAME: WORK/image.iso with the kernel and an initramfs holding the
# bench; NAME becomes the guest's host name.
build_image() {
	local tree=$cache/kernels/$1 work=$2 root=$2/root kver modules_dir vmlinuz module file
	vmlinuz=$(ls "$tree"/boot/vmlinuz-* | head -n 1)
	kver=${vmlinuz##*/vmlinuz-}
	modules_dir=$(ls -d "$tree"/lib/modules/"$kver" "$tree"/usr/lib/modules/"$kver" 2>/dev/null | head -n 1)
	[ -n "$modules_dir" ] || fail "step initramfs: no modules directory for $kver in $1"
	mkdir -p "$root"/{bin,bench,proc,sys,dev,tmp,run,usr/local/bin}
	cp /bin/busybox "$root/bin/busybox"
	cp "$here/init.sh" "$root/init"
	cp "$repo/Tools/record-host-tree.sh" "$root/bench/record-host-tree.sh"
	chmod 0755 "$root/init"
	# kvm-intel and what it depends on, dependencies first (modinfo's depends=).
	local order=() pending=(kvm-intel)
	while [ ${#pending[@]} -gt 0 ]; do
		module=${pending[0]}
		pending=("${pending[@]:1}")
		file=$(find "$modules_dir" -name "$module.ko" -o -name "$module.ko.xz" -o -name "${module//-/_}.ko" \
			-o -name "${module//-/_}.ko.xz" | head -n 1)
		[ -n "$file" ] || fail "step initramfs: module $module not found in $1"
		case $file in
			*.xz) xz -dc "$file" > "$root/bench/$module.ko" ;;
			*) cp "$file" "$root/bench/$module.ko" ;;
		esac
		order=("$module" "${order[@]}")
		local depends
		depends=$(modinfo -F depends "$root/bench/$module.ko" | tr ',' ' ')
		for dependency in $depends; do pending+=("$dependency"); done
	done
	printf '%s\n' "${order[@]}" | awk '!seen[$0]++' > "$root/bench/modules"
	cp "$bin/evmcsd" "$bin/evmcsctl" "$root/usr/local/bin/"
	strip "$root/usr/local/bin/evmcsd" "$root/usr/local/bin/evmcsctl"
	copy_with_libraries "$root" "$root/usr/local/bin/evmcsd" "$root/usr/local/bin/evmcsctl" "$(command -v socat)"
	# The tree must run its programs before it is worth a boot. Swift programs need /proc (the
	# static evmcsctl aborts without it, "Unable to obtain Swift runtime path"; init.sh mounts it
	# first in the guest): a private mount namespace gives the check one and leaves no mount.
	unshare --mount --propagation private sh -c 'mount -t proc proc "$1/proc" && chroot "$1" /usr/local/bin/evmcsctl --help' \
		sh "$root" >/dev/null \
		|| fail "step initramfs: evmcsctl does not start in the initramfs tree (chroot $root, /proc mounted)"
	chroot "$root" "$(command -v socat)" -V >/dev/null \
		|| fail "step initramfs: socat does not start in the initramfs tree"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -6) > "$work/initrd.gz"
	mkdir -p "$work/iso/isolinux"
	cp "$vmlinuz" "$work/iso/vmlinuz"
	cp "$work/initrd.gz" "$work/iso/initrd.gz"
	cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$work/iso/isolinux/"
	cat > "$work/iso/isolinux/isolinux.cfg" <<-CFG
		DEFAULT bench
		PROMPT 0
		LABEL bench
		  KERNEL /vmlinuz
		  INITRD /initrd.gz
		  APPEND console=ttyS0,115200n8 panic=-1 quiet nokaslr mitigations=off evmcsd.bench=$3
	CFG
	genisoimage -quiet -o "$work/image.iso" -b isolinux/isolinux.bin -c isolinux/boot.cat \
		-no-emul-boot -boot-load-size 4 -boot-info-table -J -R "$work/iso" \
		|| fail "step initramfs: genisoimage failed"
	echo "$kver"
}

# --- step: boot ----------------------------------------------------------------------------
# boot WORK MODEL: runs Bochs on WORK/image.iso until the guest powers off or the time is up.
# Bochs's term display needs a terminal (a detached tmux session on a private server) and
# blocks unless its own pty is read.
boot() {
	local work=$1 model=$2 deadline pty=""
	session=evmcsd-bench-$BASHPID-$RANDOM
	cat > "$work/bochsrc" <<-RC
		cpu: model=$model, count=1, ips=100000000, ignore_bad_msrs=1
		memory: guest=2048, host=2048
		clock: sync=none
		romimage: file=/usr/share/bochs/BIOS-bochs-latest
		vgaromimage: file=/usr/share/vgabios/vgabios.bin
		ata0-master: type=cdrom, path=$work/image.iso, status=inserted
		boot: cdrom
		com1: enabled=1, mode=file, dev=$work/serial.log
		display_library: term
		panic: action=report
		error: action=report
		log: $work/bochs.log
	RC
	echo c > "$work/debugger.rc"
	rm -f "$work/serial.log" "$work/bochs.status"
	tmux -L "$session" new-session -d -s bench -x 100 -y 40 \
		"cd '$work' && { bochs -q -f bochsrc -rc debugger.rc 2> bochs.stderr & echo \$! > bochs.pid; wait \$!; echo \$? > bochs.status; }"
	deadline=$((SECONDS + boot_timeout))
	while [ $SECONDS -lt $deadline ]; do
		if [ -z "$pty" ]; then
			pty=$(grep -o 'connected to screen "[^"]*"' "$work/bochs.stderr" 2>/dev/null | cut -d'"' -f2 || true)
			[ -n "$pty" ] && { cat "$pty" > /dev/null 2>&1 & echo $! > "$work/pty-reader.pid"; }
		fi
		grep -q '^@@BENCH DONE' "$work/serial.log" 2>/dev/null && sleep 2 && break
		[ -e "$work/bochs.status" ] && break
		sleep 2
	done
	stop_emulator "$work"
	grep -q '^@@BENCH DONE' "$work/serial.log" 2>/dev/null && return 0
	[ $SECONDS -ge $deadline ] && say "boot: no result within ${boot_timeout} s"
	[ -e "$work/bochs.status" ] && say "boot: Bochs exited with status $(cat "$work/bochs.status"): $(tail -n 3 "$work/bochs.stderr" 2>/dev/null)"
	return 1
}

# stop_emulator WORK: ends Bochs, its tmux server and the pty reader of one run, if running.
stop_emulator() {
	[ -n "$1" ] || return 0
	[ -n "${session:-}" ] && tmux -L "$session" kill-server 2>/dev/null || true
	local file
	for file in "$1/bochs.pid" "$1/pty-reader.pid"; do
		[ -e "$file" ] && kill "$(cat "$file")" 2>/dev/null || true
		rm -f "$file"
	done
}

# --- one run -------------------------------------------------------------------------------
run_one() {
	# work is not local: the EXIT trap below runs after this function has returned.
	local alias=$1 cpu=$2 suite package fixture model name kver attempt
	read -r _ suite package fixture < <(awk -v k="$alias" '$1 == k' "$here/kernels.conf")
	[ -n "${package:-}" ] || fail "no kernel '$alias' in kernels.conf"
	model=$(awk -v c="$cpu" '$1 == c {print $2}' "$here/cpus.conf")
	[ -n "$model" ] || fail "no CPU '$cpu' in cpus.conf"
	name=$fixture-$cpu
	say "$name: fetch $package ($suite)"
	fetch_kernel "$package"
	work=$(mktemp -d "${TMPDIR:-/tmp}/evmcsd-bench.XXXXXX")
	# Each run is a subshell: whatever ends it (a failed step, a signal) ends its emulator too.
	trap 'stop_emulator "${work:-}"; rm -rf "${work:-}"' EXIT
	say "$name: initramfs"
	kver=$(build_image "$package" "$work" "$name")
	for attempt in 1 2; do
		say "$name: boot $kver on Bochs $model (attempt $attempt, at most ${boot_timeout} s)"
		local started=$SECONDS
		if boot "$work" "$model"; then break; fi
		if grep -q '^@@BENCH BEGIN' "$work/serial.log" 2>/dev/null || [ $attempt = 2 ]; then
			break # /init ran: a failure inside is a finding, not a failed boot
		fi
		say "$name: the boot did not reach /init; retrying once"
	done
	say "$name: collect (boot took $((SECONDS - started)) s)"
	mkdir -p "$out"
	rm -rf "${out:?}/$name"
	python3 "$here/collect.py" --serial "$work/serial.log" --out "$out/$name" \
		--kernel-package "$(cat "$cache/kernels/$package/.deb")" --suite "$suite" \
		--cpu-model "$model" --bochs "$(dpkg-query -W -f '${Version}' bochs 2>/dev/null || echo unknown)" \
		--boot-seconds $((SECONDS - started)) \
		|| fail "$name: $(cat "$out/$name/FAILED" 2>/dev/null || echo 'see the output above')"
	if [ "$record" = 1 ]; then
		rm -rf "$repo/Tests/Fixtures/measured/$name"
		mkdir -p "$repo/Tests/Fixtures/measured"
		cp -r "$out/$name" "$repo/Tests/Fixtures/measured/$name"
		rm -f "$repo/Tests/Fixtures/measured/$name/serial.log"
		say "$name: recorded in Tests/Fixtures/measured/$name"
	fi
	say "$name: ok"
}

check_tools
trap 'kill $(jobs -p) 2>/dev/null; wait' INT TERM
status=0
running=0
# Runs go to the background even one at a time, so a signal to the bench reaches them (the trap).
for alias in "${kernels[@]}"; do
	for cpu in "${cpus[@]}"; do
		(run_one "$alias" "$cpu") &
		running=$((running + 1))
		if [ $running -ge "$parallel" ]; then
			wait -n || status=$?
			running=$((running - 1))
			[ $status = 77 ] && break 2
		fi
	done
done
while [ $running -gt 0 ]; do
	wait -n || status=$?
	running=$((running - 1))
done
exit $status
