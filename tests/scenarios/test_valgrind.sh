#!/bin/sh
# SPDX-License-Identifier: MIT
# valgrind memcheck on end-to-end runs: no invalid access, no use of
# uninitialised memory, and no definite leak (--errors-for-leak-kinds=
# definite) in `mhs run` of the quickstart (with trace, capture and SVG
# diagrams), STARTTLS, SMTP AUTH, S/MIME, POP3 (and STLS), DKIM, webmail
# over HTTPS, DSN, and node faults (crash, restart, full disk, dead
# resolver). Third-party leaks mhs cannot free are in valgrind.supp.
# Skipped (exit 77) when valgrind is absent, when mhs is built with
# AddressSanitizer (make asan: the two do not mix), or with
# MHS_SKIP_VALGRIND=1. CI installs valgrind (.ci/run).
set -eu
: "${MHS:?MHS must point at the mhs binary}"
: "${MHS_SOURCE_DIR:?}"
src=$MHS_SOURCE_DIR
if [ "${MHS_SKIP_VALGRIND:-0}" = 1 ]; then
    echo "SKIP: MHS_SKIP_VALGRIND=1"
    exit 77
fi
if ! command -v valgrind >/dev/null 2>&1; then
    echo "SKIP: valgrind is not installed (apt-get install valgrind)"
    exit 77
fi
if nm "$MHS" 2>/dev/null | grep -q '__asan_init' || ldd "$MHS" 2>/dev/null | grep -q libasan; then
    echo "SKIP: $MHS is built with AddressSanitizer"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

n=0
# memcheck NAME SCENARIO [mhs run options...]
memcheck() {
    name=$1
    scenario=$2
    shift 2
    [ -f "$src/$scenario" ] || { echo "skip $name: $scenario absent"; return 0; }
    n=$((n + 1))
    set +e
    valgrind -q --suppressions="$src/tests/scenarios/valgrind.supp" --error-exitcode=99 \
        --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite \
        --log-file="$tmp/$name.vg" "$MHS" run -q "$src/$scenario" "$@" >"$tmp/$name.out" 2>&1
    rc=$?
    set -e
    if [ "$rc" -eq 99 ] || [ -s "$tmp/$name.vg" ]; then
        cat "$tmp/$name.vg" >&2
        fail "$name: memcheck errors (exit $rc)"
    fi
    [ "$rc" -eq 0 ] || fail "$name: mhs exit $rc: $(cat "$tmp/$name.out")"
    echo "ok $name"
}

mkdir -p "$tmp/svg"
memcheck quickstart scenarios/quickstart.yaml --trace "$tmp/q.jsonl" --pcap "$tmp/q.pcap" \
    --svg "$tmp/svg"
memcheck tls tests/scenarios/sec/tls.yaml --until 30s
memcheck auth tests/scenarios/sec/auth.yaml
memcheck smime tests/scenarios/smime/roundtrip.yaml
memcheck pop3 tests/scenarios/pop3/keep.yaml
memcheck dkim tests/scenarios/sender/dkim.yaml
memcheck faults tests/scenarios/fault/crash-restart.yaml
memcheck webmail tests/scenarios/webmail/webmail-https.yaml
memcheck stls tests/scenarios/store/stls.yaml
memcheck dsn tests/scenarios/receipts/dsn.yaml
[ "$n" -ge 7 ] || fail "only $n runs"
echo "valgrind: $n runs clean"
