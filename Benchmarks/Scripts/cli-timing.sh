#!/bin/sh
# Whole-process timing of evmcsctl against a running evmcsd (recorded profile, temporary socket),
# with hyperfine, in one run beside its floors:
#   - `evmcsctl status` against status-floor.c, a C program sending the same request over the
#     same socket (the floor of any process that asks evmcsd);
#   - `evmcsctl check --from A --to B` on two profile files, and `evmcsctl --version`, against
#     /bin/true (the floor of starting a process) and swift-floor.swift, a statically linked
#     Swift program that prints one line (the floor of starting a static Swift process);
#   - `evmcsctl profile` (text and --json); and `virsh domcapabilities` when libvirt answers here.
# Prints the medians, the ratios to the floors and the binaries' sizes.
#
#   cd Benchmarks && sh Scripts/cli-timing.sh [EVMCSD] [EVMCSCTL]
#
# Defaults: ../.build/release/evmcsd and evmcsctl (make build). Needs hyperfine, jq, cc and
# swiftc (apt-get install -y hyperfine jq gcc). Leaves nothing running and removes its directory.
set -eu

evmcsd=${1:-../.build/release/evmcsd}
evmcsctl=${2:-../.build/release/evmcsctl}
profile=../Docs/examples/skylake-6.8.json
older=../Docs/examples/skylake-5.10.json
runs=${RUNS:-200}

for tool in hyperfine jq cc swiftc; do
    command -v $tool >/dev/null || {
        echo "cli-timing: $tool is missing (apt-get install -y hyperfine jq gcc; swiftc comes with the Swift toolchain)" >&2
        exit 1
    }
done
[ -x "$evmcsd" ] && [ -x "$evmcsctl" ] || { echo "cli-timing: build evmcsd and evmcsctl first" >&2; exit 1; }

. "$(dirname "$0")/daemon.sh"
cc -O2 -o "$work/status-floor" Scripts/status-floor.c
swiftc -O -static-executable -o "$work/swift-floor" Scripts/swift-floor.swift 2>"$work/swiftc.log" \
    || { cat "$work/swiftc.log" >&2; exit 1; }
"$evmcsctl" status >/dev/null              # fail loudly if the daemon does not answer
"$work/status-floor" "$EVMCSD_SOCKET" >/dev/null

hyperfine --shell=none --warmup 20 --runs "$runs" --export-json "$work/cli.json" \
    "$work/status-floor $EVMCSD_SOCKET" "$evmcsctl status" \
    "/bin/true" "$work/swift-floor" "$evmcsctl --version" "$evmcsctl check --from $profile --to $older" \
    "$evmcsctl profile" "$evmcsctl profile --json" >"$work/hyperfine.txt"

median() { jq -r --arg c "$1" '.results[] | select(.command == $c) | .median * 1000' "$work/cli.json"; }
floor=$(median "$work/status-floor $EVMCSD_SOCKET")
spawn=$(median "/bin/true")
swift=$(median "$work/swift-floor")
echo "medians of $runs runs (ms), ratios to the floor measured in the same run:"
awk -v m="$swift" -v b="$spawn" 'BEGIN { printf "  %-70s %6.2f ms  %5.2fx /bin/true (%.2f ms)\n", "swift-floor (static Swift, print)", m, m / b, b }'
for command in "$evmcsctl status" "$evmcsctl --version" "$evmcsctl check --from $profile --to $older" \
    "$evmcsctl profile" "$evmcsctl profile --json"; do
    case "$command" in *" status"|*" profile"*) base=$floor name=status-floor ;; *) base=$spawn name=/bin/true ;; esac
    awk -v c="$command" -v m="$(median "$command")" -v b="$base" -v n="$name" -v s="$swift" \
        'BEGIN { printf "  %-70s %6.2f ms  %5.2fx %s (%.2f ms), %5.2fx swift-floor\n", c, m, m / b, n, b, m / s }'
done
echo "sizes: evmcsd $(stat -c %s "$evmcsd") bytes, evmcsctl $(stat -c %s "$evmcsctl") bytes"
/usr/bin/time -v "$evmcsctl" status 2>&1 >/dev/null | grep -E "Maximum resident"

if command -v virsh >/dev/null && virsh -c qemu:///system domcapabilities >/dev/null 2>&1; then
    hyperfine --shell=none --warmup 5 --runs 50 "virsh -c qemu:///system domcapabilities"
else
    echo "virsh domcapabilities does not answer here; not compared"
fi
