#!/bin/sh
# Long robustness runs against a freshly started release evmcsd (Docs/reliability.md).
#
#   Tools/stress.sh fuzz   1,000,000 generated and mutated frames, 8 connections + a control client
#   Tools/stress.sh soak   1,000 clients x 100 requests, 100,000 connection churn, 60 s of slow clients
#
# FRAMES, SEED, CLIENTS, REQUESTS, CHURN and SLOW_SECONDS override the sizes.
set -eu
mode=${1:?usage: Tools/stress.sh fuzz|soak}
bin=.build/release
work=$(mktemp -d /tmp/evmcsd-stress.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

cat > "$work/evmcsd.toml" <<TOML
[socket]
path = "$work/evmcsd.sock"
[cache]
directory = "$work/cache"
[limits]
max-line-bytes = 65536
max-connections = 1100
idle-timeout-seconds = 5
[log]
level = "info"
TOML

"$bin/evmcsd" --config "$work/evmcsd.toml" > "$work/evmcsd.log" 2>&1 &
pid=$!
tries=0
until [ -S "$work/evmcsd.sock" ]; do
	tries=$((tries + 1)); [ $tries -lt 200 ] || { cat "$work/evmcsd.log"; exit 1; }
	sleep 0.05
done
echo "evmcsd $pid on $work/evmcsd.sock, RSS $(awk '/VmRSS/ {print $2 " " $3}' /proc/$pid/status) at start"
target="--socket $work/evmcsd.sock --pid $pid"

case $mode in
fuzz)
	"$bin/evmcsd-stress" fuzz $target --frames "${FRAMES:-1000000}" --seed "${SEED:-1}" --max-line 65536
	;;
soak)
	"$bin/evmcsd-stress" load $target --clients "${CLIENTS:-1000}" --requests "${REQUESTS:-100}"
	"$bin/evmcsd-stress" churn $target --connections "${CHURN:-100000}"
	"$bin/evmcsd-stress" slow $target --seconds "${SLOW_SECONDS:-60}" --idle-timeout 5
	;;
*)
	echo "unknown mode $mode" >&2; exit 2
	;;
esac
echo "daemon log: $(grep -c 'closing' "$work/evmcsd.log") connections closed with a logged reason, $(grep -ciE ' (error|critical) ' "$work/evmcsd.log") error lines"
kill -0 "$pid" || { echo "evmcsd died"; exit 1; }
