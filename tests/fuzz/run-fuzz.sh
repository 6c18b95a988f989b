#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs each libFuzzer target of a fuzzing build for SECONDS seconds, one at
# a time, on a copy of its seed corpus (the repository is not modified).
# Crashing inputs land in BUILD/fuzz-artifacts/<target>/; drop one into
# tests/fuzz/corpus/<target>/ to make it a regression test.
#   tests/fuzz/run-fuzz.sh BUILD SECONDS [TARGET...]
# FUZZ_TIMEOUT (default 30) is the seconds one input may take: generous,
# because on a loaded machine a process can stall for seconds.
set -u
build=${1:?usage: run-fuzz.sh BUILD SECONDS [TARGET...]}
seconds=${2:?usage: run-fuzz.sh BUILD SECONDS [TARGET...]}
shift 2
src=$(cd "$(dirname "$0")" && pwd)
if [ $# -eq 0 ]; then
    set -- $(ls "$src"/corpus)
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/mhs-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
failed=""
for t in "$@"; do
    bin="$build/tests/fuzz/fuzz_$t"
    if [ ! -x "$bin" ]; then
        echo "fuzz: no binary $bin" >&2
        failed="$failed $t"
        continue
    fi
    mkdir -p "$work/$t" "$build/fuzz-artifacts/$t"
    cp "$src/corpus/$t"/* "$work/$t"/
    log="$build/fuzz-artifacts/$t.log"
    "$bin" -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-30}" -max_len=16384 \
        -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$t/" \
        "$work/$t" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    if [ $rc -eq 0 ]; then
        echo "fuzz: $t: ok, ${execs:-?} runs, $cov"
    else
        echo "fuzz: $t: FAILED (exit $rc), ${execs:-?} runs; log $log" >&2
        grep -m3 -E 'ERROR:|SUMMARY:|panic|\*\*' "$log" >&2
        failed="$failed $t"
    fi
done
if [ -n "$failed" ]; then
    echo "fuzz: failed:$failed" >&2
    exit 1
fi
