#!/bin/sh
# SPDX-License-Identifier: MIT
# The exposure table over several recipients' paths (docs/trace.md,
# "Exposure records, precisely"): one message to bob (over TLS to his MX,
# tapped by eve-b) and carol (in clear to hers, tapped by eve-c). Every
# party of both paths has a row naming whose path it lies on; eve-c reads
# carol's copy in clear, and reads nothing once carol's MX offers
# STARTTLS; a message to carol alone keeps the one-path table (no `to`,
# no `paths`, nobody from bob's side).
set -eu
: "${MHS:?MHS must point at the mhs binary}"
: "${MHS_SOURCE_DIR:?}"
scen="$MHS_SOURCE_DIR/tests/scenarios/exposure/two-paths.yaml"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# exposure RECORDS PARTY CASE: the party's exposure record of that case.
exposure() {
    grep '"ev":"exposure"' "$1" | grep "\"party\":\"$2\"" | grep "\"case\":\"$3\"" || true
}

"$MHS" run "$scen" --trace "$tmp/clear.jsonl" --exposure >"$tmp/clear.out" ||
    fail "clear: $(cat "$tmp/clear.out")"
grep -q "pass: 8 of 8 expectations held" "$tmp/clear.out" || fail "clear: $(cat "$tmp/clear.out")"
grep '"ev":"exposure.msg"' "$tmp/clear.jsonl" | grep -q '"rows":10,"paths":2' ||
    fail "no two-path table: $(grep '"ev":"exposure.msg"' "$tmp/clear.jsonl")"
rec=$(exposure "$tmp/clear.jsonl" eve-c actual)
echo "$rec" | grep -q '"link":"msa.a.test~mx.c.test","to":"carol@c.test","read":true,"alter":true' ||
    fail "eve-c in clear: $rec"
echo "$rec" | grep -q '"read_why":"clear text on the wire"' || fail "eve-c why: $rec"
rec=$(exposure "$tmp/clear.jsonl" eve-b actual)
echo "$rec" | grep -q '"to":"bob@b.test","read":false' || fail "eve-b over TLS: $rec"
rec=$(exposure "$tmp/clear.jsonl" msa.a.test none)
echo "$rec" | grep -q '"to":"bob@b.test,carol@c.test"' || fail "msa on both paths: $rec"
for p in alice-pc msa.a.test eve-b mx.b.test ms.b.test bob-pc eve-c mx.c.test ms.c.test carol-pc; do
    [ "$(exposure "$tmp/clear.jsonl" "$p" tls | wc -l)" = 1 ] || fail "$p: not one row"
done
grep -q "eve-c \[msa.a.test~mx.c.test\] .* to carol@c.test" "$tmp/clear.out" ||
    fail "the printed table: $(cat "$tmp/clear.out")"

# STARTTLS at carol's MX: the same tap reads nothing.
sed -e 's/tls: {server: none}/tls: {server: may}/' \
    -e 's/party: eve-c, read: true, alter: true/party: eve-c, read: false, alter: false/' \
    "$scen" >"$tmp/tls.yaml"
"$MHS" run "$tmp/tls.yaml" --trace "$tmp/tls.jsonl" >"$tmp/tls.out" || fail "tls: $(cat "$tmp/tls.out")"
rec=$(exposure "$tmp/tls.jsonl" eve-c actual)
echo "$rec" | grep -q '"to":"carol@c.test","read":false,"alter":false' || fail "eve-c over TLS: $rec"
echo "$rec" | grep -q '"read_why":"TLS on this link"' || fail "eve-c why over TLS: $rec"

# carol alone: one path, as before several paths existed.
sed -e '/^expect:/,$d' -e 's/to: \[bob@b.test, carol@c.test\]/to: [carol@c.test]/' "$scen" \
    >"$tmp/one.yaml"
"$MHS" run "$tmp/one.yaml" --trace "$tmp/one.jsonl" >"$tmp/one.out" || fail "one: $(cat "$tmp/one.out")"
grep '"ev":"exposure.msg"' "$tmp/one.jsonl" | grep -q '"rows":6}' ||
    fail "one path: $(grep '"ev":"exposure.msg"' "$tmp/one.jsonl")"
! grep '"ev":"exposure"' "$tmp/one.jsonl" | grep -q '"to":' || fail "one path has 'to'"
[ -z "$(exposure "$tmp/one.jsonl" eve-b none)" ] || fail "eve-b is on carol's path"
[ -n "$(exposure "$tmp/one.jsonl" eve-c none)" ] || fail "eve-c is not on carol's path"
echo "ok"
