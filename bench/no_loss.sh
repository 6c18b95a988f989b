#!/bin/sh
# SPDX-License-Identifier: MIT
# The no-loss invariant on many seeds (bench/README.md): runs the property
# test tests/nodes/test_no_loss.c on SEEDS seeded random worlds with
# faults (default 10,000) and prints the counts: messages, faults, the
# (message, recipient) pairs accepted with 250 and where they ended
# (delivered, bounced, queued), duplicates and lost replies (RFC 1047),
# and violations (must be 0; the exit status is the test's).
#   bench/no_loss.sh [SEEDS [FIRST]]
# Environment: BUILD (build directory, default build).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
bin=$BUILD/tests/nodes_test_no_loss
if [ ! -x "$bin" ]; then
    echo "bench: $bin is missing: run 'make build' first" >&2
    exit 1
fi
start=$(date +%s)
MHS_NO_LOSS_SEEDS=${1:-10000} MHS_NO_LOSS_FIRST=${2:-1} "$bin" | grep '^no-loss:'
echo "no-loss: $(($(date +%s) - start)) s"
