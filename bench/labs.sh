#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The labs benchmark (bench/README.md), in one sitting:
#   (a) every lab of labs/*/ graded end to end with its reference solution
#       (tests/labs/NN-name/solution/): `mhs grade LAB --submission DIR`,
#       milliseconds per lab (median of RUNS runs; target < 100 ms);
#   (b) `mhs grade LAB --submissions DIR -j JOBS` over COUNT generated
#       submissions per lab (default 300): variants of the start and
#       solution states (all solution; all start/; each file from one or
#       the other; the lab's bad/ submission when it has one), each a
#       student with its own ID, hence its own variant; wall seconds per
#       batch (target < 60 s with -j 2).
# Prints a table, then "labs: ..." and "submissions: ..." summary lines.
# Keys derived from the seeds come from the key cache (docs/cli.md): with
# --cold each timed grade and batch starts from an empty cache directory.
#
# Usage: bench/labs.sh [--count N] [-j JOBS] [--cold] [LAB...]
#   LAB  a lab directory name (11-end-to-end) or number (11); default all
# Environment: BUILD (default build), RUNS (default 3), MHS_CACHE_DIR.
set -euo pipefail

cd "$(dirname "$0")/.."
. bench/lib.sh
BUILD=${BUILD:-build}
RUNS=${RUNS:-3}
COUNT=300
JOBS=2
COLD=
ONLY=
while [ $# -gt 0 ]; do
    case "$1" in
    --count) COUNT=$2; shift ;;
    -j) JOBS=$2; shift ;;
    --cold) COLD=1 ;;
    [0-9]*) ONLY="$ONLY $1" ;;
    -h | --help) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown option '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done
MHS=$(cd "$BUILD" && pwd)/mhs
[ -x "$MHS" ] || { echo "bench: $MHS is missing: run 'make build' first" >&2; exit 1; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mhs-labs.XXXXXX")
trap '[ -n "${BENCH_KEEP:-}" ] || rm -rf "$TMP"' EXIT
# cold_cache: with --cold, an empty key cache for the next command.
cold_cache() {
    [ -n "$COLD" ] || return 0
    rm -rf "$TMP/cache"
    export MHS_CACHE_DIR="$TMP/cache"
}
# wanted NAME: TRUE when NAME (NN-name) is one of the labs asked for.
wanted() {
    [ -n "$ONLY" ] || return 0
    for l in $ONLY; do
        case $1 in "$l" | "$l"-*) return 0 ;; esac
    done
    return 1
}

# make_submission LAB_DIR SOLUTION_DIR OUT INDEX: one generated submission.
make_submission() {
    local lab=$1 sol=$2 out=$3 i=$4 f k=0 bad
    bad=tests/labs/$(basename "$lab")/bad
    mkdir -p "$out"
    case $((i % 4)) in
    0) cp "$sol"/* "$out"/ ;;
    1) cp "$lab"/start/* "$out"/ ;;
    2) for f in "$lab"/start/*; do # file k from the solution when bit k of i/4 is set
        if [ $(((i / 4 >> k) & 1)) = 1 ] && [ -f "$sol/$(basename "$f")" ]; then
            cp "$sol/$(basename "$f")" "$out"/
        else
            cp "$f" "$out"/
        fi
        k=$((k + 1))
    done ;;
    3) if [ -d "$bad" ]; then cp "$bad"/* "$out"/; else cp "$lab"/start/* "$out"/; fi ;;
    esac
}

printf '%-28s %14s %10s %22s %10s\n' "lab" "solution ms" "score" "submissions -j$JOBS s" "per s"
max_ms=0
max_batch=0
nlabs=0
for lab in labs/*/; do
    lab=${lab%/}
    [ -f "$lab/lab.yaml" ] || continue
    name=$(basename "$lab")
    wanted "$name" || continue
    sol=tests/labs/$name/solution
    [ -d "$sol" ] || { echo "bench: $name has no $sol: skipped" >&2; continue; }
    nlabs=$((nlabs + 1))
    : >"$TMP/ms"
    for i in $(seq "$RUNS"); do
        cold_cache
        t0=$(bench_now)
        "$MHS" grade "$lab" --submission "$sol" >"$TMP/grade.out" 2>&1 || {
            echo "bench: mhs grade $lab failed:" >&2; cat "$TMP/grade.out" >&2; exit 1; }
        t1=$(bench_now)
        awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) / 1e6 }' >>"$TMP/ms"
    done
    ms=$(bench_median <"$TMP/ms")
    score=$(sed -n 's/^score: //p' "$TMP/grade.out" | tail -n 1)
    rm -rf "$TMP/class"
    for i in $(seq "$COUNT"); do
        make_submission "$lab" "$sol" "$TMP/class/$(printf 's%04d' "$i")" "$i"
    done
    cold_cache
    t0=$(bench_now)
    (cd "$TMP" && "$MHS" grade "$OLDPWD/$lab" --submissions class -j "$JOBS" --csv grades.csv \
        -o summary.txt) </dev/null >"$TMP/batch.out" 2>&1 || {
        echo "bench: the batch of $lab failed:" >&2; cat "$TMP/batch.out" >&2; exit 1; }
    t1=$(bench_now)
    rows=$(($(wc -l <"$TMP/grades.csv") - 1))
    [ "$rows" = "$COUNT" ] || { echo "bench: $lab: $rows rows in grades.csv, not $COUNT" >&2; exit 1; }
    batch=$(bench_elapsed "$t0" "$t1")
    printf '%-28s %14.1f %10s %22.2f %10.1f\n' "$name" "$ms" "$score" "$batch" "$(bench_div "$COUNT" "$batch")"
    max_ms=$(awk -v a="$max_ms" -v b="$ms" 'BEGIN { print (b > a) ? b : a }')
    max_batch=$(awk -v a="$max_batch" -v b="$batch" 'BEGIN { print (b > a) ? b : a }')
done
[ "$nlabs" -gt 0 ] || { echo "bench: no lab with a solution under labs/" >&2; exit 1; }
printf 'labs: %d graded, slowest %.1f ms (target < 100 ms)  %s\n' "$nlabs" "$max_ms" \
    "$(bench_verdict_max "$max_ms" 100)"
printf 'submissions: %d per lab with -j %s, slowest batch %.2f s (target < 60 s)  %s\n' \
    "$COUNT" "$JOBS" "$max_batch" "$(bench_verdict_max "$max_batch" 60)"
