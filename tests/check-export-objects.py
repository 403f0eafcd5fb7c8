#!/usr/bin/python3
"""Export Objects with the plugin loaded gives back every file the capture carries.

  tests/check-export-objects.py BUILD_DIR CAPTURE

tshark with the plugin from BUILD_DIR (scripts/tshark-build) runs
`--export-objects tftp,DIR --export-objects http,DIR`, two-pass (-2, what the
GUI's File > Export Objects does: it taps the frames again after the first
pass) and one-pass.  Each run must export exactly the files the capture
carries, byte for byte, under their own names.  What the capture carries is
found without the plugin (tests/check-trustlist-openssl.py's export_objects(),
which the openssl cross-check uses too): TFTP files rebuilt in Python from
their DATA blocks (tshark with the plugin's protocols disabled, TFTP
reassembly off, -e data.data), HTTP bodies exported by tshark with the
plugin's protocols disabled.

A TFTP transfer that never completes (itl-truncated.pcapng: no last block) is
not a file: Wireshark exports nothing for it, with or without the plugin, and
the test checks that nothing is exported for it.

Wireshark 4.6.9's own tshark aborts ("free(): invalid size") after a one-pass
TFTP export of a file no dissector took, with or without this plugin.  A
one-pass run that fails is therefore run again with all the plugin's
protocols disabled (capf, cnf, itl, tvs): when that fails too, the failure is
Wireshark's and is reported as a note; the two-pass run must pass in any case.

Exit status 0 when every run exports the expected files, 1 otherwise.
"""
import collections
import functools
import hashlib
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TSHARK = os.path.join(ROOT, 'scripts', 'tshark-build')


@functools.cache
def trustlist_tool():
    """tests/check-trustlist-openssl.py, as a module (loaded once: the reference
    export and the one-pass fallback's protocol list both use it)."""
    import importlib.machinery
    import importlib.util
    sys.dont_write_bytecode = True
    loader = importlib.machinery.SourceFileLoader('check_trustlist_openssl',
                                                  os.path.join(HERE, 'check-trustlist-openssl.py'))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def digest(path):
    with open(path, 'rb') as f:
        data = f.read()
    return f'{len(data)} bytes sha256:{hashlib.sha256(data).hexdigest()[:16]}'


def base_name(name):
    """The requested name of an exported file: tshark names a second file of
    the same name 'ITLFile(1).tlv', the rebuilt reference 'ITLFile.tlv (2)'."""
    name = re.sub(r' \(\d+\)$', '', name)
    return re.sub(r'\(\d+\)(\.[^.()]*)?$', lambda m: m.group(1) or '', name)


def carried(capture, directory):
    """{name: Counter(digest)} of the complete files, and the labels of the
    transfers that never completed."""
    files = collections.defaultdict(collections.Counter)
    incomplete = []
    for path, label in trustlist_tool().export_objects(capture, directory):
        if '(incomplete' in label:
            incomplete.append(label)
        else:
            files[base_name(os.path.basename(path))][digest(path)] += 1
    return files, incomplete


def exported(build, capture, directory, extra):
    """Runs tshark with the plugin and --export-objects tftp and http; returns
    (tshark's result, {name: Counter(digest)})."""
    os.chmod(directory, 0o777)          # (as 'nobody', see main)
    tftp, http = os.path.join(directory, 'tftp'), os.path.join(directory, 'http')
    result = subprocess.run([TSHARK, '-B', build, '-r', capture, '-q', *extra,
                             '--export-objects', 'tftp,' + tftp, '--export-objects', 'http,' + http],
                            capture_output=True, text=True)
    files = collections.defaultdict(collections.Counter)
    for folder in (tftp, http):
        if os.path.isdir(folder):
            for name in os.listdir(folder):
                files[base_name(name)][digest(os.path.join(folder, name))] += 1
    return result, files


def show(files):
    return ', '.join(f'{name} ({d})' for name in sorted(files) for d in sorted(files[name].elements())) or 'none'


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip())
        return 2
    build, capture = argv
    name = os.path.basename(capture)
    ok = True
    with tempfile.TemporaryDirectory(prefix='check-export-') as tmp:
        os.chmod(tmp, 0o711)            # tshark-build runs tshark as 'nobody' when root
        reference_dir = os.path.join(tmp, 'reference')
        os.mkdir(reference_dir)
        expected, incomplete = carried(capture, reference_dir)
        if not expected and not incomplete:
            print(f'FAIL: {name}: no TFTP or HTTP transfer found in the capture')
            return 1
        for label in incomplete:
            print(f'note: {name}: {label}: not a file, Wireshark exports nothing for it')
        for passes, extra in (('two-pass', ['-2']), ('one-pass', [])):
            directory = os.path.join(tmp, passes)
            os.mkdir(directory)
            result, files = exported(build, capture, directory, extra)
            if result.returncode != 0 and passes == 'one-pass':
                stock = subprocess.run([TSHARK, '-B', build, '-r', capture, '-q', *trustlist_tool().DISABLE_ALL,
                                        '--export-objects', 'tftp,' + os.path.join(tmp, 'stock')],
                                       capture_output=True, text=True)
                if stock.returncode != 0:
                    print(f'note: {name}: one-pass: tshark exit {result.returncode} with the plugin, '
                          f'exit {stock.returncode} without it (Wireshark\'s own failure): '
                          f'{stock.stderr.strip().splitlines()[-1] if stock.stderr.strip() else ""}')
                    continue
            if result.returncode != 0:
                print(f'FAIL: {name}: {passes}: tshark exit {result.returncode}\n{result.stderr}')
                ok = False
                continue
            if files != expected:
                print(f'FAIL: {name}: {passes}: exported {show(files)}; the capture carries {show(expected)}')
                ok = False
                continue
            print(f'ok: {name}: {passes}: exported {show(files)}, identical to the files the capture carries')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
