#!/bin/bash
# The Debian package (CPack): build it from a fresh build tree, install it with
# dpkg, check that Wireshark's tshark (run as 'nobody', with no plugin
# folder of ours set) lists and uses the installed plugin, that itl-show and its
# man page are installed, then remove it and check that nothing is left.
# A copy of the plugin installed before by hand (scripts/setup runs
# cmake --install) is put back afterwards.  Needs root (dpkg) and dpkg-dev
# (dpkg-shlibdeps); scripts/test-deep runs it, never in parallel with tests
# (an installed copy would load into every tshark on the machine).
#   tests/check-package.sh [BUILD_DIR]   (default build-pkg)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-pkg}
pkg=cisco-capf-plugin
capture=test-captures/capf-plaintext.pcapng

[ "$EUID" = 0 ] || { echo "check-package: needs root (dpkg -i)"; exit 1; }
fail() { echo "check-package: FAIL: $*"; exit 1; }

cmake -S . -B "$build" >/dev/null
cmake --build "$build" -j"$(nproc)" --target package >/dev/null
deb=$(ls "$build"/${pkg}_*.deb)
version=$(dpkg-deb -f "$deb" Version)
depends=$(dpkg-deb -f "$deb" Depends)
echo "check-package: $deb (version $version)"
echo "  Depends: $depends"
# the libwireshark package (the ABI) the plugin was built against, limited to its major.minor
ws_lib=$(readlink -f "$(ldd "$build"/plugins/*/epan/cisco-capf.so | awk '/libwireshark\.so/ {print $3}')")
ws_pkg=$(dpkg-query -S "$ws_lib" | cut -d: -f1)
ws_ver=$(basename "$(dirname "$(dirname "$(ls "$build"/plugins/*/epan/cisco-capf.so)")")")
[[ ", $depends," == *", $ws_pkg (>= $ws_ver.0), $ws_pkg (<< "* ]] \
    || fail "Depends does not pin $ws_pkg to Wireshark $ws_ver"

# where Debian's tshark loads global plugins from, and what is there now
folder=$(env -u WIRESHARK_PLUGIN_DIR tshark -G folders 2>/dev/null | awk -F'\t' '$1 ~ /^Global Plugins: *$/ {print $2}')/epan
[ -d "$folder" ] || fail "no global plugin folder ($folder)"
keep=$(mktemp -d /tmp/check-package.XXXXXX)
restore() {
    dpkg -r "$pkg" >/dev/null 2>&1 || true
    for f in "$folder/cisco-capf.so" /usr/bin/itl-show /usr/share/man/man1/itl-show.1.gz; do
        [ -e "$keep/$(basename "$f")" ] && cp -p "$keep/$(basename "$f")" "$f"
    done
    rm -rf "$keep"
}
trap restore EXIT
if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    fail "$pkg is already installed as a package; remove it first (dpkg -r $pkg)"
fi
for f in "$folder/cisco-capf.so" /usr/bin/itl-show /usr/share/man/man1/itl-show.1.gz; do
    if [ -e "$f" ]; then cp -p "$f" "$keep/"; rm -f "$f"; fi
done

dpkg -i "$deb" >/dev/null
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups env -u WIRESHARK_PLUGIN_DIR HOME=/nonexistent "$@"; }
listed=$(as_nobody tshark -G plugins | awk -F'\t' -v OFS='\t' '{sub(/ +$/, "", $1)} $1 == "cisco-capf.so"')
echo "  tshark -G plugins: ${listed:-not listed}"
[[ "$listed" == cisco-capf.so$'\t'"${version%%+*}"$'\t'*"$folder/cisco-capf.so" ]] \
    || fail "tshark -G plugins does not list the installed cisco-capf.so ${version%%+*}"
tmp_capture=$(mktemp /tmp/check-package-XXXXXX.pcapng)
cp "$capture" "$tmp_capture"; chmod 644 "$tmp_capture"
fields=(-Y capf -T fields -e frame.number -e capf.command -e _ws.col.Info)
decoded=$(as_nobody tshark -r "$tmp_capture" "${fields[@]}")
rm -f "$tmp_capture"
from_build=$(scripts/tshark-build -B "$build" -r "$capture" "${fields[@]}")
echo "  CAPF messages decoded by the installed plugin: $(grep -c . <<<"$decoded")"
[ -n "$decoded" ] || fail "the installed plugin decodes no CAPF in $capture"
[ "$decoded" = "$from_build" ] || fail "the installed plugin decodes $capture differently from the build tree's"
itl-show --help | grep -q "^Usage: itl-show" || fail "itl-show --help"
[ "$(man -w itl-show 2>/dev/null)" = /usr/share/man/man1/itl-show.1.gz ] || fail "man -w itl-show"
itl-show -q test-captures/files/ctl.tlv || fail "installed itl-show does not verify ctl.tlv"

dpkg -r "$pkg" >/dev/null
dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" && fail "still installed"
for f in "$folder/cisco-capf.so" /usr/bin/itl-show /usr/share/man/man1/itl-show.1.gz; do
    [ ! -e "$f" ] || fail "$f left after dpkg -r"
done
as_nobody tshark -G plugins | grep -q cisco-capf && fail "tshark still lists cisco-capf.so after dpkg -r"
echo "check-package: ok (installed, listed, decoded, removed)"
