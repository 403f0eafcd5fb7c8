#!/usr/bin/python3
"""Independent cross-check of Cisco ITL/CTL (.tlv) files with the openssl command line.

Usage: check-trustlist-openssl FILE...

FILE is a .tlv file, or a capture (pcap/pcapng) from which every TFTP and HTTP object is
taken first: HTTP objects exported with tshark (--export-objects http,DIR), TFTP files
rebuilt from their DATA blocks (tshark -T fields -e data.data).

For each file it prints one line per record
    function<TAB>subject<TAB>cert_sha1
and a final line
    signature<TAB>valid|invalid|signer not in file|cannot verify
When more than one file is checked (several arguments, or a capture), each file's lines
are preceded by "file<TAB>NAME".

function: 0 "System Administrator Security Token", 1 "CCM", 2 "CCM+TFTP", 3 "TFTP",
4 "CAPF", 7 "APP-SERVER", 21 "TVS", other codes "unknown (N)", no ROLE TLV "-".
subject: the record's SUBJECT_NAME TLV (3) as stored, "-" if absent.
cert_sha1: `openssl x509 -inform DER -noout -fingerprint -sha1` of the CERTIFICATE TLV (9),
lower-case hex without colons; a record without a certificate shows its stored CERTHASH
(tag 11) instead, a record with neither shows "-".
Notes about the file (a CERTHASH that disagrees with the certificate, a truncated file,
unknown tags, why a signature cannot be verified) go to standard error.

Exit status: 0 if every file has a valid signature and no CERTHASH disagrees with its
certificate, 1 otherwise, 2 on a usage or tool error.

This deliberately shares no code with mk-trustlist.py: the TLV walk below is written
from doc/protocol.md section 3 alone and all cryptography is done by openssl.
"""

import os
import re
import subprocess
import sys
import tempfile

ROLE_NAMES = {0: 'System Administrator Security Token', 1: 'CCM', 2: 'CCM+TFTP', 3: 'TFTP',
              4: 'CAPF', 7: 'APP-SERVER', 21: 'TVS'}
DIGESTS = {1: '-sha1', 2: '-sha256', 3: '-sha512'}
HEADER_CONTAINERS = (3, 7, 9)
KNOWN_HEADER_TAGS = set(range(1, 16)) | {28}
KNOWN_RECORD_TAGS = set(range(1, 13))
PCAP_MAGICS = (b'\x0a\x0d\x0d\x0a', b'\xd4\xc3\xb2\xa1', b'\xa1\xb2\xc3\xd4',
               b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\x3c\x4d')


class Truncated(Exception):
    pass


def note(name, text):
    print(f'{name}: {text}', file=sys.stderr)


def u16(data, offset):
    if offset + 2 > len(data):
        raise Truncated(f'2-byte integer at offset {offset} runs past the end ({len(data)} bytes)')
    return data[offset] << 8 | data[offset + 1]


def read_tlv(data, offset, limit):
    """Returns (tag, value offset, value length) of the TLV at offset; the TLV must end by limit."""
    if offset + 3 > limit:
        raise Truncated(f'TLV header at offset {offset} runs past {limit}')
    tag = data[offset]
    length = u16(data, offset + 1)
    if offset + 3 + length > limit:
        raise Truncated(f'tag {tag} at offset {offset} (length {length}) runs past {limit}')
    return tag, offset + 3, length


def openssl(args, stdin=None):
    return subprocess.run(['openssl'] + args, input=stdin, capture_output=True)


def cert_sha1(der_path):
    result = openssl(['x509', '-inform', 'DER', '-in', der_path, '-noout', '-fingerprint', '-sha1'])
    if result.returncode != 0:
        return None
    # "SHA1 Fingerprint=AB:CD:..."
    return result.stdout.decode().strip().split('=', 1)[1].replace(':', '').lower()


def check_file(path, label, workdir):
    """Prints the record lines and the signature line; returns True if all is well."""
    with open(path, 'rb') as file:
        data = file.read()
    ok = True
    header = {}
    records = []

    def finish(verdict):
        for record in records:
            print('\t'.join((record['function'], record['subject'], record['hash'])))
        print(f'signature\t{verdict}')
        return ok and verdict == 'valid'

    # ---- header ----
    try:
        tag, value, length = read_tlv(data, 0, len(data))
        if tag != 1:
            note(label, f'first tag is {tag}, not 1 (VERSION): not a .tlv file')
            return finish('cannot verify')
        tag, value, length = read_tlv(data, value + length, len(data))
        if tag != 2 or length != 2:
            note(label, f'second tag is {tag}, not 2 (HEADER_LENGTH)')
            return finish('cannot verify')
        header_length = u16(data, value)
        offset = value + length
        if header_length > len(data):
            raise Truncated(f'header length {header_length} is past the end of the file ({len(data)} bytes)')
        while offset < header_length:
            tag = data[offset]
            if tag == 13:                      # PADDING: a single byte, no length
                offset += 1
                continue
            tag, value, length = read_tlv(data, offset, header_length)
            if tag in HEADER_CONTAINERS:       # step into the container
                offset = value
                continue
            if tag not in KNOWN_HEADER_TAGS:
                note(label, f'unknown header tag {tag} at offset {offset}')
            if tag == 5:
                header['serial'] = data[value:value + length]
            elif tag == 8 and length >= 1:
                header['digest'] = data[value]
            elif tag == 12:
                header['signature'] = (offset, 3 + length)
            offset = value + length
    except Truncated as error:
        note(label, f'truncated header: {error}')
        return finish('cannot verify')

    # ---- records ----
    truncated = False
    offset = header_length
    while offset < len(data):
        try:
            tag, value, length = read_tlv(data, offset, len(data))
            if tag != 1 or length != 2:
                note(label, f'record at offset {offset} does not start with RECORD_LENGTH (tag {tag})')
                truncated = True
                break
            record_end = offset + u16(data, value)
            if record_end > len(data):
                raise Truncated(f'record at offset {offset} (length {record_end - offset}) '
                                f'runs past the end of the file ({len(data)} bytes)')
            index = len(records) + 1
            record = {'function': '-', 'subject': '-', 'hash': '-', 'role': None,
                      'serial': None, 'der': None, 'stored_hash': None}
            inner = value + length
            while inner < record_end:
                tag, value, length = read_tlv(data, inner, record_end)
                field = data[value:value + length]
                if tag == 3:
                    record['subject'] = field.rstrip(b'\x00').decode('utf-8', 'replace')
                elif tag == 4 and length == 2:
                    record['role'] = u16(data, value)
                elif tag == 6:
                    record['serial'] = field
                elif tag == 9:
                    record['der'] = field
                elif tag == 11:
                    record['stored_hash'] = field.hex()
                elif tag not in KNOWN_RECORD_TAGS:
                    note(label, f'record {index}: unknown tag {tag} at offset {inner}')
                inner = value + length
            offset = record_end
        except Truncated as error:
            note(label, f'truncated record: {error}')
            truncated = True
            break

        if record['role'] is not None:
            record['function'] = ROLE_NAMES.get(record['role'], f"unknown ({record['role']})")
        if record['der'] is not None:
            der_path = os.path.join(workdir, f'record{index}.der')
            with open(der_path, 'wb') as file:
                file.write(record['der'])
            record['der_path'] = der_path
            record['hash'] = cert_sha1(der_path) or 'unparsable certificate'
            if record['stored_hash'] is not None and record['stored_hash'] != record['hash']:
                note(label, f"record {index}: stored CERTHASH {record['stored_hash']} "
                            f"!= certificate SHA-1 {record['hash']}")
                ok = False
        elif record['stored_hash'] is not None:
            record['hash'] = record['stored_hash']
        records.append(record)

    # ---- signature ----
    if truncated:
        return finish('cannot verify')
    if 'signature' not in header or 'serial' not in header:
        note(label, 'header has no SIGNATURE or no SERIAL_NUMBER')
        return finish('cannot verify')
    digest = DIGESTS.get(header.get('digest'))
    if digest is None:
        note(label, f"unsupported or missing hash algorithm {header.get('digest')}")
        return finish('cannot verify')
    signers = [r for r in records if r['role'] == 0 and r['serial'] == header['serial']]
    if not signers:
        note(label, f"no SAST record with serial {header['serial'].hex()}")
        return finish('signer not in file')
    signer = signers[0]
    if signer['der'] is None:
        note(label, 'the signer record carries no certificate')
        return finish('cannot verify')

    pubkey_path = os.path.join(workdir, 'signer.pub.pem')
    result = openssl(['x509', '-inform', 'DER', '-in', signer['der_path'], '-noout', '-pubkey',
                      '-out', pubkey_path])
    if result.returncode != 0:
        note(label, 'openssl cannot read the signer certificate')
        return finish('cannot verify')
    start, size = header['signature']
    signature_path = os.path.join(workdir, 'sig.bin')
    data_path = os.path.join(workdir, 'data.bin')
    with open(signature_path, 'wb') as file:
        file.write(data[start + 3:start + size])
    with open(data_path, 'wb') as file:
        file.write(data[:start] + data[start + size:])
    result = openssl(['dgst', digest, '-verify', pubkey_path, '-signature', signature_path, data_path])
    output = result.stdout.decode().strip()
    if result.returncode == 0 and output == 'Verified OK':
        return finish('valid')
    if output == 'Verification failure':
        return finish('invalid')
    note(label, 'openssl dgst: ' + (output + ' ' + result.stderr.decode()).strip())
    return finish('cannot verify')


# This check must not depend on the plugin it checks: with the plugin installed
# (scripts/setup installs it), its ITL dissector would take the TFTP files (and hand
# them to TFTP's export itself), its CNF dissector the SEP<MAC>.cnf.xml files (then
# no data.data to rebuild them from), and its post-dissector would add fields.
# Disable all its protocols when tshark has them: every filter name the plugin's
# sources give proto_register_protocol(), so a protocol added later is covered.
# (tshark runs as is: as root it loads no personal plugin, so only an installed copy
# can be there.)
def _registered_protocols():
    sources = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'dissectors')
    names = []
    for source in sorted(os.listdir(sources)):
        if source.endswith('.c'):
            with open(os.path.join(sources, source), encoding='utf-8') as file:
                names += re.findall(r'proto_register_protocol\(\s*"[^"]*"\s*,\s*"[^"]*"\s*,\s*"([^"]+)"\s*\)',
                                    file.read())
    if not names:
        sys.stderr.write(f'no proto_register_protocol() found in {sources}\n')
        raise SystemExit(2)
    return names


PLUGIN_PROTOCOLS = _registered_protocols()
DISABLE_ALL = [arg for name in PLUGIN_PROTOCOLS for arg in ('--disable-protocol', name)]
_disable = []       # the --disable-protocol arguments, once known


def _plugin_protocols():
    result = subprocess.run(['tshark', '-G', 'protocols'], capture_output=True, text=True)
    names = {line.split('\t')[2] for line in result.stdout.splitlines() if line.count('\t') >= 2}
    return [arg for name in PLUGIN_PROTOCOLS if name in names for arg in ('--disable-protocol', name)]


def tshark_without_plugin(capture, args):
    """tshark -n -r CAPTURE with the plugin's protocols disabled, then ARGS.  First
    with all of them disabled: Wireshark 4.0 ignores an unknown --disable-protocol;
    4.4 and later refuse to run, and then tshark -G protocols tells which it has."""
    if not _disable:
        result = subprocess.run(['tshark', '-n', '-r', capture] + DISABLE_ALL + args, capture_output=True)
        _disable.append(DISABLE_ALL if result.returncode == 0 else _plugin_protocols())
        if result.returncode == 0 or _disable[0] == DISABLE_ALL:
            return result
    return subprocess.run(['tshark', '-n', '-r', capture] + _disable[0] + args, capture_output=True)


def export_objects(capture, directory):
    """Returns [(path, label)] of the TFTP and HTTP objects tshark exports, followed by the
    TFTP transfers that never completed (rebuilt from their DATA blocks, so a truncated
    capture still shows what arrived)."""
    # TFTP files are rebuilt from their DATA blocks below, not exported with
    # --export-objects tftp: Wireshark 4.6.9's tshark aborts after that export
    # ("free(): invalid size"), with or without this plugin.  One run exports the
    # HTTP objects (a tap: it sees every frame, whatever -Y shows) and lists the
    # TFTP packets.
    result = tshark_without_plugin(capture, ['--export-objects', 'http,' + directory,
                                             '-o', 'tftp.defragment:FALSE',
                                             '-Y', 'tftp', '-T', 'fields',
                                             '-E', 'occurrence=a', '-E', 'aggregator=,',
                                             '-e', 'udp.srcport', '-e', 'udp.dstport', '-e', 'tftp.opcode',
                                             '-e', 'tftp.source_file', '-e', 'tftp.block',
                                             '-e', 'tftp.option.name', '-e', 'tftp.option.value',
                                             '-e', 'data.data'])
    if result.returncode != 0:
        sys.stderr.write(result.stderr.decode())
        raise SystemExit(2)

    transfers = {}                      # client port -> [file name, block size, {block: bytes}]
    for line in result.stdout.decode().splitlines():
        source, destination, opcode, name, block, options, values, payload = \
            (line.split('\t') + [''] * 8)[:8]
        if opcode == '1':
            transfers[source] = [name, 512, {}]
        elif destination not in transfers:
            continue
        elif opcode == '6':             # OACK: a negotiated blksize
            negotiated = dict(zip(options.split(','), values.split(',')))
            if negotiated.get('blksize', '').isdigit():
                transfers[destination][1] = int(negotiated['blksize'])
        elif opcode == '3' and block:
            transfers[destination][2].setdefault(int(block), bytes.fromhex(payload))
    incomplete = []
    for number, (name, block_size, blocks) in enumerate(transfers.values()):    # in capture order
        data = b''
        block = 1
        while block in blocks:
            data += blocks[block]
            block += 1
        if block == 1:
            continue                    # nothing arrived
        if len(blocks[block - 1]) < block_size:
            path = os.path.join(directory, os.path.basename(name))    # complete: the last block is short
            copy = 1
            while os.path.exists(path):     # the same name fetched again: NAME (2), NAME (3), ...
                copy += 1
                path = os.path.join(directory, f'{os.path.basename(name)} ({copy})')
            with open(path, 'wb') as file:
                file.write(data)
            continue
        path = os.path.join(directory, f'.incomplete{number}')
        with open(path, 'wb') as file:
            file.write(data)
        incomplete.append((path, f'{name} (incomplete TFTP transfer, {len(data)} bytes)'))
    objects = [(os.path.join(directory, name), name) for name in sorted(os.listdir(directory))
               if not name.startswith('.incomplete')]
    return objects + incomplete


def main(argv):
    if not argv or argv[0] in ('-h', '--help'):
        print(__doc__.strip())
        return 0 if argv else 2
    all_ok = True
    with tempfile.TemporaryDirectory(prefix='check-trustlist-') as workdir:
        targets = []
        for number, path in enumerate(argv):
            with open(path, 'rb') as file:
                magic = file.read(4)
            if magic in PCAP_MAGICS:
                directory = os.path.join(workdir, f'objects{number}')
                os.mkdir(directory)
                objects = export_objects(path, directory)
                if not objects:
                    note(path, 'no TFTP or HTTP object in the capture')
                    all_ok = False
                targets += [(obj, name, f'{path}:{name}') for obj, name in objects]
            else:
                targets.append((path, os.path.basename(path), path))
        for number, (path, name, label) in enumerate(targets):
            if len(argv) > 1 or len(targets) > 1 or label != path:
                print(f'file\t{name}')
            filedir = os.path.join(workdir, f'file{number}')
            os.mkdir(filedir)
            all_ok = check_file(path, label, filedir) and all_ok
    return 0 if all_ok else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
