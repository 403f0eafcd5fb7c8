#!/bin/bash
# The expert summary (-z expert, the GUI's Expert Information) names the
# protocol of each verdict: CAPF for a connection verdict, ITL for a cut
# trust-list transfer, although both come from post-dissectors whose handles
# carry no protocol (so that they add no layer to every frame).
#   tests/check-expert-protocol.sh BUILD
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=$1
fail=0
check() {   # check CAPTURE PASS_ARGS PATTERN
    local out
    out=$("$here/scripts/tshark-build" -B "$build" -r "$here/test-captures/$1" $2 -q -z expert)
    if printf '%s\n' "$out" | grep -qE "$3"; then
        echo "ok: $1: $3"
    else
        echo "FAIL: $1: no line matching '$3' in:"; printf '%s\n' "$out"; fail=1
    fi
}
check capf-trust-alert.pcapng "" '^ +1 +Security +CAPF +The phone rejected the CAPF server certificate'
check capf-refused.pcapng "" '^ +1 +Sequence +CAPF +CAPF port 3804 refused the connection'
check itl-truncated.pcapng "-2" '^ +1 +Malformed +ITL +TFTP transfer of ITLFile.tlv stopped after block'
# the configuration check inside a .sgn names CNF; the capfList check on the CAPF connection, CAPF
check cnf-capf-not-in-itl.pcapng "" '^ +1 +Security +CNF +capfAuthMode 2 asks for a CAPF operation'
check cnf-capf-server-unlisted.pcapng "" '^ +1 +Sequence +CAPF +The phone connects to CAPF at 127.0.70.9:3804'
exit $fail
