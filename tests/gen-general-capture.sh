#!/bin/bash
# General traffic for scripts/bench: every capture of Wireshark's own test
# suite (test/captures in Debian's source package of the installed
# Wireshark) that this tshark reads, concatenated in name order, without the
# frames the plugin is for (TFTP, TCP 3804, HTTP on 6970).  Deterministic for
# a given Wireshark version.
#   tests/gen-general-capture.sh OUT.pcapng [WORKDIR]
# Prints "OUT: N frames".  Needs root when the machine's apt sources have no
# deb-src entries yet: it then adds them for the same mirrors and suites
# (the machine's own configuration, no host of ours).
set -euo pipefail
out=$1
work=${2:-$(mktemp -d /tmp/capf-general.XXXXXX)}
mkdir -p "$work"
cd "$work"

version=$(dpkg-query -W -f '${Version}' tshark)
if ! ls wireshark_*.orig.tar.* >/dev/null 2>&1; then
    if ! apt-get source --download-only -qq "wireshark=$version" >/dev/null 2>&1; then
        src=/etc/apt/sources.list.d/debian.sources
        if [ -f "$src" ] && ! grep -qs '^Types:.*deb-src' /etc/apt/sources.list.d/*.sources; then
            sed 's/^Types: deb$/Types: deb-src/' "$src" >/etc/apt/sources.list.d/capf-deb-src.sources
        elif [ -f /etc/apt/sources.list ] && ! grep -qs '^deb-src' /etc/apt/sources.list; then
            sed -n 's/^deb /deb-src /p' /etc/apt/sources.list >/etc/apt/sources.list.d/capf-deb-src.list
        fi
        apt-get update -qq
        apt-get source --download-only -qq "wireshark=$version" >/dev/null
    fi
fi
tarball=$(ls wireshark_*.orig.tar.* | head -n 1)
rm -rf captures && mkdir captures
tar -xf "$tarball" --wildcards --strip-components=3 -C captures '*/test/captures/*'

readable=()
while IFS= read -r f; do
    if capinfos -c "captures/$f" >/dev/null 2>&1; then readable+=("captures/$f"); fi
done < <(ls captures | LC_ALL=C sort)
mergecap -a -F pcapng -w merged.pcapng "${readable[@]}"
tshark -r merged.pcapng -Y 'not (tftp or tcp.port == 3804 or tcp.port == 6970 or udp.port == 69)' \
    -w "$out" -F pcapng
echo "$out: $(capinfos -c -M "$out" | awk '/Number of packets/ {print $NF}') frames" \
     "from ${#readable[@]} captures of Wireshark $version"
