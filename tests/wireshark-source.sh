#!/bin/bash
# Unpack the source of the installed Wireshark (Debian's source package of
# the installed tshark) into DIR, once, and print the unpacked folder.
#   tests/wireshark-source.sh DIR
# Used for Wireshark's own test captures (tests/gen-general-capture.sh) and
# its checking tools (tests/check-wireshark-tools.sh); nothing of it is
# committed or built here.  When the machine's apt sources have no deb-src
# entries yet it adds them for the same mirrors and suites (needs root): the
# machine's own configuration, no host of ours.
set -euo pipefail
dir=$1
mkdir -p "$dir"
cd "$dir"
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
top=$( (tar -tf "$tarball" 2>/dev/null || true) | head -n 1 | cut -d/ -f1)
[ -d "$top/tools" ] || tar -xf "$tarball" "$top/tools" "$top/test/captures"
echo "$PWD/$top"
