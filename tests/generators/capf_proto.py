"""Cisco CAPF (Certificate Authority Proxy Function, TCP 3804) for test captures.

Implements the wire format of doc/protocol.md sections 1 and 2:
an 8-byte header (0x55 | command | session id u32 BE | body length u16 BE)
followed by elements (tag u8 | length u16 BE | value), the nested
certificate, SHA2_SIGNED_DATA and SUDI blocks, a CAPF server and a phone
client.  Both ends have behaviour knobs so that the capture generator
(tests/generators/gen-capf-captures.py) can produce normal and broken sessions.

Only the Python standard library and python3-cryptography (Debian) are used.
"""

import datetime
import enum
import logging
import os
import select
import signal
import socket
import ssl
import struct
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

log = logging.getLogger('capf')

PROTOCOL_ID = 0x55
PORT = 3804
HEADER = struct.Struct('>BBIH')
ELEMENT_HEADER = struct.Struct('>BH')
PROTOCOL_VERSION = 3
BYTE_GAP = 0.001  # seconds between one-byte writes (WriteMode.BYTES), so that each is its own segment


class Command(enum.IntEnum):
    AUTH_REQUEST = 1
    AUTH_RESPONSE = 2
    KEY_GENERATE_REQUEST = 3
    KEY_GENERATE_RESPONSE = 4
    ENCRYPT_RESPONSE = 5
    ENCRYPT_REQUEST = 6
    DECRYPT_REQUEST = 7
    DECRYPT_RESPONSE = 8
    STORE_CERTIFICATE_REQUEST = 9
    STORE_CERTIFICATE_RESPONSE = 10
    FETCH_CERTIFICATE_REQUEST = 11
    FETCH_CERTIFICATE_RESPONSE = 12
    DELETE_CERTIFICATE_REQUEST = 13
    DELETE_CERTIFICATE_RESPONSE = 14
    END_SESSION = 15
    RETRY_LATER = 16
    REQUEST_IN_PROGRESS = 17
    STATUS_REQUEST = 18
    STATUS_RESPONSE = 19
    ABORT_REQUEST = 20
    ABORT_RESPONSE = 21
    SIGN_CERTIFICATE_REQUEST = 22
    SIGN_CERTIFICATE_RESPONSE = 23


class Element(enum.IntEnum):
    REASON = 1
    REASON_INFO = 2
    CERTIFICATE_TYPE = 3
    CERTIFICATE = 4
    CERTIFICATE_ID = 5
    SIGNED_DATA = 6
    VERSION = 7
    AUTH_TYPE = 8
    PUBLIC_KEY = 9
    KEY_SIZE = 10
    PASSWORD = 11
    RETRY_DELAY = 12
    DEVICE_NAME = 13
    SUDI_DATA = 16
    KEY_TYPE = 17
    CURVE = 18
    DIGEST_TYPE = 19
    SHA2_SIGNED_DATA = 20


class Reason(enum.IntEnum):
    NO_ACTION = 0
    UPDATE_CERTIFICATE = 1
    INVALID_ELEMENT = 7
    OP_TIMED_OUT = 8
    UNKNOWN_DEVICE = 9
    LATE_REQUEST = 11


class AuthType(enum.IntEnum):
    NONE = 0
    PASSWORD = 1
    NULL_STRING = 2
    LSC = 3
    MIC = 4


class KeyType(enum.IntEnum):
    RSA = 0
    EC = 1


class Curve(enum.IntEnum):
    SECP256R1 = 0
    SECP384R1 = 1
    SECP521R1 = 2


class CertificateType(enum.IntEnum):
    LSC = 1
    MIC = 2


class HashId(enum.IntEnum):
    SHA1 = 1
    SHA256 = 2
    SHA512 = 3


class Operation(enum.Enum):
    """Certificate operation scheduled for a device on the server."""
    INSTALL = 'install'
    FETCH = 'fetch'
    DELETE = 'delete'
    NONE = 'none'


class Outcome(enum.Enum):
    """Result of one phone connection, as seen by the phone."""
    INSTALLED = 'installed'
    FETCHED = 'fetched'
    DELETED = 'deleted'
    NOTHING_PENDING = 'nothing pending'
    FAILED = 'failed'
    INCOMPLETE = 'incomplete'


CURVES = {
    Curve.SECP256R1: ec.SECP256R1,
    Curve.SECP384R1: ec.SECP384R1,
    Curve.SECP521R1: ec.SECP521R1,
}

# The value of element 9 is a DER SubjectPublicKeyInfo.
SPKI = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


class ProtocolError(Exception):
    """The peer sent something that does not fit the CAPF exchange."""


# ---------------------------------------------------------------------------
# PDUs and elements


@dataclass(frozen=True)
class Pdu:
    command: int
    session_id: int
    elements: tuple = ()  # (tag, value bytes) pairs in wire order

    def encode(self):
        body = b''.join(ELEMENT_HEADER.pack(tag, len(value)) + value for tag, value in self.elements)
        return HEADER.pack(PROTOCOL_ID, self.command, self.session_id, len(body)) + body

    def get(self, tag):
        return next((value for element_tag, value in self.elements if element_tag == tag), None)

    @property
    def reason(self):
        value = self.get(Element.REASON)
        return None if value is None else value[0]

    def __str__(self):
        return f'{_name(Command, self.command)} session=0x{self.session_id:08x} {{' + ', '.join(
            f'{_name(Element, tag)}={_describe_value(tag, value)}' for tag, value in self.elements) + '}'


def _name(enum_class, value):
    try:
        return enum_class(value).name
    except ValueError:
        return str(value)


def _describe_value(tag, value):
    if tag in (Element.DEVICE_NAME, Element.PASSWORD):
        return repr(value.rstrip(b'\0').decode('ascii', 'replace'))
    if len(value) == 1:
        return str(value[0])
    if tag == Element.KEY_SIZE:
        return str(struct.unpack('>H', value)[0])
    return f'<{len(value)} bytes>'


def u8(tag, value):
    return (tag, bytes([value]))


def u16(tag, value):
    return (tag, struct.pack('>H', value))


def cstring(tag, text):
    """NUL-terminated ASCII (DEVICE_NAME, PASSWORD)."""
    return (tag, text.encode('ascii') + b'\0')


def decode_header(data):
    """Return (command, session id, body length) of an 8-byte header."""
    protocol_id, command, session_id, length = HEADER.unpack(data)
    if protocol_id != PROTOCOL_ID:
        raise ProtocolError(f'bad protocol id 0x{protocol_id:02x}')
    return command, session_id, length


def decode_elements(body):
    elements = []
    offset = 0
    while offset < len(body):
        if offset + ELEMENT_HEADER.size > len(body):
            raise ProtocolError('truncated element header')
        tag, length = ELEMENT_HEADER.unpack_from(body, offset)
        offset += ELEMENT_HEADER.size
        if offset + length > len(body):
            raise ProtocolError(f'element {tag} overruns the body')
        elements.append((tag, body[offset:offset + length]))
        offset += length
    return tuple(elements)


def decode_pdu(data):
    """Decode exactly one PDU."""
    command, session_id, length = decode_header(data[:HEADER.size])
    if len(data) != HEADER.size + length:
        raise ProtocolError('body length does not match')
    return Pdu(command, session_id, decode_elements(data[HEADER.size:]))


def certificate_block(der, certificate_type):
    """Value of CERTIFICATE (4): 01 | u16 len(DER)+2 | 00 | type | DER (notes 1.5.1)."""
    return struct.pack('>BHBB', 1, len(der) + 2, 0, certificate_type) + der


def parse_certificate_block(value):
    """Return (certificate type, DER) of a CERTIFICATE (4) value."""
    sub_tag, length, _, certificate_type = struct.unpack_from('>BHBB', value)
    if sub_tag != 1 or length != len(value) - 3:
        raise ProtocolError('malformed certificate block')
    return certificate_type, value[5:]


def sha2_signed_data(signature):
    """Value of SHA2_SIGNED_DATA (20): 03 (SHA-512) | u16 len | signature."""
    return ELEMENT_HEADER.pack(HashId.SHA512, len(signature)) + signature


def parse_sha2_signed_data(value):
    hash_id, length = ELEMENT_HEADER.unpack_from(value)
    if hash_id != HashId.SHA512 or length != len(value) - 3:
        raise ProtocolError('malformed SHA2 signed data')
    return value[3:]


def sudi_block(der, sha1_signature, sha512_signature):
    """Value of SUDI_DATA (16): 00|len|cert, 01|len|SHA-1 sig, 03|len|SHA-512 sig (notes 1.5.3)."""
    return b''.join(ELEMENT_HEADER.pack(kind, len(part)) + part for kind, part in (
        (0, der), (HashId.SHA1, sha1_signature), (HashId.SHA512, sha512_signature)))


def parse_sudi_block(value):
    """Return (certificate DER, SHA-1 signature, SHA-512 signature)."""
    parts = decode_elements(value)
    if [kind for kind, _ in parts] != [0, HashId.SHA1, HashId.SHA512]:
        raise ProtocolError('malformed SUDI block')
    return tuple(part for _, part in parts)


# ---------------------------------------------------------------------------
# Signatures over "bare digests" (notes 1.5.2 and 1.5.3)


def _digest(data, algorithm):
    digest = hashes.Hash(algorithm)
    digest.update(data)
    return digest.finalize()


def _padded_digest(data, algorithm, size):
    """PKCS#1 type-1 padding around the bare digest, without DigestInfo."""
    digest = _digest(data, algorithm)
    return b'\x00\x01' + b'\xff' * (size - 3 - len(digest)) + b'\x00' + digest


def sign(private_key, data, algorithm):
    """Phone-style signature: raw RSA over a padded bare digest, or DER ECDSA."""
    if isinstance(private_key, ec.EllipticCurvePrivateKey):
        return private_key.sign(data, ec.ECDSA(algorithm))
    numbers = private_key.private_numbers()
    size = (private_key.key_size + 7) // 8
    block = int.from_bytes(_padded_digest(data, algorithm, size), 'big')
    return pow(block, numbers.d, numbers.public_numbers.n).to_bytes(size, 'big')


def verify(public_key, signature, data, algorithm):
    """Check a signature made by sign(); raises ProtocolError."""
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        try:
            public_key.verify(signature, data, ec.ECDSA(algorithm))
        except InvalidSignature:
            raise ProtocolError('bad ECDSA signature') from None
        return
    numbers = public_key.public_numbers()
    size = (public_key.key_size + 7) // 8
    block = pow(int.from_bytes(signature, 'big'), numbers.e, numbers.n).to_bytes(size, 'big')
    if block != _padded_digest(data, algorithm, size):
        raise ProtocolError('bad RSA signature')


# ---------------------------------------------------------------------------
# Certificates


@dataclass
class Identity:
    """A certificate and its private key."""
    certificate: x509.Certificate
    key: object

    @property
    def der(self):
        return self.certificate.public_bytes(serialization.Encoding.DER)

    @property
    def pem(self):
        return self.certificate.public_bytes(serialization.Encoding.PEM)


def generate_key(key_type=KeyType.RSA, key_size=2048, curve=Curve.SECP256R1):
    if key_type == KeyType.EC:
        return ec.generate_private_key(CURVES[curve]())
    return rsa.generate_private_key(65537, key_size)


def _name_of(common_name, organisation):
    return x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, 'UC'),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.LOCALITY_NAME, 'Wellington'),
        x509.NameAttribute(NameOID.COUNTRY_NAME, 'NZ'),
    ])


def _builder(subject, issuer, public_key, days):
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    return (x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(public_key)
            .serial_number(x509.random_serial_number() | 1 << 158)  # always 20 bytes: stable lengths
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False))


def make_ca(common_name, organisation='Example UC'):
    """Self-signed CA; also usable as a CAPF TLS server certificate.

    CUCM 14SU2+ requires CA:TRUE, pathlen 0 and keyUsage digitalSignature +
    keyCertSign on the CAPF certificate (notes 1.1).
    """
    key = generate_key()
    name = _name_of(common_name, organisation)
    certificate = (_builder(name, name, key.public_key(), 3650)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                   .add_extension(x509.KeyUsage(
                       digital_signature=True, content_commitment=False, key_encipherment=False,
                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                       crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
                   .sign(key, hashes.SHA256()))
    return Identity(certificate, key)


def issue_certificate(issuer, common_name, public_key, days=1825):
    """End-entity certificate (LSC, MIC, SUDI) in the style of capfd's LSCs."""
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)] + [
        attribute for attribute in issuer.certificate.subject
        if attribute.oid != NameOID.COMMON_NAME])
    issuer_ski = issuer.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (_builder(subject, issuer.certificate.subject, public_key, days)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(issuer_ski),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=True,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([
                ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH,
                ObjectIdentifier('1.3.6.1.5.5.7.3.5')]), critical=False)
            .sign(issuer.key, hashes.SHA256()))


def issue_identity(issuer, common_name):
    """New RSA-2048 key plus a certificate for it from issuer."""
    key = generate_key()
    return Identity(issue_certificate(issuer, common_name, key.public_key()), key)


def check_issued_by(certificate, issuers):
    """Raise ProtocolError unless one of issuers signed certificate."""
    for issuer in issuers:
        if issuer.subject != certificate.issuer:
            continue
        public_key = issuer.public_key()
        try:
            if isinstance(public_key, ec.EllipticCurvePublicKey):
                public_key.verify(certificate.signature, certificate.tbs_certificate_bytes,
                                  ec.ECDSA(certificate.signature_hash_algorithm))
            else:
                public_key.verify(certificate.signature, certificate.tbs_certificate_bytes,
                                  padding.PKCS1v15(), certificate.signature_hash_algorithm)
        except InvalidSignature:
            continue
        return
    raise ProtocolError(f'unknown issuer {certificate.issuer.rfc4514_string()}')


# ---------------------------------------------------------------------------
# Transport


class WriteMode(enum.Enum):
    WHOLE = 'whole'          # one write per send() call (capfd: header and body together)
    HEADER_BODY = 'header-body'  # header and body in two writes (two TLS records)
    BYTES = 'bytes'          # one write per byte (one TCP segment per byte on a plain socket)


class Channel:
    """PDU framing over a plain or TLS stream socket."""

    def __init__(self, sock, write_mode=WriteMode.WHOLE, session_id=None):
        self.sock = sock
        self.write_mode = write_mode
        self.session_id = session_id  # the server's choice; a phone learns it from the first PDU

    def send(self, *pdus):
        """Send pdus; in WHOLE mode all of them in a single write."""
        for pdu in pdus:
            log.debug('%s -> %s', self._me(), pdu)
        if self.write_mode == WriteMode.WHOLE:
            self.sock.sendall(b''.join(pdu.encode() for pdu in pdus))
        elif self.write_mode == WriteMode.HEADER_BODY:
            for pdu in pdus:
                data = pdu.encode()
                self.sock.sendall(data[:HEADER.size])
                if len(data) > HEADER.size:
                    self.sock.sendall(data[HEADER.size:])
        else:
            for pdu in pdus:
                for byte in pdu.encode():
                    self.sock.sendall(bytes([byte]))
                    time.sleep(BYTE_GAP)

    def receive(self, timeout=None):
        """Next PDU, or None if the peer closed the connection between PDUs.

        timeout (seconds) replaces the socket timeout for this call.
        """
        saved = self.sock.gettimeout()
        if timeout is not None:
            self.sock.settimeout(timeout)
        try:
            header = self._read(HEADER.size, eof_ok=True)
            if header is None:
                return None
            command, session_id, length = decode_header(header)
            pdu = Pdu(command, session_id, decode_elements(self._read(length)))
        finally:
            self.sock.settimeout(saved)
        if self.session_id is None:
            self.session_id = session_id
        elif session_id != self.session_id:
            raise ProtocolError(f'session id 0x{session_id:08x} != 0x{self.session_id:08x}')
        log.debug('%s <- %s', self._me(), pdu)
        return pdu

    def wait_readable(self, timeout):
        """True if data arrives within timeout seconds."""
        if isinstance(self.sock, ssl.SSLSocket) and self.sock.pending():
            return True
        return bool(select.select([self.sock], [], [], timeout)[0])

    def close(self, reset=False):
        """Close; with reset=True abortively (SO_LINGER 0, the peer gets a RST)."""
        if reset:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        self.sock.close()

    def _read(self, size, eof_ok=False):
        data = b''
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            if not chunk:
                if eof_ok and not data:
                    return None
                raise ProtocolError('connection closed inside a PDU')
            data += chunk
        return data

    def _me(self):
        host, port = self.sock.getsockname()
        return f'{host}:{port}'


# ---------------------------------------------------------------------------
# Server


@dataclass
class Device:
    """A device as configured on the CAPF server (CUCM's phone page)."""
    name: str
    operation: Operation = Operation.INSTALL
    auth: AuthType = AuthType.NULL_STRING
    password: str = ''
    key_type: KeyType = KeyType.RSA
    key_size: int = 2048
    curve: Curve = Curve.SECP256R1
    expired: bool = False  # "Operation Completes By" has passed: END_SESSION 11


@dataclass
class ServerBehaviour:
    auth_type: AuthType | None = AuthType.NULL_STRING  # AUTH_TYPE in AUTH_REQUEST; None: omit (real CUCM)
    send_key_type: bool = True        # KEY_TYPE in an RSA KEY_GENERATE_REQUEST (real CUCM omits it)
    timeout: float = 10               # socket timeout; on expiry close without END_SESSION (as capfd)
    keygen_deadline: float | None = None  # give up waiting for the key: END_SESSION 8
    stall_after_key_request: bool = False  # send nothing after KEY_GENERATE_REQUEST
    pipeline_end_session: bool = False     # STORE_CERTIFICATE_REQUEST + END_SESSION in one write
    write_mode: WriteMode = WriteMode.WHOLE
    require_client_certificate: bool = False  # TLS: ask for one and refuse a phone without (a misconfiguration)


def server_context(identity, tls_version, keylog=None, require_client_certificate=False):
    """TLS server context with the CAPF certificate; no client certificate unless required."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = context.maximum_version = tls_version
    context.verify_mode = ssl.CERT_NONE
    if require_client_certificate:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(cadata=identity.pem.decode())
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, 'capf.pem')
        with open(path, 'wb') as file:
            file.write(identity.pem + identity.key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption()))
        context.load_cert_chain(path)
    if keylog is not None:
        context.keylog_filename = keylog
    return context


class CapfServer:
    """CAPF server handling a fixed number of connections one after another."""

    def __init__(self, address, identity, devices, behaviour=None, tls_version=ssl.TLSVersion.TLSv1_2,
                 keylog=None, trusted=(), first_session_id=0x1000):
        self.identity = identity
        self.devices = {device.name: device for device in devices}
        self.behaviour = behaviour or ServerBehaviour()
        self.context = None if tls_version is None else server_context(
            identity, tls_version, keylog, self.behaviour.require_client_certificate)
        self.trusted = [identity.certificate, *trusted]
        self.next_session_id = first_session_id
        self.errors = []
        self.listener = socket.create_server(address)
        self.listener.settimeout(30)
        self.thread = None

    def serve(self, connections):
        self.thread = threading.Thread(target=self._serve, args=(connections,), name='capf-server')
        self.thread.start()

    def join(self):
        self.thread.join()
        self.listener.close()
        if self.errors:
            raise self.errors[0]

    def _serve(self, connections):
        try:
            for _ in range(connections):
                sock, peer = self.listener.accept()
                self._connection(sock, peer)
        except Exception as error:  # surfaced by join()
            self.errors.append(error)

    def _connection(self, sock, peer):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(self.behaviour.timeout)
        if self.context is not None:
            try:
                sock = self.context.wrap_socket(sock, server_side=True)
            except OSError as error:  # ssl.SSLError (alert from the phone), reset, timeout
                log.info('server: TLS handshake with %s failed: %s', peer[0], error)
                sock.close()
                return
        channel = Channel(sock, self.behaviour.write_mode, self.next_session_id)
        self.next_session_id += 1
        try:
            self._session(channel)
        except (TimeoutError, ConnectionError, ProtocolError) as error:
            log.info('server: session 0x%08x aborted: %r', channel.session_id, error)
        finally:
            channel.close()

    def _request(self, channel, command, *elements):
        channel.send(Pdu(command, channel.session_id, elements))

    def _end(self, channel, reason):
        self._request(channel, Command.END_SESSION, u8(Element.REASON, reason))

    def _session(self, channel):
        behaviour = self.behaviour
        elements = [u8(Element.VERSION, PROTOCOL_VERSION)]
        if behaviour.auth_type is not None:
            elements.append(u8(Element.AUTH_TYPE, behaviour.auth_type))
        self._request(channel, Command.AUTH_REQUEST, *elements)

        response = self._expect(channel, Command.AUTH_RESPONSE)
        version = response.get(Element.VERSION)
        name = response.get(Element.DEVICE_NAME)
        if version is None or not 1 <= version[0] <= PROTOCOL_VERSION or name is None:
            return self._end(channel, Reason.INVALID_ELEMENT)
        device = self.devices.get(name.rstrip(b'\0').decode('ascii', 'replace'))
        if device is None:
            return self._end(channel, Reason.UNKNOWN_DEVICE)
        try:
            self._authenticate(device, response, channel.session_id)
        except ProtocolError as error:
            log.info('server: %s failed authentication: %s', device.name, error)
            return self._end(channel, Reason.INVALID_ELEMENT)
        if device.expired:
            return self._end(channel, Reason.LATE_REQUEST)

        if device.operation == Operation.INSTALL:
            self._install(channel, device)
        elif device.operation == Operation.FETCH:
            self._request(channel, Command.FETCH_CERTIFICATE_REQUEST)
            self._expect(channel, Command.FETCH_CERTIFICATE_RESPONSE)
            self._end(channel, Reason.NO_ACTION)
        elif device.operation == Operation.DELETE:
            self._request(channel, Command.DELETE_CERTIFICATE_REQUEST)
            self._expect(channel, Command.DELETE_CERTIFICATE_RESPONSE)
            self._end(channel, Reason.UPDATE_CERTIFICATE)
        else:
            self._end(channel, Reason.NO_ACTION)

    def _expect(self, channel, command, timeout=None):
        pdu = channel.receive(timeout)
        if pdu is None:
            raise ProtocolError('phone closed the connection')
        if pdu.command != command:
            raise ProtocolError(f'expected {command.name}, got {_name(Command, pdu.command)}')
        return pdu

    def _authenticate(self, device, response, session_id):
        if device.auth == AuthType.PASSWORD:
            password = response.get(Element.PASSWORD)
            if password is None or password.rstrip(b'\0').decode('ascii', 'replace') != device.password:
                raise ProtocolError('wrong password')
        elif device.auth in (AuthType.LSC, AuthType.MIC):
            self._check_signed_data(device.name, response)
            sudi = response.get(Element.SUDI_DATA)
            if sudi is not None:
                self._check_sudi(sudi, session_id)

    def _check_signed_data(self, name, response):
        """CERTIFICATE + SIGNED_DATA + SHA2_SIGNED_DATA (notes 1.5.2)."""
        values = [response.get(tag) for tag in (
            Element.CERTIFICATE, Element.SIGNED_DATA, Element.SHA2_SIGNED_DATA)]
        if None in values:
            raise ProtocolError('certificate authentication elements missing')
        block, signed, sha2_signed = values
        _, der = parse_certificate_block(block)
        certificate = x509.load_der_x509_certificate(der)
        check_issued_by(certificate, self.trusted)
        content = name.encode('ascii') + b'\0' + der
        verify(certificate.public_key(), signed, content, hashes.SHA1())
        verify(certificate.public_key(), parse_sha2_signed_data(sha2_signed), content, hashes.SHA512())

    def _check_sudi(self, value, session_id):
        """SUDI_DATA: signatures over the session id (little-endian) + SUDI DER (notes 1.5.3)."""
        der, sha1_signature, sha512_signature = parse_sudi_block(value)
        certificate = x509.load_der_x509_certificate(der)
        check_issued_by(certificate, self.trusted)
        content = struct.pack('<I', session_id) + der
        verify(certificate.public_key(), sha1_signature, content, hashes.SHA1())
        verify(certificate.public_key(), sha512_signature, content, hashes.SHA512())

    def _install(self, channel, device):
        behaviour = self.behaviour
        if device.key_type == KeyType.EC:
            elements = [u8(Element.KEY_TYPE, KeyType.EC), u8(Element.CURVE, device.curve)]
        else:
            elements = [u16(Element.KEY_SIZE, device.key_size)]
            if behaviour.send_key_type:
                elements.append(u8(Element.KEY_TYPE, KeyType.RSA))
        self._request(channel, Command.KEY_GENERATE_REQUEST, *elements)

        if behaviour.stall_after_key_request:
            while channel.receive() is not None:
                pass
            return

        deadline = None if behaviour.keygen_deadline is None else time.monotonic() + behaviour.keygen_deadline
        try:
            response = channel.receive(self._remaining(deadline))
            if response is not None and response.command == Command.REQUEST_IN_PROGRESS:
                response = channel.receive(self._remaining(deadline))
        except TimeoutError:
            if deadline is None:
                raise
            return self._end(channel, Reason.OP_TIMED_OUT)
        if response is None or response.command != Command.KEY_GENERATE_RESPONSE:
            raise ProtocolError('no KEY_GENERATE_RESPONSE')

        spki = response.get(Element.PUBLIC_KEY)
        if spki is None:
            log.info('server: %s could not generate a key (reason %s)', device.name, response.reason)
            return self._end(channel, Reason.INVALID_ELEMENT)
        lsc = issue_certificate(self.identity, device.name, serialization.load_der_public_key(spki))
        store = Pdu(Command.STORE_CERTIFICATE_REQUEST, channel.session_id, (
            u8(Element.CERTIFICATE_TYPE, CertificateType.LSC),
            (Element.CERTIFICATE, certificate_block(lsc.public_bytes(serialization.Encoding.DER),
                                                    CertificateType.LSC))))
        end = Pdu(Command.END_SESSION, channel.session_id, (u8(Element.REASON, Reason.UPDATE_CERTIFICATE),))
        if behaviour.pipeline_end_session:
            channel.send(store, end)
            self._expect(channel, Command.STORE_CERTIFICATE_RESPONSE)
        else:
            channel.send(store)
            self._expect(channel, Command.STORE_CERTIFICATE_RESPONSE)
            channel.send(end)

    @staticmethod
    def _remaining(deadline):
        return None if deadline is None else max(deadline - time.monotonic(), 0.001)


# ---------------------------------------------------------------------------
# Phone


@dataclass
class PhoneBehaviour:
    password: str | None = ''          # PASSWORD element (capfc always sends it); None: omit
    jabber_style: bool = False         # AUTH_RESPONSE {VERSION 2, DEVICE_NAME, REASON 1} as Jabber sends it
    auth_identity: Identity | None = None  # LSC or MIC for authentication by certificate
    auth_certificate_type: CertificateType = CertificateType.MIC
    sudi: Identity | None = None       # SUDI certificate (RSA) for SUDI_DATA
    certificate: Identity | None = None  # LSC installed on the phone (fetch, delete)
    send_in_progress: bool = False     # REQUEST_IN_PROGRESS before KEY_GENERATE_RESPONSE
    keygen_delay: float = 0            # seconds "generating" before the key is sent
    keygen_fails: bool = False         # KEY_GENERATE_RESPONSE with only REASON
    never_send_key: bool = False       # wait silently after KEY_GENERATE_REQUEST
    reset_after_key_request: bool = False  # abortive close after KEY_GENERATE_REQUEST
    timeout: float = 10
    write_mode: WriteMode = WriteMode.WHOLE


@dataclass
class Phone:
    """A phone (CAPF client) running one CAPF connection."""
    name: str
    address: str                     # local address to bind
    server: tuple                    # (host, port)
    trust: x509.Certificate | None   # CAPF certificate trusted for TLS; None: plain TCP
    behaviour: PhoneBehaviour = field(default_factory=PhoneBehaviour)

    def run(self):
        try:
            channel = self._connect()
        except OSError as error:  # refused, timed out, certificate not trusted (ssl.SSLError)
            log.info('%s: cannot connect: %r', self.name, error)
            return Outcome.FAILED
        try:
            outcome = self._session(channel)
        except (TimeoutError, ConnectionError) as error:
            log.info('%s: connection lost: %r', self.name, error)
            outcome = Outcome.INCOMPLETE
        except ssl.SSLError as error:  # a TLS alert after the handshake (TLS 1.3: client certificate refused)
            log.info('%s: TLS failed: %r', self.name, error)
            outcome = Outcome.FAILED
        channel.close()
        log.info('%s: %s', self.name, outcome.value)
        return outcome

    def _connect(self):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(self.behaviour.timeout)
            sock.bind((self.address, 0))
            sock.connect(self.server)
            if self.trust is not None:
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                context.check_hostname = False
                context.load_verify_locations(cadata=self.trust.public_bytes(serialization.Encoding.PEM).decode())
                sock = context.wrap_socket(sock)
        except BaseException:
            sock.close()
            raise
        return Channel(sock, self.behaviour.write_mode)

    def _respond(self, channel, command, *elements):
        channel.send(Pdu(command, channel.session_id, elements))

    def _session(self, channel):
        request = channel.receive()
        if request is None or request.command != Command.AUTH_REQUEST:
            raise ProtocolError('no AUTH_REQUEST')
        self._respond(channel, Command.AUTH_RESPONSE, *self._auth_elements(request, channel.session_id))

        request = channel.receive()
        if request is None:
            return Outcome.INCOMPLETE
        if request.command == Command.KEY_GENERATE_REQUEST:
            return self._install(channel, request)
        if request.command == Command.FETCH_CERTIFICATE_REQUEST:
            certificate = self.behaviour.certificate
            if certificate is None:
                self._respond(channel, Command.FETCH_CERTIFICATE_RESPONSE,
                              u8(Element.REASON, Reason.INVALID_ELEMENT))
                return self._finish(channel, None)
            self._respond(channel, Command.FETCH_CERTIFICATE_RESPONSE,
                          u8(Element.REASON, Reason.UPDATE_CERTIFICATE),
                          (Element.CERTIFICATE, certificate_block(certificate.der, CertificateType.LSC)))
            return self._finish(channel, Outcome.FETCHED)
        if request.command == Command.DELETE_CERTIFICATE_REQUEST:
            reason = Reason.INVALID_ELEMENT if self.behaviour.certificate is None else Reason.UPDATE_CERTIFICATE
            self._respond(channel, Command.DELETE_CERTIFICATE_RESPONSE, u8(Element.REASON, reason))
            return self._finish(channel, Outcome.DELETED if reason == Reason.UPDATE_CERTIFICATE else None)
        return self._ended(channel, request, Outcome.NOTHING_PENDING)

    def _auth_elements(self, request, session_id):
        behaviour = self.behaviour
        if behaviour.jabber_style:
            return (u8(Element.VERSION, 2), cstring(Element.DEVICE_NAME, self.name),
                    u8(Element.REASON, Reason.UPDATE_CERTIFICATE))
        elements = [u8(Element.REASON, Reason.UPDATE_CERTIFICATE)]
        identity = behaviour.auth_identity
        if identity is not None:
            signed_content = self.name.encode('ascii') + b'\0' + identity.der
            elements += [
                (Element.CERTIFICATE, certificate_block(identity.der, behaviour.auth_certificate_type)),
                (Element.SIGNED_DATA, sign(identity.key, signed_content, hashes.SHA1())),
            ]
        elements.append((Element.VERSION, request.get(Element.VERSION)))  # echoed, as capfc does
        if behaviour.password is not None:
            elements.append(cstring(Element.PASSWORD, behaviour.password))
        elements.append(cstring(Element.DEVICE_NAME, self.name))
        if behaviour.sudi is not None:
            sudi_content = struct.pack('<I', session_id) + behaviour.sudi.der
            elements.append((Element.SUDI_DATA, sudi_block(
                behaviour.sudi.der, sign(behaviour.sudi.key, sudi_content, hashes.SHA1()),
                sign(behaviour.sudi.key, sudi_content, hashes.SHA512()))))
        if identity is not None:
            elements.append((Element.SHA2_SIGNED_DATA,
                             sha2_signed_data(sign(identity.key, signed_content, hashes.SHA512()))))
        return elements

    def _install(self, channel, request):
        behaviour = self.behaviour
        if behaviour.reset_after_key_request:
            channel.close(reset=True)
            return Outcome.INCOMPLETE
        if behaviour.never_send_key:
            return self._finish(channel, None)
        if behaviour.send_in_progress:
            self._respond(channel, Command.REQUEST_IN_PROGRESS)
        if behaviour.keygen_delay and channel.wait_readable(behaviour.keygen_delay):
            return self._finish(channel, None)  # the server gave up first
        if behaviour.keygen_fails:
            self._respond(channel, Command.KEY_GENERATE_RESPONSE, u8(Element.REASON, Reason.INVALID_ELEMENT))
            return self._finish(channel, None)

        key_type = request.get(Element.KEY_TYPE)
        key_size = request.get(Element.KEY_SIZE)
        curve = request.get(Element.CURVE)
        key = generate_key(KeyType(key_type[0]) if key_type else KeyType.RSA,
                           struct.unpack('>H', key_size)[0] if key_size else 2048,
                           Curve(curve[0]) if curve else Curve.SECP256R1)
        public_key = key.public_key().public_bytes(*SPKI)
        self._respond(channel, Command.KEY_GENERATE_RESPONSE, (Element.PUBLIC_KEY, public_key))

        store = channel.receive()
        if store is None or store.command != Command.STORE_CERTIFICATE_REQUEST:
            return self._ended(channel, store, None)
        _, der = parse_certificate_block(store.get(Element.CERTIFICATE))
        stored = x509.load_der_x509_certificate(der).public_key().public_bytes(*SPKI) == public_key
        self._respond(channel, Command.STORE_CERTIFICATE_RESPONSE, u8(
            Element.REASON, Reason.UPDATE_CERTIFICATE if stored else Reason.INVALID_ELEMENT))
        return self._finish(channel, Outcome.INSTALLED if stored else None)

    def _finish(self, channel, success):
        return self._ended(channel, channel.receive(), success)

    @staticmethod
    def _ended(channel, pdu, success):
        """Outcome from the server's END_SESSION pdu (None: connection closed).

        success is the outcome for a non-error reason (0 or 1); None if the
        operation already failed on the phone's side.  After END_SESSION the
        phone waits for the server to close the connection (notes 1.1).
        """
        if pdu is None:
            return Outcome.INCOMPLETE
        if pdu.command != Command.END_SESSION:
            raise ProtocolError(f'expected END_SESSION, got {_name(Command, pdu.command)}')
        if channel.receive() is not None:
            raise ProtocolError('the server sent more after END_SESSION')
        if pdu.reason in (Reason.NO_ACTION, Reason.UPDATE_CERTIFICATE) and success is not None:
            return success
        return Outcome.FAILED


class Capture:
    """dumpcap on lo, with a capture filter, for the duration of a with block
    (the capture generators' traffic runs inside it)."""

    def __init__(self, path, capture_filter):
        self.path = path
        self.capture_filter = capture_filter
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(
            ['dumpcap', '-i', 'lo', '-f', self.capture_filter, '-w', str(self.path), '-q'],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while not (self.path.exists() and self.path.stat().st_size > 0):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f'dumpcap did not start: {self.process.stderr.read().decode()}')
            time.sleep(0.05)
        time.sleep(0.5)  # the file header is written just before the capture loop starts
        return self

    def __exit__(self, *exc):
        time.sleep(0.5)  # let the last packets (FIN, ACK, RST) through
        self.process.send_signal(signal.SIGINT)
        _, stderr = self.process.communicate(timeout=20)
        if self.process.returncode != 0:
            raise RuntimeError(f'dumpcap failed: {stderr.decode()}')
