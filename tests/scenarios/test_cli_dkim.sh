#!/bin/sh
# SPDX-License-Identifier: MIT
# `mhs dkim sign|verify|keygen` (RFC 6376, RFC 8463): sign-then-verify
# round trips with RSA and Ed25519 keys made by openssl, a tampered body
# (fail, body hash mismatch), a missing key (permerror), an unsigned
# message (none), keygen's published record, the RFC 8463 A.3 message
# with its A.2 records, and bad input (exit 2).
set -eu
: "${MHS:?MHS must point at the mhs binary}"
: "${MHS_SOURCE_DIR:?}"
cli="$MHS_SOURCE_DIR/tests/scenarios/cli"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v openssl >/dev/null || { echo "SKIP: openssl is not installed"; exit 0; }

# Keys: RSA 2048 and Ed25519; p= is the base64 SubjectPublicKeyInfo for RSA
# and the raw 32-octet key for Ed25519 (RFC 8463 4), the tail of its SPKI.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp/rsa.pem" 2>/dev/null
openssl genpkey -algorithm ED25519 -out "$tmp/ed.pem"
rsa_p=$(openssl pkey -in "$tmp/rsa.pem" -pubout -outform DER | base64 | tr -d '\n')
ed_p=$(openssl pkey -in "$tmp/ed.pem" -pubout -outform DER | tail -c 32 | base64 | tr -d '\n')
cat >"$tmp/zone.yaml" <<ZONE
rsa1._domainkey.polito.it: {TXT: ["v=DKIM1; k=rsa; p=$rsa_p"]}
ed1._domainkey.polito.it: {TXT: ["v=DKIM1; k=ed25519; p=$ed_p"]}
down._domainkey.polito.it: {fail: SERVFAIL}
ZONE

sign() { "$MHS" dkim sign --domain polito.it --time 1700000000 "$@"; }
verify() { "$MHS" dkim verify --dns "$tmp/zone.yaml" --time 1700000100 "$@"; }

# 1. RSA round trip; LF-only input comes out with CRLF line ends.
sign --key "$tmp/rsa.pem" --selector rsa1 <"$cli/plain.eml" >"$tmp/rsa.eml" || fail "rsa sign"
head -n 1 "$tmp/rsa.eml" | grep -q '^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=polito.it; s=rsa1;' ||
    fail "rsa signature field: $(head -n 1 "$tmp/rsa.eml")"
grep -q 't=1700000000;' "$tmp/rsa.eml" || fail "--time not used for t="
[ "$(grep -c "$(printf '\r')\$" "$tmp/rsa.eml")" -eq "$(wc -l <"$tmp/rsa.eml")" ] ||
    fail "output lines do not all end in CRLF"
verify <"$tmp/rsa.eml" >"$tmp/v" || fail "rsa verify exit"
[ "$(cat "$tmp/v")" = "pass d=polito.it s=rsa1 a=rsa-sha256" ] || fail "rsa verify: $(cat "$tmp/v")"

# 2. Ed25519 round trip, simple/simple, chosen headers; then both
#    signatures on one message, one line each, top first.
sign --key "$tmp/ed.pem" --selector ed1 --algo ed25519-sha256 --canon simple/simple \
    --headers from:to:subject <"$tmp/rsa.eml" >"$tmp/both.eml" || fail "ed25519 sign"
head -n 1 "$tmp/both.eml" | grep -q 'a=ed25519-sha256; c=simple/simple;' || fail "ed25519 field"
grep -q 'h=from:to:subject;' "$tmp/both.eml" || fail "--headers not used"
verify <"$tmp/both.eml" >"$tmp/v"
printf 'pass d=polito.it s=ed1 a=ed25519-sha256\npass d=polito.it s=rsa1 a=rsa-sha256\n' >"$tmp/want"
diff "$tmp/want" "$tmp/v" || fail "two signatures"
verify --explain <"$tmp/both.eml" | grep -q 'key=2048 bits' || fail "--explain key size"

# 3. Tampering: a changed body breaks bh= for both signatures.
sed 's/results/grades/' "$tmp/both.eml" | verify >"$tmp/v"
printf 'fail (body hash mismatch) d=polito.it s=ed1 a=ed25519-sha256\nfail (body hash mismatch) d=polito.it s=rsa1 a=rsa-sha256\n' >"$tmp/want"
diff "$tmp/want" "$tmp/v" || fail "tampered body"
# A changed signed header breaks b= (relaxed canonicalization of the rest).
sed 's/^Subject: Lab 3/Subject: Lab 4/' "$tmp/rsa.eml" | verify >"$tmp/v"
grep -q '^fail (signature mismatch) d=polito.it s=rsa1' "$tmp/v" || fail "tampered header: $(cat "$tmp/v")"

# 4. No key, a failing key lookup, no signature.
sign --key "$tmp/ed.pem" --selector nokey <"$cli/plain.eml" | verify >"$tmp/v"
[ "$(cat "$tmp/v")" = "permerror (no key for signature) d=polito.it s=nokey a=ed25519-sha256" ] ||
    fail "missing key: $(cat "$tmp/v")"
sign --key "$tmp/ed.pem" --selector down <"$cli/plain.eml" | verify >"$tmp/v"
grep -q '^temperror (key lookup failed) d=polito.it s=down' "$tmp/v" || fail "SERVFAIL key: $(cat "$tmp/v")"
verify <"$cli/plain.eml" >"$tmp/v" || fail "unsigned exit"
[ "$(cat "$tmp/v")" = none ] || fail "unsigned: $(cat "$tmp/v")"

# 5. keygen: the printed record verifies what the new key signs.
for algo in ed25519-sha256 rsa-sha256; do
    rec=$("$MHS" dkim keygen --algo $algo --bits 1024 --out "$tmp/k-$algo.pem") || fail "keygen $algo"
    echo "$rec" | grep -q '^v=DKIM1; k=[a-z0-9]*; p=[A-Za-z0-9+/=]*$' || fail "keygen record: $rec"
    echo "gen._domainkey.example.org: {TXT: [\"$rec\"]}" >"$tmp/gen.yaml"
    "$MHS" dkim sign --key "$tmp/k-$algo.pem" --domain example.org --selector gen <"$cli/plain.eml" |
        "$MHS" dkim verify --dns "$tmp/gen.yaml" | grep -q "^pass d=example.org s=gen a=$algo\$" ||
        fail "keygen $algo round trip"
done

# 6. RFC 8463 A.3: the published message verifies with the A.2 records
#    (copied into cli/rfc8463-zone.yaml), and the A.1 Ed25519 seed signs
#    what the brisbane record verifies.
if [ -n "${MHS_CONFORMANCE_DIR:-}" ] && [ -f "$MHS_CONFORMANCE_DIR/dkim/rfc8463/signed.eml" ]; then
    rfc="$MHS_CONFORMANCE_DIR/dkim/rfc8463"
    "$MHS" dkim verify --dns "$cli/rfc8463-zone.yaml" <"$rfc/signed.eml" >"$tmp/v" || fail "rfc8463 exit"
    printf 'pass d=football.example.com s=brisbane a=ed25519-sha256\npass d=football.example.com s=test a=rsa-sha256\n' >"$tmp/want"
    diff "$tmp/want" "$tmp/v" || fail "RFC 8463 signed.eml"
    sed '/^DKIM-Signature:/,/^From:/{/^From:/!d}' "$rfc/signed.eml" >"$tmp/rfc-unsigned.eml"
    "$MHS" dkim sign --key "$rfc/ed25519.private.b64" --domain football.example.com \
        --selector brisbane <"$tmp/rfc-unsigned.eml" |
        "$MHS" dkim verify --dns "$cli/rfc8463-zone.yaml" |
        grep -q '^pass d=football.example.com s=brisbane a=ed25519-sha256$' || fail "A.1 seed signing"
else
    echo "SKIP: the conformance folder is absent: RFC 8463 vectors not checked"
fi

# 7. Bad input: exit 2 and a message.
bad() {
    set +e
    "$MHS" dkim "$@" <"$cli/plain.eml" >"$tmp/b.out" 2>"$tmp/b.err"
    rc=$?
    set -e
    [ $rc -eq 2 ] || fail "dkim $*: exit $rc, want 2"
    [ -s "$tmp/b.err" ] || fail "dkim $*: no message"
}
bad sign --key "$tmp/ed.pem" --domain polito.it --selector s --algo rsa-sha256
grep -q 'the key is ed25519-sha256, not rsa-sha256' "$tmp/b.err" || fail "algo mismatch message"
bad sign --key "$tmp/no-such.pem" --domain polito.it --selector s
bad sign --key "$tmp/ed.pem" --domain polito.it --selector s --canon loose/simple
bad sign --key "$tmp/ed.pem" --selector s
bad verify --dns "$cli/bad-zone.yaml"
grep -q 'bad-zone.yaml:4:[0-9]*:' "$tmp/b.err" || fail "bad zone message"
bad verify
bad frobnicate
printf 'Subject: no from\n\nbody\n' >"$tmp/nofrom.eml"
set +e
"$MHS" dkim sign --key "$tmp/ed.pem" --domain polito.it --selector s <"$tmp/nofrom.eml" >/dev/null 2>&1
rc=$?
set -e
[ $rc -eq 2 ] || fail "message without From: exit $rc, want 2"
"$MHS" help dkim | grep -q 'verify' || fail "help dkim"
"$MHS" help dkim sign | grep -q -- '--selector' || fail "help dkim sign"
echo "cli dkim: all checks passed"
