# Sourced by the timing scripts: a scratch directory $work and a release evmcsd ($evmcsd)
# serving $profile on $work/evmcsd.sock (exported as EVMCSD_SOCKET), both gone at exit.
work=$(mktemp -d /tmp/evmcsd-timing.XXXXXX)
daemon=
cleanup() {
    [ -n "$daemon" ] && kill -TERM "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

"$evmcsd" --socket "$work/evmcsd.sock" --cache-dir "$work/cache" --profile "$profile" --log-level warning &
daemon=$!
for _ in $(seq 100); do [ -S "$work/evmcsd.sock" ] && break; sleep 0.05; done
export EVMCSD_SOCKET="$work/evmcsd.sock"
