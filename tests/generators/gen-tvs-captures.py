#!/usr/bin/python3
"""Write the own-made clear-text TVS captures (TCP 2445, no TLS):

  test-captures/tvs-multi-request.pcapng  several requests on one connection,
      answered out of order, one never answered, one answer without a request,
      two messages in one segment, one message over two segments;
  test-captures/tvs-garbled.pcapng        malformed messages, one case per
      connection (each after a well-formed VERIFY_REQUEST, so the port 2445
      demultiplexer sees TVS's first byte 0x57).

The wire format is the one of doc/protocol.md section 5 (tvsd/tvsc); the
certificates are the trust-list fixtures.  Synthetic on purpose: tvsd answers
one request per connection and never sends a malformed message.  Loopback
addresses only (127.0.71.0/24).  See test-captures/README.md for what each
capture must show.

  tests/generators/gen-tvs-captures.py [OUTDIR]
"""
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from pcapwriter import PcapWriter, TcpStream  # noqa: E402

FIXTURES = os.path.join(HERE, "fixtures", "trustlist")
SERVER, PORT = "127.0.71.1", 2445

VERIFY_REQUEST, VERIFY_RESPONSE = 1, 2
DEVICE_NAME, CERTIFICATE, STATUS, ROLES, TTL = 1, 2, 7, 8, 9
ROLE_SAST, ROLE_CCM, ROLE_TFTP, ROLE_CAPF, ROLE_APP_SERVER = 0, 1, 3, 4, 7


def der(name):
    """DER of a fixture certificate (openssl, so no Python package is needed)."""
    return subprocess.run(["openssl", "x509", "-in", os.path.join(FIXTURES, name), "-outform", "DER"],
                          check=True, stdout=subprocess.PIPE).stdout


def el(tag, value):
    return struct.pack("!BH", tag, len(value)) + value


def msg(cmd, body, sid, proto_id=0x57, version=1, length=None):
    return struct.pack("!BBBBIH", proto_id, version, cmd, 0, sid,
                       len(body) if length is None else length) + body


def request(sid, device, cert):
    return msg(VERIFY_REQUEST, el(DEVICE_NAME, b"\x01" + device.encode()) + el(CERTIFICATE, cert), sid)


def valid(sid, roles, ttl):
    return msg(VERIFY_RESPONSE, el(STATUS, b"\x00") + el(ROLES, bytes(roles)) + el(TTL, struct.pack("!I", ttl)), sid)


def invalid(sid):
    return msg(VERIFY_RESPONSE, el(STATUS, b"\x01"), sid)


def multi_request(path):
    capf, app, tvs, ccm = der("capf.crt.pem"), der("appserver.crt.pem"), der("tvs.crt.pem"), der("callmanager.crt.pem")
    dev = "CP-8865-SEP0030A1000071"
    w = PcapWriter(path)
    s = TcpStream(w, "127.0.71.2", 40001, SERVER, PORT).open()
    s.data("c", request(1, dev, capf))                     # id 1: CAPF certificate
    s.data("c", request(2, dev, app))                      # id 2: an HTTPS server TVS does not know
    s.data("s", invalid(2))                                # answers out of order: 2 first
    s.data("s", valid(1, [ROLE_CAPF], 3600))
    both = request(3, dev, ccm) + request(4, dev, tvs)     # two requests in one segment
    s.data("c", both)
    r3 = valid(3, [ROLE_CCM, ROLE_TFTP, ROLE_SAST, 255], 600)   # 255: the unknown role of tvsd's first version
    s.data("s", r3[:7])                                    # answer 3 over two segments
    s.data("s", r3[7:])
    s.data("s", invalid(9))                                # an answer to a request never sent
    # request 4 is never answered
    s.close()
    w.close()


def garbled(path):
    capf = der("capf.crt.pem")
    dev = "CP-8865-SEP0030A1000072"
    good = request(1, dev, capf)
    cases = [
        # (client data after the good request, server data)
        [("s", msg(VERIFY_RESPONSE, el(STATUS, b"\x00"), 1, proto_id=0x58))],           # bad protocol id
        [("s", msg(VERIFY_RESPONSE, el(STATUS, b"\x00"), 1, version=2))],               # version 2
        [("s", msg(7, el(STATUS, b"\x00"), 1))],                                        # unknown command 7
        [("s", msg(VERIFY_RESPONSE, el(STATUS, b"\x00") + el(5, b"\xaa\xbb"), 1))],     # unknown element tag 5
        [("s", msg(VERIFY_RESPONSE, el(STATUS, b"\x00") + struct.pack("!BH", TTL, 40) + b"\x00\x00", 1))],
        [("s", msg(VERIFY_RESPONSE, el(STATUS, b"\x00\x00") + el(TTL, b"\x0e\x10"), 1))],  # wrong lengths
        [("s", msg(VERIFY_RESPONSE, el(ROLES, bytes([ROLE_CAPF])), 1))],                # no STATUS
        [("c", msg(VERIFY_REQUEST, el(DEVICE_NAME, b"\x01" + dev.encode()), 2)),        # no CERTIFICATE
         ("s", invalid(2))],
        [("c", msg(VERIFY_REQUEST, el(DEVICE_NAME, b"\x01" + dev.encode()) +
                   el(CERTIFICATE, b"\x30\x82\x01\x00not a certificate"), 3)),          # not DER
         ("s", invalid(3))],
        [("s", msg(VERIFY_RESPONSE, el(STATUS, b"\x00") + b"\x09\x00", 1))],            # 2 trailing bytes
        [("c", msg(VERIFY_REQUEST, el(DEVICE_NAME, b"") + el(CERTIFICATE, capf), 4)),   # empty DEVICE_NAME
         ("s", invalid(4))],
    ]
    w = PcapWriter(path)
    for n, steps in enumerate(cases):
        s = TcpStream(w, "127.0.71.3", 41000 + n, SERVER, PORT).open()
        s.data("c", good)
        for side, data in steps:
            s.data(side, data)
        s.close()
    w.close()


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "test-captures")
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in (("tvs-multi-request", multi_request), ("tvs-garbled", garbled)):
            raw = os.path.join(tmp, name + ".pcap")
            make(raw)
            dst = os.path.join(out, name + ".pcapng")
            subprocess.run(["editcap", "-F", "pcapng", raw, dst], check=True)
            print("wrote", os.path.normpath(dst))


if __name__ == "__main__":
    main()
