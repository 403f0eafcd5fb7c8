#!/usr/bin/python3
"""Write test-captures/capf-garbled.pcapng: plaintext CAPF connections on
TCP 3804 carrying cut and malformed PDUs, one case per connection.

Each connection starts with a well-formed AUTH_REQUEST so the port-3804
demultiplexer recognises CAPF; the broken PDU follows.  Synthetic on
purpose (real sockets cannot cut a frame at a snap length), loopback
addresses only.  See test-captures/README.md for what each case must show.
"""
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "generators"))  # pcapwriter
from pcapwriter import PcapWriter, TcpStream  # noqa: E402

SESSION = 0x2000


def el(tag, value):
    return struct.pack("!BH", tag, len(value)) + value


def pdu(cmd, body, session=SESSION, proto_id=0x55, length=None):
    return struct.pack("!BBIH", proto_id, cmd, session, len(body) if length is None else length) + body


AUTH_REQUEST = pdu(1, el(7, b"\x03") + el(8, b"\x02"))


def cases():
    """(description, [(side, bytes, caplen)]) per connection."""
    auth_rsp = pdu(2, el(1, b"\x01") + el(7, b"\x03") + el(13, b"SEP00000000BAD\0") + el(11, b"\0"))
    yield "truncated body: frame cut by the snap length inside a PDU", [
        ("c", auth_rsp, 12)]
    yield "element length runs past the end of the PDU", [
        ("c", pdu(2, el(1, b"\x01") + struct.pack("!BH", 13, 200) + b"SEP0000\0"))]
    yield "unknown element tags 14 and 99", [
        ("c", pdu(2, el(1, b"\x01") + el(14, b"\x01\x02") + el(99, b"") + el(13, b"SEP000000000E0E\0"))),
        ("s", pdu(15, el(1, b"\x07")))]
    yield "unknown commands 0 and 30", [
        ("c", pdu(30, el(1, b"\x01"))),
        ("s", pdu(0, b""))]
    yield "zero-length elements", [
        ("c", pdu(2, el(1, b"") + el(7, b"") + el(13, b"") + el(11, b"") + el(4, b"") + el(9, b""))),
        ("s", pdu(3, el(10, b"") + el(17, b"") + el(18, b"")))]
    yield "wrong protocol id and a changed session id", [
        ("c", pdu(2, el(1, b"\x01"), proto_id=0x56)),
        ("s", pdu(15, el(1, b"\x00"), session=SESSION + 1))]
    yield "malformed nested blocks: certificate block, SUDI, SHA2 signed data, public key", [
        ("c", pdu(2, el(4, b"\x01\x00\x40\x00\x01" + b"\x30\x03\x02\x01\x01")
                  + el(4, b"\x02\x00\x01\x00")
                  + el(16, b"\x00\x00\x09\x30\x03")
                  + el(20, b"\x03\x01\x00" + b"\xaa" * 4)
                  + el(20, b"\x03")
                  + el(13, b"SEP0000000000AA\0"))),
        ("s", pdu(3, el(10, b"\x08\x00"))),
        ("c", pdu(4, el(9, b"\x30\x82\xff\xff\x00")))]
    yield "two trailing bytes after the last element", [
        ("c", pdu(2, el(1, b"\x01") + b"\x0d\x00"))]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "test-captures", "capf-garbled.pcapng")
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "garbled.pcap")
        w = PcapWriter(raw)
        for n, (_, steps) in enumerate(cases()):
            s = TcpStream(w, "127.0.40.2", 50000 + n, "127.0.40.1", 3804).open()
            s.data("s", AUTH_REQUEST)
            for side, data, *cut in steps:
                s.data(side, data, cut[0] if cut else None)
            s.close()
        w.close()
        subprocess.run(["editcap", "-F", "pcapng", raw, out], check=True)
    print("wrote", os.path.normpath(out))


if __name__ == "__main__":
    main()
