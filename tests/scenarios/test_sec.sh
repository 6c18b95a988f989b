#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end ESMTP security: SMTP AUTH at submission (RFC 4954: 530, 535,
# 538, success with ESMTPA/ESMTPSA, every SASL mechanism, sender login
# match 553) and STARTTLS (RFC 3207) at the client levels may, encrypt and
# verify against servers that offer it, do not, or present a certificate
# for another name; a server at level encrypt (530); eavesdroppers that
# read PLAIN credentials and CRAM-MD5 exchanges in clear and only TLS
# record sizes after STARTTLS. Asserts on the exit
# status, the table and the JSON Lines trace; the same seed gives the same
# trace, TLS included.
set -eu
: "${MHS:?MHS must point at the mhs binary}"
: "${MHS_SOURCE_DIR:?}"
dir="$MHS_SOURCE_DIR/tests/scenarios/sec"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
has() { grep -q -- "$1" "$2" || fail "$3"; }
hasnt() { ! grep -q -- "$1" "$2" || fail "$3"; }

# ---- 1. AUTH -------------------------------------------------------------
"$MHS" run "$dir/auth.yaml" --trace "$tmp/a.jsonl" >"$tmp/a.out" || fail "auth scenario: $(cat "$tmp/a.out")"
has '^pass: 11 of 11 expectations held' "$tmp/a.out" "auth summary"
has '^m1 .*delivered .*alice-pc@.* > msa.polito.it@.* > mx.example.com@' "$tmp/a.out" "m1 row"
has '^c1 .*rejected 530' "$tmp/a.out" "AUTH missing: no 530 row"
has '^d1 .*rejected 535' "$tmp/a.out" "wrong password: no 535 row"
has '^e1 .*rejected 538' "$tmp/a.out" "AUTH before TLS: no 538 row"
has '^m3 .*rejected 553' "$tmp/a.out" "forged From: no 553 row"
has '^m4 .*rejected 553' "$tmp/a.out" "foreign MAIL FROM: no 553 row"
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$tmp/a.jsonl" ||
    fail "auth trace is not JSON Lines"
# Required AUTH missing: 530 at MAIL, the message refused at submission.
has '"ev":"msg.reject","node":"carol-pc","msg":"c1".*"code":530,"reason":"530 5.7.0 Authentication required"' \
    "$tmp/a.jsonl" "530 reject record"
# Wrong password: auth.attempt failure, 535 5.7.8, and never the password.
has '"ev":"auth.attempt","node":"msa.polito.it".*"peer":"dave-pc","mechanism":"PLAIN","user":"dave@polito.it","result":"failure","reason":"credentials"' \
    "$tmp/a.jsonl" "failed auth.attempt"
has '"code":535,"reason":"535 5.7.8 ' "$tmp/a.jsonl" "535 5.7.8"
hasnt 'alice-secret' "$tmp/a.jsonl" "a password is in the trace"
hasnt 'guess' "$tmp/a.jsonl" "the wrong password is in the trace"
# Under TLS the AUTH line is not shown (it was ciphertext on the wire).
hasnt '"peer":"alice-pc","line":"AUTH PLAIN A' "$tmp/a.jsonl" "credentials sent under TLS are in the trace"
# In clear they are on the wire, so the trace shows them (erin: sniffable).
has '"peer":"erin-pc","line":"AUTH PLAIN AGVyaW5AcG9saXRvLml0AGVyaW4tc2VjcmV0"' "$tmp/a.jsonl" \
    "clear-text AUTH line not shown"
has '"ev":"smtp.cmd","node":"msa.polito.it".*"peer":"alice-pc","line":"(credentials)"' "$tmp/a.jsonl" \
    "credential line not marked"
# Success: ESMTPSA at the MSA (Received protocol), ESMTPS at the MX.
has '"ev":"auth.attempt","node":"msa.polito.it".*"peer":"alice-pc","mechanism":"PLAIN","user":"alice@polito.it","result":"success","tls":true' \
    "$tmp/a.jsonl" "successful auth.attempt"
has '"ev":"msg.accept","node":"msa.polito.it","msg":"m1".*"proto":"ESMTPSA"' "$tmp/a.jsonl" "ESMTPSA at the MSA"
has '"ev":"msg.accept","node":"mx.example.com","msg":"m1".*"proto":"ESMTPS"' "$tmp/a.jsonl" "ESMTPS at the MX"
# Other mechanisms; CRAM-MD5 and DIGEST-MD5 need a cleartext-equivalent secret.
has '"mechanism":"CRAM-MD5","user":"frank@polito.it","result":"success".*"secret":"cleartext-equivalent"' \
    "$tmp/a.jsonl" "CRAM-MD5"
has '"mechanism":"LOGIN","user":"gina@polito.it","result":"success".*"secret":"password"' "$tmp/a.jsonl" "LOGIN"
has '"mechanism":"DIGEST-MD5","user":"hal@polito.it","result":"success".*"secret":"cleartext-equivalent"' \
    "$tmp/a.jsonl" "DIGEST-MD5"
# tls_only: AUTH in clear gets 538 5.7.11 and no auth.attempt.
has '"msg":"e1".*"code":538,"reason":"538 5.7.11 Encryption required' "$tmp/a.jsonl" "538 record"
hasnt '"ev":"auth.attempt".*"peer":"erin-pc"' "$tmp/a.jsonl" "AUTH in clear was attempted"
# The second submission resumes the TLS session (ticket from the first).
has '"t":2\.[0-9]*,"ev":"tls.handshake","node":"alice-pc".*"resumed":true' "$tmp/a.jsonl" "no resumption"
has '"t":1\.[0-9]*,"ev":"tls.handshake","node":"alice-pc".*"resumed":false.*"verified":true' \
    "$tmp/a.jsonl" "first handshake"
# Same seed, same trace (TLS randomness never reaches it).
"$MHS" run -q "$dir/auth.yaml" --trace "$tmp/a2.jsonl" >/dev/null
cmp -s "$tmp/a.jsonl" "$tmp/a2.jsonl" || fail "two runs of auth.yaml differ"

# ---- 2. STARTTLS levels -------------------------------------------------
"$MHS" run "$dir/tls.yaml" --until 30s --trace "$tmp/t.jsonl" >"$tmp/t.out" || fail "tls scenario: $(cat "$tmp/t.out")"
has '^pass: 10 of 10 expectations held' "$tmp/t.out" "tls summary"
has '^may-clear .*delivered' "$tmp/t.out" "may without STARTTLS: not delivered"
has '^encrypt-none .*queued .*out-encrypt@[0-9.]*(defer)' "$tmp/t.out" "encrypt without STARTTLS: not deferred"
has '^verify-mismatch .*queued .*(defer)' "$tmp/t.out" "verify mismatch: not deferred"
has '^plain-530 .*rejected 530' "$tmp/t.out" "server encrypt: no 530"
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$tmp/t.jsonl" ||
    fail "tls trace is not JSON Lines"
# may: TLS where offered (ESMTPS), clear text where not (ESMTP, no handshake).
has '"ev":"tls.handshake","node":"out-may".*"peer":"mx.example.com","result":"ok","version":"TLSv1.3"' \
    "$tmp/t.jsonl" "may: no handshake with mx.example.com"
has '"ev":"msg.accept","node":"mx.example.com","msg":"may-tls".*"proto":"ESMTPS"' "$tmp/t.jsonl" "may: not ESMTPS"
has '"ev":"msg.accept","node":"mx.example.net","msg":"may-clear".*"proto":"ESMTP"' "$tmp/t.jsonl" "may: clear"
# encrypt: no STARTTLS offered -> QUIT, deferred with a 4.7.5 reason.
has '"ev":"msg.defer","node":"out-encrypt","msg":"encrypt-none".*"reason":"4.7.5 TLS is required, but was not offered by host mx.example.net"' \
    "$tmp/t.jsonl" "encrypt: no 4xx deferral"
has '"ev":"smtp.cmd","node":"mx.example.net".*"peer":"out-encrypt","line":"QUIT"' "$tmp/t.jsonl" "encrypt: no QUIT"
hasnt '"ev":"smtp.cmd","node":"mx.example.net".*"peer":"out-encrypt","line":"MAIL' "$tmp/t.jsonl" \
    "encrypt: mail sent in clear"
has '"ev":"msg.accept","node":"mx.example.com","msg":"encrypt-tls".*"proto":"ESMTPS"' "$tmp/t.jsonl" "encrypt: not ESMTPS"
# verify: chain and name checked; a mismatch fails the handshake and defers.
has '"ev":"tls.handshake","node":"out-verify".*"peer":"mx.example.com","result":"ok".*"verified":true,"verify":"ok"' \
    "$tmp/t.jsonl" "verify: good certificate not verified"
has '"ev":"tls.handshake","node":"out-verify".*"peer":"mail.example.org","result":"failed".*"verified":false,"verify":"hostname mismatch"' \
    "$tmp/t.jsonl" "verify: no mismatch record"
has '"ev":"msg.defer","node":"out-verify","msg":"verify-mismatch".*"reason":"4.7.5 TLS handshake with mail.example.org failed: certificate verify failed: hostname mismatch"' \
    "$tmp/t.jsonl" "verify: mismatch not deferred"
hasnt '"ev":"msg.accept","node":"mx.example.org"' "$tmp/t.jsonl" "verify: mail accepted despite the mismatch"
# Server level encrypt: 530 before STARTTLS, ESMTPS after it.
has '"msg":"plain-530".*"code":530,"reason":"530 5.7.0 Must issue a STARTTLS command first"' "$tmp/t.jsonl" \
    "server encrypt: 530 text"
has '"ev":"msg.accept","node":"sub-encrypt","msg":"tls-ok".*"proto":"ESMTPS"' "$tmp/t.jsonl" "server encrypt: ESMTPS"
"$MHS" run -q "$dir/tls.yaml" --until 30s --trace "$tmp/t2.jsonl" >/dev/null
cmp -s "$tmp/t.jsonl" "$tmp/t2.jsonl" || fail "two runs of tls.yaml differ"

# ---- 3. Eavesdroppers on submission links -------------------------------
"$MHS" run "$dir/eavesdrop.yaml" --trace "$tmp/e.jsonl" >"$tmp/e.out" || fail "eavesdrop scenario"
has '^pass: 3 of 3 expectations held' "$tmp/e.out" "eavesdrop summary"
# PLAIN in clear: the password is read off the wire.
has '"ev":"tap.observe","node":"eve1".*"from":"alice-pc","to":"msa.a.test","what":"credentials","mechanism":"PLAIN","user":"alice@a.test","password":"alice-pw"' \
    "$tmp/e.jsonl" "eve1 did not decode PLAIN"
has '"node":"eve1".*"what":"line","line":"MAIL FROM:<alice@a.test>' "$tmp/e.jsonl" "eve1 saw no MAIL line"
# CRAM-MD5 in clear: no password, but challenge and response that a
# dictionary attack can check (RFC 2195: HMAC-MD5 keyed with the password).
hasnt '"password":"bob-pw"' "$tmp/e.jsonl" "CRAM-MD5 leaked the password"
line=$(grep '"node":"eve2".*"what":"cram-md5"' "$tmp/e.jsonl") || fail "eve2 saw no CRAM-MD5 exchange"
python3 - "$line" <<'PY' || fail "sniffed CRAM-MD5 response does not match the password"
import hashlib, hmac, json, sys
r = json.loads(sys.argv[1])
want = hmac.new(b"bob-pw", r["challenge"].encode(), hashlib.md5).hexdigest()
assert r["user"] == "bob@a.test" and r["response"] == want, (r, want)
PY
# STARTTLS first: clear lines up to the 220, then record sizes only.
has '"node":"eve3".*"what":"starttls"' "$tmp/e.jsonl" "eve3 saw no STARTTLS"
has '"node":"eve3".*"what":"tls-records","records":[0-9]*,"bytes":[0-9]*,"sizes":"' "$tmp/e.jsonl" \
    "eve3 saw no TLS records"
hasnt '"node":"eve3".*"what":"credentials"' "$tmp/e.jsonl" "eve3 read credentials through TLS"
hasnt '"node":"eve3".*"line":"MAIL' "$tmp/e.jsonl" "eve3 read MAIL through TLS"
hasnt 'carol-pw' "$tmp/e.jsonl" "carol's password is in the trace"
"$MHS" run -q "$dir/eavesdrop.yaml" --trace "$tmp/e2.jsonl" >/dev/null
cmp -s "$tmp/e.jsonl" "$tmp/e2.jsonl" || fail "two runs of eavesdrop.yaml differ"

# ---- 4. Bad security settings are input errors (exit 2) ----------------
sed 's/tls: {client: may}}/tls: {client: sometimes}}/' "$dir/auth.yaml" >"$tmp/bad1.yaml"
set +e
"$MHS" check "$tmp/bad1.yaml" >/dev/null 2>"$tmp/bad1.err"; rc1=$?
sed 's/tls: {server: may, client: may}/tls: {server: verify, client: may}/' "$dir/auth.yaml" >"$tmp/bad2.yaml"
"$MHS" check "$tmp/bad2.yaml" >/dev/null 2>"$tmp/bad2.err"; rc2=$?
sed 's/CRAM-MD5, DIGEST-MD5\]/CRAM-MD5, SCRAM-SHA-1]/' "$dir/auth.yaml" >"$tmp/bad3.yaml"
"$MHS" check "$tmp/bad3.yaml" >/dev/null 2>"$tmp/bad3.err"; rc3=$?
set -e
[ $rc1 -eq 2 ] && [ $rc2 -eq 2 ] && [ $rc3 -eq 2 ] || fail "bad settings: exit $rc1 $rc2 $rc3, want 2"
has "bad1.yaml:[0-9]*:[0-9]*: 'client' of 'tls' must be one of none, may, encrypt, verify, secure, not 'sometimes'" \
    "$tmp/bad1.err" "bad client level message: $(cat "$tmp/bad1.err")"
has "'server' of 'tls' must be one of none, may, encrypt" "$tmp/bad2.err" "bad server level message"
has "unknown SASL mechanism 'SCRAM-SHA-1'" "$tmp/bad3.err" "bad mechanism message"
# --keylog: NSS key log lines for every TLS session (Wireshark decrypts
# with them), identical traces with or without it, none without TLS.
"$MHS" run -q "$dir/tls.yaml" --until 30s --keylog "$tmp/keys.log" --trace "$tmp/t3.jsonl" >/dev/null
[ -s "$tmp/keys.log" ] || fail "--keylog wrote nothing for a TLS scenario"
if grep -Ev '^(CLIENT_RANDOM|CLIENT_HANDSHAKE_TRAFFIC_SECRET|SERVER_HANDSHAKE_TRAFFIC_SECRET|CLIENT_TRAFFIC_SECRET_0|SERVER_TRAFFIC_SECRET_0|EXPORTER_SECRET) [0-9a-f]{64} [0-9a-f]+$' "$tmp/keys.log" >/dev/null; then
    fail "--keylog line not in NSS key log format: $(grep -Ev '^[A-Z_0-9]+ [0-9a-f]{64} ' "$tmp/keys.log" | head -1)"
fi
grep -q '^CLIENT_TRAFFIC_SECRET_0 ' "$tmp/keys.log" || fail "--keylog lacks TLS 1.3 traffic secrets"
cmp -s "$tmp/t.jsonl" "$tmp/t3.jsonl" || fail "--keylog changed the trace"
if grep -q "$(head -1 "$tmp/keys.log" | cut -d' ' -f3)" "$tmp/t3.jsonl"; then
    fail "key material in the trace"
fi
"$MHS" run -q "$MHS_SOURCE_DIR/scenarios/quickstart.yaml" --keylog "$tmp/none.log" >/dev/null
[ ! -s "$tmp/none.log" ] || fail "--keylog wrote lines without TLS"
set +e
"$MHS" run -q "$MHS_SOURCE_DIR/scenarios/quickstart.yaml" --keylog "$tmp/no/such/dir/k.log" 2>/dev/null
rc=$?
set -e
[ $rc -eq 2 ] || fail "--keylog to an unwritable path: exit $rc, want 2"
echo "ok"
