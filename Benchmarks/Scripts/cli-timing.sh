#!/bin/sh
# Whole-process timing of `evmcsctl profile` against a running evmcsd (recorded profile, temporary
# socket), with hyperfine; and of `virsh domcapabilities` when libvirt answers here.
#
#   cd Benchmarks && sh Scripts/cli-timing.sh [EVMCSD] [EVMCSCTL]
#
# Defaults: ../.build-bench/release/evmcsd and evmcsctl (see Docs/performance.md). Needs
# hyperfine (apt-get install -y hyperfine). Leaves nothing running and removes its directory.
set -eu

evmcsd=${1:-../.build-bench/release/evmcsd}
evmcsctl=${2:-../.build-bench/release/evmcsctl}
profile=../Docs/examples/skylake-6.8.json
runs=${RUNS:-200}

command -v hyperfine >/dev/null || { echo "cli-timing: hyperfine is missing (apt-get install -y hyperfine)" >&2; exit 1; }
[ -x "$evmcsd" ] && [ -x "$evmcsctl" ] || { echo "cli-timing: build evmcsd and evmcsctl first" >&2; exit 1; }

. "$(dirname "$0")/daemon.sh"
"$evmcsctl" profile >/dev/null  # fails loudly if the daemon does not answer

hyperfine --shell=none --warmup 20 --runs "$runs" --export-json "$work/hyperfine.json" \
    "$evmcsctl profile" "$evmcsctl profile --json" "$evmcsctl status"
/usr/bin/time -v "$evmcsctl" profile 2>&1 >/dev/null | grep -E "Elapsed|Maximum resident|Voluntary|Involuntary"

if command -v virsh >/dev/null && virsh -c qemu:///system domcapabilities >/dev/null 2>&1; then
    hyperfine --shell=none --warmup 5 --runs 50 "virsh -c qemu:///system domcapabilities"
    /usr/bin/time -v virsh -c qemu:///system domcapabilities 2>&1 >/dev/null | grep -E "Elapsed|Maximum resident"
else
    echo "virsh domcapabilities does not answer here; not compared"
fi
