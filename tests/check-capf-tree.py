#!/usr/bin/python3
"""tshark -z capf,tree against the same capture read field by field.

  tests/check-capf-tree.py BUILD CAPTURE

The statistics tree must count, per command name, the CAPF messages that
`-T fields -e capf.command` lists; per reason name the capf.reason values;
one session outcome per CAPF connection, with the outcome the connection's
last capf.session.outcome has in a two-pass run (and, for failed ones, its
capf.session.failure); and per verdict the frames that carry that expert.
"""
import collections
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TSHARK = os.path.join(os.path.dirname(HERE), 'scripts', 'tshark-build')
VERDICTS = ('deadline', 'cert_mismatch', 'connection_failed', 'auth_failed', 'unknown_device',
            'key_generation_failed', 'no_operation')


def tshark(build, *args):
    r = subprocess.run([TSHARK, '-B', build] + list(args), capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f'FAIL: tshark {" ".join(args)}: exit {r.returncode}\n{r.stderr}')
    return r.stdout


def parse_tree(text):
    """{(parent, name): count} of the stats tree's text output, without its
    "Phones" branch (each phone's story: tests/check-phones.py checks it
    against the capture's truth)."""
    counts, parents, phones = {}, {}, False
    for line in text.split('\n'):
        m = re.match(r'^( *)(\S.*?)\s{2,}(\d+)\s', line + ' ')
        if not m or m.group(2) in ('Topic / Item',):
            continue
        depth = len(m.group(1))
        if depth == 0:
            phones = m.group(2) == 'Phones'
        if phones:
            continue
        parents[depth] = m.group(2)
        parent = parents.get(depth - 1) if depth else None
        counts[(parent, m.group(2))] = int(m.group(3))
    return counts


def values(build, *fields):
    """{field: {value: name}} of the value strings of these fields (one tshark
    -G values, whose million lines or more grep sifts)."""
    tables = {field: {} for field in fields}
    wanted = '|'.join(re.escape(field) for field in fields)
    dump = subprocess.Popen([TSHARK, '-B', build, '-G', 'values'], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines = subprocess.run(['grep', '-E', f'^V\t({wanted})\t'], stdin=dump.stdout, capture_output=True,
                           text=True).stdout
    dump.stdout.close()
    if dump.wait() != 0:
        sys.exit(f'FAIL: tshark -G values: exit {dump.returncode}\n{dump.stderr.read().decode()}')
    for line in lines.split('\n'):
        parts = line.split('\t')
        if len(parts) == 4:
            tables[parts[1]][parts[2]] = parts[3]
    return tables


def check_capture_module():
    """scripts/check-capture, as a module (its io,phs frame counting)."""
    import importlib.machinery
    import importlib.util
    sys.dont_write_bytecode = True
    loader = importlib.machinery.SourceFileLoader('check_capture',
                                                  os.path.join(os.path.dirname(HERE), 'scripts', 'check-capture'))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    build, capture = sys.argv[1], sys.argv[2]
    tree = parse_tree(tshark(build, '-r', capture, '-q', '-z', 'capf,tree'))
    want = collections.Counter()

    tables = values(build, 'capf.command', 'capf.reason', 'capf.session.outcome')
    names, reasons, outcomes = tables['capf.command'], tables['capf.reason'], tables['capf.session.outcome']
    # The frames with each verdict are counted in the same run, one
    # "-z io,phs,capf.expert.VERDICT" each (scripts/check-capture's counting:
    # taps see every frame, whatever -Y shows).
    phs = check_capture_module()
    verdict_filters = [f'capf.expert.{verdict}' for verdict in VERDICTS]
    out = tshark(build, '-r', capture, '-Y', 'capf', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=|',
                 '-e', 'capf.command', '-e', 'capf.reason', *phs.phs_args(verdict_filters))
    rows, _, stats = out.partition('\n===')
    try:
        verdict_frames = phs.phs_counts(stats, verdict_filters)
    except RuntimeError as e:
        sys.exit(f'FAIL: {e}')
    for row in rows.split('\n'):
        if not row:
            continue
        commands, reason_values = row.split('\t')
        for c in filter(None, commands.split('|')):
            want[('CAPF messages', names.get(c, f'Unknown command {c}'))] += 1
            want[(None, 'CAPF messages')] += 1
        for r in filter(None, reason_values.split('|')):
            want[('Reasons', reasons.get(r, f'Unknown reason {r}'))] += 1
            want[(None, 'Reasons')] += 1

    last = {}
    rows = tshark(build, '-r', capture, '-2', '-Y', 'capf.session.outcome', '-T', 'fields', '-E', 'occurrence=l',
                  '-e', 'tcp.stream', '-e', 'capf.session.outcome', '-e', 'capf.session.failure')
    for row in rows.split('\n'):
        if row:
            stream, outcome, failure = row.split('\t')
            last[stream] = (outcomes[outcome], failure)
    for outcome, failure in last.values():
        if outcome == 'incomplete':
            continue
        want[(None, 'Session outcomes')] += 1
        want[('Session outcomes', outcome)] += 1
        if outcome == 'failed' and failure:
            want[('failed', failure)] += 1

    for verdict in VERDICTS:
        n = verdict_frames[f'capf.expert.{verdict}']
        if n:
            want[('Verdicts', verdict)] += n
            want[(None, 'Verdicts')] += n

    got = {k: v for k, v in tree.items() if v}
    want = {k: v for k, v in want.items() if v}
    if got != want:
        print(f'FAIL: {os.path.basename(capture)}: -z capf,tree differs from the fields')
        for key in sorted(set(got) | set(want), key=str):
            if got.get(key) != want.get(key):
                print(f'  {key}: tree {got.get(key)}, fields {want.get(key)}')
        return 1
    print(f'ok: {os.path.basename(capture)}: {want.get((None, "CAPF messages"), 0)} messages, '
          f'{want.get((None, "Session outcomes"), 0)} session outcomes, {want.get((None, "Verdicts"), 0)} verdicts')
    return 0


if __name__ == '__main__':
    # one staging folder for the tshark runs (scripts/tshark-build copies the plugin there once)
    import shutil
    import tempfile
    stage = None
    if not os.environ.get('CAPF_TSHARK_STAGE'):
        stage = os.environ['CAPF_TSHARK_STAGE'] = tempfile.mkdtemp(prefix='capf-tshark.')
    try:
        sys.exit(main())
    finally:
        if stage:
            shutil.rmtree(stage, ignore_errors=True)
