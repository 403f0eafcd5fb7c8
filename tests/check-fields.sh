#!/bin/sh
# Every field of the user interface (tests/required-fields.txt) is registered,
# and every field of the plugin's protocols has a description in
# `tshark -G fields` (its blurb, which the GUI's filter dialog and tooltips
# show too; an expert info's description is its summary, which Wireshark shows
# as the field's name).  "+described" after a name in the list is kept for
# emphasis: every field of capf, itl, cnf and tvs is checked anyway.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
# one awk over tshark's field list (hundreds of thousands of lines) and the required names
missing=$("$here/scripts/tshark-build" -B "$1" -G fields | awk -F '\t' '
    FILENAME == "-" {
        if ($1 != "F") next
        have[$3] = 1
        if ($8 != "") described[$3] = 1
        if ($5 ~ /^(capf|itl|cnf|tvs)$/ && $3 !~ /\.expert\./ && $8 == "") {
            print "FAIL: field " $3 " has no description"; n++
        }
        next
    }
    /^#/ { next }
    { split($0, names, /[ \t]+/)
      for (i in names) if (names[i] != "" && names[i] != "+described" && !(names[i] in have)) { print "FAIL: field " names[i] " is not registered"; n++ }
      if (names[2] == "+described" && (names[1] in have) && !(names[1] in described)) { print "FAIL: field " names[1] " has no description"; n++ } }
    END { exit n > 0 }' - "$2")  || { printf '%s\n' "$missing"; exit 1; }
echo "ok: $(grep -vc '^#' "$2") fields registered, each field of capf, itl, cnf and tvs described"
