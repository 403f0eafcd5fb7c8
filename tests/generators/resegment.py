#!/usr/bin/python3
"""Copy a pcapng capture, cutting every TCP segment of one port into segments
of at most MAXLEN payload bytes (test tooling).

  tests/generators/resegment.py IN.pcapng OUT.pcapng PORT MAXLEN

What a capture taken on a small-MTU path looks like (on loopback the kernel
hands dumpcap segments of up to 64 KB): TLS records, the server's Certificate
among them, then span several TCP segments, and dissectors only see them whole
through TCP reassembly.  The pieces keep the original's time stamp, sequence
numbers follow the cut, PSH stays on the last piece only, IP length and
checksum and TCP checksum are recomputed; every other block (interfaces,
embedded TLS secrets) stays as it is.  Ethernet or raw IPv4, little-endian
pcapng only.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapwriter import _checksum as checksum, rewrite_packets  # noqa: E402  (the Internet checksum)

LINKTYPE_ETHERNET = 1
TCP_PSH = 0x08


def cut(frame, linktype, port, maxlen):
    """The frame, or the frames it is cut into."""
    ip_off = 14 if linktype == LINKTYPE_ETHERNET else 0
    if linktype == LINKTYPE_ETHERNET and frame[12:14] != b"\x08\x00":
        return [frame]
    ip = frame[ip_off:]
    if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 6:
        return [frame]
    ihl = (ip[0] & 0x0F) * 4
    total = struct.unpack("!H", ip[2:4])[0]
    tcp = ip[ihl:total]
    thl = (tcp[12] >> 4) * 4
    sport, dport, seq = struct.unpack("!HHI", tcp[:8])
    payload = tcp[thl:]
    if port not in (sport, dport) or len(payload) <= maxlen:
        return [frame]
    frames = []
    for start in range(0, len(payload), maxlen):
        piece = payload[start:start + maxlen]
        last = start + maxlen >= len(payload)
        header = bytearray(tcp[:thl])
        header[4:8] = struct.pack("!I", (seq + start) & 0xFFFFFFFF)
        if not last:
            header[13] &= ~TCP_PSH & 0xFF
        header[16:18] = b"\0\0"
        segment = bytes(header) + piece
        iph = bytearray(ip[:ihl])
        iph[2:4] = struct.pack("!H", ihl + len(segment))
        iph[10:12] = b"\0\0"
        iph[10:12] = struct.pack("!H", checksum(bytes(iph)))
        pseudo = bytes(iph[12:20]) + struct.pack("!BBH", 0, 6, len(segment))
        segment = segment[:16] + struct.pack("!H", checksum(pseudo + segment)) + segment[18:]
        frames.append(frame[:ip_off] + bytes(iph) + segment)
    return frames


def main():
    src, dst, port, maxlen = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    rewrite_packets(src, dst, lambda frame, linktype: cut(frame, linktype, port, maxlen))


if __name__ == "__main__":
    main()
