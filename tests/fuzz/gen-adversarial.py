#!/usr/bin/python3
"""Adversarial captures at the limits of the formats (synthetic, loopback;
large, so written to a folder outside the repository, never committed).

  tests/fuzz/gen-adversarial.py [--out DIR] [--scale F]          write the captures
  tests/fuzz/gen-adversarial.py --measure [--out DIR] [-B BUILD] write them at full and half size,
                                                           run tshark on each, print time and
                                                           peak memory (/usr/bin/time -v)

Captures (full size):
  tftp-transfers      100,000 TFTP transfers (RRQ, DATA, ACK) of trust lists named ITLFile.tlv,
                      CTLFile.tlv, ITLSEP<MAC>.tlv (test-captures/files/ctl-single-block.tlv, a
                      real signed one-block CTL), each from its own client address and port
  capf-connections    50,000 plaintext CAPF connections on TCP 3804 (handshake, AUTH_REQUEST,
                      AUTH_RESPONSE, END_SESSION, close), each from its own client address and port
  capf-elements       one CAPF PDU with the most elements a 16-bit body length allows: 21,845
                      zero-length elements (65,535 bytes); 60,000 elements do not fit one PDU, so
                      a second connection carries 60,000 elements in three PDUs of 20,000
  itl-max-records     a 65,536-byte trust list (the header of itl-sha1.tlv) whose records are the
                      smallest possible (5 bytes, RECORD_LENGTH only): the most records 64 KiB allows
  nesting             a trust list whose header holds containers nested 21,000 deep (63,000 bytes),
                      one whose record TLVs overlap (lengths 0xFFFF), and a CAPF PDU whose nested
                      certificate, SUDI and SHA2 blocks claim more than their element holds

--scale F multiplies the counts (0.5 = the half-size set used by --measure).  --measure runs
tshark one-pass (-n, as a user opening the file) and, for the single-frame captures, -n -V (the
whole tree); it reports elapsed and user seconds and the peak resident memory, and for each
full/half pair the ratios (linear growth: about 2 for time and for memory above tshark's own
baseline, measured on an empty capture).
"""
import argparse
import os
import random
import re
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "generators"))  # pcapwriter
import fuzzlib  # noqa: E402
from pcapwriter import PcapWriter  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
FILES = os.path.join(TOP, "test-captures", "files")


def pdu(cmd, elems, session=0x4000, length=None):
    return fuzzlib.capf_build([0x55, cmd, session, [[t, v, None] for t, v in elems], b""], length)


def tftp_transfers(path, n):
    data = open(os.path.join(FILES, "ctl-single-block.tlv"), "rb").read()
    names = ("ITLFile.tlv", "CTLFile.tlv", "ITLSEP001122334455.tlv")
    w = PcapWriter(path)
    for i in range(n):
        fuzzlib.write_tftp(w, i, names[i % 3], data)
    w.close()


def capf_connections(path, n):
    w = PcapWriter(path)
    for i in range(n):
        session = 0x10000 + i
        steps = [("s", pdu(1, [(7, b"\x03"), (8, b"\x02")], session), None),
                 ("c", pdu(2, [(1, b"\x01"), (7, b"\x03"), (13, b"SEP%012X\x00" % i), (11, b"\x00")], session), None),
                 ("s", pdu(15, [(1, b"\x00")], session), None)]
        fuzzlib.write_capf(w, i, steps, acks=False)
    w.close()


def capf_elements(path, scale):
    n_max = int(0xFFFF // 3 * scale)
    w = PcapWriter(path)
    auth = pdu(1, [(7, b"\x03"), (8, b"\x02")])
    big = pdu(2, [(99, b"")] * n_max)
    fuzzlib.write_capf(w, 0, [("s", auth, None), ("c", big[:30000], None), ("c", big[30000:], None)])
    per = int(20000 * scale)
    steps = [("s", auth, None)]
    for k in range(3):
        p = pdu(2, [(1 + (j % 13), b"") for j in range(per)])
        steps += [("c", p[:30000], None), ("c", p[30000:], None)]
    fuzzlib.write_capf(w, 1, steps)
    w.close()


def itl_max_records(path, scale):
    f = fuzzlib.ItlFile(open(os.path.join(FILES, "itl-sha1.tlv"), "rb").read())
    head = b"".join(t.encode() for t in f.header)
    n = int((65536 - len(head)) // 5 * scale)
    data = head + struct.pack("!BHH", 1, 2, 5) * n
    w = PcapWriter(path)
    fuzzlib.write_tftp(w, 0, "ITLFile.tlv", data)
    w.close()
    return n


def nesting(path, scale):
    depth = int(21000 * scale)
    rng = random.Random(7)
    f = fuzzlib.ItlFile(open(os.path.join(FILES, "itl-sha1.tlv"), "rb").read())
    f.header.insert(2, fuzzlib.nest_chain(rng, depth))
    g = fuzzlib.ItlFile(open(os.path.join(FILES, "itl-sha1.tlv"), "rb").read())
    for r in g.records:
        for t in r[1:]:
            t.length = 0xFFFF
    w = PcapWriter(path)
    fuzzlib.write_tftp(w, 0, "ITLFile.tlv", f.encode())
    fuzzlib.write_tftp(w, 1, "CTLFile.tlv", g.encode())
    overlap = pdu(2, [(4, struct.pack("!BHBB", 1, 0xFFFF, 0, 1) + b"\x30\x82\xff\xff" + b"\x00" * 16),
                      (16, struct.pack("!BH", 0, 0xFFF0) + struct.pack("!BH", 1, 0xFFFF) * 8),
                      (20, struct.pack("!BH", 3, 0xFFFF) + b"\xaa" * 8),
                      (13, b"SEP0000000000AA\x00")])
    fuzzlib.write_capf(w, 2, [("s", pdu(1, [(7, b"\x03"), (8, b"\x03")]), None), ("c", overlap, None)])
    w.close()


SCENARIOS = (
    # name, writer(path, scale), tshark modes, size description
    ("tftp-transfers", lambda p, s: tftp_transfers(p, int(100000 * s)), (["-n"],), "%d transfers", 100000),
    ("capf-connections", lambda p, s: capf_connections(p, int(50000 * s)), (["-n"],), "%d connections", 50000),
    ("capf-elements", capf_elements, (["-n"], ["-n", "-V"]), "%d elements in one PDU", 21845),
    ("itl-max-records", itl_max_records, (["-n"], ["-n", "-V"]), "%d records", 13043),
    ("nesting", nesting, (["-n"], ["-n", "-V"]), "containers %d deep", 21000),
)


def write_all(out, scale, only=None):
    paths = {}
    for name, make, modes, what, full in SCENARIOS:
        if only and name not in only:
            continue
        path = os.path.join(out, "%s-x%s.pcap" % (name, scale))
        make(path, scale)
        paths[name] = path
        print("wrote %s (%s, %d bytes)" % (path, what % int(full * scale), os.path.getsize(path)), flush=True)
    return paths


def measure(build, path, mode):
    cmd = ["/usr/bin/time", "-v", os.path.join(TOP, "scripts", "tshark-build"), "-B", build] + mode + ["-r", path]
    res = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = res.stderr
    if res.returncode != 0:
        print(err[-2000:])
        raise SystemExit("tshark failed on %s (%s)" % (path, " ".join(mode)))
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", err).group(1))
    wall = re.search(r"Elapsed \(wall clock\) time.*: ([\d:.]+)", err).group(1)
    secs = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall.split(":"))))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1))
    return secs, user, rss


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="/tmp/capf-adversarial")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--measure", action="store_true")
    ap.add_argument("--only", nargs="*", help="only these scenarios")
    ap.add_argument("-B", "--build", default=os.path.join(TOP, "build"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    os.chmod(a.out, 0o755)
    if not a.measure:
        write_all(a.out, a.scale, a.only)
        return 0
    empty = os.path.join(a.out, "empty.pcap")
    PcapWriter(empty).close()
    base = measure(a.build, empty, ["-n"])
    print("tshark baseline (empty capture): %.1f s, %.1f s user, %d MB peak" % (base[0], base[1], base[2] // 1024))
    half = write_all(a.out, 0.5, a.only)
    full = write_all(a.out, 1.0, a.only)
    print("| capture | size (half / full) | tshark | time s (half / full) | user s | peak RSS MB | "
          "ratio time (user) | ratio RSS above baseline |")
    print("|---|---|---|---|---|---|---|---|")
    for name, make, modes, what, n in SCENARIOS:
        if name not in full:
            continue
        for mode in modes:
            h = measure(a.build, half[name], mode)
            f = measure(a.build, full[name], mode)
            rt = f[1] / h[1] if h[1] > 0 else float("nan")
            rr = (f[2] - base[2]) / (h[2] - base[2]) if h[2] > base[2] else float("nan")
            print("| %s | %s / %s | `%s` | %.1f / %.1f | %.1f / %.1f | %d / %d | %.2f | %.2f |" % (
                name, what % (n // 2), what % n, " ".join(mode), h[0], f[0], h[1], f[1], h[2] // 1024,
                f[2] // 1024, rt, rr), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
