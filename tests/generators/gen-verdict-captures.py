#!/usr/bin/python3
"""Generate the verdict test captures test-captures/verdict-<scenario>.pcapng.

Usage: tests/generators/gen-verdict-captures.py [-v] [SCENARIO ...]   (default: all)

Each capture holds what a phone does before it enrols: it downloads its ITL
over TFTP and then runs a CAPF session over TLS 1.2 (two scenarios: TLS 1.3)
on port 3804, all in one dumpcap run.  The ITL's CAPF record either matches the certificate the CAPF
server presents or does not, which is what a dissector's ITL-vs-CAPF verdict
has to notice.

- ITL files: tests/generators/mk-trustlist.py presets itl-sha1 (CAPF record with the
  certificate tests/generators/fixtures/trustlist/capf.crt.pem) and itl-cucm-certhash
  (CAPF record with only CERTIFICATE_HASH = SHA-1 of capf.crt.pem).
- TFTP: in.tftpd -L on 127.0.50.1:69; the phone gets the file with
  tftp-hpa: tftp -m binary 127.0.50.1 -c get ITLFile.tlv.
- CAPF: capf_proto.CapfServer on 127.0.50.1:3804 with capf.crt.pem/key.pem
  or with another self-signed certificate (fixture
  tests/generators/fixtures/verdict/capf-other.*.pem, CN=CAPF-other-5a3e1b2c, made on
  first use by mk-trustlist.py's fixture code and then kept, so that its
  SHA-1 stays the one in test-captures/README.md); phone
  capf_proto.Phone SEP001122334455 on 127.0.50.2, null-string
  authentication, RSA 2048 install.
- Capture: dumpcap -i lo -f 'net 127.0.50.0/24'; the server's TLS key log is
  embedded with editcap --inject-secrets.

It runs in a private network namespace (unshare -n) whose lo routes
127.0.50.0/24 locally with source 127.0.50.2; without unshare it uses the
host's lo (TFTP client source then 127.0.0.1).  Every capture is checked:
the exported ITL equals the served file, the server Certificate is the
expected one, and the SHA-1s of the ITL's CAPF record (from
tests/check-trustlist-openssl.py) and of the server certificate (openssl x509
-fingerprint -sha1) agree or differ as the scenario says.

Needs root, tshark/dumpcap/editcap, openssl, tftpd-hpa, tftp-hpa, iproute2,
util-linux and python3-cryptography (scripts/install-deps --generators).
See test-captures/README.md, section "Verdict captures".
"""

import argparse
import importlib.machinery
import importlib.util
import logging
import os
import shutil
import ssl
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in scripts/
SCRIPTS = Path(__file__).resolve().parent
sys.path.insert(0, str(SCRIPTS))
import capf_proto as capf  # noqa: E402
from capf_proto import Device, Outcome, Phone, PhoneBehaviour  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402


def load_script(name):
    """Import a script of scripts/ (its name may have hyphens and no .py suffix)."""
    loader = importlib.machinery.SourceFileLoader(name.replace('-', '_').removesuffix('.py'), str(SCRIPTS / name))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


# Capture (dumpcap start/stop) and tshark_count come from the CAPF generator; its
gen_capf = load_script('gen-capf-captures.py')

TOP = SCRIPTS.parents[1]
OUTPUT_DIR = TOP / 'test-captures'
TRUSTLIST_FIXTURES = SCRIPTS / 'fixtures' / 'trustlist'
VERDICT_FIXTURES = SCRIPTS / 'fixtures' / 'verdict'
NET = '127.0.50.0/24'
SERVER_ADDRESS = '127.0.50.1'
PHONE_ADDRESS = '127.0.50.2'
CAPF_SERVER = (SERVER_ADDRESS, capf.PORT)
CAPTURE_FILTER = f'net {NET}'
PHONE = 'SEP001122334455'
ITL_NAME = 'ITLFile.tlv'
OTHER_CAPF = 'capf-other'
OTHER_CAPF_CN = 'CAPF-other-5a3e1b2c'
ROLE_CAPF = 4
NETNS_ENV = 'GEN_VERDICT_IN_NETNS'
NO_NETNS_ENV = 'GEN_VERDICT_NO_NETNS'



# ---------------------------------------------------------------------------
# Certificates


def load_identity(certificate_path, key_path):
    certificate = x509.load_pem_x509_certificate(certificate_path.read_bytes())
    key = serialization.load_pem_private_key(key_path.read_bytes(), None)
    return capf.Identity(certificate, key)


def other_capf_identity():
    """The 'wrong' CAPF certificate, made once like the trust-list fixtures and then reused.

    mk-trustlist.py's fixture generator with one more entry: the same DN layout, fixed
    validity (2023-2033) and extensions as capf.crt.pem, but another CN, key and serial.
    """
    certificate_path = VERDICT_FIXTURES / f'{OTHER_CAPF}.crt.pem'
    key_path = VERDICT_FIXTURES / f'{OTHER_CAPF}.key.pem'
    if not (certificate_path.exists() and key_path.exists()):
        VERDICT_FIXTURES.mkdir(parents=True, exist_ok=True)
        mk_trustlist = load_script('mk-trustlist.py')
        mk_trustlist.CERTS[OTHER_CAPF] = ('rsa2048', OTHER_CAPF_CN)
        mk_trustlist.generate_fixture(str(VERDICT_FIXTURES), OTHER_CAPF)
    return load_identity(certificate_path, key_path)


class Pki:
    def __init__(self):
        self.capf = load_identity(TRUSTLIST_FIXTURES / 'capf.crt.pem', TRUSTLIST_FIXTURES / 'capf.key.pem')
        self.other = other_capf_identity()


def sha1_of(der):
    """SHA-1 of a DER certificate as openssl x509 -fingerprint -sha1 prints it (lower case, no colons)."""
    result = subprocess.run(['openssl', 'x509', '-inform', 'DER', '-noout', '-fingerprint', '-sha1'],
                            input=der, capture_output=True, check=True)
    return result.stdout.decode().strip().split('=', 1)[1].replace(':', '').lower()


# ---------------------------------------------------------------------------
# The phone's view of its ITL


def itl_capf_record(data):
    """(certificate DER or None, CERTIFICATE_HASH or None) of the first CAPF record of an ITL.

    Header: VERSION (tag 1, length 2) then HEADER_LENGTH (tag 2, length 2); the records
    follow the header, each opened by RECORD_LENGTH (tag 1) counting the whole record.
    """
    if data[0] != 1 or data[5] != 2:
        raise ValueError('not an ITL file')
    offset = struct.unpack_from('>H', data, 8)[0]
    while offset < len(data):
        record_end = offset + struct.unpack_from('>H', data, offset + 3)[0]
        fields = {}
        inner = offset + 5
        while inner < record_end:
            tag, length = struct.unpack_from('>BH', data, inner)
            fields[tag] = data[inner + 3:inner + 3 + length]
            inner += 3 + length
        if fields.get(4) == struct.pack('>H', ROLE_CAPF):
            return fields.get(9), fields.get(11)
        offset = record_end
    raise ValueError('no CAPF record in the ITL')


# ---------------------------------------------------------------------------
# Scenarios


@dataclass
class Scenario:
    name: str
    preset: str            # mk-trustlist.py preset served as ITLFile.tlv
    server_cert: str       # 'capf' (capf.crt.pem) or 'other'
    itl_trust: bool        # phone verifies the server with the ITL's CAPF certificate as its only CA
    outcome: Outcome       # what the phone sees
    match: bool            # ITL CAPF record SHA-1 == server certificate SHA-1
    summary: str
    tls_version: ssl.TLSVersion = ssl.TLSVersion.TLSv1_2


SCENARIOS = {s.name: s for s in (
    Scenario('itl-capf-match', 'itl-sha1', 'capf', True, Outcome.INSTALLED, True,
             'ITL CAPF certificate = server certificate; install'),
    Scenario('itl-capf-mismatch', 'itl-sha1', 'other', False, Outcome.INSTALLED, False,
             'server presents another certificate; phone accepts it (TVS); install'),
    Scenario('itl-capf-mismatch-alert', 'itl-sha1', 'other', True, Outcome.FAILED, False,
             'server presents another certificate; phone (CA = ITL CAPF certificate) sends a fatal alert'),
    Scenario('itl-certhash-mismatch', 'itl-cucm-certhash', 'other', False, Outcome.INSTALLED, False,
             'CERTHASH-only CAPF record, server presents another certificate; install'),
    Scenario('itl-certhash-match', 'itl-cucm-certhash', 'capf', False, Outcome.INSTALLED, True,
             'CERTHASH-only CAPF record = SHA-1 of the server certificate; install'),
    # The CAPF record's stored hash is of an unknown kind (48 bytes, HASH ALGORITHM 4): no
    # verdict either way, whatever the server presents
    Scenario('itl-certhash-unknown', 'itl-certhash-unknown', 'capf', False, Outcome.INSTALLED, False,
             'CERTHASH of unknown kind (SHA-384 of the server certificate); install'),
    # TLS 1.3: the server's Certificate and the phone's alert travel encrypted;
    # with the keys in the file they are read from what TLS decrypted
    Scenario('itl-capf-mismatch-tls13', 'itl-sha1', 'other', False, Outcome.INSTALLED, False,
             'as itl-capf-mismatch, over TLS 1.3', ssl.TLSVersion.TLSv1_3),
    Scenario('itl-capf-mismatch-alert-tls13', 'itl-sha1', 'other', True, Outcome.FAILED, False,
             'as itl-capf-mismatch-alert, over TLS 1.3 (the Certificate is encrypted; the alert is not)', ssl.TLSVersion.TLSv1_3),
)}


# ---------------------------------------------------------------------------
# Network namespace, TFTP server and client


def enter_netns():
    """Re-run this script under unshare -n; inside, set up lo.  False on the host's lo."""
    if os.environ.get(NETNS_ENV):
        for command in (['ip', 'link', 'set', 'lo', 'up'],
                        # in.tftpd's getaddrinfo (AI_ADDRCONFIG) needs an address besides 127.0.0.1
                        ['ip', 'addr', 'add', f'{PHONE_ADDRESS}/32', 'dev', 'lo'],
                        ['ip', 'route', 'add', 'local', NET, 'dev', 'lo', 'src', PHONE_ADDRESS,
                         'table', 'local']):
            subprocess.run(command, check=True)
        return True
    if not os.environ.get(NO_NETNS_ENV):
        if subprocess.run(['unshare', '-n', 'true'], capture_output=True).returncode == 0:
            os.execvpe('unshare', ['unshare', '-n', sys.executable, str(Path(__file__).resolve()),
                                   *sys.argv[1:]], {**os.environ, NETNS_ENV: '1'})
        print("gen-verdict-captures: unshare -n not available; using the host's loopback "
              '(TFTP client source 127.0.0.1)', file=sys.stderr)
    return False


class TftpServer:
    """in.tftpd -L serving one directory on 127.0.50.1:69 for the duration of a with block."""

    def __init__(self, directory):
        self.directory = directory
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(['/usr/sbin/in.tftpd', '-L', '-s', str(self.directory),
                                         '-a', f'{SERVER_ADDRESS}:69'])
        deadline = time.monotonic() + 5
        while f'{SERVER_ADDRESS}:69 ' not in subprocess.run(['ss', '-Hlun'], capture_output=True,
                                                            text=True).stdout + ' ':
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError('in.tftpd did not start listening')
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        # in.tftpd forks a child per request: end any child still running, then the server.
        children = Path(f'/proc/{self.process.pid}/task/{self.process.pid}/children')
        pids = children.read_text().split() if children.exists() else []
        for pid in pids:
            try:
                os.kill(int(pid), 15)
            except ProcessLookupError:
                pass
        self.process.terminate()
        self.process.wait(timeout=10)


def serve_dir(work_dir, itl_file):
    """A directory in.tftpd (which drops to an unprivileged user) can read, holding ITLFile.tlv."""
    directory = work_dir / 'tftpboot'
    directory.mkdir()
    shutil.copyfile(itl_file, directory / ITL_NAME)
    directory.chmod(0o755)
    (directory / ITL_NAME).chmod(0o644)
    return directory


def tftp_get(client_dir):
    subprocess.run(['tftp', '-m', 'binary', SERVER_ADDRESS, '-c', 'get', ITL_NAME],
                   cwd=client_dir, check=True, timeout=30)
    return (client_dir / ITL_NAME).read_bytes()


# ---------------------------------------------------------------------------
# Generating and checking


def build_itl_files(work_dir):
    """The two presets, built into work_dir (the same bytes as test-captures/files/<preset>.tlv)."""
    presets = sorted({scenario.preset for scenario in SCENARIOS.values()})
    subprocess.run(['/usr/bin/python3', str(SCRIPTS / 'mk-trustlist.py'), *presets, '-o', str(work_dir)],
                   check=True, capture_output=True)
    return {preset: work_dir / f'{preset}.tlv' for preset in presets}


def run_scenario(spec, pki, itl_file, work_dir, keylog):
    """One capture: TFTP download of the ITL, then one CAPF session.  Returns the phone outcome."""
    server_identity = pki.capf if spec.server_cert == 'capf' else pki.other
    client_dir = work_dir / 'phone'
    client_dir.mkdir()
    with TftpServer(serve_dir(work_dir, itl_file)):
        with capf.Capture(work_dir / 'raw.pcapng', CAPTURE_FILTER):
            itl = tftp_get(client_dir)
            time.sleep(0.2)
            certificate_der, certificate_hash = itl_capf_record(itl)
            if spec.itl_trust:
                trust = x509.load_der_x509_certificate(certificate_der)  # the ITL's CAPF certificate only
            else:
                # The phone does not check the certificate against its ITL: it takes what the
                # server presents, as if TVS had vouched for it.
                trust = server_identity.certificate
            log = logging.getLogger('verdict')
            log.info('%s: ITL CAPF record %s; server presents %s', spec.name,
                     'certificate' if certificate_der else f'CERTHASH {certificate_hash.hex()}',
                     server_identity.certificate.subject.rfc4514_string())
            server = capf.CapfServer(CAPF_SERVER, server_identity, [Device(PHONE)],
                                     tls_version=spec.tls_version, keylog=str(keylog))
            server.serve(1)
            outcome = Phone(PHONE, PHONE_ADDRESS, CAPF_SERVER, trust,
                            PhoneBehaviour(send_in_progress=True)).run()
            server.join()
    return outcome


def tshark_fields(path, display_filter, *fields):
    result = subprocess.run(['tshark', '-n', '-r', str(path), '-d', f'tcp.port=={capf.PORT},tls',
                             '-Y', display_filter, '-T', 'fields', *(a for f in fields for a in ('-e', f))],
                            capture_output=True, text=True, check=True)
    return [line.split('\t') for line in result.stdout.splitlines()]


def itl_capf_sha1_openssl(path):
    """SHA-1 of the CAPF record (certificate, or stored CERTHASH) per tests/check-trustlist-openssl.py."""
    result = subprocess.run([str(TOP / 'tests' / 'check-trustlist-openssl.py'), str(path)],
                            capture_output=True, text=True)
    lines = [line.split('\t') for line in result.stdout.splitlines()]
    capf_lines = [line for line in lines if line[0] == 'CAPF']
    signature = [line[1] for line in lines if line[0] == 'signature']
    return (capf_lines[0][2] if capf_lines else None), (signature[0] if signature else None)


def check_capture(path, spec, served, server_der, work_dir):
    """Returns (problems, ITL CAPF SHA-1, server certificate SHA-1)."""
    problems = []

    def count(display_filter):
        return gen_capf.tshark_count(path, display_filter, True)

    export_dir = work_dir / 'export'
    export_dir.mkdir()
    # --disable-protocol itl: an installed plugin would claim the file, and TFTP
    # exports only files no other dissector took
    subprocess.run(['tshark', '-n', '-r', str(path), '-o', 'tftp.defragment:TRUE', '-q', '--disable-protocol', 'itl',
                    '--export-objects', f'tftp,{export_dir}'], check=True, capture_output=True)
    exported = export_dir / ITL_NAME
    if not exported.exists() or exported.read_bytes() != served:
        problems.append(f'the exported {ITL_NAME} differs from the served file')

    itl_sha1, signature = itl_capf_sha1_openssl(path)
    if signature != 'valid':
        problems.append(f'ITL signature per check-trustlist-openssl: {signature}')

    certificates = tshark_fields(path, f'tls.handshake.type == 11 && ip.src == {SERVER_ADDRESS}',
                                 'frame.number', 'tls.handshake.certificate')
    server_sha1 = None
    if len(certificates) != 1:
        problems.append(f'{len(certificates)} server Certificate messages, expected 1')
    else:
        der = bytes.fromhex(certificates[0][1].split(',')[0].replace(':', ''))
        server_sha1 = sha1_of(der)
        if der != server_der:
            problems.append('the server Certificate is not the expected certificate')
    if (itl_sha1 == server_sha1) != spec.match:
        problems.append(f'ITL CAPF {itl_sha1} vs server {server_sha1}: expected '
                        f'{"equal" if spec.match else "different"}')

    last_tftp = max((int(row[0]) for row in tshark_fields(path, 'tftp', 'frame.number')), default=0)
    first_capf = min((int(row[0]) for row in tshark_fields(path, f'tcp.port == {capf.PORT}', 'frame.number')),
                     default=0)
    if not 0 < last_tftp < first_capf:
        problems.append(f'the TFTP transfer (last frame {last_tftp}) does not come before '
                        f'the CAPF connection (first frame {first_capf})')

    if spec.outcome == Outcome.FAILED:
        if not count(f'tls.alert_message.level == 2 && ip.src == {PHONE_ADDRESS}'):
            problems.append('no fatal TLS alert from the phone')
        if count('tls.record.content_type == 23'):
            problems.append('application data after the alert')
    else:
        capf_records = count('data.data[0] == 0x55')
        if capf_records != 8:
            problems.append(f'{capf_records} decrypted CAPF records, expected 8')
    return problems, itl_sha1, server_sha1


def generate(spec, pki, itl_files, work_dir):
    work_dir.mkdir()
    keylog = work_dir / 'keys'
    raw = work_dir / 'raw.pcapng'
    output = OUTPUT_DIR / f'verdict-{spec.name}.pcapng'
    outcome = run_scenario(spec, pki, itl_files[spec.preset], work_dir, keylog)
    # Python writes a '# TLS secrets log file' comment even when no key follows.
    if keylog.exists() and any(not line.startswith('#') for line in keylog.read_text().splitlines()):
        subprocess.run(['editcap', '--inject-secrets', f'tls,{keylog}', str(raw), str(output)],
                       check=True, capture_output=True)
    else:  # the handshake never got as far as a key (the alert scenario)
        shutil.copyfile(raw, output)
    output.chmod(0o644)
    server_identity = pki.capf if spec.server_cert == 'capf' else pki.other
    problems, itl_sha1, server_sha1 = check_capture(output, spec, itl_files[spec.preset].read_bytes(),
                                                    server_identity.der, work_dir)
    if outcome != spec.outcome:
        problems.append(f'phone outcome {outcome.value}, expected {spec.outcome.value}')
    return output, problems, itl_sha1, server_sha1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('scenarios', nargs='*', metavar='SCENARIO', help=', '.join(SCENARIOS))
    parser.add_argument('-v', '--verbose', action='store_true', help='log every CAPF PDU')
    arguments = parser.parse_args()
    unknown = [name for name in arguments.scenarios if name not in SCENARIOS]
    if unknown:
        parser.error(f'unknown scenario(s): {", ".join(unknown)}')
    enter_netns()
    logging.basicConfig(level=logging.DEBUG if arguments.verbose else logging.WARNING,
                        format='%(asctime)s %(threadName)s %(message)s')

    OUTPUT_DIR.mkdir(exist_ok=True)
    pki = Pki()
    failed = []
    with tempfile.TemporaryDirectory(prefix='gen-verdict-') as directory:
        Path(directory).chmod(0o755)  # in.tftpd runs as an unprivileged user
        itl_files = build_itl_files(Path(directory))
        for name in arguments.scenarios or SCENARIOS:
            try:
                output, problems, itl_sha1, server_sha1 = generate(
                    SCENARIOS[name], pki, itl_files, Path(directory) / name)
            except Exception as error:  # report and go on with the other scenarios
                output, problems, itl_sha1, server_sha1 = None, [repr(error)], None, None
            if problems:
                failed.append(name)
                print(f'FAIL {name}: ' + '; '.join(problems), file=sys.stderr)
            else:
                print(f'ok   {output.relative_to(TOP)} ({output.stat().st_size} bytes): '
                      f'ITL CAPF {itl_sha1}, server {server_sha1}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
