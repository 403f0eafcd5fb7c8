#!/bin/bash
# Build and run the libFuzzer harnesses (tests/fuzz/fuzz-cisco.c) with clang.
#   tests/fuzz/libfuzzer.sh [-t SECONDS] [-s SEED] [TARGET...]   TARGET: capf, itl, cnf, tvs (default all)
# Builds build-fuzz/ (cmake -DCMAKE_C_COMPILER=clang -DENABLE_FUZZER=ON: the dissector
# sources with -fsanitize=fuzzer,address,undefined, linked with Debian's libwireshark),
# writes the seed corpus from test-captures/ (tests/fuzz/fuzz.py --corpus), then runs each
# target for SECONDS (default 30) on a copy of its seeds, with libFuzzer's -seed=SEED
# (default: random; scripts/test passes the day number, as it does to tests/fuzz/fuzz.py, so a
# CI failure can be re-run the same way).  A crash, sanitizer report or
# dissector bug stops the target; libFuzzer leaves the input in build-fuzz/artifacts/
# (replay: build-fuzz/fuzz-TARGET build-fuzz/artifacts/crash-...).  Exit 1 if any
# target failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=30 seed=0
while [ $# -gt 0 ]; do
    case "$1" in
    -t) secs=$2; shift 2 ;;
    -s) seed=$2; shift 2 ;;
    *) break ;;
    esac
done
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(capf itl cnf tvs)

cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DENABLE_FUZZER=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j2 --target "${targets[@]/#/fuzz-}"
# the seed corpus comes from the captures through tshark and a plugin build (tests/fuzz/fuzz.py
# caches it in that build tree: build-asan/ when scripts/test has just used it, else build/)
seed_build=build
[ -d build-asan/plugins ] && seed_build=build-asan
[ -d $seed_build/plugins ] || { cmake -S . -B build >/dev/null && cmake --build build -j2; }
tests/fuzz/fuzz.py -B $seed_build --corpus build-fuzz/seeds >/dev/null
mkdir -p build-fuzz/artifacts
status=0
for t in "${targets[@]}"; do
    work=build-fuzz/corpus-$t
    rm -rf "$work" && mkdir -p "$work" && cp build-fuzz/seeds/"$t"/* "$work"/
    echo "libfuzzer: fuzz-$t for $secs s, seed $seed (0: random)"
    if ! build-fuzz/fuzz-"$t" -seed="$seed" -max_total_time="$secs" -max_len=70000 -print_final_stats=1 \
            -artifact_prefix=build-fuzz/artifacts/"$t"- "$work" > build-fuzz/fuzz-"$t".log 2>&1; then
        echo "libfuzzer: fuzz-$t FAILED (log build-fuzz/fuzz-$t.log, input in build-fuzz/artifacts/)"
        # the report from a few lines before libFuzzer's or the sanitizer's ERROR line (a
        # failed assertion or dissector bug prints its message just before it)
        first=$(grep -n -m1 -E 'ERROR: |runtime error:' build-fuzz/fuzz-"$t".log | cut -d: -f1 || true)
        if [ -n "$first" ]; then
            tail -n +$(( first > 4 ? first - 4 : 1 )) build-fuzz/fuzz-"$t".log | head -60
        else
            tail -40 build-fuzz/fuzz-"$t".log
        fi
        status=1
    else
        grep -E '^(INFO: Seed:|Done|stat::number_of_executed_units|stat::peak_rss_mb)' build-fuzz/fuzz-"$t".log | tr '\n' ' '
        echo
    fi
done
exit $status
