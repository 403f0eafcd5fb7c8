#!/bin/sh
# The plugin must export exactly Wireshark's plugin entry points (hidden visibility):
#   tests/check-exports.sh PLUGIN.so WIRESHARK_MAJOR.MINOR
# plugin_describe exists from Wireshark 4.4 on and must be there; 4.0 has none.
set -eu
got=$(nm -D --defined-only "$1" | awk '{print $3}' | sort | tr '\n' ' ')
want="plugin_register plugin_version plugin_want_major plugin_want_minor "
case "${2:-}" in
4.0|"") ;;
*) want="plugin_describe $want" ;;
esac
if [ "$got" = "$want" ]; then
    echo "ok: $got"
else
    echo "FAIL: exported symbols are: $got (want: $want)"; exit 1
fi
