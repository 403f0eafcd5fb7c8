#!/usr/bin/python3
"""Generate the benchmark capture: a fleet of phones, deterministically.

Usage: tests/generators/gen-bench-capture.py [--phones N] [--seed S] [--out-dir DIR] OUTPUT.pcapng

Every phone (SEP<MAC>, 127.10.x.y) talks to one CUCM node (127.0.200.1):

- TFTP (UDP 69): some phones ask for CTLFile.tlv first (File not found:
  a non-secure cluster), then ITLSEP<MAC>.tlv -- blocks of 512 bytes, or 1428
  after a blksize option; a few get File not found and take ITLFile.tlv --
  or the same file over HTTP on TCP 6970.  The file is mk-trustlist.py's
  itl-sepmac preset (valid signature, CAPF record = fixtures/trustlist/capf.crt.pem).
- HTTP (TCP 6970): its SEP<MAC>.cnf.xml.
- SIP (UDP 5060): REGISTER, 401, REGISTER with credentials, 200 OK.
- CAPF (TCP 3804) inside TLS 1.2 (TLS_RSA_WITH_AES_128_GCM_SHA256), the
  records built here with seeded randoms and master secrets, AES-GCM
  encrypted; the secrets are embedded in a pcapng Decryption Secrets Block
  (CLIENT_RANDOM lines), so tshark decrypts the sessions.  The server
  presents capf.crt.pem (the ITL's CAPF record), or for a few phones another
  certificate (fixtures/verdict/capf-other.crt.pem) that the phone rejects
  with an unknown_ca alert.  Mixed outcomes: LSC installs (null string,
  authentication string, REQUEST_IN_PROGRESS), nothing pending, fetch,
  delete, unknown device, wrong authentication string, key generation
  failure, late request, a phone that stops answering (the server closes
  after 10 s), refused connections.  The LSC is a real certificate per phone
  signed with the CAPF key (RSA PKCS#1 v1.5, deterministic); the phone's
  public key comes from a pool of the trust-list fixture keys.
- Calls between pairs of phones: SIP INVITE/180/200/ACK with SDP through
  CUCM, G.711 RTP (20 ms) directly between the phones, BYE/200.

Nothing here is captured from a network: all frames are synthesised (Ethernet,
IPv4 on 127.0.0.0/8, correct IP/UDP/TCP checksums) and written in time order.
The same --seed and --phones give a byte-identical file.  Phones start at a
fixed rate, so a capture with half the phones is the first half of the fleet
with the same concurrency (the benchmark's scaling check).

Only Debian's python3 and python3-cryptography are needed.
"""

import argparse
import datetime
import hashlib
import heapq
import hmac
import importlib.machinery
import importlib.util
import struct
import sys
from array import array
from pathlib import Path
import random

sys.dont_write_bytecode = True
SCRIPTS = Path(__file__).resolve().parent
sys.path.insert(0, str(SCRIPTS))
import capf_proto as capf  # noqa: E402
from capf_proto import Command, Element, Pdu, Reason, cstring, u8, u16  # noqa: E402
from pcapwriter import PcapngWriter  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

TRUSTLIST_FIXTURES = SCRIPTS / 'fixtures' / 'trustlist'
OTHER_CAPF_CERT = SCRIPTS / 'fixtures' / 'verdict' / 'capf-other.crt.pem'

BASE_TIME_US = 1795766400 * 1000000     # 2026-11-27 00:00:00 UTC
PHONE_SPACING_US = 150000               # one phone starts every 150 ms
SERVER_IP = bytes([127, 0, 200, 1])
SERVER_MAC = bytes.fromhex('00505600c801')
MSS = 1460
TLS12 = b'\x03\x03'
CIPHER_SUITE = 0x009C                   # TLS_RSA_WITH_AES_128_GCM_SHA256

# share of phones per CAPF scenario (cumulative choice below)
SCENARIOS = [
    ('install', 58), ('install-password', 8), ('install-in-progress', 5), ('nothing-pending', 10),
    ('fetch', 4), ('delete', 1), ('unknown-device', 3), ('wrong-password', 3), ('keygen-failed', 2),
    ('late-request', 1), ('phone-stall', 2), ('cert-mismatch', 2), ('refused', 1),
]


def load_script(name):
    loader = importlib.machinery.SourceFileLoader(name.replace('-', '_').removesuffix('.py'), str(SCRIPTS / name))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------
# Frames


def checksum(data):
    if len(data) & 1:
        data += b'\0'
    s = sum(array('H', data))   # native (little-endian) words; byte order commutes with the sum
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    s = ~s & 0xFFFF
    return ((s & 0xFF) << 8) | (s >> 8) if sys.byteorder == 'little' else s


def ether_ip(src_mac, dst_mac, src, dst, proto, l4, ident):
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), ident & 0xFFFF, 0x4000, 64, proto, 0, src, dst)
    ip = ip[:10] + struct.pack('!H', checksum(ip)) + ip[12:]
    return dst_mac + src_mac + b'\x08\x00' + ip + l4


def udp(src, dst, sport, dport, payload):
    header = struct.pack('!HHHH', sport, dport, 8 + len(payload), 0)
    csum = checksum(src + dst + struct.pack('!BBH', 0, 17, len(header) + len(payload)) + header + payload) or 0xFFFF
    return header[:6] + struct.pack('!H', csum) + payload


def tcp(src, dst, sport, dport, seq, ack, flags, payload, window=64240):
    header = struct.pack('!HHIIBBHHH', sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags,
                         window, 0, 0)
    csum = checksum(src + dst + struct.pack('!BBH', 0, 6, len(header) + len(payload)) + header + payload)
    return header[:16] + struct.pack('!H', csum) + header[18:] + payload


FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


class Host:
    def __init__(self, mac, ip, rng):
        self.mac, self.ip = mac, ip
        self.ident = rng.randrange(65536)

    def next_ident(self):
        self.ident += 1
        return self.ident


class Timeline:
    """Frames of one source (a phone or a call), in time order."""

    def __init__(self, t):
        self.t = t
        self.frames = []

    def add(self, frame, after=0):
        self.t += after
        self.frames.append((self.t, frame))

    def wait(self, us):
        self.t += us


class UdpPeer:
    def __init__(self, tl, a, aport, b, bport):
        self.tl, self.a, self.aport, self.b, self.bport = tl, a, aport, b, bport

    def send(self, from_a, payload, after):
        s, d = (self.a, self.b) if from_a else (self.b, self.a)
        sp, dp = (self.aport, self.bport) if from_a else (self.bport, self.aport)
        self.tl.add(ether_ip(s.mac, d.mac, s.ip, d.ip, 17, udp(s.ip, d.ip, sp, dp, payload), s.next_ident()), after)


class TcpFlow:
    def __init__(self, tl, rng, client, cport, server, sport, rtt=300):
        self.tl, self.rtt = tl, rtt
        self.ends = {'c': (client, cport), 's': (server, sport)}
        self.seq = {'c': rng.randrange(1 << 32), 's': rng.randrange(1 << 32)}
        self.acked = {'c': 0, 's': 0}

    def send(self, side, flags, payload=b'', after=0):
        other = 's' if side == 'c' else 'c'
        (h, hp), (o, op) = self.ends[side], self.ends[other]
        ack = self.seq[other] if flags & ACK else 0
        segment = tcp(h.ip, o.ip, hp, op, self.seq[side], ack, flags, payload)
        self.tl.add(ether_ip(h.mac, o.mac, h.ip, o.ip, 6, segment, h.next_ident()), after)
        self.seq[side] += len(payload) + (1 if flags & (SYN | FIN) else 0)

    def connect(self, after=0):
        self.send('c', SYN, after=after)
        self.send('s', SYN | ACK, after=self.rtt // 2)
        self.send('c', ACK, after=self.rtt // 2)

    def refuse(self, after=0):
        self.send('c', SYN, after=after)
        self.send('s', RST | ACK, after=self.rtt // 2)

    def data(self, side, payload, after=0):
        """payload in MSS-sized segments, then an ACK from the other side."""
        other = 's' if side == 'c' else 'c'
        for offset in range(0, len(payload), MSS):
            chunk = payload[offset:offset + MSS]
            last = offset + MSS >= len(payload)
            self.send(side, ACK | (PSH if last else 0), chunk, after=after if offset == 0 else 20)
        self.send(other, ACK, after=self.rtt // 2)

    def close(self, side, after=0):
        other = 's' if side == 'c' else 'c'
        self.send(side, FIN | ACK, after=after)
        self.send(other, FIN | ACK, after=self.rtt // 2)
        self.send(side, ACK, after=self.rtt // 2)


# ---------------------------------------------------------------------------
# TLS 1.2 records (RSA key exchange, AES-128-GCM)


def p_sha256(secret, seed, size):
    out, a = b'', seed
    while len(out) < size:
        a = hmac.new(secret, a, hashlib.sha256).digest()
        out += hmac.new(secret, a + seed, hashlib.sha256).digest()
    return out[:size]


def prf(secret, label, seed, size):
    return p_sha256(secret, label + seed, size)


def handshake(msg_type, body):
    return struct.pack('!B', msg_type) + len(body).to_bytes(3, 'big') + body


def record(content_type, payload, version=TLS12):
    return struct.pack('!B2sH', content_type, version, len(payload)) + payload


def vec(length_bytes, data):
    return len(data).to_bytes(length_bytes, 'big') + data


class TlsSession:
    def __init__(self, client_random, server_random, master_secret, rng):
        self.cr, self.sr, self.ms, self.rng = client_random, server_random, master_secret, rng
        kb = prf(master_secret, b'key expansion', server_random + client_random, 40)
        self.aead = {'c': AESGCM(kb[0:16]), 's': AESGCM(kb[16:32])}
        self.iv = {'c': kb[32:36], 's': kb[36:40]}
        self.seq = {'c': 0, 's': 0}
        self.transcript = b''

    def _hs(self, msg_type, body):
        msg = handshake(msg_type, body)
        self.transcript += msg
        return msg

    def client_hello(self):
        suites = b''.join(struct.pack('!H', s) for s in (0xC02F, 0xC030, 0x009C, 0x009D, 0x002F, 0x0035, 0x00FF))
        extensions = (struct.pack('!HH', 0x000D, 10) + vec(2, bytes.fromhex('0401050102010403'))  # signature_algorithms
                      + struct.pack('!HH', 0x000A, 6) + vec(2, bytes.fromhex('00170018'))      # supported_groups
                      + struct.pack('!HH', 0x000B, 2) + vec(1, b'\x00'))                        # ec_point_formats
        body = TLS12 + self.cr + vec(1, b'') + vec(2, suites) + vec(1, b'\x00') + vec(2, extensions)
        return record(22, self._hs(1, body), b'\x03\x01')

    def server_flight(self, certificate_der):
        session_id = self.rng.randbytes(32)
        hello = TLS12 + self.sr + vec(1, session_id) + struct.pack('!HB', CIPHER_SUITE, 0) + \
            vec(2, bytes.fromhex('ff01000100'))                                                  # renegotiation_info
        messages = self._hs(2, hello) + self._hs(11, vec(3, vec(3, certificate_der))) + self._hs(14, b'')
        return record(22, messages)

    def _encrypt(self, side, content_type, plaintext):
        seq = self.seq[side]
        self.seq[side] += 1
        explicit = struct.pack('!Q', seq)
        aad = explicit + struct.pack('!B2sH', content_type, TLS12, len(plaintext))
        return record(content_type, explicit + self.aead[side].encrypt(self.iv[side] + explicit, plaintext, aad))

    def _finished(self, label):
        return handshake(20, prf(self.ms, label, hashlib.sha256(self.transcript).digest(), 12))

    def client_finish(self):
        exchange = self._hs(16, vec(2, self.rng.randbytes(256)))  # premaster encrypted to the server key
        finished = self._finished(b'client finished')
        self.transcript += finished
        return record(22, exchange) + record(20, b'\x01') + self._encrypt('c', 22, finished)

    def server_finish(self):
        return record(20, b'\x01') + self._encrypt('s', 22, self._finished(b'server finished'))

    def application(self, side, data):
        return self._encrypt(side, 23, data)


def alert(level, description):
    return record(21, bytes([level, description]))


# ---------------------------------------------------------------------------
# The fleet


class Fleet:
    def __init__(self, seed, phones):
        self.seed, self.count = seed, phones
        mk = load_script('mk-trustlist.py')
        fixtures = mk.load_fixtures(str(TRUSTLIST_FIXTURES), False)
        self.itl = mk.build_preset(fixtures, 'itl-sepmac', mk.DEFAULT_TIMESTAMP)
        self.capf_key, capf_cert = fixtures['capf']
        self.capf_cert = capf_cert
        self.capf_der = capf_cert.public_bytes(serialization.Encoding.DER)
        self.other_der = x509.load_pem_x509_certificate(OTHER_CAPF_CERT.read_bytes()).public_bytes(
            serialization.Encoding.DER)
        self.phone_keys = [fixtures[name][1].public_key().public_bytes(*capf.SPKI)
                           for name in ('appserver', 'callmanager', 'itlrecovery', 'tftp', 'tvs')]
        self.server = Host(SERVER_MAC, SERVER_IP, random.Random(f'{seed}/server'))
        self.hosts = {}

    # --- per-phone facts, a pure function of (seed, index)
    def plan(self, i):
        rng = random.Random(f'{self.seed}/phone/{i}')
        mac = bytes.fromhex('001e7a') + (0x100000 + i).to_bytes(3, 'big')
        weights = [w for _, w in SCENARIOS]
        plan = dict(
            index=i, mac=mac, name='SEP' + mac.hex().upper(),
            ip=bytes([127, 10 + i // 250, (i % 250) + 1, 2]),
            start=BASE_TIME_US + i * PHONE_SPACING_US + rng.randrange(PHONE_SPACING_US),
            client_random=rng.randbytes(32), server_random=rng.randbytes(32), master=rng.randbytes(48),
            scenario=rng.choices([s for s, _ in SCENARIOS], weights)[0],
            ctl_first=rng.random() < 0.2,
            itl_via=rng.choices(['tftp', 'tftp-blksize', 'tftp-fallback', 'http'], [70, 15, 5, 10])[0],
            key=rng.randrange(len(self.phone_keys)),
        )
        return plan

    def host(self, plan):
        return Host(plan['mac'], plan['ip'], random.Random(f'{self.seed}/host/{plan["index"]}'))

    def key_log(self):
        lines = []
        for i in range(self.count):
            p = self.plan(i)
            if p['scenario'] != 'refused':
                lines.append(f'CLIENT_RANDOM {p["client_random"].hex()} {p["master"].hex()}\n')
        return ''.join(lines)

    def lsc(self, plan):
        name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, 'Example'),
                          x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, 'VTG'),
                          x509.NameAttribute(NameOID.COMMON_NAME, plan['name'])])
        serial = int.from_bytes(hashlib.sha256(f'{self.seed}/lsc/{plan["index"]}'.encode()).digest()[:15], 'big') | 1
        public_key = serialization.load_der_public_key(self.phone_keys[plan['key']])
        certificate = (x509.CertificateBuilder()
                       .subject_name(name).issuer_name(self.capf_cert.subject)
                       .public_key(public_key).serial_number(serial)
                       .not_valid_before(datetime.datetime(2026, 11, 27))
                       .not_valid_after(datetime.datetime(2031, 11, 26))
                       .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                       .add_extension(x509.KeyUsage(
                           digital_signature=True, content_commitment=False, key_encipherment=True,
                           data_encipherment=False, key_agreement=False, key_cert_sign=False,
                           crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
                       .sign(self.capf_key, hashes.SHA256()))
        return certificate.public_bytes(serialization.Encoding.DER)

    # --- one phone: boot-time downloads, registration, CAPF
    def phone(self, i):
        p = self.plan(i)
        rng = random.Random(f'{self.seed}/wire/{i}')
        phone, server = self.host(p), self.server
        tl = Timeline(p['start'])
        if p['ctl_first']:
            self.tftp(tl, rng, phone, 'CTLFile.tlv', None)
        itl_name = f'ITL{p["name"]}.tlv'
        if p['itl_via'] == 'http':
            self.http_get(tl, rng, phone, '/' + itl_name, 'application/octet-stream', self.itl)
        elif p['itl_via'] == 'tftp-fallback':
            self.tftp(tl, rng, phone, itl_name, None)
            self.tftp(tl, rng, phone, 'ITLFile.tlv', self.itl)
        else:
            self.tftp(tl, rng, phone, itl_name, self.itl, blksize=1428 if p['itl_via'] == 'tftp-blksize' else None)
        self.http_get(tl, rng, phone, f'/{p["name"]}.cnf.xml', 'text/xml', config_xml(p['name']))
        self.sip_register(tl, rng, p, phone)
        self.capf_session(tl, rng, p, phone, server)
        return tl.frames

    def tftp(self, tl, rng, phone, filename, data, blksize=None):
        peer = UdpPeer(tl, phone, rng.randrange(32768, 61000), self.server, 69)
        request = struct.pack('!H', 1) + filename.encode() + b'\0octet\0'
        if blksize:
            request += b'blksize\0' + str(blksize).encode() + b'\0'
        peer.send(True, request, rng.randrange(2000, 20000))
        transfer = UdpPeer(tl, phone, peer.aport, self.server, rng.randrange(32768, 61000))
        if data is None:
            transfer.send(False, struct.pack('!HH', 5, 1) + b'File not found\0', 400)
            return
        size = 512
        if blksize:
            size = blksize
            transfer.send(False, struct.pack('!H', 6) + b'blksize\0' + str(blksize).encode() + b'\0', 400)
            transfer.send(True, struct.pack('!HH', 4, 0), 150)
        block = 1
        for offset in range(0, len(data) + 1, size):
            chunk = data[offset:offset + size]
            transfer.send(False, struct.pack('!HH', 3, block) + chunk, 300)
            transfer.send(True, struct.pack('!HH', 4, block), 150)
            block += 1
            if len(chunk) < size:
                break

    def http_get(self, tl, rng, phone, path, content_type, body):
        flow = TcpFlow(tl, rng, phone, rng.randrange(32768, 61000), self.server, 6970)
        flow.connect(rng.randrange(2000, 20000))
        flow.data('c', (f'GET {path} HTTP/1.1\r\nHost: 127.0.200.1:6970\r\nUser-Agent: Cisco-CP8865/14.2.1\r\n'
                        'Accept: */*\r\nConnection: close\r\n\r\n').encode(), 500)
        head = (f'HTTP/1.1 200 OK\r\nServer: CUCM TFTP\r\nContent-Type: {content_type}\r\n'
                f'Content-Length: {len(body)}\r\nConnection: close\r\n\r\n').encode()
        flow.data('s', head + body, 1500)
        flow.close('s', 300)

    def sip_register(self, tl, rng, p, phone):
        sip = UdpPeer(tl, phone, 5060, self.server, 5060)
        call_id = rng.randbytes(8).hex()
        ext = 2000 + p['index']
        for cseq, auth in ((101, ''), (102, 'Authorization: Digest username="%d", realm="ccmsipline", '
                                           'nonce="%s", uri="sip:127.0.200.1", response="%s"\r\n'
                                           % (ext, rng.randbytes(8).hex(), rng.randbytes(16).hex()))):
            sip.send(True, sip_message(
                'REGISTER sip:127.0.200.1 SIP/2.0', p, rng, ext, call_id, cseq, 'REGISTER',
                auth + f'Contact: <sip:{ext}@{ip_str(p["ip"])}:5060;transport=udp>;+sip.instance="<urn:uuid:'
                f'00000000-0000-0000-0000-{p["mac"].hex()}>"\r\nExpires: 3600\r\n'), rng.randrange(2000, 9000))
            status = 'SIP/2.0 401 Unauthorized' if not auth else 'SIP/2.0 200 OK'
            extra = ('WWW-Authenticate: Digest realm="ccmsipline", nonce="%s", algorithm=MD5\r\n'
                     % rng.randbytes(8).hex()) if not auth else 'Expires: 3600\r\n'
            sip.send(False, sip_message(status, p, rng, ext, call_id, cseq, 'REGISTER', extra), 900)

    def capf_session(self, tl, rng, p, phone, server):
        scenario = p['scenario']
        flow = TcpFlow(tl, rng, phone, rng.randrange(32768, 61000), server, capf.PORT)
        if scenario == 'refused':
            flow.refuse(rng.randrange(10000, 60000))
            return
        flow.connect(rng.randrange(10000, 60000))
        tls = TlsSession(p['client_random'], p['server_random'], p['master'], rng)
        flow.data('c', tls.client_hello(), 200)
        flow.data('s', tls.server_flight(self.other_der if scenario == 'cert-mismatch' else self.capf_der), 900)
        if scenario == 'cert-mismatch':
            flow.send('c', PSH | ACK, alert(2, 48), 2000)   # fatal unknown_ca
            flow.close('c', 100)
            return
        flow.data('c', tls.client_finish(), 3000)
        flow.data('s', tls.server_finish(), 800)
        sid = 0x10000 + p['index']

        def server_says(command, *elements, after=1500):
            flow.data('s', tls.application('s', Pdu(command, sid, elements).encode()), after)

        def phone_says(command, *elements, after=3000):
            flow.data('c', tls.application('c', Pdu(command, sid, elements).encode()), after)

        password = scenario in ('install-password', 'wrong-password')
        server_says(Command.AUTH_REQUEST, u8(Element.VERSION, 3),
                    u8(Element.AUTH_TYPE, capf.AuthType.PASSWORD if password else capf.AuthType.NULL_STRING))
        phone_says(Command.AUTH_RESPONSE, u8(Element.REASON, Reason.UPDATE_CERTIFICATE), u8(Element.VERSION, 3),
                   cstring(Element.PASSWORD, ('13579' if scenario == 'wrong-password' else '24680') if password else ''),
                   cstring(Element.DEVICE_NAME, p['name']))
        end_reason = {'nothing-pending': Reason.NO_ACTION, 'unknown-device': Reason.UNKNOWN_DEVICE,
                      'wrong-password': Reason.INVALID_ELEMENT, 'late-request': Reason.LATE_REQUEST}.get(scenario)
        if end_reason is not None:
            server_says(Command.END_SESSION, u8(Element.REASON, end_reason))
            flow.close('s', 500)
            return
        if scenario == 'fetch':
            server_says(Command.FETCH_CERTIFICATE_REQUEST)
            phone_says(Command.FETCH_CERTIFICATE_RESPONSE, u8(Element.REASON, Reason.UPDATE_CERTIFICATE),
                       (Element.CERTIFICATE, capf.certificate_block(self.lsc(p), capf.CertificateType.LSC)))
            server_says(Command.END_SESSION, u8(Element.REASON, Reason.NO_ACTION))
            flow.close('s', 500)
            return
        if scenario == 'delete':
            server_says(Command.DELETE_CERTIFICATE_REQUEST)
            phone_says(Command.DELETE_CERTIFICATE_RESPONSE, u8(Element.REASON, Reason.UPDATE_CERTIFICATE))
            server_says(Command.END_SESSION, u8(Element.REASON, Reason.UPDATE_CERTIFICATE))
            flow.close('s', 500)
            return
        server_says(Command.KEY_GENERATE_REQUEST, u16(Element.KEY_SIZE, 2048), u8(Element.KEY_TYPE, capf.KeyType.RSA))
        if scenario == 'phone-stall':
            flow.close('s', 10000000)            # capfd's 10 s socket timeout, no END_SESSION
            return
        if scenario == 'install-in-progress':
            phone_says(Command.REQUEST_IN_PROGRESS, after=2000)
        keygen = rng.randrange(800000, 4000000)  # RSA 2048 on a phone: seconds
        if scenario == 'keygen-failed':
            phone_says(Command.KEY_GENERATE_RESPONSE, u8(Element.REASON, Reason.INVALID_ELEMENT), after=keygen)
            server_says(Command.END_SESSION, u8(Element.REASON, Reason.INVALID_ELEMENT))
            flow.close('s', 500)
            return
        phone_says(Command.KEY_GENERATE_RESPONSE, (Element.PUBLIC_KEY, self.phone_keys[p['key']]), after=keygen)
        server_says(Command.STORE_CERTIFICATE_REQUEST, u8(Element.CERTIFICATE_TYPE, capf.CertificateType.LSC),
                    (Element.CERTIFICATE, capf.certificate_block(self.lsc(p), capf.CertificateType.LSC)),
                    after=20000)
        phone_says(Command.STORE_CERTIFICATE_RESPONSE, u8(Element.REASON, Reason.UPDATE_CERTIFICATE), after=40000)
        server_says(Command.END_SESSION, u8(Element.REASON, Reason.UPDATE_CERTIFICATE))
        flow.close('s', 500)

    # --- a call between two phones through CUCM, RTP directly between them
    def call(self, a_index, b_index, start, seconds):
        rng = random.Random(f'{self.seed}/call/{a_index}')
        pa, pb = self.plan(a_index), self.plan(b_index)
        a = Host(pa['mac'], pa['ip'], random.Random(f'{self.seed}/callhost/{a_index}'))
        b = Host(pb['mac'], pb['ip'], random.Random(f'{self.seed}/callhost/{b_index}'))
        tl = Timeline(start)
        ext_a, ext_b = 2000 + a_index, 2000 + b_index
        port_a, port_b = 16384 + 2 * rng.randrange(8000), 16384 + 2 * rng.randrange(8000)
        sa = UdpPeer(tl, a, 5060, self.server, 5060)
        sb = UdpPeer(tl, b, 5060, self.server, 5060)
        call_a, call_b = rng.randbytes(8).hex(), rng.randbytes(8).hex()
        sdp_a, sdp_b = sdp(pa['ip'], port_a, rng), sdp(pb['ip'], port_b, rng)
        invite = f'INVITE sip:{ext_b}@127.0.200.1 SIP/2.0'
        sa.send(True, sip_message(invite, pa, rng, ext_a, call_a, 101, 'INVITE', '', sdp_a, to=ext_b), 0)
        sa.send(False, sip_message('SIP/2.0 100 Trying', pa, rng, ext_a, call_a, 101, 'INVITE', '', to=ext_b), 800)
        sb.send(False, sip_message(f'INVITE sip:{ext_b}@{ip_str(pb["ip"])}:5060 SIP/2.0', pb, rng, ext_a, call_b,
                                   101, 'INVITE', '', sdp_a, to=ext_b), 1500)
        sb.send(True, sip_message('SIP/2.0 180 Ringing', pb, rng, ext_a, call_b, 101, 'INVITE', '', to=ext_b), 5000)
        sa.send(False, sip_message('SIP/2.0 180 Ringing', pa, rng, ext_a, call_a, 101, 'INVITE', '', to=ext_b), 900)
        sb.send(True, sip_message('SIP/2.0 200 OK', pb, rng, ext_a, call_b, 101, 'INVITE', '', sdp_b, to=ext_b),
                rng.randrange(1000000, 4000000))
        sa.send(False, sip_message('SIP/2.0 200 OK', pa, rng, ext_a, call_a, 101, 'INVITE', '', sdp_b, to=ext_b), 900)
        sa.send(True, sip_message(f'ACK sip:{ext_b}@127.0.200.1 SIP/2.0', pa, rng, ext_a, call_a, 101, 'ACK', '',
                                  to=ext_b), 1200)
        sb.send(False, sip_message(f'ACK sip:{ext_b}@{ip_str(pb["ip"])}:5060 SIP/2.0', pb, rng, ext_a, call_b, 101,
                                   'ACK', '', to=ext_b), 700)
        rtp = UdpPeer(tl, a, port_a, b, port_b)
        ssrc = {True: rng.randrange(1 << 32), False: rng.randrange(1 << 32)}
        seq = {True: rng.randrange(65536), False: rng.randrange(65536)}
        ts = {True: rng.randrange(1 << 32), False: rng.randrange(1 << 32)}
        noise = rng.randbytes(4096)
        offset = rng.randrange(10000, 19000)    # b's packets sit between a's
        for n in range(seconds * 50):
            for from_a in (True, False):
                header = struct.pack('!BBHII', 0x80, 0x80 if n == 0 else 0x00, seq[from_a] & 0xFFFF,
                                     ts[from_a] & 0xFFFFFFFF, ssrc[from_a])
                start_byte = (n * 160 + (0 if from_a else 2000)) % (4096 - 160)
                rtp.send(from_a, header + noise[start_byte:start_byte + 160],
                         (20000 - offset if n else 20000) if from_a else offset)
                seq[from_a] += 1
                ts[from_a] += 160
        sa.send(True, sip_message(f'BYE sip:{ext_b}@127.0.200.1 SIP/2.0', pa, rng, ext_a, call_a, 102, 'BYE', '',
                                  to=ext_b), 3000)
        sb.send(False, sip_message(f'BYE sip:{ext_b}@{ip_str(pb["ip"])}:5060 SIP/2.0', pb, rng, ext_a, call_b, 102,
                                   'BYE', '', to=ext_b), 900)
        sb.send(True, sip_message('SIP/2.0 200 OK', pb, rng, ext_a, call_b, 102, 'BYE', '', to=ext_b), 1100)
        sa.send(False, sip_message('SIP/2.0 200 OK', pa, rng, ext_a, call_a, 102, 'BYE', '', to=ext_b), 900)
        return tl.frames

    def sources(self):
        """(start time, order, function returning the frames) of every phone and call."""
        out = [(self.plan(i)['start'], i, (lambda i=i: self.phone(i))) for i in range(self.count)]
        rng = random.Random(f'{self.seed}/calls')
        for a in range(0, self.count - 1, 8):   # one call per 8 phones
            start = self.plan(a)['start'] + 20000000 + rng.randrange(10000000)
            seconds = rng.randrange(3, 7)
            out.append((start, self.count + a, (lambda a=a, s=start, d=seconds: self.call(a, a + 1, s, d))))
        out.sort(key=lambda s: (s[0], s[1]))
        return out


def ip_str(ip):
    return '.'.join(str(b) for b in ip)


def sip_message(first_line, p, rng, ext, call_id, cseq, method, extra, body='', to=None):
    to_ext = ext if to is None else to
    head = (f'{first_line}\r\n'
            f'Via: SIP/2.0/UDP {ip_str(p["ip"])}:5060;branch=z9hG4bK{rng.randbytes(4).hex()}\r\n'
            f'From: <sip:{ext}@127.0.200.1>;tag={p["mac"].hex()}-{cseq}\r\n'
            f'To: <sip:{to_ext}@127.0.200.1>\r\n'
            f'Call-ID: {call_id}@{ip_str(p["ip"])}\r\n'
            f'Max-Forwards: 70\r\n'
            f'CSeq: {cseq} {method}\r\n'
            f'User-Agent: Cisco-CP8865/14.2.1\r\n'
            + extra
            + ('Content-Type: application/sdp\r\n' if body else '')
            + f'Content-Length: {len(body)}\r\n\r\n' + body)
    return head.encode()


def sdp(ip, port, rng):
    session = rng.randrange(1 << 31)
    return (f'v=0\r\no=Cisco-SIPUA {session} 0 IN IP4 {ip_str(ip)}\r\ns=SIP Call\r\n'
            f'c=IN IP4 {ip_str(ip)}\r\nt=0 0\r\nm=audio {port} RTP/AVP 0 101\r\n'
            'a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=sendrecv\r\n')


def config_xml(name):
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<device xsi:type="axl:XIPPhone" ctiid="1">',
             '<fullConfig>true</fullConfig>', '<deviceProtocol>SIP</deviceProtocol>',
             '<sshUserId></sshUserId>', '<devicePool><dateTimeSetting><name>CMLocal</name>'
             '<dateTemplate>D/M/Y</dateTemplate><timeZone>New Zealand Standard/Daylight Time</timeZone>'
             '</dateTimeSetting><callManagerGroup><members><member priority="0"><callManager>'
             '<name>cucm-pub</name><ports><ethernetPhonePort>2000</ethernetPhonePort><sipPort>5060</sipPort>'
             '<securedSipPort>5061</securedSipPort></ports><processNodeName>127.0.200.1</processNodeName>'
             '</callManager></member></members></callManagerGroup></devicePool>',
             f'<sipProfile><phoneLabel>{name}</phoneLabel><sipLines><line button="1"><featureID>9</featureID>'
             f'<featureLabel>{name}</featureLabel><proxy>USECALLMANAGER</proxy><port>5060</port></line>'
             '</sipLines></sipProfile>',
             '<loadInformation>sip8845_65.14-2-1-0001-14</loadInformation>',
             '<capfAuthMode>0</capfAuthMode><capfList><capf><phonePort>3804</phonePort>'
             '<processNodeName>127.0.200.1</processNodeName></capf></capfList>',
             '<certHash></certHash><encrConfig>false</encrConfig>', '</device>']
    return ('\n'.join(lines) + '\n').encode()


def write_capture(path, seed, phones):
    fleet = Fleet(seed, phones)
    writer = PcapngWriter(path)
    writer.secrets(fleet.key_log())
    sources = fleet.sources()
    heap, started, frames = [], 0, 0
    while True:
        horizon = heap[0][0] if heap else None
        while started < len(sources) and (horizon is None or sources[started][0] <= horizon):
            _, order, make = sources[started]
            it = iter(make())
            first = next(it, None)
            if first is not None:
                heapq.heappush(heap, (first[0], order, 0, first[1], it))
            started += 1
            horizon = heap[0][0] if heap else None
        if not heap:
            break
        t, order, n, frame, it = heapq.heappop(heap)
        writer.packet(t, frame)
        frames += 1
        following = next(it, None)
        if following is not None:
            heapq.heappush(heap, (following[0], order, n + 1, following[1], it))
    writer.close()
    return frames


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('output')
    parser.add_argument('--phones', type=int, default=4500)
    parser.add_argument('--seed', default='bench-1')
    args = parser.parse_args()
    frames = write_capture(args.output, args.seed, args.phones)
    print(f'{args.output}: {frames} frames, {args.phones} phones, seed {args.seed}')


if __name__ == '__main__':
    main()
