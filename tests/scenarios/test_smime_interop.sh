#!/bin/sh
# SPDX-License-Identifier: MIT
# `mhs smime` against OpenSSL's command line (RFC 8551 interoperability):
# what mhs signs verifies with `openssl cms -verify` and `openssl smime
# -verify`, what it encrypts decrypts with `openssl cms -decrypt` (and
# `openssl smime -decrypt` for AES-CBC with RSA PKCS #1 v1.5); what
# `openssl cms|smime -sign|-encrypt` writes verifies and decrypts with
# mhs. Negative cases: altered content, address mismatch, unknown signer,
# expired signer, not a recipient. Certificates are made by `openssl req`
# and `openssl x509 -req` with an email subjectAltName, and by `mhs smime
# ca|issue` (checked by `openssl verify -purpose smimesign`).
set -eu
: "${MHS:?MHS must point at the mhs binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v openssl >/dev/null || { echo "SKIP: openssl is not installed"; exit 0; }
cd "$tmp"

# ---- Certificates made by openssl: a CA, three users (RSA-2048 and P-256),
# one with another address, one self-signed outsider.
cat >ca.cnf <<'CNF'
[req]
distinguished_name = dn
[dn]
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[user_rsa]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = emailProtection
subjectAltName = email:$ENV::EMAIL
[user_ec]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyAgreement
extendedKeyUsage = emailProtection
subjectAltName = email:$ENV::EMAIL
CNF
export EMAIL=unused@example.com
openssl req -x509 -new -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 \
    -subj "/CN=Mail CA/O=mhs" -config ca.cnf -extensions v3_ca 2>/dev/null
serial=100
user() { # NAME EMAIL rsa|ec
    serial=$((serial + 1))
    if [ "$3" = ec ]; then
        openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" \
            -subj "/CN=$1" -config ca.cnf -out "$1.csr" 2>/dev/null
    else
        openssl req -new -newkey rsa:2048 -nodes -keyout "$1.key" -subj "/CN=$1" \
            -config ca.cnf -out "$1.csr" 2>/dev/null
    fi
    EMAIL=$2 openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -set_serial "$serial" \
        -days 30 -extfile ca.cnf -extensions "user_$3" -out "$1.pem" 2>/dev/null
}
user alice alice@polito.it rsa
user bob bob@example.com rsa
user carol carol@example.com ec
user mallory mallory@evil.example rsa
EMAIL=alice@polito.it openssl req -x509 -new -newkey rsa:2048 -nodes -keyout eve.key \
    -out eve.pem -days 30 -subj "/CN=Alice" -config ca.cnf -extensions user_rsa 2>/dev/null

printf 'From: Alice <alice@polito.it>\nTo: Bob <bob@example.com>\nSubject: Lab results\nDate: Wed, 15 Nov 2023 10:00:00 +0000\n\nThe grades are attached.\n' >msg.eml
printf 'Content-Type: text/plain\r\n\r\nHello from openssl\r\n' >entity.txt

mhs_verify() { "$MHS" smime verify --ca ca.pem "$@"; }
expect_line() { # FILE LINE WHAT
    [ "$(head -n 1 "$1")" = "$2" ] || fail "$3: got '$(head -n 1 "$1")', want '$2'"
}

# ---- mhs signs, OpenSSL verifies.
"$MHS" smime sign --cert alice.pem --key alice.key <msg.eml >clear.eml
grep -q '^Subject: Lab results' clear.eml || fail "outer Subject lost"
grep -q 'multipart/signed; protocol="application/pkcs7-signature"' clear.eml ||
    fail "clear-signed Content-Type"
openssl cms -verify -CAfile ca.pem -in clear.eml -out out.txt 2>err.txt ||
    fail "openssl cms -verify on mhs clear-signed: $(cat err.txt)"
grep -q 'The grades are attached.' out.txt || fail "openssl cms -verify content"
openssl smime -verify -CAfile ca.pem -in clear.eml -out /dev/null 2>err.txt ||
    fail "openssl smime -verify on mhs clear-signed: $(cat err.txt)"
"$MHS" smime sign --opaque --cert alice.pem --key alice.key <msg.eml >opaque.eml
grep -q 'smime-type=signed-data' opaque.eml || fail "opaque Content-Type"
openssl cms -verify -CAfile ca.pem -in opaque.eml -out out.txt 2>err.txt ||
    fail "openssl cms -verify on mhs opaque-signed: $(cat err.txt)"
grep -q 'The grades are attached.' out.txt || fail "opaque content"
openssl smime -verify -CAfile ca.pem -in opaque.eml -out /dev/null 2>err.txt ||
    fail "openssl smime -verify on mhs opaque-signed: $(cat err.txt)"
# A P-256 signer (ECDSA with SHA-256).
sed 's/alice@polito.it/carol@example.com/' msg.eml >carol.eml
"$MHS" smime sign --cert carol.pem --key carol.key <carol.eml >carol-signed.eml
openssl cms -verify -CAfile ca.pem -in carol-signed.eml -out /dev/null 2>err.txt ||
    fail "openssl cms -verify on an ECDSA signature: $(cat err.txt)"
# mhs also accepts what it wrote.
mhs_verify <clear.eml >v.txt || fail "mhs verify on its own: $(cat v.txt)"
expect_line v.txt "valid signer=alice@polito.it" "mhs verify clear"
mhs_verify <opaque.eml >v.txt || fail "mhs verify opaque: $(cat v.txt)"
expect_line v.txt "valid signer=alice@polito.it" "mhs verify opaque"

# ---- mhs encrypts, OpenSSL decrypts.
"$MHS" smime encrypt --to-cert bob.pem <msg.eml >gcm.eml
grep -q 'smime-type=authEnveloped-data' gcm.eml || fail "AES-GCM is AuthEnvelopedData"
! grep -q 'grades' gcm.eml || fail "plaintext visible in the encrypted message"
openssl cms -decrypt -recip bob.pem -inkey bob.key -in gcm.eml -out out.txt 2>err.txt ||
    fail "openssl cms -decrypt on AES-256-GCM + RSA-OAEP: $(cat err.txt)"
grep -q 'The grades are attached.' out.txt || fail "decrypted content (gcm)"
if openssl cms -decrypt -recip alice.pem -inkey alice.key -in gcm.eml -out out.txt 2>/dev/null; then
    fail "openssl decrypted for a non-recipient"
fi
"$MHS" smime encrypt --to-cert bob.pem --cipher aes-128-cbc --rsa-pkcs1 <msg.eml >cbc.eml
grep -q 'smime-type=enveloped-data' cbc.eml || fail "AES-CBC is EnvelopedData"
openssl smime -decrypt -recip bob.pem -inkey bob.key -in cbc.eml -out out.txt 2>err.txt ||
    fail "openssl smime -decrypt on AES-128-CBC + PKCS #1 v1.5: $(cat err.txt)"
grep -q 'The grades are attached.' out.txt || fail "decrypted content (smime)"
"$MHS" smime encrypt --to-cert bob.pem --to-cert carol.pem --cipher aes-256-cbc <msg.eml >two.eml
for who in bob carol; do
    openssl cms -decrypt -recip $who.pem -inkey $who.key -in two.eml -out out.txt 2>err.txt ||
        fail "openssl cms -decrypt by $who: $(cat err.txt)"
    grep -q 'The grades are attached.' out.txt || fail "decrypted content ($who)"
done
# Signed, then encrypted: openssl opens the envelope, then checks the signature.
"$MHS" smime sign --cert alice.pem --key alice.key --to-cert bob.pem <msg.eml >se.eml
openssl cms -decrypt -recip bob.pem -inkey bob.key -in se.eml -out inner.eml 2>err.txt ||
    fail "openssl cms -decrypt on signed+encrypted: $(cat err.txt)"
openssl cms -verify -CAfile ca.pem -in inner.eml -out out.txt 2>err.txt ||
    fail "openssl cms -verify on the inner signature: $(cat err.txt)"
grep -q 'The grades are attached.' out.txt || fail "signed+encrypted content"
"$MHS" smime decrypt --cert bob.pem --key bob.key <se.eml >mine.eml || fail "mhs decrypt se"
mhs_verify <mine.eml >v.txt || fail "mhs verify after decrypt: $(cat v.txt)"
expect_line v.txt "valid signer=alice@polito.it" "mhs sign+encrypt round trip"

# ---- OpenSSL signs, mhs verifies.
openssl cms -sign -signer alice.pem -inkey alice.key -in entity.txt -binary \
    -from 'Alice <alice@polito.it>' -to bob@example.com -subject hi -out os.eml
mhs_verify --content <os.eml >v.txt || fail "mhs verify on openssl cms -sign: $(cat v.txt)"
expect_line v.txt "valid signer=alice@polito.it" "openssl cms -sign"
grep -q 'Hello from openssl' v.txt || fail "mhs verify --content"
openssl cms -sign -nodetach -signer alice.pem -inkey alice.key -in entity.txt -binary \
    -from alice@polito.it -out oo.eml
mhs_verify <oo.eml >v.txt || fail "mhs verify on openssl opaque: $(cat v.txt)"
expect_line v.txt "valid signer=alice@polito.it" "openssl cms -sign -nodetach"
openssl smime -sign -signer alice.pem -inkey alice.key -in entity.txt -from alice@polito.it \
    -out sm.eml
mhs_verify <sm.eml >v.txt || fail "mhs verify on openssl smime -sign: $(cat v.txt)"
expect_line v.txt "valid signer=alice@polito.it" "openssl smime -sign"
openssl cms -sign -signer carol.pem -inkey carol.key -in entity.txt -binary \
    -from carol@example.com -out oc.eml
mhs_verify <oc.eml >v.txt || fail "mhs verify on an openssl ECDSA signature: $(cat v.txt)"

# ---- The steps, on standard error (the course's list, with sizes).
"$MHS" smime sign --cert alice.pem --key alice.key --to-cert bob.pem --to-cert carol.pem \
    --steps <msg.eml >/dev/null 2>steps.txt
for s in canonicalize digest signed-attributes signature cms transfer-encoding mime \
    content-key encrypt key-wrap; do
    grep -q "^step $s " steps.txt || fail "--steps lacks $s: $(cat steps.txt)"
done
grep -q '^step digest  *32 ' steps.txt || fail "SHA-256 digest is 32 octets"
grep -q '^step signature  *256 ' steps.txt || fail "RSA-2048 signature is 256 octets"
grep -q '^step content-key  *32 .*aes-256-gcm' steps.txt || fail "AES-256-GCM key is 32 octets"
[ "$(grep -c '^step key-wrap ' steps.txt)" -eq 2 ] || fail "one key-wrap per recipient"
grep -q '^step key-wrap  *40 .*ECDH' steps.txt || fail "ECDH + AES key wrap is 40 octets"

# ---- Negative cases, on OpenSSL's messages and mhs's own.
sed 's/Hello from openssl/Hello from 0penssl/' os.eml >tampered.eml
if mhs_verify <tampered.eml >v.txt; then fail "tampered content verified"; fi
expect_line v.txt "invalid (content altered)" "tampered openssl message"
sed 's/The grades are attached./The grades are attachee./' clear.eml >tampered.eml
if mhs_verify <tampered.eml >v.txt; then fail "tampered mhs message verified"; fi
expect_line v.txt "invalid (content altered)" "tampered mhs message"
if openssl cms -verify -CAfile ca.pem -in tampered.eml -out /dev/null 2>/dev/null; then
    fail "openssl verified the tampered mhs message"
fi
openssl cms -sign -signer mallory.pem -inkey mallory.key -in entity.txt -binary \
    -from 'Alice <alice@polito.it>' -out mallory.eml
if mhs_verify <mallory.eml >v.txt; then fail "mallory passed as alice"; fi
expect_line v.txt "invalid (address mismatch)" "signer with another address"
"$MHS" smime sign --cert eve.pem --key eve.key <msg.eml >eve.eml
if mhs_verify <eve.eml >v.txt; then fail "self-signed signer accepted"; fi
expect_line v.txt "invalid (unknown signer)" "signer outside the CA"
later=$(($(date +%s) + 400 * 86400))
if mhs_verify --time "$later" <clear.eml >v.txt; then fail "expired signer accepted"; fi
expect_line v.txt "invalid (expired)" "verify after notAfter"
if mhs_verify <gcm.eml >v.txt; then fail "an envelope passed as a signature"; fi
expect_line v.txt "invalid (not signed)" "verify on encrypted"

# ---- OpenSSL encrypts, mhs decrypts.
for c in aes-256-gcm aes-128-gcm aes-256-cbc aes-128-cbc; do
    openssl cms -encrypt -"$c" -in entity.txt -from alice@polito.it -subject s -out oe.eml bob.pem
    "$MHS" smime decrypt --cert bob.pem --key bob.key <oe.eml >out.txt ||
        fail "mhs decrypt on openssl cms -encrypt -$c"
    grep -q 'Hello from openssl' out.txt || fail "decrypted content ($c)"
    grep -q '^Subject: s' out.txt || fail "outer fields kept ($c)"
done
openssl cms -encrypt -aes-256-gcm -recip bob.pem -keyopt rsa_padding_mode:oaep -in entity.txt \
    -out oe.eml
"$MHS" smime decrypt --cert bob.pem --key bob.key <oe.eml >out.txt || fail "mhs decrypt OAEP"
openssl smime -encrypt -aes256 -in entity.txt -out oe.eml bob.pem
"$MHS" smime decrypt --cert bob.pem --key bob.key <oe.eml >out.txt ||
    fail "mhs decrypt on openssl smime -encrypt"
grep -q 'Hello from openssl' out.txt || fail "decrypted content (smime)"
openssl cms -encrypt -aes-256-gcm -in entity.txt -out oe.eml carol.pem
"$MHS" smime decrypt --cert carol.pem --key carol.key <oe.eml >out.txt ||
    fail "mhs decrypt on ECDH (P-256)"
if "$MHS" smime decrypt --cert alice.pem --key alice.key <oe.eml >out.txt 2>err.txt; then
    fail "mhs decrypted for a non-recipient"
fi
grep -q 'not a recipient' err.txt || fail "non-recipient message: $(cat err.txt)"
# OpenSSL signs then encrypts; mhs opens and verifies.
openssl cms -sign -signer alice.pem -inkey alice.key -in entity.txt -binary |
    openssl cms -encrypt -aes-256-gcm -from alice@polito.it -out ose.eml bob.pem
"$MHS" smime decrypt --cert bob.pem --key bob.key <ose.eml >inner.eml || fail "mhs decrypt ose"
mhs_verify <inner.eml >v.txt || fail "mhs verify on openssl sign+encrypt: $(cat v.txt)"
expect_line v.txt "valid signer=alice@polito.it" "openssl sign+encrypt"

# ---- Certificates made by mhs, checked by OpenSSL.
"$MHS" smime ca --cn "Lab CA" --key-type p256 --out-cert lab-ca.pem --out-key lab-ca.key
"$MHS" smime issue --ca-cert lab-ca.pem --ca-key lab-ca.key --cn Dan --email dan@polito.it \
    --out-cert dan.pem --out-key dan.key
openssl verify -purpose smimesign -CAfile lab-ca.pem dan.pem >/dev/null 2>err.txt ||
    fail "openssl verify on an mhs certificate: $(cat err.txt)"
sed 's/alice@polito.it/dan@polito.it/' msg.eml >dan.eml
"$MHS" smime sign --cert dan.pem --key dan.key --to-cert dan.pem <dan.eml >dan-se.eml
openssl cms -decrypt -recip dan.pem -inkey dan.key -in dan-se.eml -out inner.eml 2>err.txt ||
    fail "openssl decrypt for an mhs certificate: $(cat err.txt)"
openssl cms -verify -CAfile lab-ca.pem -in inner.eml -out /dev/null 2>err.txt ||
    fail "openssl verify for an mhs certificate: $(cat err.txt)"

# ---- Usage errors exit 2.
set +e
"$MHS" smime sign </dev/null >/dev/null 2>&1; [ $? -eq 2 ] || fail "sign without --cert"
"$MHS" smime encrypt --to-cert bob.pem --cipher des </dev/null >/dev/null 2>&1
[ $? -eq 2 ] || fail "unknown cipher"
"$MHS" smime verify </dev/null >/dev/null 2>&1; [ $? -eq 2 ] || fail "verify without --ca"
"$MHS" smime bogus >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown subcommand"
echo "PASS: smime interop"
