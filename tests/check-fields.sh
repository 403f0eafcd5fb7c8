#!/bin/sh
# Every field of the user interface (tests/required-fields.txt) is registered.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
fields=$("$here/scripts/tshark-build" -B "$1" -G fields | awk -F '\t' '$1 == "F" {print $3}')
missing=0
for f in $(grep -v '^#' "$2"); do
    if ! printf '%s\n' "$fields" | grep -qx "$f"; then
        echo "FAIL: field $f is not registered"; missing=$((missing + 1))
    fi
done
[ "$missing" = 0 ] && echo "ok: $(grep -vc '^#' "$2") fields registered"
[ "$missing" = 0 ]
