#!/usr/bin/python3
"""Copy a pcapng capture, moving one TCP port to another (test tooling).

  tests/generators/rewrite-port.py IN.pcapng OUT.pcapng OLD_PORT NEW_PORT

For Decode As tests: the same real session on a port Wireshark does not
associate with CAPF.  Handles Ethernet (dumpcap on lo) and raw IPv4 packets
in Enhanced Packet Blocks; fixes the TCP checksum; keeps every other block
(interfaces, embedded TLS secrets) as it is.  Little-endian pcapng only.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapwriter import _checksum as checksum  # noqa: E402  (the Internet checksum)

EPB = 6
LINKTYPE_ETHERNET, LINKTYPE_RAW = 1, 101


def rewrite(frame, linktype, old, new):
    ip_off = 14 if linktype == LINKTYPE_ETHERNET else 0
    if linktype == LINKTYPE_ETHERNET and frame[12:14] != b"\x08\x00":
        return frame
    ip = frame[ip_off:]
    if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 6:
        return frame
    ihl = (ip[0] & 0x0F) * 4
    total = struct.unpack("!H", ip[2:4])[0]
    tcp = bytearray(ip[ihl:total])
    sport, dport = struct.unpack("!HH", tcp[:4])
    if old not in (sport, dport):
        return frame
    tcp[0:4] = struct.pack("!HH", new if sport == old else sport, new if dport == old else dport)
    tcp[16:18] = b"\0\0"
    pseudo = ip[12:20] + struct.pack("!BBH", 0, 6, len(tcp))
    tcp[16:18] = struct.pack("!H", checksum(bytes(pseudo) + bytes(tcp)))
    return frame[:ip_off + ihl] + bytes(tcp) + frame[ip_off + total:]


def main():
    src, dst, old, new = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    data = open(src, "rb").read()
    out, off, linktypes = bytearray(), 0, []
    while off < len(data):
        btype, blen = struct.unpack_from("<II", data, off)
        block = data[off:off + blen]
        if btype == 0x0A0D0D0A and block[8:12] != b"\x4d\x3c\x2b\x1a":
            sys.exit("only little-endian pcapng is supported")
        if btype == 1:  # Interface Description Block
            linktypes.append(struct.unpack_from("<H", block, 8)[0])
        if btype == EPB:
            iface, _, _, caplen, origlen = struct.unpack_from("<IIIII", block, 8)
            frame = block[28:28 + caplen]
            if caplen == origlen:
                frame = rewrite(frame, linktypes[iface], old, new)
            pad = (4 - len(frame) % 4) % 4
            opts = block[28 + caplen + ((4 - caplen % 4) % 4):blen - 4]
            body = block[8:20] + struct.pack("<II", len(frame), origlen) + frame + b"\0" * pad + opts
            block = struct.pack("<II", EPB, len(body) + 12) + body + struct.pack("<I", len(body) + 12)
        out += block
        off += blen
    open(dst, "wb").write(out)


if __name__ == "__main__":
    main()
