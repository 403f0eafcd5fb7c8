#!/usr/bin/python3
"""Generate test-captures/capf-fleet.pcapng: one CAPF server, a fleet of phones.

Usage: tests/generators/gen-fleet-capture.py [-v] [--build DIR | --no-verify]

A CAPF server (tests/generators/capf_proto.py) on 127.0.60.1:3804 and 60 phones
(127.0.60.2 ...) with mixed outcomes: installs (RSA 2048, EC P-256/P-384/
P-521), fetches, deletes, nothing pending, wrong password, unknown device,
key generation failure, late request, untrusted certificate, reset and
timeout, authentication by password / null string / LSC / MIC; several
phones with two or three sessions; and clients that never get to CAPF
(connection refused, TLS failures, reset) from 127.0.60.200-.202.  Sessions
run one after another, grouped by server configuration (AUTH_TYPE announced,
TLS version); the server is restarted between groups with the next session
id.  dumpcap captures 'net 127.0.60.0/24' on lo; the server's TLS keys are
embedded with editcap --inject-secrets.

The plan is fixed (seeded choices); keys, certificates, serials of the
issued LSCs, TLS bytes and ports change on every run.  What was done is
written to test-captures/expected/capf-fleet.phones.truth (TSV, one line per
device and one per client address without a device name), from the plan
and from the certificates the server issued -- not from tshark.

Afterwards the capture is checked:
  - the phones saw the outcome their scenario implies;
  - display filters with plain tshark (TLS decrypted, one STORE or FETCH
    certificate per successful install/fetch);
  - with the plugin built in DIR (default: <repo>/build, if it exists), per
    TCP connection capf.session.* (two-pass) against the plan, the
    certificate serial against x509af.serialNumber, and the per-device
    roll-up against the truth file; differences are printed as a diff.

Needs root (dumpcap on lo), tshark/dumpcap/editcap and python3-cryptography.
Exit status 1 if anything did not match.
"""

import argparse
import datetime
import difflib
import logging
import random
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in scripts/
sys.path.insert(0, str(Path(__file__).resolve().parent))
import capf_proto as capf  # noqa: E402
from capf_proto import (AuthType, CertificateType, Curve, Device, KeyType, Operation,  # noqa: E402
                        Outcome, Phone, PhoneBehaviour, Reason, ServerBehaviour)
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
OUTPUT = REPO / 'test-captures' / 'capf-fleet.pcapng'
TRUTH = REPO / 'test-captures' / 'expected' / 'capf-fleet.phones.truth'
SERVER = ('127.0.60.1', capf.PORT)
CAPTURE_FILTER = 'net 127.0.60.0/24'
SEED = 380460
TLS12 = ssl.TLSVersion.TLSv1_2
TLS13 = ssl.TLSVersion.TLSv1_3

# Vocabulary of the truth file: the texts the plugin prints.
AUTH_TEXT = {  # packet-capf.c capf_auth_type_vals
    AuthType.NONE: 'None',
    AuthType.PASSWORD: 'By authentication string',
    AuthType.NULL_STRING: 'By null string',
    AuthType.LSC: 'By existing certificate (precedence to LSC)',
    AuthType.MIC: 'By existing certificate (precedence to MIC)',
}
REASON_TEXT = {  # packet-capf.c capf_reason_vals (names of doc/protocol.md §1.6 / CUCM log codes)
    Reason.INVALID_ELEMENT: 'Invalid element',
    Reason.UNKNOWN_DEVICE: 'Unknown device',
    Reason.LATE_REQUEST: 'User initiated request late',
}
CURVE_TEXT = {Curve.SECP256R1: 'P-256', Curve.SECP384R1: 'P-384', Curve.SECP521R1: 'P-521'}
OPERATION_CODE = {'none': 0, 'install': 1, 'fetch': 2, 'delete': 3}  # capf.session.operation values
OUTCOME_CODE = {'incomplete': 0, 'installed': 1, 'fetched': 2, 'deleted': 3,
                'nothing pending': 4, 'failed': 5}              # capf.session.outcome values


def server_ended(reason):
    return f'server ended the session: {REASON_TEXT[reason]}'


# kind -> (operation on the wire, outcome, failure text, what the phone sees)
KINDS = {
    'install':         ('install', 'installed', None, Outcome.INSTALLED),
    'fetch':           ('fetch', 'fetched', None, Outcome.FETCHED),
    'delete':          ('delete', 'deleted', None, Outcome.DELETED),
    'none':            ('none', 'nothing pending', None, Outcome.NOTHING_PENDING),
    'wrong-password':  ('none', 'failed', server_ended(Reason.INVALID_ELEMENT), Outcome.FAILED),
    'empty-password':  ('none', 'failed', server_ended(Reason.INVALID_ELEMENT), Outcome.FAILED),
    'untrusted-cert':  ('none', 'failed', server_ended(Reason.INVALID_ELEMENT), Outcome.FAILED),
    'unknown-device':  ('none', 'failed', server_ended(Reason.UNKNOWN_DEVICE), Outcome.FAILED),
    'late':            ('none', 'failed', server_ended(Reason.LATE_REQUEST), Outcome.FAILED),
    'keygen-failed':   ('install', 'failed', f'key generation failed ({REASON_TEXT[Reason.INVALID_ELEMENT]})',
                        Outcome.FAILED),
    'fetch-no-cert':   ('fetch', 'failed',
                        f'phone could not fetch the certificate ({REASON_TEXT[Reason.INVALID_ELEMENT]})',
                        Outcome.FAILED),
    'delete-no-cert':  ('delete', 'failed',
                        f'phone could not delete the certificate ({REASON_TEXT[Reason.INVALID_ELEMENT]})',
                        Outcome.FAILED),
    'reset-mid':       ('install', 'failed', 'connection reset by the phone', Outcome.INCOMPLETE),
    'stall':           ('install', 'failed', 'timeout: no answer to KEY_GENERATE_REQUEST', Outcome.INCOMPLETE),
    # no CAPF message at all: no device name
    'refused':         (None, 'failed', 'connection refused', Outcome.FAILED),
    'tls-reject':      (None, 'failed', 'the phone rejected the CAPF certificate', Outcome.FAILED),
    'tls-version':     (None, 'failed', 'TLS failure', Outcome.FAILED),
    'tcp-reset':       (None, 'failed', 'connection reset by the phone before CAPF', Outcome.FAILED),
}
# CAPF messages of one session: AUTH_REQUEST, AUTH_RESPONSE, then
MESSAGES = {'install': 8,          # KEY_GENERATE_REQUEST, REQUEST_IN_PROGRESS, KEY_GENERATE_RESPONSE,
            'keygen-failed': 6,    # STORE_CERTIFICATE_REQUEST/RESPONSE, END_SESSION (failed: no store)
            'fetch': 5, 'delete': 5, 'fetch-no-cert': 5, 'delete-no-cert': 5,  # request, response, END
            'reset-mid': 3, 'stall': 3}                                        # KEY_GENERATE_REQUEST
MESSAGES.update({kind: 3 for kind in ('none', 'wrong-password', 'empty-password', 'untrusted-cert',
                                      'unknown-device', 'late')})              # END_SESSION
NAMELESS = {kind for kind, spec in KINDS.items() if spec[0] is None}
KEYED = {'install', 'keygen-failed', 'reset-mid', 'stall'}  # sessions with a KEY_GENERATE_REQUEST


# ---------------------------------------------------------------------------
# The plan


@dataclass
class Key:
    key_type: KeyType = KeyType.RSA
    size: int = 2048
    curve: Curve = Curve.SECP256R1

    @property
    def text(self):  # as capf.session.key prints it
        return f'EC {CURVE_TEXT[self.curve]}' if self.key_type == KeyType.EC else f'RSA {self.size}'


RSA2048 = Key()
P256 = Key(KeyType.EC, curve=Curve.SECP256R1)
P384 = Key(KeyType.EC, curve=Curve.SECP384R1)
P521 = Key(KeyType.EC, curve=Curve.SECP521R1)


@dataclass
class Session:
    kind: str
    device: str | None       # None: a client that never sends a CAPF message
    address: str
    mode: AuthType = AuthType.NULL_STRING   # how the phone authenticates
    key: Key | None = None                  # key the server asks for (install kinds)
    password: str = ''                      # what the phone sends (password mode)
    configured_password: str = ''           # what the server expects
    fetch_from: str | None = None           # fetch: return the LSC issued to this device earlier
    fetch_serial: int | None = None         # fetch: serial of a phone LSC made here
    ec_auth: bool = False                   # LSC authentication with an EC LSC
    # filled in while running
    group: 'Group' = None
    outcome: Outcome | None = None
    serial: str | None = None               # certificate issued (install) or returned (fetch)
    first_frame: int | None = None

    @property
    def spec(self):
        return KINDS[self.kind]

    @property
    def auth(self):
        """AUTH_TYPE the plugin shows: the server's, unless it sent none or 0; then the phone's way."""
        if self.device is None:
            return None
        announced = self.group.behaviour.auth_type
        return self.mode if announced in (None, AuthType.NONE) else announced

    @property
    def key_text(self):
        return self.key.text if self.kind in KEYED else None


@dataclass
class Group:
    """Sessions served by one CapfServer run (one AUTH_TYPE, one TLS version)."""
    name: str
    behaviour: ServerBehaviour
    tls_version: ssl.TLSVersion
    sessions: list = field(default_factory=list)


def serial_text(number):
    """DER INTEGER content bytes (with the 00 sign byte a serial whose top bit
    is set needs), XX:XX upper case: what Wireshark's X.509 dissector and the
    plugin print."""
    raw = number.to_bytes(number.bit_length() // 8 + 1, 'big')
    return ':'.join(f'{b:02X}' for b in raw)


class Planner:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.names = set()
        self.next_host = 2

    def device(self):
        """A new device name SEP<12 hex> and its own client address."""
        while True:
            name = 'SEP' + ''.join(self.rng.choice('0123456789ABCDEF') for _ in range(12))
            if name not in self.names:
                self.names.add(name)
                address = f'127.0.60.{self.next_host}'
                self.next_host += 1
                return name, address

    def key(self):
        return self.rng.choice([RSA2048, RSA2048, RSA2048, P256, P256, P384])

    def password(self):
        return ''.join(self.rng.choice('0123456789') for _ in range(self.rng.randint(4, 8)))


def make_plan():
    """Groups of sessions, in the order they run, and the sessions before the first group."""
    p = Planner(SEED)
    null = Group('null-string', ServerBehaviour(auth_type=AuthType.NULL_STRING), TLS12)
    password = Group('password', ServerBehaviour(auth_type=AuthType.PASSWORD), TLS13)
    cucm = Group('cucm-style', ServerBehaviour(auth_type=None, send_key_type=False), TLS12)
    capfd = Group('capfd-style', ServerBehaviour(auth_type=AuthType.NONE), TLS13)
    lsc = Group('lsc', ServerBehaviour(auth_type=AuthType.LSC), TLS12)
    mic = Group('mic', ServerBehaviour(auth_type=AuthType.MIC), TLS12)
    slow = Group('short-timeout', ServerBehaviour(auth_type=AuthType.NULL_STRING, timeout=2), TLS12)
    groups = [null, password, cucm, capfd, lsc, mic, slow]

    def add(group, kind, name_address=None, **kw):
        name, address = name_address or p.device()
        session = Session(kind, name, address, **kw)
        session.group = group
        group.sessions.append(session)
        return name, address

    def add_password(group, kind, name_address=None, right=None):
        right = right or p.password()
        sent = {'install': right, 'none': right, 'fetch': right, 'wrong-password': p.password() + '0',
                'empty-password': ''}[kind]
        return add(group, kind, name_address, mode=AuthType.PASSWORD if sent else AuthType.NULL_STRING,
                   password=sent, configured_password=right,
                   key=p.key() if kind == 'install' else None), right

    nameless_a = (None, '127.0.60.200')
    nameless_b = (None, '127.0.60.201')
    nameless_c = (None, '127.0.60.202')
    before = [Session('refused', None, nameless_a[1])]  # nothing listens yet

    # Phones with several sessions (created first so that their names come first from the RNG).
    again = {label: p.device() for label in (
        'wrong-then-install', 'unknown-then-install', 'install-then-fetch', 'install-then-none',
        'keygen-failed-then-install', 'install-then-wrong-password', 'fetch-no-cert-then-install',
        'delete-install-delete')}

    # 1. null string announced (AUTH_TYPE 2), TLS 1.2
    for key in (RSA2048, RSA2048, RSA2048, P256, P256, P384, P521):
        add(null, 'install', key=key)
    for _ in range(3):
        add(null, 'fetch')
    add(null, 'fetch', fetch_serial=(1 << 127) | p.rng.getrandbits(127))  # DER has a 00 sign byte
    add(null, 'fetch', fetch_serial=0x2A)                                  # a one-byte serial
    for _ in range(3):
        add(null, 'delete')
    for _ in range(3):
        add(null, 'none')
    add(null, 'unknown-device')
    add(null, 'unknown-device')
    add(null, 'keygen-failed', key=RSA2048)
    add(null, 'keygen-failed', key=P256)
    add(null, 'late')
    add(null, 'delete-no-cert')
    add(null, 'reset-mid', key=RSA2048)
    add(null, 'unknown-device', again['unknown-then-install'])
    add(null, 'install', again['install-then-fetch'], key=RSA2048)
    add(null, 'install', again['install-then-none'], key=P256)
    add(null, 'keygen-failed', again['keygen-failed-then-install'], key=RSA2048)
    add(null, 'install', again['install-then-wrong-password'], key=P384)
    add(null, 'fetch-no-cert', again['fetch-no-cert-then-install'])
    add(null, 'delete', again['delete-install-delete'])
    add(null, 'tls-reject', nameless_a)
    add(null, 'tcp-reset', nameless_c)

    # 2. authentication string announced (AUTH_TYPE 1), TLS 1.3
    for _ in range(4):
        add_password(password, 'install')
    add_password(password, 'none')
    add_password(password, 'fetch')
    add_password(password, 'wrong-password')
    add_password(password, 'wrong-password')
    add_password(password, 'empty-password')
    _, right = add_password(password, 'wrong-password', again['wrong-then-install'])
    add_password(password, 'install', again['wrong-then-install'], right=right)
    add_password(password, 'none', again['install-then-none'])
    add_password(password, 'wrong-password', again['install-then-wrong-password'])

    # 3. CUCM style: no AUTH_TYPE, RSA KEY_GENERATE_REQUEST without KEY_TYPE, TLS 1.2
    add_password(cucm, 'install')
    add_password(cucm, 'wrong-password')
    add(cucm, 'install', key=RSA2048)
    add(cucm, 'install', key=P384)
    add(cucm, 'install', mode=AuthType.LSC, key=RSA2048)
    add(cucm, 'install', mode=AuthType.MIC, key=P256)
    add(cucm, 'none', mode=AuthType.MIC)
    add(cucm, 'install', again['unknown-then-install'], key=RSA2048)
    add(cucm, 'install', again['keygen-failed-then-install'], key=P256)

    # 4. capfd style: AUTH_TYPE 0, TLS 1.3
    add_password(capfd, 'install')
    add(capfd, 'install', key=P256)
    add(capfd, 'install', mode=AuthType.LSC, key=RSA2048)
    add(capfd, 'delete', mode=AuthType.LSC)
    add(capfd, 'fetch', again['install-then-fetch'], fetch_from=again['install-then-fetch'][0])
    add(capfd, 'install', again['delete-install-delete'], key=RSA2048)

    # 5. existing certificate, LSC first (AUTH_TYPE 3), TLS 1.2; a TLS version failure
    add(lsc, 'install', mode=AuthType.LSC, key=RSA2048)
    add(lsc, 'install', mode=AuthType.LSC, key=P256, ec_auth=True)
    add(lsc, 'untrusted-cert', mode=AuthType.LSC)
    add(lsc, 'delete', again['delete-install-delete'], mode=AuthType.LSC)
    add(lsc, 'tls-version', nameless_b)

    # 6. existing certificate, MIC first (AUTH_TYPE 4), TLS 1.2
    add(mic, 'install', mode=AuthType.MIC, key=RSA2048)
    add(mic, 'install', mode=AuthType.MIC, key=P384)
    add(mic, 'install', again['fetch-no-cert-then-install'], mode=AuthType.MIC, key=RSA2048)

    # 7. a server that gives up after 2 s of silence
    add(slow, 'stall', key=RSA2048)
    add(slow, 'install', key=P256)
    return before, groups


# ---------------------------------------------------------------------------
# Running it


class Pki:
    def __init__(self):
        self.capf = capf.make_ca('CAPF-cucm-pub')
        self.stale_capf = capf.make_ca('CAPF-cucm-pub')  # same name, another key
        self.manufacturing_ca = capf.make_ca('Test Manufacturing CA', 'Example Phones')
        self.sudi_ca = capf.make_ca('Test SUDI CA', 'Example Phones')
        self.rogue_ca = capf.make_ca('Rogue CA', 'Nobody')
        self.phone_key = capf.generate_key()            # one RSA key for all phone certificates
        self.phone_ec_key = capf.generate_key(KeyType.EC)
        self.sudi = capf.issue_identity(self.sudi_ca, 'PID:CP-8865 SN:FCH2233A0BC')


def lsc_with_serial(issuer, name, key, serial):
    """An LSC like capf_proto.issue_certificate's, with a chosen serial number."""
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)] + [
        attribute for attribute in issuer.certificate.subject if attribute.oid != NameOID.COMMON_NAME])
    certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer.certificate.subject)
                   .public_key(key.public_key()).serial_number(serial)
                   .not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=1825))
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .sign(issuer.key, hashes.SHA256()))
    return capf.Identity(certificate, key)


class Run:
    """Runs the plan and remembers what the server issued."""

    def __init__(self, pki, keylog):
        self.pki = pki
        self.keylog = keylog
        self.issued = []          # (device name, certificate) in the order the server issued them
        self.next_session_id = 0x1000
        original = capf.issue_certificate

        def recording_issue(issuer, common_name, public_key, days=1825):
            certificate = original(issuer, common_name, public_key, days)
            if issuer is pki.capf:
                self.issued.append((common_name, certificate))
            return certificate
        self._original_issue = original
        capf.issue_certificate = recording_issue  # CapfServer._install calls it by module name

    def identity(self, issuer, name, ec_key=False):
        key = self.pki.phone_ec_key if ec_key else self.pki.phone_key
        return capf.Identity(self._original_issue(issuer, name, key.public_key()), key)

    def device_config(self, session):
        kind = session.kind
        operation = {'install': Operation.INSTALL, 'keygen-failed': Operation.INSTALL,
                     'reset-mid': Operation.INSTALL, 'stall': Operation.INSTALL,
                     'fetch': Operation.FETCH, 'fetch-no-cert': Operation.FETCH,
                     'delete': Operation.DELETE, 'delete-no-cert': Operation.DELETE}.get(kind, Operation.NONE)
        auth = session.mode
        if kind in ('wrong-password', 'empty-password') or session.configured_password:
            auth = AuthType.PASSWORD
        key = session.key or RSA2048
        return Device(session.device, operation=operation, auth=auth, password=session.configured_password,
                      key_type=key.key_type, key_size=key.size, curve=key.curve, expired=kind == 'late')

    def phone_behaviour(self, session):
        pki, kind, name = self.pki, session.kind, session.device
        behaviour = PhoneBehaviour(password=session.password, send_in_progress=kind in KEYED,
                                   keygen_fails=kind == 'keygen-failed',
                                   reset_after_key_request=kind == 'reset-mid',
                                   never_send_key=kind == 'stall')
        if session.mode == AuthType.LSC:
            issuer = pki.rogue_ca if kind == 'untrusted-cert' else pki.capf
            behaviour.auth_identity = self.identity(issuer, name, session.ec_auth)
            behaviour.auth_certificate_type = CertificateType.LSC
        elif session.mode == AuthType.MIC:
            behaviour.auth_identity = self.identity(pki.manufacturing_ca, name)
            behaviour.auth_certificate_type = CertificateType.MIC
            behaviour.sudi = pki.sudi
        if kind == 'fetch':
            if session.fetch_from:
                certificate = [c for n, c in self.issued if n == session.fetch_from][-1]
                behaviour.certificate = capf.Identity(certificate, None)
            elif session.fetch_serial is not None:
                behaviour.certificate = lsc_with_serial(pki.capf, name, pki.phone_key, session.fetch_serial)
            else:
                behaviour.certificate = self.identity(pki.capf, name)
            session.serial = serial_text(behaviour.certificate.certificate.serial_number)
        elif kind == 'delete':
            behaviour.certificate = self.identity(pki.capf, name)
        return behaviour

    def nameless(self, session, tls_version):
        kind = session.kind
        if kind in ('refused', 'tls-reject'):
            trust = self.pki.stale_capf.certificate if kind == 'tls-reject' else self.pki.capf.certificate
            return Phone('-', session.address, SERVER, trust).run()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.settimeout(10)
        sock.bind((session.address, 0))
        sock.connect(SERVER)
        if kind == 'tcp-reset':
            time.sleep(0.2)  # the server has accepted and waits for the ClientHello
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
            sock.close()
            return Outcome.FAILED
        # tls-version: the phone offers only a newer TLS than the server speaks
        assert tls_version == TLS12
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        context.minimum_version = TLS13
        try:
            context.wrap_socket(sock).close()
        except ssl.SSLError:
            sock.close()
            return Outcome.FAILED
        return Outcome.INCOMPLETE

    def group(self, group):
        server = capf.CapfServer(SERVER, self.pki.capf, [], group.behaviour, group.tls_version, self.keylog,
                                 trusted=(self.pki.manufacturing_ca.certificate, self.pki.sudi_ca.certificate),
                                 first_session_id=self.next_session_id)
        server.serve(len(group.sessions))
        try:
            for session in group.sessions:
                if session.kind in NAMELESS:
                    session.outcome = self.nameless(session, group.tls_version)
                    continue
                # the server's configuration for this device, as the session needs it
                server.devices.pop(session.device, None)
                if session.kind != 'unknown-device':
                    server.devices[session.device] = self.device_config(session)
                behaviour = self.phone_behaviour(session)
                issued_before = len(self.issued)
                session.outcome = Phone(session.device, session.address, SERVER, self.pki.capf.certificate,
                                        behaviour).run()
                new = [c for n, c in self.issued[issued_before:] if n == session.device]
                if new:
                    session.serial = serial_text(new[-1].serial_number)
        finally:
            server.join()
        self.next_session_id = server.next_session_id


# ---------------------------------------------------------------------------
# Truth


TRUTH_HEADER = 'device\tsessions\tlast_operation\toutcome\tauth\tkey\tserial'


def outcome_text(session):
    _, outcome, failure, _ = session.spec
    return f'{outcome}: {failure}' if failure else outcome


def session_row(session):
    """(operation, outcome, auth, key) the plugin should show for one session."""
    operation = session.spec[0] or '-'
    auth = AUTH_TEXT[session.auth] if session.auth is not None else '-'
    return operation, outcome_text(session), auth, session.key_text or '-'


def roll_up(sessions):
    """One row per device / nameless client address: the last session's values; the
    serial of the last session that had a certificate."""
    rows = {}
    for session in sessions:
        key = session.device or f'client:{session.address}'
        count, serial = (rows[key][0], rows[key][5]) if key in rows else (0, '-')
        operation, outcome, auth, key_text = session_row(session)
        if session.device is None:
            rows[key] = (count + 1, '-', outcome, '-', '-', '-')
        else:
            rows[key] = (count + 1, operation, outcome, auth, key_text, session.serial or serial)
    return rows


def format_truth(rows):
    def order(name):
        if name.startswith('client:'):
            return (1, tuple(int(x) for x in name[7:].split('.')))
        return (0, name)
    lines = [TRUTH_HEADER]
    for name in sorted(rows, key=order):
        lines.append('\t'.join([name] + [str(v) for v in rows[name]]))
    return '\n'.join(lines) + '\n'


# ---------------------------------------------------------------------------
# Checks


def tshark_fields(tshark, capture, fields, display_filter=None, two_pass=False, extra=()):
    command = [*tshark, '-r', str(capture), *extra]
    if two_pass:
        command.append('-2')
    if display_filter:
        command += ['-Y', display_filter]
    command += ['-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=|']
    for name in fields:
        command += ['-e', name]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f'{" ".join(command)} failed ({result.returncode}): {result.stderr.strip()}')
    return [line.split('\t') for line in result.stdout.splitlines()]


def check_plain(capture, sessions):
    """Plain tshark (no plugin): TLS decrypts; certificates and alerts where the plan has them."""
    problems = []
    # an installed copy of the plugin would take the decrypted data from 'data'
    tls = ['--disable-protocol', 'capf', '-d', f'tcp.port=={capf.PORT},tls']
    capf_records = tshark_fields(['tshark'], capture, ['tcp.stream'], 'data.data[0] == 0x55', extra=tls)
    if not capf_records:
        problems.append('no decrypted CAPF record (keys missing?)')
    store_or_fetch = tshark_fields(['tshark'], capture, ['frame.number'],
                                   '(data.data[0:2] == 55:09 || data.data[0:2] == 55:0c) && data.len > 100',
                                   extra=tls)  # with a certificate
    want = sum(1 for s in sessions if s.kind in ('install', 'fetch'))
    if len(store_or_fetch) != want:
        problems.append(f'{len(store_or_fetch)} STORE/FETCH certificate records, plan has {want}')
    # serials: the certificate in each STORE / FETCH record, decoded here and read by openssl
    records = tshark_fields(['tshark'], capture, ['tcp.stream', 'data.data'],
                            '(data.data[0:2] == 55:09 || data.data[0:2] == 55:0c) && data.len > 100', extra=tls)
    seen = {}
    for stream, data in records:
        pdu = capf.decode_pdu(bytes.fromhex(data.replace(':', '')))
        _, der = capf.parse_certificate_block(pdu.get(capf.Element.CERTIFICATE))
        result = subprocess.run(['openssl', 'x509', '-inform', 'DER', '-noout', '-serial'], input=der,
                                capture_output=True, check=True)
        number = int(result.stdout.decode().strip().split('=', 1)[1], 16)
        seen[int(stream)] = serial_text(number)
    want = {index: s.serial for index, s in enumerate(sessions) if s.kind in ('install', 'fetch')}
    if seen != want:
        problems.append('certificate serials (openssl) per connection differ from the plan: ' + ', '.join(
            f'{i}: {seen.get(i)} != {want.get(i)}' for i in sorted(set(seen) | set(want)) if seen.get(i) != want.get(i)))
    alerts = tshark_fields(['tshark'], capture, ['ip.src'], 'tls.alert_message.level == 2', extra=tls)
    want = sorted(s.address if s.kind == 'tls-reject' else SERVER[0]
                  for s in sessions if s.kind in ('tls-reject', 'tls-version'))
    if sorted(a[0] for a in alerts) != want:
        problems.append(f'fatal TLS alerts from {sorted(a[0] for a in alerts)}, plan: {want}')
    return problems


def plugin_sessions(build, capture):
    """Per TCP connection: client address, first frame and the plugin's final session summary."""
    tshark = [str(REPO / 'scripts' / 'tshark-build'), '-B', str(build)]
    fields = ['frame.number', 'tcp.stream', 'ip.src', 'ip.dst', 'capf.session.device_name',
              'capf.session.auth_type', 'capf.session.operation', 'capf.session.key',
              'capf.session.outcome', 'capf.session.failure', 'capf.command', 'x509af.serialNumber']
    streams = {}
    for row in tshark_fields(tshark, capture, fields, 'tcp', two_pass=True):
        row += [''] * (len(fields) - len(row))
        frame, stream, src, dst, name, auth, operation, key, outcome, failure, commands, serials = row
        client = dst if src == SERVER[0] else src
        entry = streams.setdefault(int(stream), {'client': client, 'first': int(frame), 'summary': None,
                                                 'serials': [], 'messages': 0})
        entry['messages'] += len(commands.split('|')) if commands else 0
        if outcome:
            first = lambda v: v.split('|')[0]  # noqa: E731 (several PDUs in a frame: same summary)
            entry['summary'] = (first(name), first(auth), first(operation), first(key), first(outcome),
                                first(failure))
        if set(commands.split('|')) & {'9', '12'} and serials:
            # the X.509 dissector's serial of the certificate in STORE / FETCH (one per frame here)
            entry['serials'].append(serials.split('|')[-1])
    return [streams[s] for s in sorted(streams)]


def x509_serial_text(hex_string):
    raw = bytes.fromhex(hex_string.replace(':', ''))
    return ':'.join(f'{b:02X}' for b in raw)


def check_plugin(build, capture, sessions, truth_text):
    """The plugin's session summaries against the plan, and its roll-up against the truth."""
    problems = []
    streams = plugin_sessions(build, capture)
    if len(streams) != len(sessions):
        problems.append(f'{len(streams)} TCP connections in the capture, plan has {len(sessions)}')
    outcome_names = {v: k for k, v in OUTCOME_CODE.items()}
    operation_names = {v: k for k, v in OPERATION_CODE.items()}
    auth_names = {str(int(k)): v for k, v in AUTH_TEXT.items()}
    expected_lines, seen_lines, observed = [], [], []
    for index, (session, stream) in enumerate(zip(sessions, streams)):
        session.first_frame = stream['first']
        operation, outcome, auth, key = session_row(session)
        expected_lines.append('\t'.join([str(index), session.address, session.device or '-', operation,
                                         outcome, auth, key, session.serial or '-',
                                         f'{MESSAGES.get(session.kind, 0)} messages']))
        summary = stream['summary']
        if summary is None:
            seen_lines.append('\t'.join([str(index), stream['client'], '(no capf.session fields)']))
            observed.append(None)
            continue
        name, s_auth, s_op, s_key, s_outcome, s_failure = summary
        s_outcome = outcome_names.get(int(s_outcome), s_outcome)
        if s_failure:
            s_outcome += f': {s_failure}'
        serial = x509_serial_text(stream['serials'][-1]) if stream['serials'] else '-'
        row = [str(index), stream['client'], name or '-',
               operation_names.get(int(s_op), s_op) if s_op else '-', s_outcome,
               auth_names.get(s_auth, s_auth) if s_auth else '-', s_key or '-', serial]
        seen_lines.append('\t'.join(row + [f'{stream["messages"]} messages']))
        observed.append(row)
    diff = list(difflib.unified_diff(expected_lines, seen_lines, 'plan (per connection)',
                                     'plugin + x509af.serialNumber (per connection)', lineterm=''))
    if diff:
        problems.append('per-connection summaries differ:\n' + '\n'.join(diff))

    # the same roll-up as the truth file, from what the plugin showed
    rows = {}
    for row in observed:
        if row is None:
            continue
        _, client, name, operation, outcome, auth, key, serial = row
        label = name if name != '-' else f'client:{client}'
        count, last_serial = (rows[label][0], rows[label][5]) if label in rows else (0, '-')
        if name == '-':
            rows[label] = (count + 1, '-', outcome, '-', '-', '-')
        else:
            rows[label] = (count + 1, operation, outcome, auth, key, serial if serial != '-' else last_serial)
    diff = list(difflib.unified_diff(truth_text.splitlines(), format_truth(rows).splitlines(),
                                     str(TRUTH.relative_to(REPO)), 'roll-up of the plugin fields', lineterm=''))
    if diff:
        problems.append('truth and plugin roll-up differ:\n' + '\n'.join(diff))
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('-v', '--verbose', action='store_true', help='log every CAPF PDU')
    parser.add_argument('--build', type=Path, default=REPO / 'build',
                        help='build tree with the plugin for the check (default: %(default)s)')
    parser.add_argument('--no-verify', action='store_true', help='skip the check with the plugin')
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.DEBUG if arguments.verbose else logging.WARNING,
                        format='%(asctime)s %(threadName)s %(message)s')

    before, groups = make_plan()
    sessions = before + [s for g in groups for s in g.sessions]
    pki = Pki()
    problems = []
    with tempfile.TemporaryDirectory(prefix='gen-fleet-') as directory:
        raw = Path(directory) / 'fleet.raw.pcapng'
        keylog = Path(directory) / 'fleet.keys'
        run = Run(pki, str(keylog))
        with capf.Capture(raw, CAPTURE_FILTER):
            for session in before:
                session.outcome = run.nameless(session, None)
            for group in groups:
                time.sleep(0.2)
                run.group(group)
        OUTPUT.parent.mkdir(exist_ok=True)
        subprocess.run(['editcap', '--inject-secrets', f'tls,{keylog}', str(raw), str(OUTPUT)],
                       check=True, capture_output=True)

    for index, session in enumerate(sessions):
        if session.outcome != session.spec[3]:
            problems.append(f'session {index} ({session.kind}, {session.device or session.address}): the phone '
                            f'saw {session.outcome and session.outcome.value}, expected {session.spec[3].value}')
        if session.kind in ('install', 'fetch') and not session.serial:
            problems.append(f'session {index} ({session.kind}, {session.device}): no certificate recorded')

    truth_text = format_truth(roll_up(sessions))
    TRUTH.parent.mkdir(exist_ok=True)
    TRUTH.write_text(truth_text)

    problems += check_plain(OUTPUT, sessions)
    if not arguments.no_verify:
        if (arguments.build / 'plugins').is_dir():
            problems += check_plugin(arguments.build, OUTPUT, sessions, truth_text)
        else:
            print(f'note: no plugin in {arguments.build}; skipped the check with the plugin', file=sys.stderr)

    devices = {s.device for s in sessions if s.device}
    counts = {}
    for line in truth_text.splitlines()[1:]:
        outcome = line.split('\t')[3]
        counts[outcome] = counts.get(outcome, 0) + 1
    print(f'{OUTPUT.relative_to(REPO)}: {OUTPUT.stat().st_size} bytes, {len(sessions)} connections, '
          f'{len(devices)} devices; {TRUTH.relative_to(REPO)}')
    for outcome, count in sorted(counts.items()):
        print(f'  {count:3d}  {outcome}')
    for problem in problems:
        print(f'FAIL {problem}', file=sys.stderr)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
