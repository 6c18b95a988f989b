#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end ESMTP security: SMTP AUTH at submission (RFC 4954: 530, 535,
# 538, success with ESMTPA/ESMTPSA, every SASL mechanism, sender login
# match 553) and STARTTLS (RFC 3207) at the client levels may, encrypt and
# verify against servers that offer it, do not, or present a certificate
# for another name; a server at level encrypt (530); eavesdroppers that
# read PLAIN credentials and CRAM-MD5 exchanges in clear and only TLS
# record sizes after STARTTLS; men in the middle that strip STARTTLS
# (against may: clear text, flagged; against encrypt: deferred), answer
# 454, rewrite a message and inject a command after STARTTLS; AUTH from an
# MSA to its relayhost, the client levels none and secure, and TLS session
# resumption. Asserts on the exit
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
# ---- 5. Men in the middle (RFC 3207 6) ----------------------------------
"$MHS" run "$dir/mitm.yaml" --until 30s --trace "$tmp/m.jsonl" --pcap "$tmp/m.pcap" >"$tmp/m.out" ||
    fail "mitm scenario: $(cat "$tmp/m.out")"
has '^pass: 9 of 9 expectations held' "$tmp/m.out" "mitm summary"
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$tmp/m.jsonl" ||
    fail "mitm trace is not JSON Lines"
# Stripped against may: STARTTLS gone from the EHLO reply the client saw,
# mail in clear text (ESMTP), the downgrade flagged, the message sniffed.
has '"node":"strip1".*"from":"mx.example.com","to":"out-may","what":"starttls-stripped","line":"250-STARTTLS"' \
    "$tmp/m.jsonl" "strip1 did not strip"
has '"ev":"smtp.reply","node":"out-may".*"code":250,"text":"mx.example.com | PIPELINING' "$tmp/m.jsonl" \
    "out-may saw no EHLO reply"
hasnt '"ev":"smtp.reply","node":"out-may".*"code":250,"text":"mx.example.com.*STARTTLS' "$tmp/m.jsonl" \
    "out-may still saw STARTTLS"
has '"ev":"tls.skipped","node":"out-may".*"peer":"mx.example.com","level":"may","reason":"not offered"' \
    "$tmp/m.jsonl" "downgrade not flagged"
has '"ev":"msg.accept","node":"mx.example.com","msg":"may-stripped".*"proto":"ESMTP"' "$tmp/m.jsonl" \
    "may-stripped not accepted in clear"
has '"node":"strip1".*"what":"message","size":' "$tmp/m.jsonl" "strip1 did not read the message"
hasnt '"ev":"tls.handshake","node":"out-may"' "$tmp/m.jsonl" "out-may made a handshake"
# Stripped against encrypt: QUIT, deferred 4.7.5, nothing of the mail in clear.
has '"ev":"msg.defer","node":"out-encrypt","msg":"encrypt-stripped".*"reason":"4.7.5 TLS is required, but was not offered by host mx.example.com"' \
    "$tmp/m.jsonl" "encrypt-stripped not deferred"
has '"node":"strip2".*"what":"line","line":"QUIT"' "$tmp/m.jsonl" "strip2 saw no QUIT"
hasnt '"node":"strip2".*"line":"\(MAIL\|RCPT\|DATA\)' "$tmp/m.jsonl" "envelope sent in clear past strip2"
hasnt '"node":"strip2".*"what":"message"' "$tmp/m.jsonl" "message sent in clear past strip2"
hasnt 'secret plans' "$tmp/m.jsonl" "the encrypt-only body is in the trace"
hasnt '"ev":"tls.skipped","node":"out-encrypt"' "$tmp/m.jsonl" "encrypt reported a skipped TLS"
# STARTTLS answered 454 by the attacker, never reaching the server.
has '"node":"block1".*"what":"starttls-blocked","reply":"454 4.7.0 TLS not available due to temporary reason"' \
    "$tmp/m.jsonl" "block1 did not answer 454"
hasnt '"ev":"smtp.cmd","node":"mx.example.com".*"peer":"out-block","line":"STARTTLS"' "$tmp/m.jsonl" \
    "STARTTLS reached the server through block1"
has '"ev":"smtp.reply","node":"out-block".*"code":454' "$tmp/m.jsonl" "out-block got no 454"
has '"ev":"tls.skipped","node":"out-block".*"reason":"refused"' "$tmp/m.jsonl" "refused TLS not flagged"
has '"ev":"msg.defer","node":"out-block-enc","msg":"encrypt-blocked".*"reason":"454 4.7.0' "$tmp/m.jsonl" \
    "encrypt-blocked not deferred with the 454"
hasnt '"node":"block2".*"what":"message"' "$tmp/m.jsonl" "message sent in clear past block2"
# Rewrite rules: the body and a header changed in transit, a reply too.
has '"node":"rw1".*"what":"rewrite","direction":"to_server","rule":0,"count":1,"before":"Please pay to IBAN DE00 1111 today.","after":"Please pay to IBAN XX99 6666 today."' \
    "$tmp/m.jsonl" "rw1 did not rewrite the body"
has '"node":"rw1".*"direction":"to_client","rule":2,.*"after":"250 2.0.0 Fine: queued as' "$tmp/m.jsonl" \
    "rw1 did not rewrite the reply"
has '"ev":"smtp.reply","node":"out-rw".*"text":"2.0.0 Fine: queued as' "$tmp/m.jsonl" "out-rw got the original reply"
# Injection after STARTTLS (CVE-2011-0411): discarded by the server, the
# mail goes on under TLS; the attacker sees only record sizes afterwards.
has '"node":"inj1".*"what":"rewrite","direction":"to_server","rule":0,"count":1,"before":"STARTTLS","after":"STARTTLS\\\\r\\\\nRSET"' \
    "$tmp/m.jsonl" "inj1 did not inject"
has '"ev":"tls.handshake","node":"mx.example.com".*"peer":"out-inj","result":"ok".*"discarded":6' "$tmp/m.jsonl" \
    "injected RSET not discarded"
hasnt '"ev":"smtp.cmd","node":"mx.example.com".*"peer":"out-inj","line":"RSET"' "$tmp/m.jsonl" \
    "injected RSET was run"
has '"ev":"msg.accept","node":"mx.example.com","msg":"injected".*"proto":"ESMTPS"' "$tmp/m.jsonl" "injected not ESMTPS"
has '"node":"inj1".*"what":"tls-passthrough"' "$tmp/m.jsonl" "inj1 did not step aside for TLS"
# The capture stays consistent with removed and injected bytes: TCP
# sequence numbers are contiguous in every direction.
python3 - "$tmp/m.pcap" <<'PY' || fail "pcap sequence numbers have gaps"
import struct, sys
d = open(sys.argv[1], "rb").read()
off, nxt, n = 24, {}, 0
while off < len(d):
    incl = struct.unpack("<I", d[off + 8:off + 12])[0]
    p = d[off + 16:off + 16 + incl]
    off += 16 + incl
    ip = p[14:]
    ihl = (ip[0] & 15) * 4
    tot = struct.unpack(">H", ip[2:4])[0]
    tcp = ip[ihl:]
    sp, dp, seq = struct.unpack(">HHI", tcp[:8])
    doff, flags = (tcp[12] >> 4) * 4, tcp[13]
    key = (ip[12:16], ip[16:20], sp, dp)
    assert key not in nxt or nxt[key] == seq, (key, nxt[key], seq)
    nxt[key] = (seq + tot - ihl - doff + (1 if flags & 3 else 0)) & 0xFFFFFFFF
    n += 1
assert n > 100, n
PY
"$MHS" run -q "$dir/mitm.yaml" --until 30s --trace "$tmp/m2.jsonl" >/dev/null
cmp -s "$tmp/m.jsonl" "$tmp/m2.jsonl" || fail "two runs of mitm.yaml differ"
# Segments of 7 bytes split lines and replies: the attacker holds partial
# lines, and its actions are the same.
sed 's/^seed: 5$/seed: 5\nnetwork: {mtu: 7}/' "$dir/mitm.yaml" >"$tmp/mtu.yaml"
"$MHS" run "$tmp/mtu.yaml" --until 30s --trace "$tmp/m3.jsonl" >"$tmp/m3.out" || fail "mitm with mtu 7"
has '^pass: 9 of 9 expectations held' "$tmp/m3.out" "mitm with mtu 7 summary"
acts() { grep -o '"what":"\(starttls-stripped\|starttls-blocked\|rewrite\|tls-passthrough\)".*' "$1" | sort; }
[ "$(acts "$tmp/m.jsonl")" = "$(acts "$tmp/m3.jsonl")" ] || fail "mtu 7 changed the attacker's actions"
[ "$(acts "$tmp/m.jsonl" | wc -l)" -eq 10 ] || fail "want 10 attacker actions, got $(acts "$tmp/m.jsonl" | wc -l)"
sed 's/direction: to_client}/direction: sideways}/' "$dir/mitm.yaml" >"$tmp/bad4.yaml"
set +e
"$MHS" check "$tmp/bad4.yaml" >/dev/null 2>"$tmp/bad4.err"; rc4=$?
set -e
[ $rc4 -eq 2 ] || fail "bad rewrite direction: exit $rc4, want 2"
has "bad4.yaml:[0-9]*:[0-9]*: 'direction' of a 'rewrite' rule must be to_server or to_client, not 'sideways'" \
    "$tmp/bad4.err" "bad direction message: $(cat "$tmp/bad4.err")"

# ---- 6. AUTH to the relayhost; client levels none and secure ------------
"$MHS" run "$dir/relay-auth.yaml" --until 90s --trace "$tmp/r.jsonl" >"$tmp/r.out" ||
    fail "relay-auth scenario: $(cat "$tmp/r.out")"
has '^pass: 3 of 3 expectations held' "$tmp/r.out" "relay-auth summary"
has '"ev":"auth.attempt","node":"smarthost".*"peer":"msa1","mechanism":"PLAIN","user":"relay1@a.test","result":"success","tls":true' \
    "$tmp/r.jsonl" "msa1 did not authenticate"
has '"ev":"msg.accept","node":"smarthost","msg":"auth-ok".*"proto":"ESMTPSA"' "$tmp/r.jsonl" "no ESMTPSA at the relayhost"
has '"ev":"auth.attempt","node":"smarthost".*"peer":"msa2".*"result":"failure","reason":"credentials"' \
    "$tmp/r.jsonl" "msa2 wrong password not refused"
has '"ev":"msg.defer","node":"msa2","msg":"auth-bad".*"reason":"535 5.7.8 ' "$tmp/r.jsonl" \
    "auth-bad not deferred (soft bounce)"
hasnt '"ev":"msg.bounce","node":"msa2"' "$tmp/r.jsonl" "a refused relayhost login bounced"
has '"ev":"auth.attempt","node":"smarthost2".*"peer":"msa3","mechanism":"CRAM-MD5","user":"relay3@a.test","result":"success","tls":false' \
    "$tmp/r.jsonl" "msa3 CRAM-MD5"
has '"ev":"msg.accept","node":"smarthost2","msg":"auth-cram".*"proto":"ESMTPA"' "$tmp/r.jsonl" "no ESMTPA"
hasnt 'relay1-pw\|relay3-pw\|wrong-pw' "$tmp/r.jsonl" "a relayhost password is in the trace"
# secure: chain and name checked; none: STARTTLS offered, never used.
has '"ev":"tls.handshake","node":"msa1".*"peer":"smarthost","result":"ok".*"verified":true,"verify":"ok"' \
    "$tmp/r.jsonl" "secure did not verify"
has '"ev":"smtp.reply","node":"msa3".*"code":250,"text":"smarthost2 | .*STARTTLS' "$tmp/r.jsonl" \
    "smarthost2 did not offer STARTTLS"
hasnt '"ev":"tls.handshake","node":"msa3"' "$tmp/r.jsonl" "level none started TLS"
hasnt '"ev":"tls.skipped","node":"msa3"' "$tmp/r.jsonl" "level none reported a skipped TLS"
# Resumption: msa2's retry (second connection) to the smarthost resumes.
has '"ev":"tls.handshake","node":"msa2".*"peer":"smarthost","result":"ok".*"resumed":false' "$tmp/r.jsonl" \
    "msa2 first handshake"
has '"ev":"tls.handshake","node":"msa2".*"peer":"smarthost","result":"ok".*"resumed":true' "$tmp/r.jsonl" \
    "msa2 second connection not resumed"
has '"ev":"tls.handshake","node":"smarthost".*"peer":"msa2","result":"ok".*"resumed":true' "$tmp/r.jsonl" \
    "smarthost did not resume"
# With session_tickets off on the smarthost, nothing resumes.
sed 's/tls: {server: may, client: may}/tls: {server: may, client: may, session_tickets: false}/' \
    "$dir/relay-auth.yaml" >"$tmp/notick.yaml"
"$MHS" run -q "$tmp/notick.yaml" --until 90s --trace "$tmp/r2.jsonl" >/dev/null
grep -q '"ev":"tls.handshake","node":"msa2".*"resumed":false' "$tmp/r2.jsonl" || fail "no handshake without tickets"
hasnt '"resumed":true' "$tmp/r2.jsonl" "resumed although the server issues no tickets"
echo "ok"
