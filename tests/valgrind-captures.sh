#!/bin/bash
# valgrind (memcheck) over every test capture at once, with the normal build:
#   tests/valgrind-captures.sh [-B BUILD_DIR]
# The captures are concatenated with mergecap -a (their TLS keys come along),
# then tshark (scripts/tshark-build) reads the result under valgrind three
# times, with the options of every test-captures/expected/*.args (Decode As
# of the decode-as captures): -V, -2 -V, and the plugin's reports plus the
# expert tap.  Then
# itl-show on every trust-list file.  Exit 0 only when valgrind reports
# nothing; about a minute per run here.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
build=$here/build
if [ "${1:-}" = "-B" ]; then build=$2; shift 2; fi
if grep -qs '^ENABLE_SANITIZERS:BOOL=ON' "$build/CMakeCache.txt"; then
    echo "valgrind-captures: $build is a sanitizer build; use a normal one" >&2
    exit 2
fi

work=$(mktemp -d /tmp/capf-valgrind.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
mergecap -a -w "$work/all.pcapng" "$here"/test-captures/*.pcapng
chmod 644 "$work/all.pcapng"
# the captures' own options (.args), each once; no two of them conflict
read -r -a capture_args <<<"$(cat "$here"/test-captures/expected/*.args 2>/dev/null | sort -u | tr '\n' ' ')"
echo "valgrind-captures: $(ls "$here"/test-captures/*.pcapng | wc -l) captures, $(capinfos -Tcr "$work/all.pcapng" | cut -f2) frames; options: ${capture_args[*]:-none}"

export WIRESHARK_DEBUG_WMEM_OVERRIDE=simple G_SLICE=always-malloc
export CAPF_TSHARK_WRAPPER="valgrind --error-exitcode=97 --leak-check=no --track-origins=no --num-callers=30 --quiet"
failed=0
run() {   # label, tshark arguments
    local label=$1 rc=0
    shift
    "$here/scripts/tshark-build" -B "$build" --no-copy -r "$work/all.pcapng" ${capture_args[@]+"${capture_args[@]}"} \
        "$@" >/dev/null 2>"$work/err" || rc=$?
    if [ "$rc" -ne 0 ] || [ -s "$work/err" ]; then
        echo "FAIL: tshark $label: exit $rc"
        head -60 "$work/err"
        failed=1
    else
        echo "ok: tshark $label"
    fi
}
run "-V" -V
run "-2 -V" -2 -V
run "-z reports" -q -z capf,phones -z capf,tree -z itl,show -z expert

rc=0
valgrind --error-exitcode=97 --leak-check=full --errors-for-leak-kinds=definite --quiet \
    "$build/itl-show" -q "$here"/test-captures/files/*.tlv 2>"$work/err" || rc=$?
# itl-show exits 1 for the files that do not verify; 97 is valgrind's
if [ "$rc" -eq 97 ] || [ "$rc" -gt 1 ] || [ -s "$work/err" ]; then
    echo "FAIL: itl-show: exit $rc"
    head -60 "$work/err"
    failed=1
else
    echo "ok: itl-show on $(ls "$here"/test-captures/files/*.tlv | wc -l) files"
fi
[ "$failed" -eq 0 ] && echo "valgrind-captures: 0 errors"
exit "$failed"
