#!/bin/sh
# evmcsd(8), evmcsctl(1) and evmcsd-libvirt-hook(8) from the commands' own help, with swift-argument-parser's
# generate-manual (built from the checkout SwiftPM resolved for this package, in its own
# scratch directory, so the package's release products are not relinked).
#
#   Tools/man-pages.sh PRODUCTS_DIR OUTPUT_DIR
#
# The pages carry the date of debian/changelog's last entry (or $SOURCE_DATE_EPOCH), so a
# rebuild of the same version gives the same pages.
set -eu

products=${1:?usage: Tools/man-pages.sh PRODUCTS_DIR OUTPUT_DIR}
output=${2:?usage: Tools/man-pages.sh PRODUCTS_DIR OUTPUT_DIR}
swift=${SWIFT:-swift}
parser=.build/checkouts/swift-argument-parser
scratch=.build/generate-manual

[ -d "$parser" ] || { echo "man-pages: $parser is missing: build the package first (make build)" >&2; exit 1; }
for tool in evmcsd evmcsctl evmcsd-libvirt-hook; do
    [ -x "$products/$tool" ] || { echo "man-pages: $products/$tool is missing: build it first (make build)" >&2; exit 1; }
done

"$swift" build --package-path "$parser" --scratch-path "$scratch" --product generate-manual
epoch=${SOURCE_DATE_EPOCH:-$(dpkg-parsechangelog -l debian/changelog -S Timestamp)}
date=$(date -u -d "@$epoch" +%Y-%m-%d)

mkdir -p "$output"
"$scratch/debug/generate-manual" "$products/evmcsd" --section 8 --date "$date" --output-directory "$output"
"$scratch/debug/generate-manual" "$products/evmcsctl" --section 1 --date "$date" --output-directory "$output"
"$scratch/debug/generate-manual" "$products/evmcsd-libvirt-hook" --section 8 --date "$date" --output-directory "$output"
for page in "$output/evmcsd.8" "$output/evmcsctl.1" "$output/evmcsd-libvirt-hook.8"; do
    # mdoc has no blank lines: a discussion's paragraphs become paragraph breaks.
    sed -i 's/^$/.Pp/' "$page"
    grep -q '^\.Sh' "$page" || { echo "man-pages: $page has no sections" >&2; exit 1; }
done
echo "man-pages: $output/evmcsd.8 $output/evmcsctl.1 $output/evmcsd-libvirt-hook.8 ($date)"
