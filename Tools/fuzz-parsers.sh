#!/bin/sh
# libFuzzer runs of the parsers that read untrusted input (Docs/reliability.md):
#   JSONParserFuzz  the JSON-RPC module's JSON parser (every request line goes through it)
#   DocumentFuzz    host profiles, VM requirements and raw MSR dumps (DocumentLoader)
# Seeds: Docs/examples and the fixtures in ../shared/fixtures when present. SECONDS_EACH
# (default 60) bounds each run; a crash leaves its input as crash-* in the working directory.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/.build-fuzz"
(cd "$root/Tools/Fuzz" && swift build -c release --sanitize=fuzzer --build-path "$build")
corpus=$(mktemp -d /tmp/evmcsd-fuzz.XXXXXX)
trap 'rm -rf "$corpus"' EXIT INT TERM
mkdir -p "$corpus/json" "$corpus/documents"
cp "$root"/Docs/examples/*.json "$corpus/json/"
cp "$root"/Docs/examples/*.json "$corpus/documents/"
if [ -d "$root/../shared/fixtures" ]; then
	find "$root/../shared/fixtures" -name '*.json' -exec cp {} "$corpus/documents/" \;
fi
"$build/release/JSONParserFuzz" -max_total_time="${SECONDS_EACH:-60}" -max_len=4096 "$corpus/json"
"$build/release/DocumentFuzz" -max_total_time="${SECONDS_EACH:-60}" -max_len=16384 "$corpus/documents"
