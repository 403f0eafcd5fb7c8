#!/bin/sh
# Every field of the user interface (tests/required-fields.txt) is registered.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
# one awk over tshark's field list (hundreds of thousands of lines) and the required names
missing=$("$here/scripts/tshark-build" -B "$1" -G fields | awk -F '\t' '
    FILENAME == "-" { if ($1 == "F") have[$3] = 1; next }
    /^#/ { next }
    { split($0, names, /[ \t]+/)
      for (i in names) if (names[i] != "" && !(names[i] in have)) { print "FAIL: field " names[i] " is not registered"; n++ } }
    END { exit n > 0 }' - "$2")  || { printf '%s\n' "$missing"; exit 1; }
echo "ok: $(grep -vc '^#' "$2") fields registered"
