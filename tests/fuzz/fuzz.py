#!/usr/bin/python3
"""Mutation fuzzing of the CAPF and ITL/CTL dissectors through tshark.

  tests/fuzz/fuzz.py [--seed N] [--cases N] [--time-budget S] [--valgrind] [--out DIR]
               [-B BUILD] [--batch N] [--editcap-rounds R] [--jobs J] [--plain]
  tests/fuzz/fuzz.py --seed N --only I[,J...]      rebuild and run single cases

Two kinds of cases, both run through tshark (scripts/tshark-build, the plugin
from the build tree) one-pass with -V (the whole tree built and printed) and
two-pass (-2):

  * structure-aware cases: one mutated CAPF connection (PDUs of a session
    from test-captures/ with lengths, tags, nesting, counts, truncation and
    segmentation mutated) or one mutated ITL/CTL file (test-captures/files/)
    sent in its own TFTP transfer or HTTP download.  --batch cases share one
    capture (each in its own connection/transfer), so one tshark run covers
    many cases.  Case i of seed S depends on (S, i) only.
  * editcap cases: `editcap -E 0.02 --seed S -o OFFSET` of every capture in
    test-captures/ (as Wireshark's tools/fuzz-test.sh does); OFFSET keeps the
    link, IP and TCP headers (66 bytes on Ethernet, 40 on raw IPv4) so the
    changes land in the payload.  Each mutated capture is one case.

Every run has WIRESHARK_ABORT_ON_DISSECTOR_BUG=1, WIRESHARK_ABORT_ON_TOO_MANY_ITEMS
and WIRESHARK_DEBUG_WMEM_OVERRIDE=strict (simple under valgrind, which can only
track that allocator).  A case fails on a non-zero exit (abort, crash, sanitizer
report: the default build is build-asan, ASan + UBSan), or a dissector bug,
sanitizer, GLib critical or valgrind error on stderr.  Each failure leaves
OUT/failures/<name>/ with the capture, the exact command (command.sh) and its
stderr; a failing batch is bisected down to the single case when possible.

--valgrind runs tshark under valgrind with the normal build (slow: use a small
budget).  --plain also runs every unmutated capture in test-captures/ first.
Stops at --cases structure-aware cases plus --editcap-rounds rounds over the
captures, or when --time-budget seconds have passed, whichever is first; the
summary counts only cases whose runs completed.  Exit status 1 on any failure
(2 with --require-all when the budget ran out first).
"""
import argparse
import concurrent.futures
import datetime
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "generators"))  # pcapwriter
import fuzzlib  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
TSHARK = os.path.join(TOP, "scripts", "tshark-build")
CAPTURES = os.path.join(TOP, "test-captures")

MODES = (("one-pass", ["-n", "-V"]), ("two-pass", ["-n", "-2"]))
BAD_STDERR = re.compile(r"Dissector bug|DissectorError|AddressSanitizer|LeakSanitizer|runtime error:|"
                        r"CRITICAL|Segmentation fault|ERROR SUMMARY: [1-9]|Invalid read|Invalid write|"
                        r"Conditional jump|Too many items|Maximum tree depth")
VALGRIND = ["valgrind", "--error-exitcode=97", "--leak-check=no", "--track-origins=no",
            "--num-callers=30", "--quiet"]


def env_for(valgrind):
    env = dict(os.environ)
    env["WIRESHARK_ABORT_ON_DISSECTOR_BUG"] = "1"
    env["WIRESHARK_ABORT_ON_TOO_MANY_ITEMS"] = ""
    env["WIRESHARK_DEBUG_WMEM_OVERRIDE"] = "simple" if valgrind else "strict"
    # GLib 2.74 (Debian 12) still has its slice allocator: plain malloc lets
    # ASan and valgrind see every block.
    env["G_SLICE"] = "always-malloc"
    if valgrind:
        env["CAPF_TSHARK_WRAPPER"] = " ".join(VALGRIND)
    return env


ENV_KEYS = ("WIRESHARK_ABORT_ON_DISSECTOR_BUG", "WIRESHARK_ABORT_ON_TOO_MANY_ITEMS",
            "WIRESHARK_DEBUG_WMEM_OVERRIDE", "G_SLICE", "CAPF_TSHARK_WRAPPER")


class Fuzzer:
    def __init__(self, args):
        self.a = args
        self.env = env_for(args.valgrind)
        self.lock = threading.Lock()
        self.failures = []
        self.counts = {"cases": 0, "batches": 0, "editcap": 0, "plain": 0, "runs": 0}
        self.start = time.monotonic()
        self.fail_dir = os.path.join(args.out, "failures")
        self.extra = {}

    # -- running tshark -------------------------------------------------------
    def command(self, capture, mode_args, extra=()):
        return [TSHARK, "-B", self.a.build] + list(mode_args) + list(extra) + ["-r", capture]

    def run(self, capture, mode_args, extra=()):
        cmd = self.command(capture, mode_args, extra)
        res = subprocess.run(cmd, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             text=True, errors="replace")
        with self.lock:
            self.counts["runs"] += 1
        bad = res.returncode != 0 or BAD_STDERR.search(res.stderr)
        return (not bad), res.returncode, res.stderr, cmd

    def out_of_time(self):
        return time.monotonic() - self.start >= self.a.time_budget

    def record_failure(self, name, capture, cmd, rc, stderr, note):
        d = os.path.join(self.fail_dir, name)
        os.makedirs(d, exist_ok=True)
        dest = os.path.join(d, os.path.basename(capture))
        shutil.copy(capture, dest)
        cmd = [c if c != capture else dest for c in cmd]
        env = " ".join("%s=%s" % (k, shlex.quote(self.env[k])) for k in ENV_KEYS if k in self.env)
        with open(os.path.join(d, "command.sh"), "w") as f:
            f.write("#!/bin/sh\n# %s\n# exit status %d\ncd %s\nenv %s %s\n"
                    % (note, rc, shlex.quote(TOP), env, " ".join(shlex.quote(c) for c in cmd)))
        os.chmod(os.path.join(d, "command.sh"), 0o755)
        with open(os.path.join(d, "stderr.txt"), "w") as f:
            f.write(stderr)
        with self.lock:
            self.failures.append((name, note, d))
        print("FAIL %s: %s (exit %d) -> %s" % (name, note, rc, d), flush=True)
        print("\n".join(stderr.strip().splitlines()[-15:]), flush=True)

    # -- structure-aware batches ---------------------------------------------
    def batch(self, first, n):
        if self.out_of_time():
            return
        indices = list(range(first, first + n))
        t0 = time.monotonic()
        cap = os.path.join(self.work, "batch-%d-%d.pcap" % (self.a.seed, first))
        fuzzlib.write_batch(cap, self.corpus, self.a.seed, indices)
        for mode, margs in MODES:
            ok, rc, err, cmd = self.run(cap, margs)
            if not ok:
                self.record_failure("seed%d-batch%d-%s" % (self.a.seed, first, mode), cap, cmd, rc, err,
                                    "cases %d..%d of seed %d, %s" % (first, first + n - 1, self.a.seed, mode))
                self.bisect(indices, mode, margs)
                break
        else:
            with self.lock:
                self.counts["cases"] += n
                self.counts["batches"] += 1
                print("  cases %d..%d ok (%.0f s; %d done, %.0f s elapsed)" % (
                    first, first + n - 1, time.monotonic() - t0, self.counts["cases"],
                    time.monotonic() - self.start), flush=True)
        if not self.a.keep:
            os.unlink(cap)

    def bisect(self, indices, mode, margs):
        """Narrow a failing batch down to one case (if one case alone fails)."""
        while len(indices) > 1:
            half = indices[:len(indices) // 2]
            rest = indices[len(indices) // 2:]
            for part in (half, rest):
                cap = os.path.join(self.work, "bisect-%d-%d-%d.pcap" % (self.a.seed, part[0], len(part)))
                fuzzlib.write_batch(cap, self.corpus, self.a.seed, part)
                ok = self.run(cap, margs)[0]
                os.unlink(cap)
                if not ok:
                    indices = part
                    break
            else:
                print("  bisect: cases %d..%d fail only together" % (indices[0], indices[-1]), flush=True)
                return
        i = indices[0]
        cap = os.path.join(self.work, "case-%d-%d.pcap" % (self.a.seed, i))
        fuzzlib.write_batch(cap, self.corpus, self.a.seed, [i])
        ok, rc, err, cmd = self.run(cap, margs)
        what = fuzzlib.make_case(self.corpus, self.a.seed, i)[2]
        if not ok:
            self.record_failure("seed%d-case%d-%s" % (self.a.seed, i, mode), cap, cmd, rc, err,
                                "case %d of seed %d (%s), %s; rebuild: tests/fuzz/fuzz.py --seed %d --only %d"
                                % (i, self.a.seed, what, mode, self.a.seed, i))
        os.unlink(cap)

    # -- editcap -E over test-captures ------------------------------------------
    def editcap_case(self, capture, rnd):
        if self.out_of_time():
            return
        stem = os.path.splitext(os.path.basename(capture))[0]
        seed = self.a.seed * 1000 + rnd
        encap = subprocess.run(["capinfos", "-T", "-E", capture], stdout=subprocess.PIPE,
                               text=True).stdout.strip().splitlines()[-1].split("\t")[-1]
        offset = {"ether": 66, "rawip4": 40, "rawip": 40}.get(encap, 0)
        out = os.path.join(self.work, "editcap-%s-%d.pcapng" % (stem, seed))
        editcap = ["editcap", "-E", str(self.a.error_probability), "--seed", str(seed), "-o", str(offset)]
        if subprocess.run(editcap + [capture, out], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode:
            # editcap 4.0 refuses pcapng files whose Decryption Secrets Block comes before the
            # interface block (our TLS captures); the same file rewritten by tshark is accepted.
            norm = out + ".in.pcapng"
            subprocess.run(["tshark", "-r", capture, "-w", norm], check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            subprocess.run(editcap + [norm, out], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            os.unlink(norm)
        args_file = os.path.join(CAPTURES, "expected", stem + ".args")
        extra = open(args_file).read().split() if os.path.exists(args_file) else []
        for mode, margs in MODES:
            ok, rc, err, cmd = self.run(out, margs, extra)
            if not ok:
                self.record_failure("editcap-%s-seed%d-%s" % (stem, seed, mode), out, cmd, rc, err,
                                    "editcap -E %s --seed %d -o %d %s, %s"
                                    % (self.a.error_probability, seed, offset, capture, mode))
                break
        else:
            with self.lock:
                self.counts["editcap"] += 1
        os.unlink(out)

    def plain_capture(self, capture):
        if self.out_of_time():
            return
        stem = os.path.splitext(os.path.basename(capture))[0]
        args_file = os.path.join(CAPTURES, "expected", stem + ".args")
        extra = open(args_file).read().split() if os.path.exists(args_file) else []
        for mode, margs in MODES:
            ok, rc, err, cmd = self.run(capture, margs, extra)
            if not ok:
                self.record_failure("plain-%s-%s" % (stem, mode), capture, cmd, rc, err,
                                    "unmutated %s, %s" % (capture, mode))
                return
        with self.lock:
            self.counts["plain"] += 1

    # -- corpus ------------------------------------------------------------------
    def load_corpus(self):
        captures = sorted(os.path.join(CAPTURES, f) for f in os.listdir(CAPTURES) if f.endswith(".pcapng"))
        cache = os.path.join(self.a.build, "fuzz-corpus.json")
        newest = max(os.path.getmtime(c) for c in captures)
        if not os.path.exists(cache) or os.path.getmtime(cache) < newest:
            sessions = fuzzlib.extract_capf_sessions([TSHARK, "-B", self.a.build], captures)
            fuzzlib.Corpus(sessions, []).save(cache)
        self.corpus = fuzzlib.Corpus.load(cache)
        if not self.corpus.sessions or not self.corpus.files:
            sys.exit("fuzz: empty seed corpus (no CAPF sessions or trust lists found)")

    def main(self):
        a = self.a
        os.makedirs(a.out, exist_ok=True)
        self.work = tempfile.mkdtemp(prefix="work-", dir=a.out)
        os.chmod(self.work, 0o755)
        self.load_corpus()
        captures = sorted(os.path.join(CAPTURES, f) for f in os.listdir(CAPTURES) if f.endswith(".pcapng"))
        print("fuzz: seed %d, build %s%s, %d CAPF sessions and %d trust lists in the seed corpus, out %s"
              % (a.seed, a.build, " under valgrind" if a.valgrind else "", len(self.corpus.sessions),
                 len(self.corpus.files), a.out), flush=True)

        with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
            if a.only is not None:
                cap = os.path.join(a.out, "seed%d-cases-%s.pcap" % (a.seed, "-".join(map(str, a.only))))
                fuzzlib.write_batch(cap, self.corpus, a.seed, a.only)
                for i in a.only:
                    print("case %d: %s" % (i, fuzzlib.make_case(self.corpus, a.seed, i)[2]))
                for mode, margs in MODES:
                    ok, rc, err, cmd = self.run(cap, margs)
                    print("%s: %s (exit %d): %s" % (mode, "ok" if ok else "FAIL", rc, " ".join(cmd)))
                    if not ok:
                        print(err)
                        self.failures.append((mode, "", cap))
                print("capture kept:", cap)
                return 1 if self.failures else 0
            if a.plain:
                list(pool.map(self.plain_capture, captures))
            jobs = []
            for first in range(a.first, a.first + a.cases, a.batch):
                jobs.append(pool.submit(self.batch, first, min(a.batch, a.first + a.cases - first)))
            for rnd in range(a.editcap_rounds):
                for c in captures:
                    jobs.append(pool.submit(self.editcap_case, c, rnd))
            for j in jobs:
                j.result()
        shutil.rmtree(self.work, ignore_errors=True)

        c = self.counts
        elapsed = time.monotonic() - self.start
        print("fuzz: %s, seed %d: %d structure-aware cases in %d captures, %d editcap -E captures%s, "
              "%d tshark runs, %.0f s, %d failure(s)%s"
              % (datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC"), a.seed, c["cases"], c["batches"],
                 c["editcap"], ", %d unmutated captures" % c["plain"] if a.plain else "", c["runs"], elapsed,
                 len(self.failures), " (time budget reached)" if self.out_of_time() else ""), flush=True)
        for name, note, d in self.failures:
            print("  %s: %s\n    %s" % (name, note, d))
        if self.failures:
            return 1
        if a.require_all and (c["cases"] < a.cases or c["editcap"] < a.editcap_rounds * len(captures)):
            print("fuzz: the time budget ran out before all cases were run (--require-all)")
            return 2
        return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases", type=int, default=1000, help="structure-aware cases (default 1000)")
    ap.add_argument("--first", type=int, default=0, help="index of the first case (default 0)")
    ap.add_argument("--time-budget", type=float, default=600, help="seconds (default 600)")
    ap.add_argument("--batch", type=int, default=1000, help="cases per capture (default 1000)")
    ap.add_argument("--editcap-rounds", type=int, default=1,
                    help="rounds of editcap -E over all test captures (default 1)")
    ap.add_argument("--error-probability", type=float, default=0.02, help="editcap -E (default 0.02)")
    ap.add_argument("--valgrind", action="store_true")
    ap.add_argument("--plain", action="store_true", help="also run the unmutated test captures")
    ap.add_argument("-B", "--build", help="build tree (default build-asan; build with --valgrind)")
    ap.add_argument("--out", help="output folder (default /tmp/capf-fuzz-<seed>)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--keep", action="store_true", help="keep the batch captures")
    ap.add_argument("--require-all", action="store_true",
                    help="exit 2 when the time budget stops the run before all cases ran (CI)")
    ap.add_argument("--only", type=lambda s: [int(x) for x in s.split(",")],
                    help="only these case indices, in one capture, kept in OUT")
    ap.add_argument("--corpus", metavar="DIR",
                    help="write the libFuzzer seed corpus (DIR/capf: each CAPF PDU and each side's byte "
                         "stream of every connection; DIR/itl: the trust lists; DIR/tvs: the clear-text TVS "
                         "segments and streams) and stop")
    a = ap.parse_args()
    a.build = os.path.abspath(a.build or os.path.join(TOP, "build" if a.valgrind else "build-asan"))
    a.out = os.path.abspath(a.out or "/tmp/capf-fuzz-%d" % a.seed)
    if not os.path.isdir(os.path.join(a.build, "plugins")):
        sys.exit("fuzz: no plugin in %s: build it first (scripts/test builds build/ and build-asan/)" % a.build)
    f = Fuzzer(a)
    if a.corpus:
        f.load_corpus()
        return write_seed_corpus(f.corpus, a.corpus, a.build)
    return f.main()


def tvs_seeds(build):
    """TVS inputs for libFuzzer: each clear-text TVS segment and each side's byte
    stream of every connection of the TVS captures (the TLS ones carry the same
    tvsd/tvsc messages as 3p-tvs-clear)."""
    seeds = set()
    for name in sorted(os.listdir(CAPTURES)):
        if "tvs" not in name or not name.endswith(".pcapng"):
            continue
        out = subprocess.run([TSHARK, "-B", build, "-r", os.path.join(CAPTURES, name), "-Y", "tcp.len > 0 && !tls",
                              "-T", "fields", "-e", "tcp.stream", "-e", "tcp.srcport", "-e", "tcp.payload"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, check=True).stdout
        streams = {}
        for line in out.splitlines():
            stream, sport, payload = (line.split("\t") + ["", "", ""])[:3]
            data = bytes.fromhex(payload.replace(":", ""))
            if data:
                seeds.add(data)
                streams[(stream, sport)] = streams.get((stream, sport), b"") + data
        seeds.update(streams.values())
    return seeds


def write_seed_corpus(corpus, out, build):
    import hashlib
    for sub in ("capf", "itl", "cnf", "tvs"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    seeds = set()
    for _, session in corpus.sessions:
        seeds.update(d for _, d in session)
        for side in "cs":
            stream = b"".join(d for sd, d in session if sd == side)
            if stream:
                seeds.add(stream)
    for d in seeds:
        with open(os.path.join(out, "capf", hashlib.sha1(d).hexdigest()), "wb") as f:
            f.write(d)
    for name, d in corpus.files:
        with open(os.path.join(out, "itl", name), "wb") as f:
            f.write(d)
    # the cnf target (phone configurations): the files the sgn/cnf captures serve
    os.makedirs(os.path.join(out, "cnf"), exist_ok=True)
    cnf_dir = os.path.join(TOP, "test-captures", "files", "sgn-cnf")
    cnf_seeds = [n for n in sorted(os.listdir(cnf_dir)) if n.endswith(".xml")] if os.path.isdir(cnf_dir) else []
    for n in cnf_seeds:
        shutil.copy(os.path.join(cnf_dir, n), os.path.join(out, "cnf", n))
    tvs = tvs_seeds(build)
    for d in tvs:
        with open(os.path.join(out, "tvs", hashlib.sha1(d).hexdigest()), "wb") as f:
            f.write(d)
    print("fuzz: seed corpus in %s: %d CAPF inputs, %d trust lists, %d configurations, %d TVS inputs"
          % (out, len(seeds), len(corpus.files), len(cnf_seeds), len(tvs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
