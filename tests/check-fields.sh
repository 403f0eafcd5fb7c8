#!/bin/sh
# Every field of the user interface (tests/required-fields.txt) is registered;
# one marked "+described" also has a description (what tshark -G fields, the
# GUI's filter dialog and tooltips show).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
# one awk over tshark's field list (hundreds of thousands of lines) and the required names
missing=$("$here/scripts/tshark-build" -B "$1" -G fields | awk -F '\t' '
    FILENAME == "-" { if ($1 == "F") { have[$3] = 1; if ($8 != "") described[$3] = 1 }; next }
    /^#/ { next }
    { split($0, names, /[ \t]+/)
      for (i in names) if (names[i] != "" && names[i] != "+described" && !(names[i] in have)) { print "FAIL: field " names[i] " is not registered"; n++ }
      if (names[2] == "+described" && (names[1] in have) && !(names[1] in described)) { print "FAIL: field " names[1] " has no description"; n++ } }
    END { exit n > 0 }' - "$2")  || { printf '%s\n' "$missing"; exit 1; }
echo "ok: $(grep -vc '^#' "$2") fields registered"
