"""Minimal classic-pcap writer for synthetic TCP streams (test tooling).

Only for captures that cannot be made with real sockets: snap-length cuts,
deliberately malformed bytes.  Addresses are always loopback.

PcapngWriter (below) writes pcapng with embedded TLS secrets, for the
deterministic benchmark capture (tests/generators/gen-bench-capture.py).
"""
import struct

LINKTYPE_RAW_IPV4 = 228
_TCP_FIN, _TCP_SYN, _TCP_RST, _TCP_PSH, _TCP_ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def _checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def _ip(addr):
    parts = [int(p) for p in addr.split(".")]
    if parts[0] != 127:
        raise ValueError("test captures use loopback addresses only: %s" % addr)
    return bytes(parts)


class PcapWriter:
    def __init__(self, path, snaplen=262144):
        self.f = open(path, "wb")
        self.snaplen = snaplen
        self.t = 1700000000.0
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, LINKTYPE_RAW_IPV4))

    def packet(self, data, caplen=None):
        self.t += 0.001
        sec = int(self.t)
        usec = int(round((self.t - sec) * 1e6))
        incl = len(data) if caplen is None else min(caplen, len(data))
        self.f.write(struct.pack("<IIII", sec, usec, incl, len(data)))
        self.f.write(data[:incl])

    def close(self):
        self.f.close()


class TcpStream:
    """One TCP connection: handshake, data in either direction, FIN."""

    def __init__(self, writer, client, cport, server, sport):
        self.w = writer
        self.ends = {"c": (_ip(client), cport), "s": (_ip(server), sport)}
        self.seq = {"c": 1000, "s": 5000}
        self.w_ip_id = 1

    def _send(self, side, flags, payload=b"", caplen=None):
        other = "s" if side == "c" else "c"
        (src, sport), (dst, dport) = self.ends[side], self.ends[other]
        ack = self.seq[other] if flags & _TCP_ACK else 0
        tcp = struct.pack("!HHIIBBHHH", sport, dport, self.seq[side], ack, 5 << 4, flags, 65535, 0, 0)
        pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp) + len(payload))
        csum = _checksum(pseudo + tcp + payload)
        tcp = tcp[:16] + struct.pack("!H", csum) + tcp[18:]
        total = 20 + len(tcp) + len(payload)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, self.w_ip_id, 0x4000, 64, 6, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", _checksum(ip)) + ip[12:]
        self.w_ip_id += 1
        self.w.packet(ip + tcp + payload, None if caplen is None else 20 + len(tcp) + caplen)
        self.seq[side] += len(payload) + (1 if flags & (_TCP_SYN | _TCP_FIN) else 0)

    def open(self):
        self._send("c", _TCP_SYN)
        self._send("s", _TCP_SYN | _TCP_ACK)
        self._send("c", _TCP_ACK)
        return self

    def data(self, side, payload, caplen=None):
        """Send payload from side 'c' or 's'; caplen cuts the captured copy."""
        self._send(side, _TCP_PSH | _TCP_ACK, payload, caplen)
        self._send("s" if side == "c" else "c", _TCP_ACK)

    def close(self):
        self._send("c", _TCP_FIN | _TCP_ACK)
        self._send("s", _TCP_FIN | _TCP_ACK)
        self._send("c", _TCP_ACK)


# ---------------------------------------------------------------------------
# pcapng (for captures that carry their TLS keys)

LINKTYPE_ETHERNET = 1
SECRETS_TLS_KEY_LOG = 0x544C534B   # Decryption Secrets Block: NSS key log lines


def _pcapng_block(block_type, body):
    body += b"\0" * (-len(body) % 4)
    length = 12 + len(body)
    return struct.pack("<II", block_type, length) + body + struct.pack("<I", length)


class PcapngWriter:
    """pcapng with one interface (microsecond timestamps) and optional
    Decryption Secrets Blocks.  packet() takes the timestamp explicitly, so
    interleaved flows can be written in time order by the caller."""

    def __init__(self, path, linktype=LINKTYPE_ETHERNET, snaplen=262144):
        self.f = open(path, "wb")
        self.f.write(_pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)))
        self.f.write(_pcapng_block(1, struct.pack("<HHI", linktype, 0, snaplen)))

    def secrets(self, key_log_text):
        """Embed TLS secrets ('CLIENT_RANDOM <hex> <hex>' lines), as editcap --inject-secrets does."""
        data = key_log_text.encode("ascii")
        self.f.write(_pcapng_block(0x0000000A, struct.pack("<II", SECRETS_TLS_KEY_LOG, len(data)) + data))

    def packet(self, timestamp_us, data):
        self.f.write(_pcapng_block(6, struct.pack("<IIIII", 0, timestamp_us >> 32, timestamp_us & 0xFFFFFFFF,
                                                  len(data), len(data)) + data))

    def close(self):
        self.f.close()


def rewrite_packets(src, dst, rewrite):
    """Copy the pcapng file src to dst, replacing each whole packet (Enhanced
    Packet Block, captured length = original length) by the packets
    rewrite(frame, linktype) returns (a list of frames; [frame] keeps it).  A
    packet that stays one keeps its options; every other block (interfaces,
    embedded TLS secrets) is copied as it is.  Little-endian pcapng only."""
    data = open(src, "rb").read()
    out, off, linktypes = bytearray(), 0, []
    while off < len(data):
        btype, blen = struct.unpack_from("<II", data, off)
        block = data[off:off + blen]
        if btype == 0x0A0D0D0A and block[8:12] != b"\x4d\x3c\x2b\x1a":
            raise SystemExit("only little-endian pcapng is supported")
        if btype == 1:  # Interface Description Block
            linktypes.append(struct.unpack_from("<H", block, 8)[0])
        if btype != 6:  # not an Enhanced Packet Block
            out += block
            off += blen
            continue
        iface, _, _, caplen, origlen = struct.unpack_from("<IIIII", block, 8)
        frames = [block[28:28 + caplen]]
        if caplen == origlen:
            frames = rewrite(frames[0], linktypes[iface])
        opts = block[28 + caplen + ((4 - caplen % 4) % 4):blen - 4] if len(frames) == 1 else b""
        for frame in frames:
            pad = (4 - len(frame) % 4) % 4
            body = block[8:20] + struct.pack("<II", len(frame), len(frame) if caplen == origlen else origlen) \
                + frame + b"\0" * pad + opts
            out += struct.pack("<II", 6, len(body) + 12) + body + struct.pack("<I", len(body) + 12)
        off += blen
    open(dst, "wb").write(out)
