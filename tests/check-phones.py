#!/usr/bin/python3
"""The 'tshark -z capf,phones' table of a capture agrees with a truth file.

Usage: tests/check-phones.py [--table FILE] BUILD_DIR CAPTURE TRUTH

Runs scripts/tshark-build -B BUILD_DIR -r CAPTURE -q -z capf,phones (or reads
the table from FILE), parses the table and compares it with TRUTH, a TSV
written by the capture's generator (tests/generators/gen-fleet-capture.py):

    device  sessions  last_operation  outcome  auth  key  serial [first_verdict trust_list configuration]
    client:<address>  sessions  -  outcome  -  -  - [-  -  -]

The same run's '-z capf,tree' (the GUI's Statistics > CAPF Enrollment) must
tell each phone's story the same way under its "Phones" branch (one node per
phone address, one item per fact): for every truth row with a trust list,
configuration, TVS answers, first verdict or outcome, the phone's node has the
matching items (see tree_problems).

Compared: for each device its sessions, last operation, outcome, auth type,
key and serial; for each client address without a device name its sessions
and last outcome.  A truth may add any of the columns first_verdict, trust_list,
configuration and tvs (written by hand from a capture's scenario); they are then
compared too, for device and client rows.  The set of devices (and of client addresses) must be the
truth's, no more and no fewer.  First and last frame must be numbers with
1 <= first <= last <= the capture's frame count.  Device rows must be sorted
by name, client rows by address.  Exit 0 when all agree, 1 with a diff
otherwise, 2 on usage or tool errors.

Table format (the tap's):

    ====...
    CAPF phones ...
    Device  Sessions  Last operation  Outcome  Auth type  Key  Serial  First frame  Last frame  First verdict  Trust list  Configuration  TVS answers
    ------...
    <rows: columns separated by two or more spaces, '-' when empty>

    Sessions without a device name, by client address:
    Client  Sessions  Last outcome  First frame  Last frame  First verdict  Trust list  Configuration  TVS answers
    ------...
    <rows>
    ====...

The second part may be missing when there are no such sessions.
"""

import argparse
import collections
import difflib
import ipaddress
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEVICE_COLUMNS = ['Device', 'Sessions', 'Last operation', 'Outcome', 'Auth type', 'Key', 'Serial',
                  'First frame', 'Last frame', 'First verdict', 'Trust list', 'Configuration', 'TVS answers']
CLIENT_COLUMNS = ['Client', 'Sessions', 'Last outcome', 'First frame', 'Last frame', 'First verdict',
                  'Trust list', 'Configuration', 'TVS answers']
CLIENT_TITLE = 'Sessions without a device name, by client address:'
TRUTH_COLUMNS = ['device', 'sessions', 'last_operation', 'outcome', 'auth', 'key', 'serial']
# optional truth columns and the table columns they are compared with
OPTIONAL_COLUMNS = {'first_verdict': 'First verdict', 'trust_list': 'Trust list', 'configuration': 'Configuration',
                    'tvs': 'TVS answers'}
SEPARATOR = re.compile(r' {2,}')


class TableError(Exception):
    """The tap's output is not a table of the expected format."""


def split_row(line):
    return SEPARATOR.split(line.strip())


def parse_table(text):
    """Return (device rows, client rows), each a list of dicts keyed by column name."""
    lines = text.splitlines()
    rules = [i for i, line in enumerate(lines) if re.fullmatch(r'=+', line.strip() or 'x')]
    if len(rules) < 2:
        raise TableError("no table between two '====' rules")
    body = lines[rules[0] + 1:rules[-1]]
    while body and not body[0].strip():
        body.pop(0)
    if not body or not body[0].startswith('CAPF phones'):
        raise TableError(f"the table does not start with a 'CAPF phones' title: {body[:1]}")
    body = body[1:]
    devices, position = parse_section(body, 0, DEVICE_COLUMNS, 'device')
    clients = []
    while position < len(body) and not body[position].strip():
        position += 1
    if position < len(body):
        if body[position].strip() != CLIENT_TITLE:
            raise TableError(f'unexpected line after the device rows: {body[position]!r}')
        clients, position = parse_section(body, position + 1, CLIENT_COLUMNS, 'client')
        while position < len(body) and not body[position].strip():
            position += 1
        if position < len(body):
            raise TableError(f'unexpected line after the client rows: {body[position]!r}')
    return devices, clients


def parse_section(lines, position, columns, what):
    """Header, dashes, rows up to a blank line or the end; returns (rows, next position)."""
    while position < len(lines) and not lines[position].strip():
        position += 1
    if position >= len(lines) or split_row(lines[position]) != columns:
        got = lines[position] if position < len(lines) else '(end of table)'
        raise TableError(f'{what} header is not {"  ".join(columns)!r}: {got!r}')
    position += 1
    # one rule per column, under it
    if position >= len(lines) or len(split_row(lines[position])) != len(columns) or \
            not re.fullmatch(r'-+( {2,}-+)*', lines[position].strip() or 'x'):
        raise TableError(f'no line of dashes under the {what} header')
    position += 1
    rows = []
    while position < len(lines) and lines[position].strip():
        values = split_row(lines[position])
        if len(values) != len(columns):
            raise TableError(f'{what} row with {len(values)} columns instead of {len(columns)}: '
                             f'{lines[position]!r}')
        rows.append(dict(zip(columns, values)))
        position += 1
    return rows, position


def parse_truth(path):
    """(devices, clients, the optional columns the truth has)."""
    lines = Path(path).read_text().splitlines()
    header = lines[0].split('\t') if lines else []
    extra = header[len(TRUTH_COLUMNS):]
    if header[:len(TRUTH_COLUMNS)] != TRUTH_COLUMNS or any(c not in OPTIONAL_COLUMNS for c in extra):
        raise TableError(f'{path}: header is not {TRUTH_COLUMNS} followed by any of {list(OPTIONAL_COLUMNS)}')
    devices, clients = {}, {}
    for number, line in enumerate(lines[1:], 2):
        if not line.strip():
            continue
        values = line.split('\t')
        if len(values) != len(header):
            raise TableError(f'{path}:{number}: {len(values)} columns instead of {len(header)}')
        if values[0].startswith('client:'):
            clients[values[0][len('client:'):]] = (values[1], values[3], *values[len(TRUTH_COLUMNS):])
        else:
            devices[values[0]] = tuple(values[1:])
    return devices, clients, extra


def frame_count(capture):
    result = subprocess.run(['capinfos', '-M', '-c', '-r', '-T', str(capture)], capture_output=True, text=True)
    if result.returncode != 0:
        raise TableError(f'capinfos failed: {result.stderr.strip()}')
    return int(result.stdout.split('\t')[1])


def run_tap(build, capture):
    command = [str(REPO / 'scripts' / 'tshark-build'), '-B', str(build), '-r', str(capture), '-q',
               '-z', 'capf,phones', '-z', 'capf,tree']
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        stderr = result.stderr.strip().splitlines()
        raise TableError(f'{" ".join(command)} exited {result.returncode}:\n' + '\n'.join(stderr[:5])
                         + ('\n...' if len(stderr) > 5 else ''))
    return result.stdout


def split_tree(text):
    """(the capf,phones output, {phone address: Counter(item: count)} of the
    capf,tree "Phones" branch, or None when the output has no capf,tree)."""
    lines = text.splitlines()
    if 'CAPF Enrollment:' not in lines:
        return text, None
    start = lines.index('CAPF Enrollment:')
    end = start + 1
    while end < len(lines) and not (re.fullmatch(r'-+', lines[end]) and not lines[end - 1].strip()):
        end += 1
    phones, branch, phone = {}, False, None
    for line in lines[start + 1:end]:
        m = re.match(r'^( *)(\S.*?)\s{2,}(\d+)(\s|$)', line)
        if not m:
            continue
        depth, name, count = len(m.group(1)), m.group(2), int(m.group(3))
        if depth == 0:
            branch = name == 'Phones'
        elif branch and depth == 1:
            phone = phones.setdefault(name, collections.Counter())
        elif branch and depth == 2:
            phone[name] += count
    # the tree's block: the '====' rule before its title to the dashes after it
    first = start - 1 if start and re.fullmatch(r'=+', lines[start - 1]) else start
    return '\n'.join(lines[:first] + lines[end + 1:]) + '\n', phones


def tree_problems(phones, truth_devices, truth_clients, optional):
    """What the capf,tree "Phones" branch says differently from the truth.
    A client row is the node of its address; a device row the node with an
    item "CAPF: <outcome> (<device>)" (not looked for when the outcome is
    incomplete: no session of it ended), or for a phone without a CAPF
    connection an item "Configuration: <device>...".  Items looked for: "Trust list:
    <trust list>"; for a configuration "<file> (<signer>, <status>),
    capfAuthMode N" the items "Signed configuration: <file> (<signer>,
    <status>)" and "Configuration: ..., capfAuthMode N", for "<file>
    (unsigned), capfAuthMode N" an item "Configuration: ..., capfAuthMode N,
    unsigned"; "Verdict: <first verdict>"; "CAPF: <outcome>" for a client
    row that had a CAPF connection; for TVS answers "V valid, I invalid (last
    CN=x)" V items "TVS: valid", I items "TVS: invalid...", one of them "TVS:
    invalid (CN=x)"."""
    problems = []
    rows = []
    for address, values in truth_clients.items():
        sessions, outcome, *extra = values
        rows.append((f'client {address}', address, outcome, dict(zip(optional, extra)), None))
    for device, values in truth_devices.items():
        outcome, extra = values[2], values[len(TRUTH_COLUMNS) - 1:]
        rows.append((f'device {device}', None, outcome, dict(zip(optional, extra)), device))
    for label, address, outcome, columns, device in rows:
        if device is not None:
            if outcome == 'incomplete':
                continue
            if outcome == 'no CAPF connection':      # a row named by its configuration
                want = f'Configuration: {device}'
                found = [a for a, items in phones.items() if any(i == want or i.startswith(want + ',')
                                                                   for i in items)]
            else:
                want = f'CAPF: {outcome} ({device})'
                found = [a for a, items in phones.items() if items[want]]
            if len(found) != 1:
                problems.append(f'capf,tree: {label}: {len(found)} phone nodes with the item {want!r}')
                continue
            address = found[0]
        items = phones.get(address, collections.Counter())
        wanted = []
        if device is None and outcome not in ('no CAPF connection', 'incomplete'):
            wanted.append(f'CAPF: {outcome}')
        if columns.get('first_verdict', '-') != '-':
            wanted.append(f'Verdict: {columns["first_verdict"]}')
        if columns.get('trust_list', '-') != '-':
            wanted.append(f'Trust list: {columns["trust_list"]}')
        config = columns.get('configuration', '-')
        if config != '-':
            file_part, _, mode = config.partition(', capfAuthMode ')
            if file_part.endswith(' (unsigned)'):
                suffix = f', capfAuthMode {mode}, unsigned' if mode else ', unsigned'
            else:
                wanted.append(f'Signed configuration: {file_part}')
                suffix = f', capfAuthMode {mode}' if mode else ''
            if suffix and not any(i.startswith('Configuration: ') and i.endswith(suffix) for i in items):
                problems.append(f'capf,tree: {label} ({address}): no item "Configuration: ...{suffix}"')
        for item in wanted:
            if not items[item]:
                problems.append(f'capf,tree: {label} ({address}): no item {item!r}')
        tvs = columns.get('tvs', '-')
        if tvs != '-':
            m = re.fullmatch(r'(\d+) valid(?:, (\d+) invalid \(last (.*)\))?', tvs)
            valid = items['TVS: valid']
            invalid = sum(n for i, n in items.items() if i.startswith('TVS: invalid'))
            if not m or valid != int(m.group(1)) or invalid != int(m.group(2) or 0):
                problems.append(f'capf,tree: {label} ({address}): {valid} "TVS: valid" and {invalid} '
                                f'"TVS: invalid" items for TVS answers {tvs!r}')
            elif m.group(3) and m.group(3).startswith('CN=') and not items[f'TVS: invalid ({m.group(3)})']:
                problems.append(f'capf,tree: {label} ({address}): no item "TVS: invalid ({m.group(3)})"')
    return problems


def address_key(text):
    try:
        return (0, int(ipaddress.ip_address(text)))
    except ValueError:
        return (1, text)


def compare(devices, clients, truth_devices, truth_clients, frames, optional=()):
    """Problems (list of str) and a diff of the compared columns."""
    problems = []

    def frame_problems(label, row):
        try:
            first, last = int(row['First frame']), int(row['Last frame'])
        except ValueError:
            return [f'{label}: frames {row["First frame"]!r}, {row["Last frame"]!r} are not numbers']
        if not 1 <= first <= last <= frames:
            return [f'{label}: frames {first}..{last} not within 1 <= first <= last <= {frames}']
        return []

    seen = {}
    for row in devices:
        name = row['Device']
        if name in seen:
            problems.append(f'device {name} has more than one row')
        seen[name] = (row['Sessions'], row['Last operation'], row['Outcome'], row['Auth type'], row['Key'],
                      row['Serial'], *(row[OPTIONAL_COLUMNS[c]] for c in optional))
        problems += frame_problems(name, row)
    names = [row['Device'] for row in devices]
    if names != sorted(names):
        problems.append('device rows are not sorted by device name')

    seen_clients = {}
    for row in clients:
        address = row['Client']
        if address in seen_clients:
            problems.append(f'client {address} has more than one row')
        seen_clients[address] = (row['Sessions'], row['Last outcome'],
                                 *(row.get(OPTIONAL_COLUMNS[c], '-') for c in optional))
        problems += frame_problems(f'client {address}', row)
    addresses = [row['Client'] for row in clients]
    if addresses != sorted(addresses, key=address_key) and addresses != sorted(addresses):
        problems.append('client rows are not sorted by address')

    missing = sorted(set(truth_devices) - set(seen))
    extra = sorted(set(seen) - set(truth_devices))
    if missing:
        problems.append(f'{len(missing)} device(s) of the truth missing from the table: {", ".join(missing)}')
    if extra:
        problems.append(f'{len(extra)} device(s) in the table but not in the truth: {", ".join(extra)}')
    missing = sorted(set(truth_clients) - set(seen_clients), key=address_key)
    extra = sorted(set(seen_clients) - set(truth_clients), key=address_key)
    if missing:
        problems.append(f'client address(es) of the truth missing from the table: {", ".join(missing)}')
    if extra:
        problems.append(f'client address(es) in the table but not in the truth: {", ".join(extra)}')

    def lines(device_rows, client_rows):
        out = ['\t'.join(TRUTH_COLUMNS + list(optional))]
        out += ['\t'.join((name, *device_rows[name])) for name in sorted(device_rows)]
        out += ['\t'.join((f'client:{a}', client_rows[a][0], '-', client_rows[a][1], '-', '-', '-',
                           *client_rows[a][2:]))
                for a in sorted(client_rows, key=address_key)]
        return out
    diff = list(difflib.unified_diff(lines(truth_devices, truth_clients), lines(seen, seen_clients),
                                     'truth', 'tshark -z capf,phones', lineterm=''))
    if diff:
        removed = sum(1 for line in diff if line.startswith('-') and not line.startswith('---'))
        added = sum(1 for line in diff if line.startswith('+') and not line.startswith('+++'))
        problems.append(f'rows differ: {removed} truth row(s) not in the table, {added} table row(s) '
                        f'not in the truth (diff below: - truth, + table)')
    return problems, diff


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--table', type=Path, help='read the table from this file instead of running tshark')
    parser.add_argument('build', type=Path, metavar='BUILD_DIR')
    parser.add_argument('capture', type=Path, metavar='CAPTURE')
    parser.add_argument('truth', type=Path, metavar='TRUTH')
    arguments = parser.parse_args()
    try:
        truth_devices, truth_clients, extra = parse_truth(arguments.truth)
        frames = frame_count(arguments.capture)
        text = arguments.table.read_text() if arguments.table else run_tap(arguments.build, arguments.capture)
    except (OSError, TableError) as error:
        print(f'ERROR: {error}', file=sys.stderr)
        return 2
    text, phones = split_tree(text)
    try:
        devices, clients = parse_table(text)
    except TableError as error:
        print(f'FAIL: {arguments.capture.name}: cannot read the capf,phones table: {error}\n--- output was:\n{text}')
        return 1
    problems, diff = compare(devices, clients, truth_devices, truth_clients, frames, extra)
    if phones is not None:
        problems += tree_problems(phones, truth_devices, truth_clients, extra)
    elif not arguments.table:
        problems.append('no capf,tree output')
    if problems:
        for problem in problems:
            print(f'FAIL: {arguments.capture.name}: {problem}')
        if diff:
            print('\n'.join(diff))
        return 1
    print(f'ok: {arguments.capture.name}: {len(devices)} devices and {len(clients)} client addresses '
          f'as in {arguments.truth.name}' + (f'; capf,tree: {len(phones)} phones' if phones is not None else ''))
    return 0


if __name__ == '__main__':
    sys.exit(main())
