#!/bin/sh
# SPDX-License-Identifier: MIT
# S/MIME in the simulation (RFC 8551): users' certificates from the
# scenario CA, every kind of protected message round trip from the
# sender's MUA to the recipient's (verify, decrypt), the steps of secure
# message creation in the trace, a recipient without a certificate under
# both MUA behaviours, a tampering relay detected by the signature, an
# encrypted message stored as ciphertext only, the who-can-read /
# who-can-change records for the five cases, and what the simulation
# delivered checked by `openssl cms`. Asserts on the exit status, the
# table and the JSON Lines trace; the same seed gives the same trace.
set -eu
: "${MHS:?MHS must point at the mhs binary}"
: "${MHS_SOURCE_DIR:?}"
dir="$MHS_SOURCE_DIR/tests/scenarios/smime"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
has() { grep -q -- "$1" "$2" || fail "$3"; }
hasnt() { ! grep -q -- "$1" "$2" || fail "$3"; }

# ---- 1. round trips ------------------------------------------------------
"$MHS" run "$dir/roundtrip.yaml" --trace "$tmp/r.jsonl" --smime-dir "$tmp/x" >"$tmp/r.out" ||
    fail "roundtrip scenario: $(cat "$tmp/r.out")"
has '^pass: 16 of 16 expectations held' "$tmp/r.out" "roundtrip summary"
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$tmp/r.jsonl" ||
    fail "roundtrip trace is not JSON Lines"
# Certificates: the address as rfc822Name SAN, RSA or P-256, never Ed25519.
has '"ev":"smime.cert","node":"ca","user":"alice@a.test","key":"rsa2048","subject":"CN=alice@a.test,[^"]*","san":"alice@a.test"' \
    "$tmp/r.jsonl" "alice's certificate"
has '"ev":"smime.cert","node":"ca","user":"erin@b.test","key":"p256"' "$tmp/r.jsonl" "erin's P-256 certificate"
hasnt '"ev":"smime.cert","node":"ca","user":"carol@b.test"' "$tmp/r.jsonl" "carol has a certificate"
# The steps of secure message creation, in order, with sizes.
for step in canonicalize digest signed-attributes signature cms transfer-encoding mime; do
    has "\"ev\":\"smime.step\",\"node\":\"alice-pc\",\"msg\":\"s1\",\"op\":\"sign\",\"n\":[0-9]*,\"step\":\"$step\",\"size\":[1-9]" \
        "$tmp/r.jsonl" "s1 step $step"
done
has '"msg":"s1","op":"sign","n":2,"step":"digest","size":32,"detail":"SHA-256 ' "$tmp/r.jsonl" "digest algorithm and size"
has '"msg":"e1","op":"encrypt","n":[0-9]*,"step":"content-key","size":32,"detail":"random 32-octet aes-256-gcm' \
    "$tmp/r.jsonl" "content-encryption key and cipher"
# Key wrapping per recipient: bob, then alice herself (her sent copy).
has '"msg":"e1","op":"encrypt","n":[0-9]*,"step":"key-wrap","size":256,"detail":"recipient 1: KeyTransRecipientInfo' \
    "$tmp/r.jsonl" "key wrap for bob"
has '"msg":"e1","op":"encrypt","n":[0-9]*,"step":"key-wrap","size":256,"detail":"recipient 2: ' "$tmp/r.jsonl" \
    "key wrap for the sender"
has '"msg":"ec1","op":"sign+encrypt","n":[0-9]*,"step":"key-wrap","size":40,"detail":"recipient 1: KeyAgreeRecipientInfo' \
    "$tmp/r.jsonl" "ECDH key agreement for erin"
has '"msg":"e1","op":"encrypt","n":[0-9]*,"step":"transfer-encoding"' "$tmp/r.jsonl" "e1 base64 step"
# Every kind arrives and is checked by the recipient's MUA.
for m in s1 o1 se1; do
    has "\"ev\":\"smime.verify\",\"node\":\"bob-pc\",\"msg\":\"$m\",\"result\":\"valid\",\"valid\":true,\"signer\":\"alice@a.test\"" \
        "$tmp/r.jsonl" "$m not verified"
done
has '"ev":"smime.decrypt","node":"bob-pc","msg":"e1","result":"ok","ok":true,"kind":"auth-enveloped"' \
    "$tmp/r.jsonl" "e1 not decrypted"
has '"ev":"smime.decrypt","node":"erin-pc","msg":"ec1","result":"ok"' "$tmp/r.jsonl" "ec1 not decrypted"
has '"ev":"smime.protect","node":"bob-pc","msg":"r1","mode":"sign+encrypt","result":"protected"' "$tmp/r.jsonl" \
    "the reply was not protected"
has '"ev":"smime.verify","node":"alice-pc","msg":"r1","result":"valid","valid":true,"signer":"bob@b.test"' \
    "$tmp/r.jsonl" "the reply was not verified"
hasnt '"ev":"smime.verify","node":"bob-pc","msg":"p1"' "$tmp/r.jsonl" "a plain message was verified"
# A recipient without a certificate: alice refuses, dave sends in clear.
has '"ev":"smime.protect","node":"alice-pc","msg":"n1","mode":"encrypt","result":"refused","missing":"carol@b.test"' \
    "$tmp/r.jsonl" "refusal not traced"
hasnt '"ev":"msg.submit","node":"alice-pc","msg":"n1"' "$tmp/r.jsonl" "refused message was submitted"
has '"ev":"smime.protect","node":"dave-pc","msg":"n2","mode":"sign+encrypt","result":"sent-plain","missing":"carol@b.test"' \
    "$tmp/r.jsonl" "send_plain not traced"
has '^n1 .*carol@b.test *rejected' "$tmp/r.out" "n1 row"
# The encrypted messages are ciphertext at the store (stored_contains
# expectations above); the clear-signed one is readable there.
has 'ok   e1 stored without "4711"' "$tmp/r.out" "e1 plaintext at the store"
has 'ok   s1 stored with "Clear-signed lunch plan."' "$tmp/r.out" "s1 not readable at the store"
# Same seed, same trace (keys and ciphertexts never reach it).
"$MHS" run -q "$dir/roundtrip.yaml" --trace "$tmp/r2.jsonl" --smime-dir "$tmp/x2" >/dev/null
cmp -s "$tmp/r.jsonl" "$tmp/r2.jsonl" || fail "two runs of roundtrip.yaml differ"
# Same seed, same CA, certificates, keys and signed copies; encryption
# draws a new content key every time.
for f in ca.pem alice@a.test.pem alice@a.test.key erin@b.test.key s1.bob@b.test.eml o1.bob@b.test.eml; do
    cmp -s "$tmp/x/$f" "$tmp/x2/$f" || fail "$f differs between two runs with one seed"
done
! cmp -s "$tmp/x/e1.bob@b.test.eml" "$tmp/x2/e1.bob@b.test.eml" || fail "two encryptions are identical"
"$MHS" run -q --seed 8 "$dir/roundtrip.yaml" --smime-dir "$tmp/x3" >/dev/null
! cmp -s "$tmp/x/alice@a.test.key" "$tmp/x3/alice@a.test.key" || fail "another seed gives the same key"

# ---- 2. who can read, who can change --------------------------------------
# cell MSG CASE PARTY READ ALTER: one exposure record.
cell() {
    python3 - "$tmp/r.jsonl" "$@" <<'PY' || fail "exposure $2 $3 $4: expected read=$5 alter=$6"
import json, sys
path, msg, case, party, read, alter = sys.argv[1:]
want = (read == "true", alter == "true")
for line in open(path):
    r = json.loads(line)
    if r["ev"] == "exposure" and r["msg"] == msg and r["case"] == case and r["party"] == party:
        sys.exit(0 if (r["read"], r["alter"]) == want else 1)
sys.exit(1)
PY
}
has '"ev":"exposure.msg","node":"alice-pc","msg":"e1","protection":"encrypt","links":4,"tls_links":2,"dkim_signer":"msa.a.test","dkim_verifier":"mx.b.test","rows":7' \
    "$tmp/r.jsonl" "e1 exposure summary"
# No protection: every relay, store and tap reads and can alter.
cell p1 none mx.b.test true true
cell p1 none eve-tls true true
cell p1 none ms.b.test true true
# TLS on every link: relays still read and alter; a tap reads nothing.
cell p1 tls mx.b.test true true
cell p1 tls eve-tls false false
cell p1 tls eve-store false false
# DKIM (signed at the MSA, verified at the MX): a change between them is
# caught, the signer's own and any after the verifier are not.
cell p1 dkim eve-tls true false
cell p1 dkim msa.a.test true true
cell p1 dkim ms.b.test true true
# S/MIME signed: everyone reads, nobody alters undetected.
cell s1 smime-signed ms.b.test true false
cell s1 smime-signed eve-store true false
# S/MIME encrypted: nobody between reads; a relay can still substitute.
cell e1 smime-encrypted mx.b.test false true
cell e1 smime-encrypted ms.b.test false true
cell e1 smime-encrypted bob-pc true false
cell e1 smime-encrypted alice-pc true false
# Actual protection: TLS only to the MX, so the store's tap reads p1.
cell p1 actual eve-store true true
cell p1 actual eve-tls false false
cell e1 actual ms.b.test false true
cell se1 actual ms.b.test false false
cell se1 actual eve-store false false
cell s1 actual ms.b.test true false
# dave's message went out in clear: actual = what TLS and DKIM give.
cell n2 actual ms.b.test true true
# The table mhs run prints for each protected message.
has '^exposure e1 (S/MIME encrypt; TLS on 2 of 4 links; DKIM signed at msa.a.test, verified at mx.b.test)' \
    "$tmp/r.out" "e1 table heading"
has '^  ms.b.test  *ms  *-A  *RA  *RA  *RA  *R-  *-A$' "$tmp/r.out" "e1 store row"
has '^    eve-tls \[msa.a.test~mx.b.test\]  *tap  *--  *RA  *--  *R-  *R-  *-A$' "$tmp/r.out" "e1 tap row"
hasnt '^exposure p1 ' "$tmp/r.out" "an unprotected message got a table without --exposure"
"$MHS" run --exposure "$dir/roundtrip.yaml" >"$tmp/all.out" || fail "--exposure"
has '^exposure p1 (S/MIME none' "$tmp/all.out" "--exposure leaves out p1"

# exposure: true without S/MIME: records for scenario mail, none for traffic.
cat >"$tmp/exp.yaml" <<'YAML'
name: Exposure without S/MIME
exposure: true
nodes:
  - {name: a-pc, role: mua, ip: 10.0.0.1, user: a@x.test, msa: msa}
  - {name: msa, role: msa, ip: 10.0.0.2, relayhost: mx}
  - {name: mx, role: mta, ip: 10.0.0.3, relay: {domains: [y.test]}, local_domains: [y.test],
     deliver_to: ms}
  - {name: ms, role: ms, ip: 10.0.0.4, domains: [y.test]}
  - {name: eve, role: eavesdropper, ip: 10.9.0.1, tap: [msa, mx]}
users:
  - {address: b@y.test}
events:
  - {at: 1s, send: {from: a-pc, to: [b@y.test], id: m1}}
  - {at: 2s, traffic: {from: [a-pc], to: [b@y.test], count: 3, id_prefix: t}}
YAML
"$MHS" run -q "$tmp/exp.yaml" --trace "$tmp/exp.jsonl" >/dev/null || fail "exposure scenario"
has '"ev":"exposure.msg","node":"a-pc","msg":"m1","protection":"none","links":3,"tls_links":0,"rows":5' \
    "$tmp/exp.jsonl" "exposure: true gave no table for m1"
has '"ev":"exposure","node":"eve","msg":"m1","case":"actual","row":2,"party":"eve","role":"tap","link":"msa~mx","read":true,"alter":true' \
    "$tmp/exp.jsonl" "eve's actual row"
hasnt '"ev":"exposure.msg","node":"a-pc","msg":"t1"' "$tmp/exp.jsonl" "traffic got an exposure table"
[ "$(grep -c '"ev":"exposure"' "$tmp/exp.jsonl")" -eq 30 ] || fail "m1: not 6 cases x 5 rows"
"$MHS" run -q "$MHS_SOURCE_DIR/scenarios/quickstart.yaml" --trace "$tmp/q.jsonl" >/dev/null
hasnt '"ev":"exposure' "$tmp/q.jsonl" "exposure records without S/MIME or exposure: true"

# ---- 3. a tampering relay ---------------------------------------------------
"$MHS" run "$dir/tamper.yaml" --trace "$tmp/t.jsonl" --smime-dir "$tmp/y" >"$tmp/t.out" ||
    fail "tamper scenario: $(cat "$tmp/t.out")"
has '^pass: 11 of 11 expectations held' "$tmp/t.out" "tamper summary"
has '"ev":"msg.tamper","node":"evil-relay.a.test","msg":"t-sign","replaced":1,"appended":true' "$tmp/t.jsonl" \
    "tamper record"
has '"ev":"smime.verify","node":"bob-pc","msg":"t-sign","result":"content altered","valid":false,"signer":"alice@a.test"' \
    "$tmp/t.jsonl" "altered signed message not reported"
has '"ev":"smime.verify","node":"bob-pc","msg":"t-opaque","result":"malformed","valid":false' "$tmp/t.jsonl" \
    "altered opaque message not reported"
hasnt '"ev":"smime.verify","node":"bob-pc","msg":"t-plain"' "$tmp/t.jsonl" "plain message verified"
# A valid signature under a forged From (RFC 8550 3): the address does not match.
has '"ev":"smime.verify","node":"bob-pc","msg":"t-forged","result":"address mismatch","valid":false,"signer":"alice@a.test","from":"ceo@a.test"' \
    "$tmp/t.jsonl" "forged From not reported"
# A man in the middle edits a signed message on a clear link.
has '"ev":"smime.verify","node":"bob-pc","msg":"t-mitm","result":"content altered","valid":false' "$tmp/t.jsonl" \
    "the mitm's change was not reported"
has '^    mallory \[mx.b.test~ms.b.test\]  *mitm  *R-  *RA  *--  *RA  *R-  *-A$' "$tmp/t.out" "mitm exposure row"

# ---- 4. loader errors -------------------------------------------------------
sed 's/smime: rsa}/smime: ed25519}/' "$dir/roundtrip.yaml" >"$tmp/bad1.yaml"
set +e
"$MHS" check "$tmp/bad1.yaml" 2>"$tmp/bad1.err"; rc=$?
set -e
[ "$rc" -eq 2 ] || fail "ed25519 user key: exit $rc"
has "bad1.yaml:[0-9]*:[0-9]*: 'smime' must be true, false, rsa or p256, not 'ed25519' (S/MIME needs RSA or EC" \
    "$tmp/bad1.err" "ed25519 message"
sed 's/smime: opaque-sign/smime: opaque/' "$dir/roundtrip.yaml" >"$tmp/bad2.yaml"
set +e
"$MHS" check "$tmp/bad2.yaml" 2>"$tmp/bad2.err"; rc=$?
set -e
[ "$rc" -eq 2 ] || fail "bad smime mode: exit $rc"
has "bad2.yaml:[0-9]*:[0-9]*: 'smime' must be none, sign, opaque-sign, encrypt or sign+encrypt" "$tmp/bad2.err" \
    "bad mode message"

# ---- 5. what the simulation delivered, checked by openssl -----------------
command -v openssl >/dev/null || { echo "SKIP: openssl is not installed (interop part)"; exit 0; }
x="$tmp/x"
[ -s "$x/ca.pem" ] && [ -s "$x/bob@b.test.key" ] || fail "--smime-dir wrote no CA or key"
openssl cms -verify -in "$x/s1.bob@b.test.eml" -CAfile "$x/ca.pem" -purpose smimesign \
    -out "$tmp/s1.txt" 2>"$tmp/v.err" || fail "openssl: s1 does not verify: $(cat "$tmp/v.err")"
has 'Clear-signed lunch plan.' "$tmp/s1.txt" "s1 content"
openssl cms -verify -in "$x/o1.bob@b.test.eml" -CAfile "$x/ca.pem" -out "$tmp/o1.txt" 2>/dev/null ||
    fail "openssl: o1 does not verify"
has 'Opaque-signed lunch plan.' "$tmp/o1.txt" "o1 content"
for m in s1 o1; do
    openssl smime -verify -in "$x/$m.bob@b.test.eml" -CAfile "$x/ca.pem" -out /dev/null 2>/dev/null ||
        fail "openssl smime: $m does not verify"
done
openssl cms -decrypt -in "$x/e1.bob@b.test.eml" -recip "$x/bob@b.test.pem" -inkey "$x/bob@b.test.key" \
    -out "$tmp/e1.txt" || fail "openssl: e1 does not decrypt"
has 'The vault code is 4711.' "$tmp/e1.txt" "e1 content"
openssl cms -decrypt -in "$x/se1.bob@b.test.eml" -recip "$x/bob@b.test.pem" -inkey "$x/bob@b.test.key" \
    -out "$tmp/se1.eml" || fail "openssl: se1 does not decrypt"
openssl cms -verify -in "$tmp/se1.eml" -CAfile "$x/ca.pem" -out "$tmp/se1.txt" 2>/dev/null ||
    fail "openssl: se1's inner signature does not verify"
has 'Signed and sealed: meet at noon.' "$tmp/se1.txt" "se1 content"
openssl cms -decrypt -in "$x/ec1.erin@b.test.eml" -recip "$x/erin@b.test.pem" -inkey "$x/erin@b.test.key" \
    -out "$tmp/ec1.eml" || fail "openssl: ec1 (ECDH) does not decrypt"
# Alice is a recipient of her own encrypted mail; carol never is.
openssl cms -decrypt -in "$x/e1.bob@b.test.eml" -recip "$x/alice@a.test.pem" -inkey "$x/alice@a.test.key" \
    -out /dev/null || fail "openssl: alice cannot read her sent copy"
# The tampered copy fails with openssl too.
if openssl cms -verify -in "$tmp/y/t-sign.bob@b.test.eml" -CAfile "$tmp/y/ca.pem" -out /dev/null 2>/dev/null; then
    fail "openssl verifies the tampered t-sign"
fi
echo "PASS"
