#!/usr/bin/python3
"""Checks of the "show itl" reports: the itl-show program and tshark -z itl,show.

  tests/check-itl-show.py file BUILD FILE.tlv EXPECTED [--update]
      itl-show FILE.tlv must print EXPECTED (a reviewed text) and exit 0
      exactly when its last line says the file was verified successfully.
  tests/check-itl-show.py capture BUILD CAPTURE EXPECTED [--update]
      tshark -q -z itl,show must print EXPECTED; and every file it shows must
      be printed identically by itl-show from the same file, taken out of the
      capture without the plugin (tests/check-trustlist-openssl.py's export:
      HTTP objects from tshark, TFTP files rebuilt from their DATA blocks).
  tests/check-itl-show.py garbled BUILD FILE.tlv
      cuts the file (everywhere in the header, around every TLV boundary and
      every 17 bytes) and breaks each length field and tag:
      itl-show must never crash, and must exit 1 and say what is wrong
      (an "Error:" line or a verdict other than "verified successfully")
      on every case that is not the intact file.
"""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TSHARK = os.path.join(ROOT, 'scripts', 'tshark-build')
OK_LINE = re.compile(r'^The (ITL|CTL) file was verified successfully\.$')
RULE = '=' * 80
SEP = '-' * 80


# itl-show of a sanitizer build stops at the first report, leaks included
SANITIZER_ENV = dict(os.environ, ASAN_OPTIONS='detect_leaks=1:abort_on_error=1',
                     UBSAN_OPTIONS='halt_on_error=1:print_stacktrace=1')


def itl_show(build, *paths):
    return subprocess.run([os.path.join(build, 'itl-show')] + list(paths), capture_output=True, text=True,
                          env=SANITIZER_ENV)


def compare(text, expected, update):
    if update:
        with open(expected, 'w') as f:
            f.write(text)
        print(f'updated {expected} (read the diff before committing)')
        return True
    with open(expected) as f:
        want = f.read()
    if text == want:
        return True
    import difflib
    sys.stdout.writelines(difflib.unified_diff(want.splitlines(True), text.splitlines(True),
                                               expected, 'actual'))
    return False


def check_file(build, path, expected, update):
    r = itl_show(build, path)
    if r.returncode not in (0, 1) or r.stderr:
        print(f'FAIL: itl-show {path}: exit {r.returncode}\n{r.stderr}')
        return False
    last = r.stdout.rstrip('\n').split('\n')[-1]
    if (r.returncode == 0) != bool(OK_LINE.match(last)):
        print(f'FAIL: itl-show {path}: exit {r.returncode} but last line {last!r}')
        return False
    ok = compare(r.stdout, expected, update)
    print(('ok' if ok else 'FAIL') + f': itl-show {os.path.basename(path)} (exit {r.returncode}: {last})')
    return ok


def split_tap(text):
    """[(heading, body)] of a -z itl,show report."""
    lines = text.split('\n')
    if not lines or lines[0] != RULE or not lines[1].startswith('ITL/CTL files: '):
        raise ValueError('not an itl,show report')
    count = int(lines[1].split(': ')[1])
    files, i = [], 2
    while i < len(lines) and lines[i] == RULE and i + 1 < len(lines) and lines[i + 1].startswith('Frame '):
        heading = lines[i + 1]
        if lines[i + 2] != SEP:
            raise ValueError(f'no separator under {heading!r}')
        j = i + 3
        while j < len(lines) and lines[j] != RULE:
            j += 1
        files.append((heading, '\n'.join(lines[i + 3:j]) + '\n'))
        i = j
    if i != len(lines) - 2 or lines[i] != RULE or lines[i + 1] != '':
        raise ValueError(f'unexpected text at line {i + 1}: {lines[i]!r}')
    if count != len(files):
        raise ValueError(f'says {count} files, shows {len(files)}')
    return files


def trustlist_tool():
    """tests/check-trustlist-openssl.py, as a module."""
    import importlib.machinery
    import importlib.util
    sys.dont_write_bytecode = True
    loader = importlib.machinery.SourceFileLoader('check_trustlist_openssl',
                                                  os.path.join(ROOT, 'tests', 'check-trustlist-openssl.py'))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def tshark(build, capture, *args):
    return subprocess.run([TSHARK, '-B', build, '-r', capture] + list(args), capture_output=True, text=True)


def check_capture(build, capture, expected, update):
    r = tshark(build, capture, '-q', '-z', 'itl,show')
    if r.returncode != 0:
        print(f'FAIL: tshark -z itl,show on {capture}: exit {r.returncode}\n{r.stderr}')
        return False
    try:
        shown = split_tap(r.stdout)
    except ValueError as e:
        print(f'FAIL: {capture}: {e}\n{r.stdout}')
        return False
    ok = compare(r.stdout, expected, update)

    # The same files, taken out of the capture without the plugin (HTTP
    # objects exported by tshark, TFTP files rebuilt from their DATA blocks:
    # tests/check-trustlist-openssl.py, which the openssl cross-check uses
    # too), through itl-show.
    with tempfile.TemporaryDirectory() as tmp:
        cli = []
        for path, label in trustlist_tool().export_objects(capture, tmp):
            if '(incomplete' in label:
                continue                # -z itl,show only shows complete files
            with open(path, 'rb') as f:
                head = f.read(10)
            if len(head) < 10 or head[:3] != b'\x01\x00\x02' or head[5:8] != b'\x02\x00\x02':
                continue                # not a signed TLV file
            if label.endswith('.sgn') or label.endswith('.sha512'):
                continue                # -z itl,show shows trust lists only
            cli.append(itl_show(build, path).stdout)
        bodies = sorted(body for _, body in shown)
        if bodies != sorted(cli):
            print(f'FAIL: {capture}: the files -z itl,show prints ({len(bodies)}) differ from itl-show on the '
                  f'exported files ({len(cli)})')
            import difflib
            for a, b in zip(bodies, sorted(cli)):
                sys.stdout.writelines(difflib.unified_diff(a.splitlines(True), b.splitlines(True),
                                                           'tap', 'itl-show'))
            return False
    print(('ok' if ok else 'FAIL') + f': {os.path.basename(capture)}: {len(shown)} file(s), '
          f'identical to itl-show on the exported files')
    return ok


def tlv_fields(data):
    """Offsets of the tag bytes of the header and record TLVs (a rough walk
    that is good enough to aim mutations)."""
    offsets = []
    if len(data) < 10:
        return offsets
    header_end = min(int.from_bytes(data[8:10], 'big'), len(data))
    i = 0
    while i + 3 <= header_end:
        if data[i] == 13:
            i += 1
            continue
        offsets.append(i)
        length = int.from_bytes(data[i + 1:i + 3], 'big')
        i += 3 if data[i] in (3, 7, 9) else 3 + length
    i = header_end
    while i + 5 <= len(data) and data[i] == 1:
        end = i + int.from_bytes(data[i + 3:i + 5], 'big')
        j = i
        while j + 3 <= min(end, len(data)):
            offsets.append(j)
            j += 3 + int.from_bytes(data[j + 1:j + 3], 'big')
        if end <= i:
            break
        i = end
    return offsets


def check_garbled(build, path):
    with open(path, 'rb') as f:
        data = f.read()
    fields = tlv_fields(data)
    header_end = int.from_bytes(data[8:10], 'big')
    # cut everywhere in the header, around every TLV boundary, and every 17 bytes
    cuts = set(range(0, min(header_end + 8, len(data)))) | set(range(0, len(data), 17))
    for off in fields:
        cuts |= {n for n in range(off - 1, off + 6) if 0 <= n < len(data)}
    cases = [('cut at %d' % n, data[:n]) for n in sorted(cuts)]
    for off in fields:
        for value in (0, 1, 0xFFFF, len(data)):
            b = bytearray(data)
            b[off + 1:off + 3] = (value & 0xFFFF).to_bytes(2, 'big')
            cases.append((f'length at {off + 1} = {value}', bytes(b)))
        b = bytearray(data)
        b[off] = 0xEE
        cases.append((f'tag at {off} = 0xEE', bytes(b)))
    cases = [(what, blob) for what, blob in cases if blob != data]
    failures = 0
    # One itl-show run per batch of files (starting a program that links
    # libwireshark costs more than reading a file); each file's report
    # follows its "==> path <==" line.
    with tempfile.TemporaryDirectory() as tmp:
        for start in range(0, len(cases), 250):
            batch = cases[start:start + 250]
            paths = []
            for n, (what, blob) in enumerate(batch):
                sub = os.path.join(tmp, str(start + n))
                os.mkdir(sub)
                paths.append(os.path.join(sub, os.path.basename(path)))
                with open(paths[-1], 'wb') as f:
                    f.write(blob)
            r = itl_show(build, *paths)
            if r.returncode != 1 or r.stderr:
                failures += 1
                print(f'FAIL: batch from case {start}: exit {r.returncode}, stderr {r.stderr[:3000]!r}')
                continue
            reports = re.split(r'^==> (.*) <==$', r.stdout, flags=re.M)
            got = dict(zip(reports[1::2], reports[2::2]))
            for (what, _), p in zip(batch, paths):
                report = got.get(p)
                if report is None or ('Error' not in report and 'verified successfully' in report):
                    failures += 1
                    if failures <= 5:
                        print(f'FAIL: {what}: ' + ('no report' if report is None else 'reported as good'))
    print(('ok' if not failures else 'FAIL') + f': {len(cases)} garbled copies of {os.path.basename(path)}, '
          f'{failures} failure(s)')
    return failures == 0


def main():
    args = [a for a in sys.argv[1:] if a != '--update']
    update = '--update' in sys.argv
    if len(args) >= 3 and args[0] == 'file' and len(args) == 4:
        return 0 if check_file(args[1], args[2], args[3], update) else 1
    if len(args) == 4 and args[0] == 'capture':
        return 0 if check_capture(args[1], args[2], args[3], update) else 1
    if len(args) == 3 and args[0] == 'garbled':
        return 0 if check_garbled(args[1], args[2]) else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main())
