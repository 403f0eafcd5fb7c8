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
from pcapwriter import _checksum as checksum, rewrite_packets  # noqa: E402  (the Internet checksum)

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
    rewrite_packets(src, dst, lambda frame, linktype: [rewrite(frame, linktype, old, new)])


if __name__ == "__main__":
    main()
