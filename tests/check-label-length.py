#!/usr/bin/python3
"""Every label of our protocols fits Wireshark's label limit.

Wireshark keeps an item's label (what the details pane and tshark -V show)
in ITEM_LABEL_LENGTH (240) bytes, the terminating NUL included, and an
expert's message too.  A longer one is cut: 4.0 marks the cut with
" [truncated]", 4.4 and 4.6 with "[…]"; an expert message is cut silently
before its "Expert Info (...)" label is cut again.

  tests/check-label-length.py BUILD CAPTURE

runs tshark -2 -V on CAPTURE with the plugin of BUILD (scripts/tshark-build,
with the capture's test-captures/expected/<name>.args, as
scripts/check-capture does) and fails when a line of a CAPF or ITL section
(the top-level items "Cisco Certificate Authority Proxy Function..." and
"Cisco ITL/CTL Trust List..." with everything indented under them) carries a
truncation mark or is as long as a cut label (239 bytes; the brackets -V
puts around a generated item not counted).  Other protocols'
labels (Wireshark's own, e.g. "[Protocols in frame [truncated]: ...") are not
ours to fix.  Exit 0 only when every label fits.
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TSHARK = os.path.join(HERE, "..", "scripts", "tshark-build")
ITEM_LABEL_LENGTH = 240
MARKS = ("[truncated]", "[\u2026]")
# the top-level labels of our protocol items (proto_register_protocol names)
OURS = ("Cisco Certificate Authority Proxy Function", "Cisco ITL/CTL Trust List")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    build, capture = sys.argv[1:]
    stem = os.path.splitext(os.path.basename(capture))[0]
    args_file = os.path.join(os.path.dirname(os.path.abspath(capture)), "expected", stem + ".args")
    extra = open(args_file).read().split() if os.path.exists(args_file) else []
    cmd = [TSHARK, "-B", build, "-r", capture] + extra + ["-2", "-V"]
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if res.returncode != 0:
        print("FAIL: %s\nexit %d\n%s" % (" ".join(cmd), res.returncode, res.stderr.decode(errors="replace")))
        return 1
    failures, frame, ours, lines = [], "?", False, 0
    for raw in res.stdout.splitlines():
        line = raw.decode("utf-8", errors="replace")
        if not line.startswith(" "):
            if line.startswith("Frame "):
                frame = line.split()[1].rstrip(":")
            ours = line.startswith(OURS)
        if not ours:
            continue
        lines += 1
        label = raw.lstrip(b" ")
        if label.startswith(b"[") and label.endswith(b"]"):
            label = label[1:-1]     # -V shows a generated item in brackets
        if any(m in line for m in MARKS) or len(label) >= ITEM_LABEL_LENGTH - 1:
            failures.append("frame %s: label of %d bytes: %s" % (frame, len(label), line.strip()))
    for f in failures:
        print("FAIL: %s: %s" % (os.path.basename(capture), f))
    if failures:
        print("%d label(s) cut at Wireshark's limit of %d bytes" % (len(failures), ITEM_LABEL_LENGTH))
        return 1
    print("ok: %s: %d lines of CAPF/ITL, every label under %d bytes"
          % (os.path.basename(capture), lines, ITEM_LABEL_LENGTH - 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
