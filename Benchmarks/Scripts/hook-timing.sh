#!/bin/sh
# Whole-process timing of the libvirt hook as libvirtd runs it (argv DOMAIN migrate begin -,
# the domain XML on standard input) against a running evmcsd (recorded Skylake / Linux 6.8
# profile, temporary socket), with hyperfine: the refused eVMCS VM of Docs/integration.md's
# walk-through, an allowed CPU definition, and an operation that is not checked; for
# evmcsd-libvirt-hook and for evmcsctl libvirt-hook.
#
#   cd Benchmarks && sh Scripts/hook-timing.sh [BUILD-DIRECTORY]
#
# Default ../.build/release. Needs hyperfine (apt-get install -y hyperfine) and virsh
# (libvirt-clients) for the XML. Leaves nothing running and removes its directory.
set -eu

build=${1:-../.build/release}
profile=../Docs/examples/skylake-6.8.json
runs=${RUNS:-100}
command -v hyperfine >/dev/null || { echo "hook-timing: hyperfine is missing (apt-get install -y hyperfine)" >&2; exit 1; }

evmcsd=$build/evmcsd
. "$(dirname "$0")/daemon.sh"

cat > "$work/refused.xml" <<XML
<domain type='kvm'><name>win2022-vbs</name><memory unit='GiB'>8</memory>
<os><type arch='x86_64' machine='q35'>hvm</type></os>
<features><hyperv mode='custom'><vapic state='on'/><evmcs state='on'/></hyperv></features>
<cpu mode='host-passthrough' check='none'/></domain>
XML
cat > "$work/allowed.xml" <<XML
<domain type='kvm'><name>linux-nested</name><memory unit='GiB'>4</memory>
<os><type arch='x86_64' machine='q35'>hvm</type></os>
<cpu mode='custom' match='exact' check='partial'><model fallback='forbid'>Skylake-Server-v4</model>
<feature policy='require' name='vmx'/><feature policy='disable' name='vmx-exit-load-perf-global-ctrl'/>
<feature policy='disable' name='vmx-entry-load-perf-global-ctrl'/></cpu></domain>
XML
meta=$("$build/evmcsctl" requirements --qemu-cpu host,hv-vapic,hv-evmcs --profile ../Docs/examples/skylake-5.10.46.json \
    --name win2022-vbs --format libvirt-metadata 2>/dev/null)
virsh -q -c test:///default "define $work/refused.xml; metadata win2022-vbs --uri urn:evmcsd:vm-requirements:1 --key evmcsd --set '$meta' --config; dumpxml win2022-vbs" > "$work/refused-dump.xml"
virsh -q -c test:///default "define $work/allowed.xml; dumpxml linux-nested" > "$work/allowed-dump.xml"

hyperfine --warmup 10 --runs "$runs" -i \
    "$build/evmcsd-libvirt-hook -- win2022-vbs migrate begin - < $work/refused-dump.xml" \
    "$build/evmcsd-libvirt-hook -- linux-nested migrate begin - < $work/allowed-dump.xml" \
    "$build/evmcsd-libvirt-hook -- win2022-vbs start begin - < $work/refused-dump.xml" \
    "$build/evmcsctl libvirt-hook -- win2022-vbs migrate begin - < $work/refused-dump.xml"
