#!/bin/sh
# TCP 3804 and TLS on 3804 go to CAPF (HiQnet, the built-in owner of TCP 3804, is
# reached through the CAPF demultiplexer; see capf-hiqnet.pcapng); TCP 2445 and
# TLS on 2445 go to TVS.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
decodes=$("$here/scripts/tshark-build" -B "$1" -G decodes)
fail=0
check() {
    if printf '%s\n' "$decodes" | grep -qxF "$1"; then echo "ok: $1"; else echo "FAIL: missing '$1'"; fail=1; fi
}
check "$(printf 'tcp.port\t3804\tcapf')"
check "$(printf 'tls.port\t3804\tcapf')"
check "$(printf 'tcp.port\t2445\ttvs')"
check "$(printf 'tls.port\t2445\ttvs')"
exit $fail
