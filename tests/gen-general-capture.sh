#!/bin/bash
# General traffic for scripts/bench: every capture of Wireshark's own test
# suite (test/captures in Debian's source package of the installed
# Wireshark) that this tshark reads, concatenated in name order, without the
# frames the plugin is for (TFTP, TCP 3804, HTTP on 6970).  Deterministic for
# a given Wireshark version.
#   tests/gen-general-capture.sh OUT.pcapng [WORKDIR]
# Prints "OUT: N frames".  The source comes from tests/wireshark-source.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(realpath -m "$1")
work=$(realpath -m "${2:-$(mktemp -d /tmp/capf-general.XXXXXX)}")
mkdir -p "$work"
cd "$work"

version=$(dpkg-query -W -f '${Version}' tshark)
src=$("$here/wireshark-source.sh" "$work")
rm -rf captures && cp -r "$src/test/captures" captures

readable=()
while IFS= read -r f; do
    if capinfos -c "captures/$f" >/dev/null 2>&1; then readable+=("captures/$f"); fi
done < <(ls captures | LC_ALL=C sort)
mergecap -a -F pcapng -w merged.pcapng "${readable[@]}"
tshark -r merged.pcapng -Y 'not (tftp or tcp.port == 3804 or tcp.port == 6970 or udp.port == 69)' \
    -w "$out" -F pcapng
echo "$out: $(capinfos -c -M "$out" | awk '/Number of packets/ {print $NF}') frames" \
     "from ${#readable[@]} captures of Wireshark $version"
