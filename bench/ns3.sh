#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Baseline for the event queue: ns-3's simulator (Debian libns3-dev) on the
# hold benchmark of bench_events (bench/ns3_hold.cc), with each of its
# schedulers. Compiles ns3_hold with g++ into a temporary directory, runs
# it and prints its lines; the last is "ns3 fastest: N events/s (NAME)".
# Prints "ns3 fastest: n/a (WHY)" and exits 0 when ns-3 is not available
# (as root it installs libns3-dev first).
# Usage: bench/ns3.sh [PENDING [EVENTS]] (defaults 1000, 10000000).
set -euo pipefail

cd "$(dirname "$0")/.."
. bench/lib.sh
na() { echo "ns3 fastest: n/a ($*)"; exit 0; }
if [ ! -f /usr/include/ns3/core-module.h ]; then
    bench_install libns3-dev >&2 || na "libns3-dev is not installed"
fi
command -v g++ >/dev/null || na "g++ is missing"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mhs-ns3.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
g++ -O2 -std=c++17 -o "$TMP/ns3_hold" bench/ns3_hold.cc -lns3-core 2>"$TMP/cc.err" ||
    na "ns3_hold.cc does not build: $(head -n 1 "$TMP/cc.err")"
"$TMP/ns3_hold" "${1:-1000}" "${2:-10000000}"
