#!/usr/bin/python3
"""Write test-captures/capf-long-names.pcapng: verdicts about names too long
for Wireshark's label limit.

Wireshark keeps an item's label, an expert's text included, in 240 bytes
(ITEM_LABEL_LENGTH); a longer one is cut.  The verdicts name the device (from
the phone's DEVICE_NAME) and the trust list (from TFTP), so a long name must
be cut by the plugin, with an ellipsis, for the expert text to stay whole.
Plaintext CAPF on TCP 3804 (127.0.41.2 -> 127.0.41.1) with device names of
190 bytes (short enough for Wireshark's own "Device Name: ..." label, too
long for the verdict texts that quote them), one verdict per connection, and
a TFTP read of a trust list with a 200-byte name that stops after its first
block.  Synthetic, with tests/generators/pcapwriter.py; see
test-captures/README.md for what each case must show.
"""
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapwriter import PcapWriter, TcpStream, _checksum, _ip  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SESSION = 0x4100
PHONE, SERVER = "127.0.41.2", "127.0.41.1"
# 190 bytes: "SEP" and letters.  The second is not ASCII: 25 times é in UTF-8
# (2 bytes each), which Wireshark reads as ASCII and shows as 50 replacement
# characters of 3 bytes each (174 bytes shown), so a cut must fall between them.
LONG_NAME = b"SEP" + b"LONGDEVICENAME" * 13 + b"X" * 5
LONG_NAME_UTF8 = b"SEPX" + "\u00e9".encode() * 25 + b"X" * 20
ITL_NAME = b"ITL" + b"SEP" + b"0123456789AB" * 16 + b"-long.tlv"    # 207 bytes


def el(tag, value):
    return struct.pack("!BH", tag, len(value)) + value


def pdu(cmd, body, session=SESSION):
    return struct.pack("!BBIH", 0x55, cmd, session, len(body)) + body


AUTH_REQUEST = pdu(1, el(7, b"\x03") + el(8, b"\x02"))


def auth_response(name):
    return pdu(2, el(1, b"\x01") + el(7, b"\x03") + el(11, b"\0") + el(13, name + b"\0"))


def cases():
    """(description, [(side, PDU)]) per connection, after the AUTH_REQUEST."""
    yield "unknown device", [
        ("c", auth_response(LONG_NAME)), ("s", pdu(15, el(1, b"\x09")))]
    yield "authentication refused, a name that is not ASCII", [
        ("c", auth_response(LONG_NAME_UTF8)), ("s", pdu(15, el(1, b"\x07")))]
    yield "key generation failed", [
        ("c", auth_response(LONG_NAME)), ("s", pdu(3, el(10, b"\x08\x00") + el(17, b"\x00"))),
        ("c", pdu(4, el(1, b"\x07"))), ("s", pdu(15, el(1, b"\x07")))]
    yield "retry later", [
        ("c", auth_response(LONG_NAME)), ("s", pdu(16, el(12, struct.pack("!I", 30))))]
    yield "nothing pending", [
        ("c", auth_response(LONG_NAME)), ("s", pdu(15, el(1, b"\x00")))]


def udp(w, src, sport, dst, dport, payload, ip_id):
    s, d = _ip(src), _ip(dst)
    header = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    csum = _checksum(s + d + struct.pack("!BBH", 0, 17, 8 + len(payload)) + header + payload) or 0xffff
    header = header[:6] + struct.pack("!H", csum)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + 8 + len(payload), ip_id, 0x4000, 64, 17, 0, s, d)
    ip = ip[:10] + struct.pack("!H", _checksum(ip)) + ip[12:]
    w.packet(ip + header + payload)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "test-captures",
                                                             "capf-long-names.pcapng")
    itl = open(os.path.join(HERE, "..", "..", "test-captures", "files", "itl-sha1.tlv"), "rb").read()
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "long-names.pcap")
        w = PcapWriter(raw)
        for n, (_, steps) in enumerate(cases()):
            s = TcpStream(w, PHONE, 51000 + n, SERVER, 3804).open()
            s.data("s", AUTH_REQUEST)
            for side, data in steps:
                s.data(side, data)
            s.close()
        # TFTP: read request, the first 512-byte block, its ACK; nothing more
        udp(w, PHONE, 41000, SERVER, 69, b"\x00\x01" + ITL_NAME + b"\0octet\0", 1)
        udp(w, SERVER, 52000, PHONE, 41000, b"\x00\x03\x00\x01" + itl[:512], 2)
        udp(w, PHONE, 41000, SERVER, 52000, b"\x00\x04\x00\x01", 3)
        w.close()
        subprocess.run(["editcap", "-F", "pcapng", raw, out], check=True)
    print("wrote", os.path.normpath(out))


if __name__ == "__main__":
    main()
