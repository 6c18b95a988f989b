#!/bin/sh
# SPDX-License-Identifier: MIT
# `mhs spf` (RFC 7208 check_host()) against tests/scenarios/cli/spf-zone.yaml:
# the DESIGN 5 polito.it "ptr ~all" policy with and without a validated
# PTR, ip4 pass/fail with an exp= explanation, a gmail-style redirect and
# include chain (IPv4 and IPv6), temperror, permerror, neutral, none,
# --explain, and bad input (exit 2 with a message).
set -eu
: "${MHS:?MHS must point at the mhs binary}"
: "${MHS_SOURCE_DIR:?}"
zone="$MHS_SOURCE_DIR/tests/scenarios/cli/spf-zone.yaml"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# expect RESULT ARGS...: the first output line is RESULT, exit status 0.
expect() {
    want=$1
    shift
    "$MHS" spf --dns "$zone" --time 0 "$@" >"$tmp/out" || fail "spf $*: exit $?"
    got=$(head -n 1 "$tmp/out")
    [ "$got" = "$want" ] || fail "spf $*: got '$got', want '$want'"
}

# 1. polito.it "v=spf1 ptr ~all": alice-pc's PTR is confirmed by its A
#    record (RFC 7208 5.5 validated name); a PTR whose A record points
#    elsewhere does not count; no PTR at all falls to ~all.
expect pass --ip 130.192.5.5 --sender alice@polito.it
expect softfail --ip 198.51.100.7 --sender alice@polito.it
expect softfail --ip 203.0.113.9 --sender alice@polito.it

# 2. ip4 range and -all.
expect pass --ip 198.51.100.20 --sender bob@example.com
expect fail --ip 203.0.113.9 --sender bob@example.com

# 3. gmail.com: redirect= to _spf.google.com, which includes three netblock
#    records; the second holds the IPv6 ranges, one record is split in two
#    character-strings (RFC 7208 3.3).
expect pass --ip 209.85.220.41 --sender user@gmail.com
expect pass --ip 66.102.1.27 --sender user@gmail.com
expect pass --ip 2001:4860:4864:20::2d --sender user@gmail.com
expect pass --ip 108.177.100.1 --sender user@gmail.com
expect softfail --ip 192.0.2.1 --sender user@gmail.com

# 4. The other results.
expect temperror --ip 192.0.2.1 --sender user@broken.example
expect permerror --ip 192.0.2.1 --sender user@loop.example
expect neutral --ip 192.0.2.1 --sender user@neutral.example
expect none --ip 192.0.2.1 --sender user@nowhere.example
# Null reverse path: postmaster@HELO is checked (RFC 7208 2.4).
expect pass --ip 198.51.100.20 --sender "" --helo example.com
expect pass --ip 198.51.100.20 --helo example.com --helo-identity

# 5. --explain: the steps, the deciding term, the published explanation.
"$MHS" spf --dns "$zone" --ip 203.0.113.9 --sender bob@example.com --explain >"$tmp/e" ||
    fail "--explain exit status"
[ "$(head -n 1 "$tmp/e")" = fail ] || fail "--explain: first line is not the result"
grep -q '^step: check_host(ip4, example.com, bob@example.com)$' "$tmp/e" || fail "no check_host step"
grep -q '^step: DNS query TXT example.com$' "$tmp/e" || fail "no DNS query step"
grep -q '^step: ip4:198.51.100.0/24 does not match$' "$tmp/e" || fail "no mismatch step"
grep -q '^mechanism: -all$' "$tmp/e" || fail "no deciding mechanism"
grep -q "^explanation: 203.0.113.9 is not one of example.com's designated mail servers.$" "$tmp/e" ||
    fail "no expanded explanation"
"$MHS" spf --dns "$zone" --ip 209.85.220.41 --sender user@gmail.com --explain >"$tmp/g"
grep -q '^step: redirect: check_host(_spf.google.com)$' "$tmp/g" || fail "no redirect step"
grep -q '^step: include: check_host(_netblocks.google.com)$' "$tmp/g" || fail "no include step"
grep -q '^mechanism: include:_netblocks.google.com$' "$tmp/g" || fail "gmail: deciding term"
grep -q '^lookups: [0-9]' "$tmp/g" || fail "no lookup count"
"$MHS" spf --dns "$zone" --ip 203.0.113.9 --sender alice@polito.it --explain >"$tmp/p"
grep -q '^mechanism: ~all$' "$tmp/p" || fail "polito: deciding term"
# Without --explain only the result is printed.
"$MHS" spf --dns "$zone" --ip 203.0.113.9 --sender bob@example.com >"$tmp/n"
[ "$(wc -l <"$tmp/n")" -eq 1 ] || fail "without --explain: more than one line"

# 6. A whole scenario works as a zone (its dns: key).
expect_scn() {
    "$MHS" spf --dns "$MHS_SOURCE_DIR/scenarios/quickstart.yaml" "$@" >"$tmp/s" || fail "scenario zone"
}
expect_scn --ip 192.0.2.1 --sender nobody@nowhere.invalid
[ "$(head -n 1 "$tmp/s")" = none ] || fail "scenario zone: $(head -n 1 "$tmp/s")"

# 7. Bad input: exit 2 and a message on stderr, nothing on stdout.
bad() {
    set +e
    "$MHS" spf "$@" >"$tmp/b.out" 2>"$tmp/b.err"
    rc=$?
    set -e
    [ $rc -eq 2 ] || fail "spf $*: exit $rc, want 2"
    [ ! -s "$tmp/b.out" ] || fail "spf $*: printed a result"
}
bad --dns "$zone" --ip 1.2.3.999 --sender a@example.com
grep -q "'1.2.3.999' is not an IPv4 or IPv6 address" "$tmp/b.err" || fail "bad IP message"
bad --dns "$MHS_SOURCE_DIR/tests/scenarios/cli/bad-zone.yaml" --ip 1.2.3.4 --sender a@example.com
grep -q 'bad-zone.yaml:4:[0-9]*: .*300.1.2.3' "$tmp/b.err" || fail "bad zone message: $(cat "$tmp/b.err")"
bad --dns "$tmp/no-such-zone.yaml" --ip 1.2.3.4 --sender a@example.com
bad --dns "$zone" --sender a@example.com
bad --dns "$zone" --ip 1.2.3.4
"$MHS" help spf | grep -q -- '--explain' || fail "help spf"
echo "cli spf: all checks passed"
