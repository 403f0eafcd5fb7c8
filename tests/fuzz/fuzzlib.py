"""Structure-aware mutation of CAPF PDUs and ITL/CTL trust lists, and the
writers that put each case on the wire of its own TCP connection or TFTP
transfer (test tooling for tests/fuzz/fuzz.py and tests/fuzz/gen-adversarial.py).

A case is made from (seed, index) alone: random.Random("<seed>/<index>"), so
any single case can be rebuilt without its batch (tests/fuzz/fuzz.py --only).
Addresses are loopback only; case i uses its own client address and port.
"""
import json
import os
import random
import struct
import subprocess
import sys
from collections import OrderedDict

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "generators"))  # pcapwriter
from pcapwriter import PcapWriter, TcpStream, _checksum, _ip

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))

CAPF_PORT = 3804
CAPF_SERVER = "127.0.60.1"
TFTP_SERVER = "127.0.61.1"
HTTP_SERVER = "127.0.62.1"
CAPF_TAGS = list(range(1, 14)) + [16, 17, 18, 19, 20]
CAPF_NESTED = (4, 16, 20)
ITL_CONTAINERS = (3, 7, 9, 16, 17, 21)
ITL_HEADER_TAGS = list(range(1, 16)) + [16, 17, 21, 28]
ITL_RECORD_TAGS = list(range(1, 13))
INTERESTING_U16 = (0, 1, 2, 3, 4, 5, 0x7F, 0x80, 0xFF, 0x100, 0x1FF, 0x200, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF)
TRUST_NAMES = ("ITLFile.tlv", "CTLFile.tlv", "ITLSEP001122334455.tlv", "CTLSEP001122334455.tlv",
               "itlfile.tlv", "SEP001122334455.cnf.xml.sgn", "ITLFile.tlv.sgn", "unrelated.bin")


def client_addr(index, net=63):
    """A distinct loopback client address and port for case `index`."""
    return "127.%d.%d.%d" % (net + (index >> 16) % 64, (index >> 8) & 255, (index & 255) or 1), \
        10000 + index % 50000


# ---------------------------------------------------------------------------
# pcap writing: TCP comes from pcapwriter; UDP (TFTP) here

class UdpFlow:
    def __init__(self, writer, a, aport, b, bport):
        self.w = writer
        self.ends = {"a": (_ip(a), aport), "b": (_ip(b), bport)}

    def send(self, side, payload, caplen=None):
        other = "b" if side == "a" else "a"
        (src, sport), (dst, dport) = self.ends[side], self.ends[other]
        udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
        total = 20 + 8 + len(payload)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 1, 0x4000, 64, 17, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", _checksum(ip)) + ip[12:]
        self.w.packet(ip + udp + payload, None if caplen is None else 28 + caplen)


def write_tftp(w, index, name, data, blksize=None, drop_last=False, dup_block=None, acks=True):
    """Client RRQ to port 69, server answers from its own port with DATA, client ACKs
    (acks=False leaves the ACKs out: Wireshark reassembles from the DATA blocks alone)."""
    client, cport = client_addr(index)
    sport = 20000 + index % 40000
    rrq = b"\x00\x01" + name.encode("latin-1") + b"\x00octet\x00"
    if blksize:
        rrq += b"blksize\x00" + str(blksize).encode() + b"\x00"
    UdpFlow(w, client, cport, TFTP_SERVER, 69).send("a", rrq)
    flow = UdpFlow(w, TFTP_SERVER, sport, client, cport)
    size = blksize or 512
    if blksize:
        flow.send("a", b"\x00\x06blksize\x00" + str(blksize).encode() + b"\x00")
        flow.send("b", b"\x00\x04\x00\x00")
    blocks = [data[i:i + size] for i in range(0, len(data), size)]
    if len(data) % size == 0:
        blocks.append(b"")
    if drop_last and len(blocks) > 1:
        blocks = blocks[:-1]
    for n, block in enumerate(blocks, 1):
        for _ in range(2 if dup_block == n else 1):
            flow.send("a", struct.pack("!HH", 3, n & 0xFFFF) + block)
            if acks:
                flow.send("b", struct.pack("!HH", 4, n & 0xFFFF))


def write_http(w, index, name, data, content_type="application/octet-stream"):
    client, cport = client_addr(index)
    s = TcpStream(w, client, cport, HTTP_SERVER, 6970).open()
    s.data("c", ("GET /%s HTTP/1.1\r\nHost: %s:6970\r\n\r\n" % (name, HTTP_SERVER)).encode("latin-1"))
    head = ("HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n"
            % (content_type, len(data))).encode()
    payload = head + data
    for i in range(0, len(payload), 1400):
        s.data("s", payload[i:i + 1400])
    s.close()


def write_capf(w, index, steps, rst=False, acks=True, handshake=True):
    """steps: [(side 'c'|'s', bytes, caplen or None)], one TCP connection on 3804
    (handshake=False: no SYN and no FIN, the data alone, as in a capture started late)."""
    client, cport = client_addr(index)
    s = TcpStream(w, client, cport, CAPF_SERVER, CAPF_PORT)
    if handshake:
        s.open()
    for side, data, caplen in steps:
        if data:
            if acks:
                s.data(side, data, caplen)
            else:
                s._send(side, 0x18, data, caplen)     # PSH, ACK; no separate ACK segment
    if rst:
        s._send("c", 0x04 | 0x10)
    elif handshake:
        s.close()


# ---------------------------------------------------------------------------
# Seed corpus from test-captures/

def _pairs(pairs):
    d = OrderedDict()
    for k, v in pairs:
        d.setdefault(k, []).append(v)
    return d


def _walk_raw(node, out):
    """All capf_raw hex strings in a tshark -T json -x layer tree, in order."""
    if isinstance(node, dict):
        for k, vs in node.items():
            for v in vs:
                if k == "capf_raw" and isinstance(v, list) and v and isinstance(v[0], str):
                    out.append(v[0])
                else:
                    _walk_raw(v, out)
    elif isinstance(node, list):
        for v in node:
            _walk_raw(v, out)


def extract_capf_sessions(tshark_cmd, captures):
    """[(capture name, [(side, bytes)])] per TCP connection carrying CAPF."""
    sessions = []
    for cap in captures:
        stem = os.path.splitext(os.path.basename(cap))[0]
        args_file = os.path.join(os.path.dirname(cap), "expected", stem + ".args")
        extra = open(args_file).read().split() if os.path.exists(args_file) else []
        res = subprocess.run(tshark_cmd + ["-r", cap] + extra + ["-Y", "capf.command", "-T", "json", "-x",
                                                                  "-j", "tcp capf"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        if res.returncode != 0 or not res.stdout.strip():
            continue
        streams = OrderedDict()
        for pkt in json.loads(res.stdout, object_pairs_hook=_pairs):
            layers = pkt["_source"][0]["layers"][0]
            tcp = layers.get("tcp", [{}])[0]
            stream = tcp.get("tcp.stream", ["?"])[0]
            srcport = int(tcp.get("tcp.srcport", ["0"])[0])
            side = "s" if srcport in (3804, 5000) else "c"
            raws = []
            _walk_raw(layers, raws)
            for h in raws:
                streams.setdefault(stream, []).append((side, bytes.fromhex(h)))
        for stream, pdus in streams.items():
            sessions.append((stem, pdus))
    return sessions


def trust_files():
    d = os.path.join(TOP, "test-captures", "files")
    return [(f, open(os.path.join(d, f), "rb").read()) for f in sorted(os.listdir(d)) if f.endswith(".tlv")]


# ---------------------------------------------------------------------------
# Generic byte mutations

def _u16(v):
    return struct.pack("!H", v & 0xFFFF)


def lie(rng, actual):
    """A wrong length near or far from the actual one."""
    r = rng.random()
    if r < 0.35:
        return max(0, actual + rng.choice((-3, -2, -1, 1, 2, 3))) & 0xFFFF
    if r < 0.7:
        return rng.choice(INTERESTING_U16)
    return rng.randrange(0x10000)


def flip_bytes(rng, data, n=None):
    if not data:
        return data
    b = bytearray(data)
    for _ in range(n or rng.randint(1, 4)):
        i = rng.randrange(len(b))
        r = rng.random()
        if r < 0.5:
            b[i] ^= 1 << rng.randrange(8)
        elif r < 0.8:
            b[i] = rng.choice((0, 1, 0x7F, 0x80, 0xFF, 0x0D, 0x55))
        else:
            b[i] = rng.randrange(256)
    return bytes(b)


def odd_value(rng):
    return rng.choice((b"", b"\x00", b"\xff", b"\x01", b"\x00\x00", b"\xff\xff", b"\x03\x00\x00",
                       b"A" * rng.randint(1, 300), b"\xc3\x28\xa0\xa1", b"SEP" + b"\xff" * 12,
                       bytes(rng.randrange(256) for _ in range(rng.randint(1, 64))),
                       b"\x30\x82\xff\xff" + b"\x00" * 8, b"\x30\x80\x30\x80\x00\x00\x00\x00"))


# ---------------------------------------------------------------------------
# CAPF PDUs

def capf_parse(data):
    """(proto, cmd, session, [[tag, value, length_override]], trailing) or None."""
    if len(data) < 8:
        return None
    proto, cmd, session, length = struct.unpack_from("!BBIH", data)
    body = data[8:8 + length]
    elems, off = [], 0
    while off + 3 <= len(body):
        tag, ln = struct.unpack_from("!BH", body, off)
        if off + 3 + ln > len(body):
            break
        elems.append([tag, body[off + 3:off + 3 + ln], None])
        off += 3 + ln
    return [proto, cmd, session, elems, body[off:]]


def capf_build(p, length=None):
    proto, cmd, session, elems, trailing = p
    body = b"".join(struct.pack("!BH", t & 0xFF, (len(v) if lo is None else lo) & 0xFFFF) + v
                    for t, v, lo in elems) + trailing
    if length is None:
        body = body[:0xFFFF]
        length = len(body)
    return struct.pack("!BBIH", proto & 0xFF, cmd & 0xFF, session & 0xFFFFFFFF, length & 0xFFFF) + body


def nested_length_offsets(tag, value):
    """Offsets of the u16 lengths inside a nested element value."""
    if tag in (4, 20):
        return [1] if len(value) >= 3 else []
    if tag == 16:
        offs, off = [], 0
        while off + 3 <= len(value):
            offs.append(off + 1)
            off += 3 + struct.unpack_from("!H", value, off + 1)[0]
        return offs
    return []


def mutate_nested(rng, tag, value):
    offs = nested_length_offsets(tag, value)
    b = bytearray(value)
    r = rng.random()
    if offs and r < 0.5:
        o = rng.choice(offs)
        struct.pack_into("!H", b, o, lie(rng, struct.unpack_from("!H", b, o)[0]))
        return bytes(b)
    if r < 0.7 and len(b) > 5:
        # the DER inside: break one of its first length bytes or cut it
        if rng.random() < 0.5:
            i = rng.randrange(5, min(len(b), 12))
            b[i] = rng.choice((0x80, 0x81, 0x82, 0x84, 0xFF, 0x00, 0x30))
            return bytes(b)
        return bytes(b[:rng.randrange(5, len(b))])
    if r < 0.85:
        # overlap: inner item claims everything and more; then repeated items
        inner = struct.pack("!BH", rng.choice((0, 1, 3)), 0xFFFF) + bytes(b[:8])
        return inner * rng.randint(1, 4)
    return flip_bytes(rng, value)


def mutate_capf_pdu(rng, data, donors):
    """One to four structure-aware mutations of one PDU."""
    p = capf_parse(data)
    if p is None:
        return flip_bytes(rng, data) + odd_value(rng)
    length = None
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4))):
        elems = p[3]
        op = rng.randrange(13)
        if op == 0:
            length = lie(rng, len(capf_build(p)) - 8)
        elif op == 1 and elems:
            e = rng.choice(elems)
            e[2] = lie(rng, len(e[1]))
        elif op == 2 and elems:
            rng.choice(elems)[0] = rng.choice(CAPF_TAGS + [0, 14, 15, 21, 99, 255])
        elif op == 3 and elems:
            e = rng.choice(elems)
            for _ in range(rng.choice((1, 2, 10, 100)) if rng.random() < 0.95 else rng.choice((1000, 5000))):
                elems.insert(rng.randrange(len(elems) + 1), [e[0], e[1], e[2]])
        elif op == 4 and elems:
            del elems[rng.randrange(len(elems))]
        elif op == 5:
            nested = [e for e in elems if e[0] in CAPF_NESTED]
            if nested:
                e = rng.choice(nested)
                e[1] = mutate_nested(rng, e[0], e[1])
            else:
                elems.append([rng.choice(CAPF_NESTED), odd_value(rng), None])
        elif op == 6 and elems:
            e = rng.choice(elems)
            e[1] = odd_value(rng) if rng.random() < 0.5 else flip_bytes(rng, e[1])
        elif op == 7:
            p[1] = rng.choice(list(range(0, 24)) + [24, 30, 128, 255])
        elif op == 8:
            p[0] = rng.choice((0x55, 0x55, 0x00, 0x54, 0x56, 0xFF, 0x16))
        elif op == 9 and donors:
            d = capf_parse(rng.choice(donors))
            if d and d[3]:
                elems.insert(rng.randrange(len(elems) + 1), list(rng.choice(d[3])))
        elif op == 10:
            # a huge count of tiny elements, up to what a u16 body allows
            n = rng.choice((10, 100, 300)) if rng.random() < 0.9 else rng.choice((1000, 10000, 21000))
            tag = rng.choice(CAPF_TAGS + [99])
            elems.extend([[tag, b"", None]] * n)
        elif op == 11:
            p[4] = odd_value(rng)
        else:
            p[2] = rng.choice((0, 1, 0xFFFFFFFF, p[2] + 1, rng.randrange(1 << 32)))
    return capf_build(p, length)


def capf_case(rng, sessions, donors):
    """[(side, bytes, caplen)] for one TCP connection, and a description."""
    if rng.random() < 0.15 or not sessions:
        # a synthetic PDU: any command, a mix of elements from the corpus
        cmd = rng.randrange(0, 26)
        elems = []
        for _ in range(rng.randint(0, 6)):
            d = capf_parse(rng.choice(donors)) if donors else None
            if d and d[3]:
                elems.append(list(rng.choice(d[3])))
            else:
                elems.append([rng.choice(CAPF_TAGS), odd_value(rng), None])
        pdus = [("s", capf_build([0x55, 1, 7, [[7, b"\x03", None], [8, b"\x01", None]], b""])),
                (rng.choice("cs"), mutate_capf_pdu(rng, capf_build([0x55, cmd, 7, elems, b""]), donors))]
        what = "synthetic command %d" % cmd
    else:
        name, session = rng.choice(sessions)
        pdus = list(session)
        k = rng.choice((1, 1, 1, 2, 3))
        for _ in range(k):
            i = rng.randrange(len(pdus))
            side, data = pdus[i]
            pdus[i] = (side, mutate_capf_pdu(rng, data, donors))
        r = rng.random()
        if r < 0.1 and len(pdus) > 1:
            pdus = pdus[:rng.randrange(1, len(pdus))]
        elif r < 0.2:
            i = rng.randrange(len(pdus))
            pdus.insert(i, pdus[i])
        elif r < 0.25:
            rng.shuffle(pdus)
        what = "%s session, %d PDU(s) mutated" % (name, k)
    steps = []
    r = rng.random()
    if r < 0.65:
        steps = [(side, data, None) for side, data in pdus]
    elif r < 0.8:
        for side, data in pdus:
            cuts = sorted(rng.sample(range(1, len(data)), min(len(data) - 1, rng.randint(1, 5)))) if len(data) > 1 else []
            prev = 0
            for c in cuts + [len(data)]:
                steps.append((side, data[prev:c], None))
                prev = c
    elif r < 0.9:
        # consecutive PDUs of one side in one segment
        for side, data in pdus:
            if steps and steps[-1][0] == side:
                steps[-1] = (side, steps[-1][1] + data, None)
            else:
                steps.append((side, data, None))
    else:
        steps = [(side, data, None) for side, data in pdus]
        i = rng.randrange(len(steps))
        side, data, _ = steps[i]
        steps[i] = (side, data, rng.randrange(0, max(1, len(data))))   # snap-length cut
        what += ", frame cut by the snap length"
    # very large PDUs would exceed the IPv4 total length; split them
    out = []
    for side, data, caplen in steps:
        while len(data) > 60000:
            out.append((side, data[:60000], None))
            data = data[60000:]
        out.append((side, data, caplen))
    return out, what, rng.random() < 0.05


# ---------------------------------------------------------------------------
# Trust lists

class Tlv:
    __slots__ = ("tag", "value", "children", "length")

    def __init__(self, tag, value=b"", children=None, length=None):
        self.tag, self.value, self.children, self.length = tag, value, children, length

    def encode(self):
        if self.tag is None:          # padding byte(s)
            return self.value
        v = b"".join(c.encode() for c in self.children) if self.children is not None else self.value
        return struct.pack("!BH", self.tag & 0xFF, (len(v) if self.length is None else self.length) & 0xFFFF) + v


def _parse_tlvs(data, containers, padding):
    out, off = [], 0
    while off < len(data):
        if padding and data[off] == 13:
            out.append(Tlv(None, data[off:off + 1]))
            off += 1
            continue
        if off + 3 > len(data):
            out.append(Tlv(None, data[off:]))
            break
        tag, ln = struct.unpack_from("!BH", data, off)
        v = data[off + 3:off + 3 + ln]
        if off + 3 + ln > len(data):
            out.append(Tlv(tag, v, length=ln))
            break
        if tag in containers:
            out.append(Tlv(tag, children=_parse_tlvs(v, containers, False)))
        else:
            out.append(Tlv(tag, v))
        off += 3 + ln
    return out


def itl_parse(data):
    """(header TLVs, [record TLV lists]) of a trust list."""
    hl = len(data)
    if len(data) >= 10 and data[5] == 2:     # VERSION (5 bytes), then HEADER_LENGTH
        hl = min(len(data), struct.unpack_from("!H", data, 8)[0])
    header = _parse_tlvs(data[:hl], ITL_CONTAINERS, True)
    records, off = [], hl
    while off + 5 <= len(data):
        tag, ln, rl = struct.unpack_from("!BHH", data, off)
        if tag != 1 or rl < 5:
            break
        records.append(_parse_tlvs(data[off:off + rl], (), False))
        off += rl
    return header, records, data[off:]


class ItlFile:
    def __init__(self, data):
        self.header, self.records, self.tail = itl_parse(data)
        self.header_length_lie = None
        self.record_length_lies = {}

    def nodes(self, with_records=True):
        """Every TLV (any depth), for picking one to mutate."""
        out = []

        def walk(lst):
            for t in lst:
                if t.tag is not None:
                    out.append((lst, t))
                    if t.children is not None:
                        walk(t.children)
        walk(self.header)
        if with_records:
            for r in self.records:
                walk(r)
        return out

    def encode(self):
        head = b"".join(t.encode() for t in self.header)
        hl = len(head) if self.header_length_lie is None else self.header_length_lie
        head = bytearray(head)
        if len(head) >= 10 and head[5] == 2 and head[6:8] == b"\x00\x02":
            struct.pack_into("!H", head, 8, hl & 0xFFFF)
        recs = b""
        for i, r in enumerate(self.records):
            body = b"".join(t.encode() for t in r[1:]) if r and r[0].tag == 1 else b"".join(t.encode() for t in r)
            if r and r[0].tag == 1:
                rl = self.record_length_lies.get(i, 5 + len(body))
                first = struct.pack("!BHH", 1, 2 if r[0].length is None else r[0].length, rl & 0xFFFF)
                recs += first + body
            else:
                recs += body
        return bytes(head) + recs + self.tail


def nest_chain(rng, depth):
    """Containers inside containers, `depth` deep (3 bytes of nesting each),
    built as bytes (no recursion)."""
    v = struct.pack("!BHB", 8, 1, 1)
    for _ in range(depth - 1):
        v = struct.pack("!BH", rng.choice(ITL_CONTAINERS), len(v)) + v
    return Tlv(rng.choice(ITL_CONTAINERS), v)


def mutate_trust_list(rng, data, donors):
    f = ItlFile(data)
    what = []
    for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
        op = rng.randrange(14)
        nodes = f.nodes()
        if op == 0 and nodes:
            _, t = rng.choice(nodes)
            t.length = lie(rng, len(t.encode()) - 3)
            what.append("TLV %d length lie" % t.tag)
        elif op == 1:
            f.header_length_lie = lie(rng, len(b"".join(t.encode() for t in f.header)))
            what.append("header length lie")
        elif op == 2 and f.records:
            i = rng.randrange(len(f.records))
            f.record_length_lies[i] = lie(rng, 5)
            what.append("record length lie")
        elif op == 3 and nodes:
            _, t = rng.choice(nodes)
            t.tag = rng.choice(ITL_HEADER_TAGS + [0, 29, 99, 255])
            what.append("tag change")
        elif op == 4 and f.records:
            # huge counts: many copies of a record, or of a minimal one
            r = rng.choice(f.records) if rng.random() < 0.5 else [Tlv(1, b"\x00\x05")]
            size = max(5, sum(len(t.encode()) for t in r))
            n = min(rng.choice((2, 10, 50)) if rng.random() < 0.9 else rng.choice((1000, 5000)),
                    max(1, 65536 // size))
            f.records.extend([r] * n)
            what.append("%d more records" % n)
        elif op == 5 and f.records:
            del f.records[rng.randrange(len(f.records))]
            what.append("record removed")
        elif op == 6:
            depth = rng.choice((2, 3, 5, 8, 9, 20, 50)) if rng.random() < 0.85 else rng.choice((600, 2000, 10000))
            lst = f.header
            lst.insert(rng.randrange(len(lst) + 1), nest_chain(rng, depth))
            what.append("containers nested %d deep" % depth)
        elif op == 7:
            # overlapping: a container claims more than its parent holds
            cont = [t for _, t in nodes if t.children is not None]
            if cont:
                t = rng.choice(cont)
                t.children.append(Tlv(rng.choice(ITL_CONTAINERS), b"\x08\x00\x01\x01", length=0xFFF0))
                what.append("overlapping container")
        elif op == 8 and nodes:
            _, t = rng.choice(nodes)
            if t.children is None:
                t.value = odd_value(rng) if rng.random() < 0.5 else flip_bytes(rng, t.value)
                what.append("value of TLV %d" % t.tag)
        elif op == 9 and f.records:
            r = rng.choice(f.records)
            if r:
                r.insert(rng.randrange(1, len(r) + 1), Tlv(rng.choice(ITL_RECORD_TAGS + [13, 99]), odd_value(rng)))
                what.append("TLV inserted into a record")
        elif op == 10 and nodes:
            lst, t = rng.choice(nodes)
            lst.remove(t)
            what.append("TLV %d removed" % t.tag)
        elif op == 11:
            f.header.insert(rng.randrange(len(f.header) + 1), Tlv(None, b"\x0d" * rng.choice((1, 3, 100, 1000))))
            what.append("padding")
        elif op == 12 and donors:
            d = ItlFile(rng.choice(donors))
            if d.records:
                f.records.insert(rng.randrange(len(f.records) + 1), rng.choice(d.records))
                what.append("record spliced from another file")
        else:
            f.tail += odd_value(rng)
            what.append("trailing bytes")
    out = f.encode()
    r = rng.random()
    if r < 0.12:
        out = out[:rng.randrange(len(out) + 1)]
        what.append("file cut")
    elif r < 0.2:
        out = flip_bytes(rng, out, rng.randint(1, 8))
        what.append("bytes flipped")
    return out, ", ".join(what)


def trust_case(rng, files):
    name, data = rng.choice(files)
    donors = [d for _, d in files]
    mutated, what = mutate_trust_list(rng, data, donors)
    fname = rng.choice(TRUST_NAMES)
    r = rng.random()
    if r < 0.8:
        kw = {}
        kw["acks"] = rng.random() < 0.2
        r = rng.random()
        if r < 0.1:
            kw["blksize"] = rng.choice((8, 64, 1024, 1428, 65464))
        elif r < 0.7:
            kw["blksize"] = 8192     # fewer packets per case; 512 (no option) otherwise
        if rng.random() < 0.05:
            kw["drop_last"] = True
        if rng.random() < 0.05:
            kw["dup_block"] = 1
        return ("tftp", fname, mutated, kw), "%s as %s over TFTP %s: %s" % (name, fname, kw or "", what)
    return ("http", fname, mutated, {}), "%s as %s over HTTP 6970: %s" % (name, fname, what)


# ---------------------------------------------------------------------------
# Cases

class Corpus:
    def __init__(self, sessions, files):
        self.sessions = [(n, s) for n, s in sessions if s]
        self.donors = [d for _, s in self.sessions for _, d in s]
        self.files = files

    def save(self, path):
        with open(path, "w") as f:
            json.dump({"sessions": [[n, [[side, d.hex()] for side, d in s]] for n, s in self.sessions]}, f)

    @classmethod
    def load(cls, path):
        with open(path) as f:
            j = json.load(f)
        return cls([(n, [(side, bytes.fromhex(h)) for side, h in s]) for n, s in j["sessions"]], trust_files())


def make_case(corpus, seed, index):
    """(kind, payload, description) of case `index` of seed `seed`."""
    rng = random.Random("%d/%d" % (seed, index))
    if rng.random() < 0.55:
        steps, what, rst = capf_case(rng, corpus.sessions, corpus.donors)
        return "capf", (steps, rst), what
    spec, what = trust_case(rng, corpus.files)
    return "trust", spec, what


def write_case(w, index, kind, payload):
    if kind == "capf":
        steps, rst = payload
        write_capf(w, index, steps, rst, acks=index % 5 == 0, handshake=index % 3 == 0)
    else:
        how, fname, data, kw = payload
        if how == "tftp":
            write_tftp(w, index, fname, data, **kw)
        else:
            write_http(w, index, fname, data)


def write_batch(path, corpus, seed, indices):
    w = PcapWriter(path)
    for i in indices:
        kind, payload, _ = make_case(corpus, seed, i)
        write_case(w, i, kind, payload)
    w.close()
