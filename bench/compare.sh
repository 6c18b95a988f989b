#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Two builds of mhs side by side, in one sitting: the chain of
# scenarios/bench/chain-SIZE.yaml with each, runs interleaved (base, new,
# base, new...) so that both see the same load; the median of RUNS runs of
# messages/s (user + system CPU seconds, not wall time: a shared machine
# makes wall time wait for a CPU) and peak RSS; then, with valgrind,
# instructions per message: (Ir of chain-10k - Ir of chain-1k) / 9000,
# which leaves out the start-up both runs share.
#
# Usage: bench/compare.sh BASE NEW [SIZE...]   (default sizes: 1k 10k 100k)
#   BASE, NEW: mhs binaries (bench/trace_compare.sh checks they agree).
# Environment: RUNS (default 3; chain-1m runs once), COMPARE_IR=0 skips
# the instruction counts.
set -euo pipefail

cd "$(dirname "$0")/.."
. bench/lib.sh
[ $# -ge 2 ] || { sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2; }
BASE=$1
NEW=$2
shift 2
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1k 10k 100k)
RUNS=${RUNS:-3}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mhs-compare.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

one() { # binary scenario -> "messages/s rss_kb"
    local msgs
    /usr/bin/time -f '%U %S %M' -o "$TMP/time" "$1" run -q "$2" >"$TMP/out" 2>&1 ||
        { echo "compare: $1 run -q $2 failed:" >&2; cat "$TMP/out" >&2; exit 1; }
    msgs=$(sed -n 's/^messages: \([0-9]*\);.*recipients: \1 delivered.*/\1/p' "$TMP/out")
    [ -n "$msgs" ] || { echo "compare: $2 did not deliver every message" >&2; exit 1; }
    awk -v m="$msgs" '{ printf "%.1f %d\n", m / ($1 + $2), $3 }' "$TMP/time"
}

printf '%-6s %12s %12s %8s %12s %12s %8s\n' size "base msg/s" "new msg/s" ratio "base RSS MiB" "new RSS MiB" ratio
for s in "${SIZES[@]}"; do
    scen=scenarios/bench/chain-$s.yaml
    [ -f "$scen" ] || { echo "compare: no $scen" >&2; exit 2; }
    runs=$RUNS
    [ "$s" = 1m ] && runs=1
    : >"$TMP/b" ; : >"$TMP/n"
    for _ in $(seq "$runs"); do
        one "$BASE" "$scen" >>"$TMP/b"
        one "$NEW" "$scen" >>"$TMP/n"
    done
    bm=$(cut -d' ' -f1 "$TMP/b" | bench_median)
    nm=$(cut -d' ' -f1 "$TMP/n" | bench_median)
    br=$(cut -d' ' -f2 "$TMP/b" | bench_median)
    nr=$(cut -d' ' -f2 "$TMP/n" | bench_median)
    printf '%-6s %12.0f %12.0f %8.3f %12.1f %12.1f %8.3f\n' "$s" "$bm" "$nm" "$(bench_div "$nm" "$bm")" \
        "$(bench_div "$br" 1024)" "$(bench_div "$nr" 1024)" "$(bench_div "$nr" "$br")"
done

if [ "${COMPARE_IR:-1}" = 1 ] && command -v valgrind >/dev/null; then
    ir() { # binary scenario -> instructions
        valgrind --tool=callgrind --callgrind-out-file=/dev/null "$1" run -q "$2" 2>&1 >/dev/null |
            sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
    }
    b1=$(ir "$BASE" scenarios/bench/chain-1k.yaml)
    b10=$(ir "$BASE" scenarios/bench/chain-10k.yaml)
    n1=$(ir "$NEW" scenarios/bench/chain-1k.yaml)
    n10=$(ir "$NEW" scenarios/bench/chain-10k.yaml)
    bi=$(awk -v a="$b1" -v b="$b10" 'BEGIN { printf "%.0f", (b - a) / 9000 }')
    ni=$(awk -v a="$n1" -v b="$n10" 'BEGIN { printf "%.0f", (b - a) / 9000 }')
    printf 'instructions per message (callgrind): base %s, new %s, ratio %.3f\n' "$bi" "$ni" "$(bench_div "$ni" "$bi")"
fi
