#!/usr/bin/python3
"""Write the regression captures for what fuzzing found (synthetic, loopback):

  test-captures/capf-many-certificates.pcapng   one STORE_CERTIFICATE_REQUEST carrying 83
      CERTIFICATE elements (a 65,535-byte body): each certificate goes through Wireshark's X.509
      dissector, which adds about ten layers to the frame; Wireshark stops at 500 layers per frame
      with a dissector bug (packet.c "saved_layers_len < prefs.gui_max_tree_depth").
  test-captures/itl-nested-containers.pcapng    ITLFile.tlv over TFTP whose header holds header
      containers (SIGNATURE_INFO, SIG_ALGORITHM_INFO, ...) nested 600 deep: the recursion passed
      Wireshark's maximum tree depth (500, a dissector bug) and was unbounded without a tree.
  test-captures/capf-key-ber-real.pcapng        a KEY_GENERATE_RESPONSE whose PUBLIC_KEY is an RSA
      SubjectPublicKeyInfo with a BER REAL of 9 mantissa octets as algorithm parameters (found by
      libFuzzer): Wireshark 4.0's generic BER dissector, which the key was handed to, fails an
      assertion on it (epan/asn1.c "lenN <= 8", a dissector bug).

  tests/fuzz/gen-robustness-captures.py [OUTDIR]      (default test-captures/)

The certificate is taken from test-captures/capf-install-ec-p256.pcapng and the RSA key from
test-captures/capf-plaintext.pcapng through the build tree's tshark (scripts/tshark-build,
build/); the trust list is test-captures/files/itl-sha1.tlv.
"""
import os
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "generators"))  # pcapwriter
import fuzzlib  # noqa: E402
from pcapwriter import PcapWriter  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))


def capf_element(capture, command, tag):
    """The value of element TAG in the first COMMAND PDU of a capture in test-captures/."""
    sessions = fuzzlib.extract_capf_sessions([os.path.join(TOP, "scripts", "tshark-build"), "-B", os.path.join(TOP, "build")],
                                             [os.path.join(TOP, "test-captures", capture)])
    for _, pdus in sessions:
        for _, data in pdus:
            p = fuzzlib.capf_parse(data)
            if p and p[1] == command:
                return next(v for t, v, _ in p[3] if t == tag)
    sys.exit("no command %d with element %d in %s" % (command, tag, capture))


def ec_certificate_element():
    return capf_element("capf-install-ec-p256.pcapng", 9, 4)


def der(tag, content):
    n = len(content)
    length = bytes([n]) if n < 0x80 else (b"\x81" + bytes([n]) if n < 0x100 else b"\x82" + n.to_bytes(2, "big"))
    return bytes([tag]) + length + content


def der_items(data):
    """The (content, whole encoding) of each DER item in data."""
    items, off = [], 0
    while off < len(data):
        n, hdr = data[off + 1], 2
        if n & 0x80:
            n, hdr = int.from_bytes(data[off + 2:off + 2 + (n & 0x7F)], "big"), 2 + (n & 0x7F)
        items.append((data[off + hdr:off + hdr + n], data[off:off + hdr + n]))
        off += hdr + n
    return items


def key_ber_real(path):
    spki = capf_element("capf-plaintext.pcapng", 4, 9)             # KEY_GENERATE_RESPONSE, PUBLIC_KEY
    (seq, _), = der_items(spki)
    (alg, _), (_, bits) = der_items(seq)
    (_, oid), _ = der_items(alg)                                   # rsaEncryption, NULL
    real = bytes([0x09, 11, 0x80, 0x00]) + bytes(range(1, 10))     # base 2, exponent 0, 9 mantissa octets
    bad = der(0x30, der(0x30, oid + real) + bits)
    auth_req = fuzzlib.capf_build([0x55, 1, 0x3100, [[7, b"\x03", None], [8, b"\x02", None]], b""])
    auth_rsp = fuzzlib.capf_build([0x55, 2, 0x3100, [[1, b"\x01", None], [7, b"\x03", None],
                                                     [13, b"SEP00000000BE41\x00", None], [11, b"\x00", None]], b""])
    keygen_req = fuzzlib.capf_build([0x55, 3, 0x3100, [[10, b"\x08\x00", None], [17, b"\x00", None]], b""])
    keygen_rsp = fuzzlib.capf_build([0x55, 4, 0x3100, [[1, b"\x00", None], [9, bad, None]], b""])
    end = fuzzlib.capf_build([0x55, 15, 0x3100, [[1, b"\x07", None]], b""])
    steps = [("s", auth_req, None), ("c", auth_rsp, None), ("s", keygen_req, None), ("c", keygen_rsp, None),
             ("s", end, None)]
    w = PcapWriter(path)
    fuzzlib.write_capf(w, 2, steps)
    w.close()
    return len(bad)


def many_certificates(path):
    cert = ec_certificate_element()
    n = (0xFFFF - 4) // (3 + len(cert))
    store = fuzzlib.capf_build([0x55, 9, 0x3000, [[3, b"\x01", None]] + [[4, cert, None]] * n, b""])
    auth_req = fuzzlib.capf_build([0x55, 1, 0x3000, [[7, b"\x03", None], [8, b"\x02", None]], b""])
    auth_rsp = fuzzlib.capf_build([0x55, 2, 0x3000, [[1, b"\x01", None], [7, b"\x03", None],
                                                     [13, b"SEP00000000CE47\x00", None], [11, b"\x00", None]], b""])
    store_rsp = fuzzlib.capf_build([0x55, 10, 0x3000, [[1, b"\x01", None]], b""])
    end = fuzzlib.capf_build([0x55, 15, 0x3000, [[1, b"\x01", None]], b""])
    steps = [("s", auth_req, None), ("c", auth_rsp, None), ("s", store[:32000], None), ("s", store[32000:], None),
             ("c", store_rsp, None), ("s", end, None)]
    w = PcapWriter(path)
    fuzzlib.write_capf(w, 0, steps)
    w.close()
    return n


def nested_containers(path, depth=600):
    data = open(os.path.join(TOP, "test-captures", "files", "itl-sha1.tlv"), "rb").read()
    f = fuzzlib.ItlFile(data)
    f.header.insert(2, fuzzlib.nest_chain(random.Random(1), depth))
    w = PcapWriter(path)
    fuzzlib.write_tftp(w, 0, "ITLFile.tlv", f.encode())
    w.close()
    return len(f.records)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOP, "test-captures")
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in (("capf-many-certificates", many_certificates),
                           ("itl-nested-containers", nested_containers),
                           ("capf-key-ber-real", key_ber_real)):
            raw = os.path.join(tmp, name + ".pcap")
            n = make(raw)
            dest = os.path.join(out, name + ".pcapng")
            subprocess.run(["editcap", "-F", "pcapng", raw, dest], check=True)
            print("wrote", os.path.normpath(dest), "(%d)" % n)


if __name__ == "__main__":
    main()
