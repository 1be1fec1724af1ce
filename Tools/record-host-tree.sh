#!/bin/sh
# Records the procfs/sysfs files evmcsd's probe reads (HostFactsReader) into DEST, laid out as
# DEST/proc/... and DEST/sys/..., so tests can point `procfs-root`/`sysfs-root` at a real host's
# tree (Tests/Fixtures/host-trees). Unreadable files are skipped and listed on stderr.
#
#   Tools/record-host-tree.sh Tests/Fixtures/host-trees/NAME
set -eu
dest=${1:?usage: Tools/record-host-tree.sh DEST}
copy() {
	if [ -r "$1" ] && [ -f "$1" ]; then
		mkdir -p "$dest$(dirname "$1")"
		cat "$1" > "$dest$1"
	else
		echo "record-host-tree: skipped $1 (not a readable file)" >&2
	fi
}
copy /proc/cpuinfo
copy /proc/sys/kernel/osrelease
copy /proc/sys/kernel/version
[ -e /proc/version_signature ] && copy /proc/version_signature
copy /proc/sys/kernel/random/boot_id
for module in /sys/module/kvm*; do
	[ -d "$module" ] || continue
	mkdir -p "$dest$module"
	[ -d "$module/parameters" ] || continue
	mkdir -p "$dest$module/parameters"
	for parameter in "$module"/parameters/*; do
		[ -e "$parameter" ] && copy "$parameter"
	done
done
echo "recorded $(find "$dest" -type f | wc -l) files of $(uname -n) ($(uname -r)) in $dest"
