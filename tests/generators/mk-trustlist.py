#!/usr/bin/python3
"""Build Cisco ITL/CTL trust-list (.tlv) test files.

The layout follows doc/protocol.md section 3:
  header  = TLVs (tag u8, length u16 BE, value); PADDING (13) is one 0x0D byte with no
            length; containers 3 (signer info), 7 (signature info) and 9 (signature
            algorithm info) have a length equal to the size of the TLVs inside them;
            HEADER_LENGTH (2) counts the whole header including the SIGNATURE TLV and the
            padding, and is rounded up to a multiple of 4 with padding.
  records = each starts with RECORD_LENGTH (1), which counts the whole record.
  signature = RSA PKCS#1 v1.5 (SHA-1 if tag 8 = 1, SHA-512 if tag 8 = 3) over the whole
            file with the SIGNATURE TLV (tag, length, value) cut out.

Keys and certificates come from a fixture directory (default tests/generators/fixtures/trustlist).
They are generated there on first use (or with --regen-keys) and then reused, so that with
the fixed timestamp every output file is byte-for-byte reproducible (RSA PKCS#1 v1.5
signatures are deterministic; ECDSA certificate signatures are not, which is why the
certificates are kept too).  The private keys are throw-away test keys.

Needs only Debian's python3 and python3-cryptography (38).
"""

import argparse
import datetime
import hashlib
import ipaddress
import os
import struct
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

# Header tags
H_VERSION = 1
H_LENGTH = 2
H_SIGNER_INFO = 3
H_SIGNER_NAME = 4
H_SERIAL_NUMBER = 5
H_ISSUER_NAME = 6
H_SIGNATURE_INFO = 7
H_HASH_ALGORITHM = 8
H_SIGNATURE_ALGORITHM_INFO = 9
H_SIGNATURE_ALGORITHM = 10
H_SIGNATURE_MODULUS = 11
H_SIGNATURE = 12
H_PADDING = 13
H_FILENAME = 14
H_TIMESTAMP = 15
H_SIGNER_VERSION = 28

# Record tags
R_LENGTH = 1
R_DNS_NAME = 2
R_SUBJECT_NAME = 3
R_ROLE = 4
R_ISSUER_NAME = 5
R_SERIAL_NUMBER = 6
R_PUBLIC_KEY = 7
R_SIGNATURE = 8
R_CERTIFICATE = 9
R_IP_ADDRESS = 10
R_CERTIFICATE_HASH = 11
R_HASH_ALGORITHM = 12

HASH_SHA1 = 1
HASH_SHA512 = 3

ROLE_SAST, ROLE_CCM, ROLE_CCM_TFTP, ROLE_TFTP, ROLE_CAPF = 0, 1, 2, 3, 4
ROLE_APP_SERVER, ROLE_TVS = 7, 21

# Record tag orders (notes 3.3)
ORDER_CUCM = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
ORDER_TLVFILE = (1, 3, 5, 6, 4, 7, 8, 9)
ORDER_CUCM_CERTHASH = (1, 2, 3, 4, 5, 6, 7, 8, 11, 12)   # CUCM 11.5 CAPF/TVS records
ORDER_PLACEHOLDER = (1, 2, 4, 10)                         # CTL of a cluster set non-secure

DEFAULT_TIMESTAMP = 1700000000          # 2023-11-14 22:13:20 UTC
NOT_BEFORE = datetime.datetime(2023, 1, 1)
NOT_AFTER = datetime.datetime(2033, 1, 1)
SERVER_DNS = 'cucm-pub.example.test'
SERVER_IP = '127.0.20.1'

# name -> (key type, common name); every DN is C, ST, L, O, OU, CN in DER order
# except the deliberately tiny 512-bit one.
CERTS = {
    'itlrecovery': ('rsa2048', 'ITLRECOVERY_cucm-pub.example.test'),
    'callmanager': ('rsa2048', 'cucm-pub.example.test'),
    'tftp': ('rsa2048', 'cucm-tftp.example.test'),
    'tftp-ec': ('p256', 'cucm-pub-EC.example.test'),
    'capf': ('rsa2048', 'CAPF-5a3e1b2c'),
    'tvs': ('rsa2048', 'TVS-cucm-pub.example.test'),
    'appserver': ('rsa2048', 'apps.example.test'),
    'sast512': ('rsa512', 'S'),
}


def fixed_serial(name):
    """A fixed 16-byte positive serial number (first byte 0x10..0x7f) derived from the name."""
    digest = bytearray(hashlib.sha256(('trustlist-fixture-' + name).encode()).digest()[:16])
    digest[0] = (digest[0] & 0x6f) | 0x10
    return int.from_bytes(digest, 'big')


def make_name(name, common_name):
    if CERTS[name][0] == 'rsa512':
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, 'NZ'),
        x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, 'Wellington'),
        x509.NameAttribute(NameOID.LOCALITY_NAME, 'Wellington'),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, 'Example'),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, 'VTG'),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def generate_fixture(fixture_dir, name):
    key_type, common_name = CERTS[name]
    if key_type == 'p256':
        key = ec.generate_private_key(ec.SECP256R1())
    else:
        key = rsa.generate_private_key(65537, 512 if key_type == 'rsa512' else 2048)
    subject = make_name(name, common_name)
    builder = (x509.CertificateBuilder()
               .subject_name(subject).issuer_name(subject)
               .public_key(key.public_key())
               .serial_number(fixed_serial(name))
               .not_valid_before(NOT_BEFORE).not_valid_after(NOT_AFTER))
    if key_type == 'rsa512':
        # No extensions and SHA-1, to keep the single-block file under 512 bytes.
        certificate = builder.sign(key, hashes.SHA1())
    else:
        builder = (builder
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                                key_encipherment=key_type != 'p256',
                                                data_encipherment=False, key_agreement=False,
                                                key_cert_sign=True, crl_sign=False,
                                                encipher_only=False, decipher_only=False),
                                  critical=True)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                                  critical=False))
        certificate = builder.sign(key, hashes.SHA256())
    with open(os.path.join(fixture_dir, name + '.key.pem'), 'wb') as file:
        file.write(key.private_bytes(serialization.Encoding.PEM,
                                     serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()))
    with open(os.path.join(fixture_dir, name + '.crt.pem'), 'wb') as file:
        file.write(certificate.public_bytes(serialization.Encoding.PEM))


def load_fixtures(fixture_dir, regenerate):
    os.makedirs(fixture_dir, exist_ok=True)
    loaded = {}
    for name in CERTS:
        key_path = os.path.join(fixture_dir, name + '.key.pem')
        cert_path = os.path.join(fixture_dir, name + '.crt.pem')
        if regenerate or not (os.path.exists(key_path) and os.path.exists(cert_path)):
            generate_fixture(fixture_dir, name)
        with open(key_path, 'rb') as file:
            key = serialization.load_pem_private_key(file.read(), None)
        with open(cert_path, 'rb') as file:
            certificate = x509.load_pem_x509_certificate(file.read())
        loaded[name] = (key, certificate)
    return loaded


def tlv(tag, value):
    return struct.pack('>BH', tag, len(value)) + value


def dn_string(name, style):
    """CUCM writes 'CN=..;OU=..;..;C=..' (most specific first, ';'); tlvfile joins the
    attributes in certificate order with ','."""
    if style == 'cucm':
        return ';'.join(attribute.rfc4514_string() for attribute in reversed(list(name)))
    return ','.join(attribute.rfc4514_string() for attribute in name)


def cstring(text):
    return text.encode('utf-8') + b'\x00'


def serial_bytes(certificate):
    serial = certificate.serial_number
    return serial.to_bytes((serial.bit_length() + 7) // 8, 'big')


def public_key_bytes(certificate):
    key = certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    return key.public_bytes(serialization.Encoding.X962,
                            serialization.PublicFormat.UncompressedPoint)


def build_record(fixtures, spec, style):
    """spec keys: cert, role, order (tuple of tags), dns, ip, certhash (None = SHA-1 of the
    certificate, or bytes to store instead), hashalg, extra [(tag, bytes)]."""
    certificate = fixtures[spec['cert']][1] if spec.get('cert') else None
    der = certificate.public_bytes(serialization.Encoding.DER) if certificate else b''
    body = b''
    for tag in spec['order'][1:]:
        if tag == R_DNS_NAME:
            value = cstring(spec.get('dns') or '')
        elif tag == R_SUBJECT_NAME:
            value = cstring(dn_string(certificate.subject, style))
        elif tag == R_ROLE:
            value = struct.pack('>H', spec['role'])
        elif tag == R_ISSUER_NAME:
            value = cstring(dn_string(certificate.issuer, style))
        elif tag == R_SERIAL_NUMBER:
            value = serial_bytes(certificate)
        elif tag == R_PUBLIC_KEY:
            value = public_key_bytes(certificate)
        elif tag == R_SIGNATURE:
            value = certificate.signature
        elif tag == R_CERTIFICATE:
            value = der
        elif tag == R_IP_ADDRESS:
            value = ipaddress.IPv4Address(spec.get('ip') or '0.0.0.0').packed
        elif tag == R_CERTIFICATE_HASH:
            value = spec.get('certhash') or hashlib.sha1(der).digest()
        elif tag == R_HASH_ALGORITHM:
            value = bytes([spec.get('hashalg', HASH_SHA1)])
        else:
            raise ValueError(f'no value for record tag {tag}')
        body += tlv(tag, value)
    for tag, value in spec.get('extra', ()):
        body += tlv(tag, value)
    return tlv(R_LENGTH, struct.pack('>H', 5 + len(body))) + body


def build_file(fixtures, spec, timestamp):
    """Returns (file bytes, list of (record offset, record spec))."""
    style = spec['style']
    key, signer = fixtures[spec['signer']]
    signature_length = key.key_size // 8
    digest = spec['digest']

    name = cstring(dn_string(signer.subject, style))
    issuer = cstring(dn_string(signer.issuer, style))
    serial = serial_bytes(signer)
    if style == 'cucm':
        signer_info = tlv(H_SIGNER_NAME, name) + tlv(H_SERIAL_NUMBER, serial) + tlv(H_ISSUER_NAME, issuer)
    else:
        signer_info = tlv(H_SIGNER_NAME, name) + tlv(H_ISSUER_NAME, issuer) + tlv(H_SERIAL_NUMBER, serial)

    head = tlv(H_VERSION, bytes((1, 2)))
    length_offset = len(head) + 3
    head += tlv(H_LENGTH, b'\x00\x00')
    if spec.get('signer_version'):
        head += tlv(H_SIGNER_VERSION, bytes(spec['signer_version']))
    head += struct.pack('>BH', H_SIGNER_INFO, len(signer_info)) + signer_info
    algorithm_info = (tlv(H_SIGNATURE_ALGORITHM, b'\x00') +
                      tlv(H_SIGNATURE_MODULUS, bytes([[64, 128, 256, 512].index(signature_length)])))
    signature_info = (tlv(H_HASH_ALGORITHM, bytes([digest])) +
                      struct.pack('>BH', H_SIGNATURE_ALGORITHM_INFO, len(algorithm_info)) + algorithm_info)
    head += struct.pack('>BH', H_SIGNATURE_INFO, len(signature_info)) + signature_info
    signature_offset = len(head)
    tail = tlv(H_FILENAME, cstring(spec['filename'])) + tlv(H_TIMESTAMP, struct.pack('>I', timestamp))
    for tag, value in spec.get('header_extra', ()):
        tail += tlv(tag, value)
    while (len(head) + 3 + signature_length + len(tail)) % 4:
        tail += bytes([H_PADDING])
    header_length = len(head) + 3 + signature_length + len(tail)
    head = bytearray(head)
    struct.pack_into('>H', head, length_offset, header_length)

    records = b''
    offsets = []
    for record in spec['records']:
        offsets.append((header_length + len(records), record))
        records += build_record(fixtures, record, style)

    unsigned = bytes(head) + tail + records
    hash_algorithm = hashes.SHA512() if digest == HASH_SHA512 else hashes.SHA1()
    signature = key.sign(unsigned, padding.PKCS1v15(), hash_algorithm)
    data = bytes(head) + tlv(H_SIGNATURE, signature) + tail + records
    assert len(data) == len(unsigned) + 3 + signature_length
    return data, offsets


# ---------------------------------------------------------------------------------------
# Presets

def cucm(cert, role, dns=SERVER_DNS, ip=SERVER_IP, **more):
    spec = dict(cert=cert, role=role, order=ORDER_CUCM, dns=dns, ip=ip)
    spec.update(more)
    return spec


def cucm_sast(cert):
    # SAST records: empty DNS name (notes 3.3), no IP address.
    return dict(cert=cert, role=ROLE_SAST, order=ORDER_CUCM[:-1], dns='')


def tlvf(cert, role, **more):
    spec = dict(cert=cert, role=role, order=ORDER_TLVFILE)
    spec.update(more)
    return spec


def itl(style, digest, records, signer='itlrecovery', signer_version=None, filename='ITLFile.tlv', **more):
    spec = dict(style=style, digest=digest, records=records, signer=signer,
                signer_version=signer_version, filename=filename)
    spec.update(more)
    return spec


def certhash_record(cert, role):
    # CUCM 11.5 style: CERTHASH (SHA-1 of the DER) + HASH ALGORITHM instead of the certificate.
    return dict(cert=cert, role=role, order=ORDER_CUCM_CERTHASH, dns='', hashalg=HASH_SHA1)


PRESETS = {
    # CUCM-style header (signer info 4,5,6; no tag 28) and CUCM record order with DNS names.
    'itl-sha1': lambda f: itl('cucm', HASH_SHA1, [
        cucm_sast('itlrecovery'), cucm('callmanager', ROLE_CCM), cucm('tftp', ROLE_TFTP),
        cucm('capf', ROLE_CAPF), cucm('tvs', ROLE_TVS)]),
    # tlvfile-style header (tag 28 after tag 2, signer info 4,6,5) and record order 1,3,5,6,4,7,8,9.
    'itl-sha512-v11': lambda f: itl('tlvfile', HASH_SHA512, [
        tlvf('itlrecovery', ROLE_SAST), tlvf('callmanager', ROLE_CCM), tlvf('tftp-ec', ROLE_TFTP),
        tlvf('capf', ROLE_CAPF), tlvf('tvs', ROLE_TVS)], signer_version=(1, 1)),
    'itl-signer-v10': lambda f: itl('tlvfile', HASH_SHA1, [
        tlvf('itlrecovery', ROLE_SAST), tlvf('callmanager', ROLE_CCM), tlvf('tftp', ROLE_TFTP),
        tlvf('capf', ROLE_CAPF), tlvf('tvs', ROLE_TVS), tlvf('appserver', ROLE_APP_SERVER)],
        signer_version=(1, 0)),
    'itl-cucm-certhash': lambda f: itl('cucm', HASH_SHA1, [
        cucm_sast('itlrecovery'), cucm('tftp', ROLE_TFTP),
        certhash_record('capf', ROLE_CAPF), certhash_record('tvs', ROLE_TVS)]),
    # CAPF record with only a CERTHASH of a length no Cisco hash id has (48 bytes: the
    # SHA-384 of capf.crt.pem) and a HASH ALGORITHM (4) no notes name: a reader cannot
    # tell which digest it is, so it cannot say whether a CAPF certificate matches it.
    'itl-certhash-unknown': lambda f: itl('cucm', HASH_SHA1, [
        cucm_sast('itlrecovery'), cucm('tftp', ROLE_TFTP),
        dict(certhash_record('capf', ROLE_CAPF), hashalg=4,
             certhash=hashlib.sha384(f['capf'][1].public_bytes(serialization.Encoding.DER)).digest()),
        certhash_record('tvs', ROLE_TVS)]),
    'itl-no-capf': lambda f: itl('tlvfile', HASH_SHA1, [
        tlvf('itlrecovery', ROLE_SAST), tlvf('callmanager', ROLE_CCM), tlvf('tftp-ec', ROLE_TFTP),
        tlvf('tvs', ROLE_TVS)], signer_version=(1, 1)),
    # Tokenless CTL: ITLRecovery SAST first (not the signer), CallManager SAST second (the
    # signer), so the signer must be found by serial number and not taken as the first SAST.
    'ctl': lambda f: itl('cucm', HASH_SHA1, [
        cucm_sast('itlrecovery'), cucm_sast('callmanager'), cucm('callmanager', ROLE_CCM_TFTP),
        cucm('capf', ROLE_CAPF)], signer='callmanager', filename='CTLFile.tlv'),
    # CAPF record carries a certificate and a CERTHASH that is the SHA-1 of another
    # certificate (TVS); the TVS record carries both, and they agree.
    'itl-cert-hash-mismatch': lambda f: itl('cucm', HASH_SHA1, [
        cucm_sast('itlrecovery'), cucm('callmanager', ROLE_CCM),
        cucm('capf', ROLE_CAPF, order=ORDER_CUCM + (11, 12),
             certhash=hashlib.sha1(f['tvs'][1].public_bytes(serialization.Encoding.DER)).digest()),
        cucm('tvs', ROLE_TVS, order=ORDER_CUCM + (11, 12))]),
    # One-block (< 512 bytes) CTL: one SAST record, 512-bit RSA signer (modulus index 0).
    # Even then a full tlvfile-order record does not fit, so the record leaves out the
    # PUBLIC_KEY (7) and certificate SIGNATURE (8) TLVs; the certificate carries both.
    'ctl-single-block': lambda f: itl('tlvfile', HASH_SHA1, [
        dict(cert='sast512', role=ROLE_SAST, order=(1, 3, 5, 6, 4, 9))],
        signer='sast512', filename='CTLFile.tlv'),
    # Per-device ITL served as ITLSEP001122334455.tlv; the header FILENAME stays ITLFile.tlv.
    'itl-sepmac': lambda f: itl('tlvfile', HASH_SHA1, [
        tlvf('itlrecovery', ROLE_SAST), tlvf('callmanager', ROLE_CCM), tlvf('tftp-ec', ROLE_TFTP),
        tlvf('capf', ROLE_CAPF)], signer_version=(1, 1)),
    # --- files without a capture, for unit tests ---
    # Record tag 63 (unknown) inside the CAPF record; the signature is valid.
    'itl-unknown-tag': lambda f: itl('tlvfile', HASH_SHA1, [
        tlvf('itlrecovery', ROLE_SAST), tlvf('callmanager', ROLE_CCM),
        tlvf('capf', ROLE_CAPF, extra=[(63, b'\x01\x02\x03')]), tlvf('tvs', ROLE_TVS)],
        signer_version=(1, 0)),
    # Signed with the CallManager key; the CallManager certificate is present, but with role
    # CCM, and the only SAST record (ITLRecovery) has another serial -> signer not found.
    'itl-signer-not-found': lambda f: itl('tlvfile', HASH_SHA1, [
        tlvf('itlrecovery', ROLE_SAST), tlvf('callmanager', ROLE_CCM), tlvf('capf', ROLE_CAPF),
        tlvf('tvs', ROLE_TVS)], signer='callmanager', signer_version=(1, 0)),
    # CTL of a cluster moved back to non-secure mode: SAST records plus a placeholder
    # CCM+TFTP record with only tags 1, 2, 4, 10 (notes 3.3, CS-118892).
    'ctl-placeholder': lambda f: itl('cucm', HASH_SHA1, [
        cucm_sast('itlrecovery'), cucm_sast('callmanager'),
        dict(role=ROLE_CCM_TFTP, order=ORDER_PLACEHOLDER, dns=SERVER_IP, ip=SERVER_IP)],
        filename='CTLFile.tlv'),
}

def tamper(data, offsets, role):
    """Flip the case of the first letter of the DNS name of the first record with role."""
    data = bytearray(data)
    for offset, record in offsets:
        if record['role'] == role:
            position = offset + 5
            tag, length = struct.unpack_from('>BH', data, position)
            assert tag == R_DNS_NAME and length > 1
            data[position + 3] ^= 0x20
            return bytes(data)
    raise ValueError('no record to tamper with')


# Presets made from another preset's signed bytes.
DERIVED = {
    # itl-sha1 with one byte of the CCM record changed after signing: its DNS name
    # 'cucm-pub.example.test' becomes 'Cucm-pub.example.test' -> invalid signature.
    'itl-tampered': ('itl-sha1', lambda data, offsets: tamper(data, offsets, ROLE_CCM)),
    # The first 4608 bytes (9 TFTP blocks) of itl-sha1: the bytes that itl-truncated.pcapng
    # carries, as a file of its own (header complete, records 1-2 complete, record 3 cut).
    'itl-truncated-file': ('itl-sha1', lambda data, offsets: data[:9 * 512]),
}


def build_preset(fixtures, name, timestamp):
    if name in DERIVED:
        base, transform = DERIVED[name]
        return transform(*build_file(fixtures, PRESETS[base](fixtures), timestamp))
    return build_file(fixtures, PRESETS[name](fixtures), timestamp)[0]


ALL = list(PRESETS) + list(DERIVED)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('presets', nargs='*', metavar='PRESET',
                        help='preset(s) to build; see --list (default with --all: every preset)')
    parser.add_argument('--all', action='store_true', help='build every preset')
    parser.add_argument('--list', action='store_true', help='list presets and exit')
    parser.add_argument('-o', '--out-dir', default='.',
                        help='output directory; each preset is written as PRESET.tlv (default .)')
    parser.add_argument('--output', help='output file name (only with a single preset)')
    parser.add_argument('--fixtures', default=os.path.join(here, 'fixtures', 'trustlist'),
                        help='directory with the keys and certificates (default %(default)s)')
    parser.add_argument('--regen-keys', action='store_true',
                        help='generate new keys and certificates in the fixture directory')
    parser.add_argument('--timestamp', type=int, default=DEFAULT_TIMESTAMP,
                        help='header TIMESTAMP (Unix time, default %(default)s)')
    args = parser.parse_args()

    if args.list:
        for name in ALL:
            print(name)
        return 0
    names = ALL if args.all else args.presets
    if not names:
        parser.error('name a preset or use --all')
    unknown = [name for name in names if name not in ALL]
    if unknown:
        parser.error('unknown preset: ' + ', '.join(unknown))
    if args.output and len(names) != 1:
        parser.error('--output needs exactly one preset')

    fixtures = load_fixtures(args.fixtures, args.regen_keys)
    os.makedirs(args.out_dir, exist_ok=True)
    for name in names:
        data = build_preset(fixtures, name, args.timestamp)
        path = args.output or os.path.join(args.out_dir, name + '.tlv')
        with open(path, 'wb') as file:
            file.write(data)
        print(f'{path}\t{len(data)} bytes')
    return 0


if __name__ == '__main__':
    sys.exit(main())
