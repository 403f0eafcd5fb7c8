#!/usr/bin/python3
"""Generate the CAPF test captures test-captures/capf-<scenario>.pcapng.

Usage: tests/generators/gen-capf-captures.py [-v] [SCENARIO ...]   (default: all)

Each scenario runs a CAPF server (tests/generators/capf_proto.py) on 127.0.10.1:3804
and phones on 127.0.10.2.. while dumpcap captures 'net 127.0.10.0/24' on lo.
TLS keys are logged by the server and embedded with editcap
--inject-secrets, and every capture is checked with tshark display filters.
Needs root (dumpcap on lo; iptables for syn-dropped), tshark/dumpcap/editcap
and python3-cryptography.  See test-captures/README.md.
"""

import argparse
import logging
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in scripts/
sys.path.insert(0, str(Path(__file__).resolve().parent))
import capf_proto as capf  # noqa: E402
from capf_proto import (AuthType, CertificateType, Curve, Device, KeyType, Operation,  # noqa: E402
                        Outcome, Phone, PhoneBehaviour, ServerBehaviour, WriteMode)

OUTPUT_DIR = Path(__file__).resolve().parents[2] / 'test-captures'
SERVER = ('127.0.10.1', capf.PORT)
CAPTURE_FILTER = 'net 127.0.10.0/24'
PHONE = 'SEP001122334455'
PASSWORD = '123456'
TLS12 = ssl.TLSVersion.TLSv1_2
TLS13 = ssl.TLSVersion.TLSv1_3
DROP_SYN_RULE = ['INPUT', '-i', 'lo', '-p', 'tcp', '-d', SERVER[0], '--dport', str(SERVER[1]),
                 '--tcp-flags', 'SYN,ACK', 'SYN', '-m', 'comment', '--comment', 'gen-capf-captures',
                 '-j', 'DROP']


def client_address(index):
    """Address of the index-th phone (0-based): 127.0.10.2, 127.0.10.3, ..."""
    return f'127.0.10.{2 + index}'


class Pki:
    """Certificates shared by all scenarios (new keys on every run)."""

    def __init__(self):
        self.capf = capf.make_ca('CAPF-cucm-pub')
        self.stale_capf = capf.make_ca('CAPF-cucm-pub')  # same name, another key
        self.manufacturing_ca = capf.make_ca('Test Manufacturing CA', 'Example Phones')
        self.sudi_ca = capf.make_ca('Test SUDI CA', 'Example Phones')
        self.mic = capf.issue_identity(self.manufacturing_ca, PHONE)
        self.sudi = capf.issue_identity(self.sudi_ca, 'PID:CP-8865 SN:FCH2233A0BC')
        self.lsc = capf.issue_identity(self.capf, PHONE)


@dataclass
class Env:
    pki: Pki
    keylog: str


def capf_sessions(env, devices, phones, behaviour=None, tls_version=TLS12, trust=None):
    """Run one CAPF server and the phones [(name, PhoneBehaviour or None)] one after another.

    The phones trust the CAPF certificate unless trust names another one.
    """
    server = capf.CapfServer(SERVER, env.pki.capf, devices, behaviour, tls_version, env.keylog,
                             trusted=(env.pki.manufacturing_ca.certificate, env.pki.sudi_ca.certificate))
    server.serve(len(phones))
    if tls_version is not None:
        trust = trust or env.pki.capf.certificate
    outcomes = [Phone(name, client_address(index), SERVER, trust, phone_behaviour or PhoneBehaviour()).run()
                for index, (name, phone_behaviour) in enumerate(phones)]
    server.join()
    return outcomes


def one_session(env, device, phone_behaviour=None, behaviour=None, tls_version=TLS12):
    return capf_sessions(env, [device], [(device.name, phone_behaviour)], behaviour, tls_version)


# ---------------------------------------------------------------------------
# HiQnet (a different protocol on TCP 3804, for the "not CAPF" capture)

HIQNET_HEADER = struct.Struct('>BBIHBBBBHBBBBHHBH')  # version .. sequence number, 25 bytes
HIQNET_GOODBYE = 0x0007
HIQNET_HELLO = 0x0008
HIQNET_MULTI_PARAM_GET = 0x0103
HIQNET_REQUEST_ACK = 0x0001
HIQNET_INFO = 0x0004
HIQNET_FLAG_MASK = 0x016f  # all flags Wireshark knows
HIQNET_SESSION = 0x1234
HIQNET_CONTROLLER = 1     # HiQnet device addresses
HIQNET_DEVICE = 2


def hiqnet_message(source, destination, message_id, flags, sequence, payload):
    """Version 2, 25-byte header, addresses device.0.0.0.0, hop count 5."""
    return HIQNET_HEADER.pack(2, HIQNET_HEADER.size, HIQNET_HEADER.size + len(payload),
                              source, 0, 0, 0, 0, destination, 0, 0, 0, 0,
                              message_id, flags, 5, sequence) + payload


def read_hiqnet(sock):
    """Return (message id, payload) of the next message."""
    fields = HIQNET_HEADER.unpack(read_exact(sock, HIQNET_HEADER.size))
    return fields[13], read_exact(sock, fields[2] - HIQNET_HEADER.size)


def read_exact(sock, size):
    data = b''
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError('peer closed')
        data += chunk
    return data


def hiqnet_device(listener):
    """Answer Hello and MultiParamGet (parameter 1 = UWORD 75, 2 = STRING "Main") until Goodbye."""
    name = 'Main'.encode('utf-16-be')
    replies = {
        HIQNET_HELLO: struct.pack('>HH', HIQNET_SESSION, HIQNET_FLAG_MASK),
        HIQNET_MULTI_PARAM_GET: struct.pack('>HHBH', 2, 1, 3, 75) + struct.pack('>HBH', 2, 9, len(name)) + name,
    }
    connection, _ = listener.accept()
    with connection:
        connection.settimeout(10)
        sequence = 0
        while (message_id := read_hiqnet(connection)[0]) != HIQNET_GOODBYE:
            sequence += 1
            connection.sendall(hiqnet_message(HIQNET_DEVICE, HIQNET_CONTROLLER, message_id, HIQNET_INFO,
                                              sequence, replies[message_id]))


# ---------------------------------------------------------------------------
# Scenarios

TLS_CAPF = ('data.data[0] == 0x55',)  # decrypted record starting with a CAPF header (needs the keys)
PLAIN_CAPF = ('tcp.payload[0] == 0x55',)


@dataclass
class Scenario:
    name: str
    run: Callable          # run(env) -> list of Outcome, one per phone
    outcomes: tuple        # expected phone outcomes
    tls: bool              # decode tcp.port 3804 as TLS when checking
    require: tuple         # display filters that must match some packet
    forbid: tuple = ()     # display filters that must match no packet


SCENARIOS = {}


def scenario(name, outcomes, tls=True, require=TLS_CAPF, forbid=()):
    def register(function):
        SCENARIOS[name] = Scenario(name, function, tuple(outcomes), tls, require, forbid)
        return function
    return register


@scenario('install-rsa2048-nullstring', [Outcome.INSTALLED])
def install_rsa2048_nullstring(env):
    return one_session(env, Device(PHONE), PhoneBehaviour(send_in_progress=True))


@scenario('install-password', [Outcome.INSTALLED], require=(
    *TLS_CAPF, 'tls.handshake.type == 2 && tls.handshake.extensions.supported_version == 0x0304'))
def install_password(env):
    return one_session(env, Device(PHONE, auth=AuthType.PASSWORD, password=PASSWORD),
                       PhoneBehaviour(password=PASSWORD),
                       ServerBehaviour(auth_type=AuthType.PASSWORD), tls_version=TLS13)


@scenario('install-ec-p256', [Outcome.INSTALLED])
def install_ec_p256(env):
    return one_session(env, Device(PHONE, key_type=KeyType.EC, curve=Curve.SECP256R1),
                       PhoneBehaviour(send_in_progress=True))


@scenario('install-ec-p384', [Outcome.INSTALLED])
def install_ec_p384(env):
    return one_session(env, Device(PHONE, key_type=KeyType.EC, curve=Curve.SECP384R1),
                       PhoneBehaviour(send_in_progress=True))


@scenario('install-cucm-style', [Outcome.INSTALLED])
def install_cucm_style(env):
    """Sequence A: real CUCM talking to Jabber (doc/protocol.md §1.7 A)."""
    return one_session(env, Device('CSFJSMITH'), PhoneBehaviour(password=None, jabber_style=True),
                       ServerBehaviour(auth_type=None, send_key_type=False))


@scenario('fetch', [Outcome.FETCHED])
def fetch(env):
    return one_session(env, Device(PHONE, operation=Operation.FETCH),
                       PhoneBehaviour(certificate=env.pki.lsc))


@scenario('delete', [Outcome.DELETED])
def delete(env):
    return one_session(env, Device(PHONE, operation=Operation.DELETE),
                       PhoneBehaviour(certificate=env.pki.lsc))


@scenario('no-pending', [Outcome.NOTHING_PENDING])
def no_pending(env):
    return one_session(env, Device(PHONE, operation=Operation.NONE), PhoneBehaviour(certificate=env.pki.lsc))


@scenario('unknown-device', [Outcome.FAILED])
def unknown_device(env):
    return capf_sessions(env, [Device(PHONE)], [('SEP0011223344FF', None)])


@scenario('wrong-password', [Outcome.FAILED])
def wrong_password(env):
    return one_session(env, Device(PHONE, auth=AuthType.PASSWORD, password=PASSWORD),
                       PhoneBehaviour(password='654321'), ServerBehaviour(auth_type=AuthType.PASSWORD))


@scenario('request-in-progress', [Outcome.INSTALLED])
def request_in_progress(env):
    return one_session(env, Device(PHONE), PhoneBehaviour(send_in_progress=True, keygen_delay=1.0))


@scenario('multi-session', [Outcome.INSTALLED, Outcome.NOTHING_PENDING, Outcome.FAILED, Outcome.FETCHED])
def multi_session(env):
    devices = [
        Device('SEP001122334401', auth=AuthType.PASSWORD, password='1111'),
        Device('SEP001122334402', operation=Operation.NONE, auth=AuthType.PASSWORD, password='2222'),
        Device('SEP001122334404', operation=Operation.FETCH, auth=AuthType.PASSWORD, password='4444'),
    ]
    phones = [
        ('SEP001122334401', PhoneBehaviour(password='1111', send_in_progress=True)),
        ('SEP001122334402', PhoneBehaviour(password='2222')),
        ('SEP001122334403', PhoneBehaviour(password='3333')),
        ('SEP001122334404', PhoneBehaviour(password='4444', certificate=env.pki.lsc)),
    ]
    return capf_sessions(env, devices, phones, ServerBehaviour(auth_type=AuthType.PASSWORD))


@scenario('plaintext', [Outcome.INSTALLED], tls=False, require=PLAIN_CAPF)
def plaintext(env):
    return one_session(env, Device(PHONE), PhoneBehaviour(send_in_progress=True), tls_version=None)


@scenario('split-1byte', [Outcome.INSTALLED], tls=False, require=('tcp.len == 1',), forbid=('tcp.len > 1',))
def split_1byte(env):
    """Every byte in its own TCP segment; an EC P-256 key keeps the capture smaller."""
    return one_session(env, Device(PHONE, key_type=KeyType.EC),
                       PhoneBehaviour(send_in_progress=True, write_mode=WriteMode.BYTES),
                       ServerBehaviour(write_mode=WriteMode.BYTES), tls_version=None)


@scenario('tls-records', [Outcome.INSTALLED], require=(
    *TLS_CAPF,
    'data.len == 8 && ip.src == 127.0.10.2',        # phone: a header alone in a record
    'data.data[0] != 0x55 && ip.src == 127.0.10.2',  # phone: a body alone in a record
    'data.data[0:2] == 55:09 && data.data contains 55:0f:00:00:10:00:00:04'))  # server: STORE + END_SESSION
def tls_records(env):
    return one_session(env, Device(PHONE), PhoneBehaviour(write_mode=WriteMode.HEADER_BODY),
                       ServerBehaviour(pipeline_end_session=True))


@scenario('sudi-auth', [Outcome.INSTALLED])
def sudi_auth(env):
    return one_session(env, Device(PHONE, auth=AuthType.MIC),
                       PhoneBehaviour(auth_identity=env.pki.mic, auth_certificate_type=CertificateType.MIC,
                                      sudi=env.pki.sudi, send_in_progress=True),
                       ServerBehaviour(auth_type=AuthType.MIC))


@scenario('server-stall', [Outcome.INCOMPLETE])
def server_stall(env):
    return one_session(env, Device(PHONE), PhoneBehaviour(send_in_progress=True, timeout=3),
                       ServerBehaviour(stall_after_key_request=True))


@scenario('phone-stall', [Outcome.INCOMPLETE])
def phone_stall(env):
    return one_session(env, Device(PHONE), PhoneBehaviour(never_send_key=True), ServerBehaviour(timeout=3))


@scenario('trust-alert', [Outcome.FAILED], require=('tls.alert_message.level == 2 && ip.src == 127.0.10.2',),
          forbid=('tls.record.content_type == 23',))
def trust_alert(env):
    """The phone trusts an older CAPF certificate (same name, other key)."""
    return capf_sessions(env, [Device(PHONE)], [(PHONE, None)], trust=env.pki.stale_capf.certificate)


@scenario('client-cert-required', [Outcome.FAILED],
          require=('tls.alert_message.level == 2 && ip.src == 127.0.10.1 && tls.record.opaque_type == 23',),
          forbid=('data.data[0] == 0x55',))
def client_cert_required(env):
    """TLS 1.3 server that wants a client certificate the phone does not have: the handshake
    completes on the phone's side, then the server's fatal alert comes encrypted."""
    return one_session(env, Device(PHONE), behaviour=ServerBehaviour(require_client_certificate=True),
                       tls_version=TLS13)


@scenario('refused', [Outcome.FAILED], tls=False, require=('tcp.flags.reset == 1 && ip.src == 127.0.10.1',))
def refused(env):
    return [Phone(PHONE, client_address(0), SERVER, env.pki.capf.certificate).run()]


@scenario('syn-dropped', [Outcome.FAILED], tls=False,
          require=('tcp.flags.syn == 1 && tcp.analysis.retransmission',),
          forbid=('tcp.flags.syn == 1 && tcp.flags.ack == 1', 'tcp.flags.reset == 1'))
def syn_dropped(env):
    """SYNs dropped by iptables on INPUT, after dumpcap saw them on lo."""
    if shutil.which('iptables') is None:
        raise RuntimeError('syn-dropped needs iptables: apt-get install -y iptables')
    subprocess.run(['iptables', '-I', *DROP_SYN_RULE], check=True)
    try:
        return [Phone(PHONE, client_address(0), SERVER, env.pki.capf.certificate,
                      PhoneBehaviour(timeout=4)).run()]
    finally:
        subprocess.run(['iptables', '-D', *DROP_SYN_RULE], check=True)


@scenario('reset-mid-session', [Outcome.INCOMPLETE], require=(
    *TLS_CAPF, 'tcp.flags.reset == 1 && ip.src == 127.0.10.2'))
def reset_mid_session(env):
    return one_session(env, Device(PHONE), PhoneBehaviour(reset_after_key_request=True))


@scenario('keygen-failed', [Outcome.FAILED])
def keygen_failed(env):
    return one_session(env, Device(PHONE), PhoneBehaviour(send_in_progress=True, keygen_fails=True))


@scenario('late-request', [Outcome.FAILED])
def late_request(env):
    return one_session(env, Device(PHONE, expired=True))


@scenario('timeout-reason', [Outcome.FAILED])
def timeout_reason(env):
    return one_session(env, Device(PHONE), PhoneBehaviour(send_in_progress=True, keygen_delay=3),
                       ServerBehaviour(keygen_deadline=1.5))


@scenario('hiqnet', [], tls=False, require=(
    'hiqnet.msgid == 0x0008', 'hiqnet.msgid == 0x0103', 'hiqnet.msgid == 0x0007'))
def hiqnet(env):
    """Not CAPF: HiQnet (Harman), the protocol Wireshark assigns to TCP 3804."""
    listener = socket.create_server(SERVER)
    listener.settimeout(30)
    thread = threading.Thread(target=hiqnet_device, args=(listener,), name='hiqnet-device')
    thread.start()
    with socket.create_connection(SERVER, timeout=10, source_address=(client_address(0), 0)) as sock:
        sock.sendall(hiqnet_message(HIQNET_CONTROLLER, HIQNET_DEVICE, HIQNET_HELLO, HIQNET_REQUEST_ACK, 1,
                                    struct.pack('>HH', HIQNET_SESSION, HIQNET_FLAG_MASK)))
        read_hiqnet(sock)
        sock.sendall(hiqnet_message(HIQNET_CONTROLLER, HIQNET_DEVICE, HIQNET_MULTI_PARAM_GET, 0, 2,
                                    struct.pack('>HHH', 2, 1, 2)))  # parameters 1 and 2
        read_hiqnet(sock)
        sock.sendall(hiqnet_message(HIQNET_CONTROLLER, HIQNET_DEVICE, HIQNET_GOODBYE, 0, 3,
                                    struct.pack('>H', HIQNET_CONTROLLER)))
    thread.join()
    listener.close()
    return []

# ---------------------------------------------------------------------------
# Capturing and checking


def tshark_count(path, display_filter, tls):
    command = ['tshark', '-r', str(path), '-Y', display_filter, '-T', 'fields', '-e', 'frame.number']
    if tls:
        command[1:1] = ['-d', f'tcp.port=={capf.PORT},tls']
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return len(result.stdout.split())


def check_capture(path, spec):
    problems = [f'no packet matches {f!r}' for f in spec.require if not tshark_count(path, f, spec.tls)]
    problems += [f'packets match {f!r}' for f in spec.forbid if tshark_count(path, f, spec.tls)]
    return problems


def generate(spec, pki, work_dir):
    raw = work_dir / f'{spec.name}.raw.pcapng'
    keylog = work_dir / f'{spec.name}.keys'
    output = OUTPUT_DIR / f'capf-{spec.name}.pcapng'
    with capf.Capture(raw, CAPTURE_FILTER):
        outcomes = spec.run(Env(pki, str(keylog)))
    if keylog.exists() and keylog.stat().st_size:
        subprocess.run(['editcap', '--inject-secrets', f'tls,{keylog}', str(raw), str(output)],
                       check=True, capture_output=True)
    else:
        shutil.copyfile(raw, output)
    problems = check_capture(output, spec)
    if tuple(outcomes) != spec.outcomes:
        problems.append(f'phone outcomes {[o.value for o in outcomes]}, '
                        f'expected {[o.value for o in spec.outcomes]}')
    return output, problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('scenarios', nargs='*', metavar='SCENARIO', help=', '.join(SCENARIOS))
    parser.add_argument('-v', '--verbose', action='store_true', help='log every CAPF PDU')
    arguments = parser.parse_args()
    unknown = [name for name in arguments.scenarios if name not in SCENARIOS]
    if unknown:
        parser.error(f'unknown scenario(s): {", ".join(unknown)}')
    logging.basicConfig(level=logging.DEBUG if arguments.verbose else logging.WARNING,
                        format='%(asctime)s %(threadName)s %(message)s')

    OUTPUT_DIR.mkdir(exist_ok=True)
    pki = Pki()
    failed = []
    with tempfile.TemporaryDirectory(prefix='gen-capf-') as directory:
        for name in arguments.scenarios or SCENARIOS:
            try:
                output, problems = generate(SCENARIOS[name], pki, Path(directory))
            except Exception as error:  # report and go on with the other scenarios
                output, problems = None, [repr(error)]
            if problems:
                failed.append(name)
                print(f'FAIL {name}: ' + '; '.join(problems), file=sys.stderr)
            else:
                print(f'ok   {output.relative_to(OUTPUT_DIR.parent)} ({output.stat().st_size} bytes)')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
