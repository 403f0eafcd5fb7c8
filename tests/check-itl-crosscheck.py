#!/usr/bin/python3
"""The plugin's view of every trust list in a capture must agree with the
independent openssl check (tests/check-trustlist-openssl.py): same complete
records (function, subject, certificate SHA-1 or stored hash) and the same
signature verdict.  A record the plugin flags as truncated is left out: the
openssl check only lists records that are whole.

  tests/check-itl-crosscheck.py BUILD_DIR CAPTURE
"""
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def label(field):
    """'Function: CAPF (4)' -> 'CAPF'"""
    value = field.get("showname", "").split(": ", 1)[-1]
    return value.rsplit(" (", 1)[0]


def plugin_view(build, capture):
    pdml = subprocess.run([os.path.join(ROOT, "scripts", "tshark-build"), "-B", build, "-r", capture,
                           "-Y", "itl", "-T", "pdml"], check=True, stdout=subprocess.PIPE, text=True).stdout
    files = []
    for proto in ET.fromstring(pdml).iter("proto"):
        if proto.get("name") != "itl":
            continue
        lines = []
        for rec in proto.findall("field[@name='itl.record']"):
            fields = {f.get("name"): f for f in rec.iter("field")}
            if "itl.expert.truncated" in fields:
                continue
            function = label(fields["itl.record.function"]) if "itl.record.function" in fields else "-"
            subject = fields["itl.record.subject_name"].get("show") if "itl.record.subject_name" in fields else "-"
            digest = fields.get("itl.record.cert_sha1", fields.get("itl.record.cert_hash"))
            lines.append("\t".join([function, subject,
                                     digest.get("show").replace(":", "") if digest is not None else "-"]))
        status = proto.find(".//field[@name='itl.signature.status']")
        lines.append("signature\t" + (label(status) if status is not None else "?"))
        files.append(lines)
    return files


def openssl_view(capture):
    out = subprocess.run([os.path.join(ROOT, "tests", "check-trustlist-openssl.py"), capture],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    files = []
    for line in out.splitlines():
        if line.startswith("file\t"):
            files.append([])
        elif line:
            if not files:
                files.append([])
            files[-1].append(line)
    return files


def main():
    build, capture = sys.argv[1], sys.argv[2]
    ours, theirs = plugin_view(build, capture), openssl_view(capture)
    if not theirs:
        print("FAIL: openssl check found no trust list in %s" % capture)
        return 1
    if ours != theirs:
        print("FAIL: %s: plugin and openssl disagree" % capture)
        print("plugin:\n  " + "\n  ".join("\n  ".join(f) for f in ours))
        print("openssl:\n  " + "\n  ".join("\n  ".join(f) for f in theirs))
        return 1
    print("ok: %s: %d trust list(s) agree (%s)" % (
        os.path.basename(capture), len(ours), ", ".join(f[-1].split("\t")[1] for f in ours)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
