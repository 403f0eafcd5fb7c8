#!/bin/bash
# Wireshark's own source checks on the dissectors: tools/checkhf.pl (fields
# registered and used), tools/checkfiltername.pl (filter names under the
# protocol's abbreviation), tools/checkAPIs.pl (deprecated or misused APIs),
# from Debian's source package of the installed Wireshark
# (tests/wireshark-source.sh; cached in build-bench/wireshark-source).
#   tests/check-wireshark-tools.sh
# Each tool runs on each file on its own (a helper file such as
# capf-verdicts.c registers fields for the protocol packet-capf.c registers).
# Exit 1 if any tool reports an error.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
src=$("$top/tests/wireshark-source.sh" "$top/build-bench/wireshark-source")
status=0
for f in "$top"/dissectors/*.c; do
    name=${f#"$top"/}
    for tool in checkhf checkfiltername checkAPIs; do
        if ! out=$(perl "$src/tools/$tool.pl" "$f" 2>&1); then
            echo "FAIL: $tool $name"; printf '%s\n' "$out" | grep -v '^$' | head -20; status=1
        elif printf '%s\n' "$out" | grep -qE "^(Error|ERROR)|doesn't match|TOTAL ERRORS: [1-9]"; then
            echo "FAIL: $tool $name"; printf '%s\n' "$out" | grep -E "Error|ERROR|doesn't match" | head -20; status=1
        fi
    done
done
[ $status = 0 ] && echo "ok: checkhf, checkfiltername and checkAPIs clean on dissectors/*.c"
exit $status
