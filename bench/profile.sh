#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Instruction-count profile of the simulator on a bench scenario with
# valgrind's callgrind (deterministic: not disturbed by other load).
# Prints the top functions by inclusive cost and by self cost, and keeps the
# callgrind file for kcachegrind or callgrind_annotate --tree=calling.
#
# Usage: bench/profile.sh [SCENARIO [TOP]]
#   SCENARIO  default scenarios/bench/chain-1k.yaml (about 10 s under callgrind)
#   TOP       rows per table, default 25
# Environment: BUILD (build directory, default build), OUT (callgrind file,
# default BUILD/callgrind.out).
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SCEN=${1:-scenarios/bench/chain-1k.yaml}
TOP=${2:-25}
OUT=${OUT:-$BUILD/callgrind.out}

if [ ! -x "$BUILD/mhs" ]; then
    echo "profile: $BUILD/mhs is missing: run 'make build' first" >&2
    exit 1
fi
if ! command -v valgrind >/dev/null; then
    echo "profile: valgrind is missing (Debian package valgrind)" >&2
    exit 1
fi

valgrind --tool=callgrind --callgrind-out-file="$OUT" "$BUILD/mhs" run -q "$SCEN" 2>"$OUT.log"
grep -E 'Collected' "$OUT.log" | sed 's/^==[0-9]*== */instructions: /'

# callgrind_annotate names each function twice when it has both a source
# path and an object: keep the "file:function [object]" form only, and drop
# the frames above main().
table() { # extra callgrind_annotate options
    callgrind_annotate "$@" "$OUT" 2>/dev/null |
        sed -n '/file:function/,$p' | grep -E '^ *[0-9,]+ \(' |
        grep -E '\[' | grep -vE 'below main|ld-linux|libc-start|app/main.c:main ' |
        head -n "$TOP" | sed -E 's| \[[^]]*\]$||; s|\./[^ ]*/||'
}
echo
echo "top $TOP by inclusive cost:"
table --inclusive=yes
echo
echo "top $TOP by self cost:"
table --inclusive=no
echo
echo "callgrind file: $OUT (callgrind_annotate --tree=calling --inclusive=yes $OUT)"
