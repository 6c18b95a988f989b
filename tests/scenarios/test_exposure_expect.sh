#!/bin/sh
# SPDX-License-Identifier: MIT
# The exposure expectation ({message, exposure: CASE, party, read?,
# alter?}) against the exposure table of a signed message (S/MIME sign,
# TLS on one of two taps' links, DKIM from the MSA to the MX): the rows it
# asserts hold, the wrong ones fail saying what the table holds, and a bad
# case or party is an error at its FILE:LINE:COL.
set -eu
: "${MHS:?MHS must point at the mhs binary}"
: "${MHS_SOURCE_DIR:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
sed '/^expect:/,$d' "$MHS_SOURCE_DIR/tests/scenarios/smime/roundtrip.yaml" >"$tmp/base.yaml"
with() { # with FILE EXPECTATION...: the scenario with this expect list
    out=$1
    shift
    { cat "$tmp/base.yaml"; echo "expect:"; for e in "$@"; do echo "  - $e"; done; } >"$out"
}

# What the run did: eve-tls taps a TLS link, eve-store a clear one; the
# signature lets nobody on the way alter s1 undetected.
with "$tmp/ok.yaml" \
    "{message: s1, exposure: actual, party: eve-tls, read: false, alter: false}" \
    "{message: s1, exposure: actual, party: eve-store, read: true, alter: false}" \
    "{message: s1, exposure: none, party: mx.b.test, read: true, alter: true}" \
    "{message: s1, exposure: tls, party: eve-store, read: false}" \
    "{message: s1, exposure: smime-encrypted, party: ms.b.test, read: false, alter: true}" \
    "{message: s1, exposure: smime-signed, party: msa.a.test, alter: false}" \
    "{message: s1, exposure: tls, party: bob-pc}"
"$MHS" run "$tmp/ok.yaml" >"$tmp/out" || fail "held: $(sed -n '/expectations:/,/held/p' "$tmp/out")"
grep -q "pass: 7 of 7 expectations held" "$tmp/out" || fail "held: $(cat "$tmp/out")"

with "$tmp/no.yaml" \
    "{message: s1, exposure: tls, party: eve-store, read: true}" \
    "{message: s1, exposure: none, party: msa.a.test, read: true, alter: false}" \
    "{message: s1, exposure: actual, party: carol-pc}"
set +e
"$MHS" run "$tmp/no.yaml" >"$tmp/out" 2>&1
rc=$?
set -e
[ $rc -eq 1 ] || fail "turned around: exit $rc, want 1"
grep -q "fail: 0 of 3 expectations held" "$tmp/out" || fail "turned around: $(cat "$tmp/out")"
grep -A1 "FAIL s1 under tls: eve-store reads it" "$tmp/out" | grep -q "got: eve-store does not read it" ||
    fail "tls row: $(cat "$tmp/out")"
grep -A1 "FAIL s1 under none: msa.a.test reads it, cannot alter it" "$tmp/out" |
    grep -q "got: msa.a.test reads it (.*), can alter it" || fail "none row: $(cat "$tmp/out")"
grep -A1 "FAIL s1 under actual: carol-pc is a party" "$tmp/out" | grep -q "carol-pc is not on s1's path" ||
    fail "off the path: $(cat "$tmp/out")"

bad() { # bad EXPECTATION WANT
    with "$tmp/bad.yaml" "$1"
    set +e
    "$MHS" run "$tmp/bad.yaml" >/dev/null 2>"$tmp/err"
    rc=$?
    set -e
    [ $rc -eq 2 ] || fail "$1: exit $rc, want 2"
    grep -q "$2" "$tmp/err" || fail "$1: $(cat "$tmp/err")"
}
bad "{message: s1, exposure: ssl, party: eve-tls}" \
    "bad.yaml:[0-9]*:[0-9]*: 'exposure' must be 'actual', 'none', 'tls', 'dkim', 'smime-signed' or 'smime-encrypted', not 'ssl'"
bad "{message: s1, exposure: tls, party: nobody-pc}" "bad.yaml:[0-9]*:[0-9]*: .*nobody-pc"
bad "{message: s1, exposure: tls, party: eve-tls, read: maybe}" "bad.yaml:[0-9]*:[0-9]*: .*read"
bad "{message: s1, exposure: tls}" "bad.yaml:[0-9]*:[0-9]*: .*party"
echo "exposure expect: all checks passed"
