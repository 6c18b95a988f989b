#!/bin/sh
# SPDX-License-Identifier: MIT
# mhs serve with real mail clients (issue: real clients and real servers):
# swaks with AUTH PLAIN, LOGIN (pipelined) and CRAM-MD5, without and with
# STARTTLS verified against the scenario CA (--ca-out); Python smtplib with
# starttls and login; openssl s_client -starttls smtp; curl smtp://
# submission and pop3:// retrieval. Each message must reach the simulated
# store (msg.deliver in the trace, then retrieved by curl over POP3), and
# each AUTH must appear as an auth.attempt with its mechanism and TLS state.
set -eu
. "$MHS_SOURCE_DIR/tests/scenarios/serve/lib.sh"
need swaks
need curl
need openssl
need python3
scenario="$MHS_SOURCE_DIR/tests/scenarios/serve/bridge.yaml"

# Bad command lines: exit 2 and a message, nothing served.
refused "no node 'nonode'" --listen 0=nonode
refused "unknown service 'gopher'" --listen 0=msa.example.com:gopher
refused "name a service for node 'alice-pc'" --listen 0=alice-pc
refused "is not HOST:PORT" --listen x:y=msa.example.com
refused "positive factor" --speed 0 --listen 0=msa.example.com
refused "is the address of node 'msa.example.com'" --client-ip 198.51.100.2

# --until: the server stops by itself at that virtual time and judges the
# scenario's expectations like mhs run (the welcome is delivered by 2 s).
timeout 20 "$MHS" serve "$scenario" --until 2s --speed 10 --listen 0=msa.example.com \
    >"$tmp/until.out" 2>&1 || fail "serve --until: $(cat "$tmp/until.out")"
grep -q '^pass: 1 of 1 expectations held' "$tmp/until.out" || fail "serve --until: no report"
st=0
timeout 20 "$MHS" serve "$scenario" --until 500ms --speed 10 >"$tmp/until2.out" 2>&1 || st=$?
[ $st -eq 1 ] || fail "serve --until 500ms: status $st, not 1 (the welcome is not delivered yet)"
# At a speed where the first wall-clock step jumps far past --until, the
# world must still stop at 500 ms, not at the wall clock's virtual now.
st=0
timeout 20 "$MHS" serve "$scenario" --until 500ms --speed 100000 >"$tmp/until3.out" 2>&1 || st=$?
[ $st -eq 1 ] || fail "serve --until 500ms --speed 100000: status $st, not 1 (ran past --until)"

t0=$(python3 -c 'import time; print(time.monotonic())')
start_server "$scenario" --speed 4 --ca-out "$tmp/ca.pem" --keylog "$tmp/keys" --pcap "$tmp/c.pcap" \
    --listen 0=msa.example.com --listen 127.0.0.1:0=ms.example.com:pop3
sub=$(port_of submission)
pop=$(port_of pop3)
[ -n "$sub" ] && [ -n "$pop" ] || fail "no listen lines: $(cat "$tmp/serve.out")"
grep -q 'BEGIN CERTIFICATE' "$tmp/ca.pem" || fail "--ca-out wrote no certificate"

# swaks: one message per way of logging in; the subject names the way.
swaks_send() {
    name=$1
    shift
    timeout 20 swaks --server localhost --port "$sub" --from alice@example.com \
        --to bob@example.com --header "Subject: via-$name" --auth-user alice@example.com \
        --auth-password alice-secret "$@" </dev/null >"$tmp/swaks-$name.log" 2>&1 ||
        fail "swaks $name: $(tail -5 "$tmp/swaks-$name.log")"
}
swaks_send plain --auth PLAIN
swaks_send login-pipelined --auth LOGIN --pipeline
grep -q 'PIPELINING' "$tmp/swaks-login-pipelined.log" || fail "PIPELINING not offered"
swaks_send cram-tls --auth CRAM-MD5 --tls --tls-verify --tls-ca-path "$tmp/ca.pem"
swaks_send plain-tls --auth PLAIN --tls --tls-verify --tls-ca-path "$tmp/ca.pem"
grep -q 'TLS started' "$tmp/swaks-plain-tls.log" || fail "swaks: no TLS"

# Python smtplib: STARTTLS verified (hostname localhost), then login.
timeout 20 python3 - "$sub" "$tmp/ca.pem" <<'PY' || fail "smtplib"
import smtplib, ssl, sys
port, ca = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)
with smtplib.SMTP("localhost", port, timeout=10) as s:
    s.starttls(context=ctx)
    s.login("alice@example.com", "alice-secret")
    s.sendmail("alice@example.com", ["bob@example.com"],
               "From: alice@example.com\r\nTo: bob@example.com\r\nSubject: via-smtplib\r\n\r\nhi\r\n")
PY

# openssl s_client: STARTTLS with the CA and the name checked, then a
# transaction by hand (AUTH PLAIN of alice).
b64=$(printf '\000alice@example.com\000alice-secret' | openssl base64 -A)
{
    printf 'EHLO s-client\r\n'; sleep 0.5
    printf 'AUTH PLAIN %s\r\n' "$b64"; sleep 0.5
    printf 'MAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n'; sleep 0.5
    printf 'Subject: via-s_client\r\n\r\nhello\r\n.\r\nQUIT\r\n'; sleep 1
} | timeout 20 openssl s_client -starttls smtp -connect "127.0.0.1:$sub" -CAfile "$tmp/ca.pem" \
    -verify_return_error -verify_hostname localhost -quiet >"$tmp/s_client.log" 2>&1 ||
    fail "s_client: $(cat "$tmp/s_client.log")"
grep -q '^235 ' "$tmp/s_client.log" || fail "s_client: no 235 after AUTH: $(cat "$tmp/s_client.log")"
grep -q '^250 2.0.0 Ok: queued' "$tmp/s_client.log" || fail "s_client: message not queued"

# curl: submission with STARTTLS required and verified.
printf 'From: alice@example.com\r\nTo: bob@example.com\r\nSubject: via-curl\r\n\r\nhi\r\n' >"$tmp/msg"
timeout 20 curl -sS --ssl-reqd --cacert "$tmp/ca.pem" --url "smtp://localhost:$sub" \
    --mail-from alice@example.com --mail-rcpt bob@example.com --upload-file "$tmp/msg" \
    --user alice@example.com:alice-secret >"$tmp/curl-smtp.log" 2>&1 ||
    fail "curl smtp: $(cat "$tmp/curl-smtp.log")"

# Every message reaches the store (in virtual time, paced); then curl
# retrieves them over POP3.
sent=7
i=0
while :; do
    timeout 10 curl -sS --user bob@example.com:bob-secret "pop3://127.0.0.1:$pop/" \
        >"$tmp/list" 2>&1 || fail "curl pop3 LIST: $(cat "$tmp/list")"
    [ "$(wc -l <"$tmp/list")" -ge $sent ] && break
    i=$((i + 1))
    [ $i -le 20 ] || fail "only $(wc -l <"$tmp/list") of $sent messages in the mailbox"
    sleep 0.3
done
: >"$tmp/subjects"
n=1
while [ $n -le $sent ]; do
    timeout 10 curl -sS --user bob@example.com:bob-secret "pop3://127.0.0.1:$pop/$n" \
        | grep -i '^Subject:' >>"$tmp/subjects" || fail "curl pop3 RETR $n"
    n=$((n + 1))
done
for via in plain login-pipelined cram-tls plain-tls smtplib s_client curl; do
    grep -q "Subject: via-$via" "$tmp/subjects" || fail "message via-$via not retrieved"
done
# The scenario's own event (alice-pc's welcome at virtual 1 s) happened too.
timeout 10 curl -sS --user alice@example.com:alice-secret "pop3://127.0.0.1:$pop/1" \
    | grep -q '^Subject: Welcome' || fail "the scenario's welcome message is not in alice's mailbox"
stop_server
wall=$(python3 -c "import time; print(time.monotonic() - $t0)")

# Virtual time ran at --speed 4 against the wall clock.
virtual=$(sed -n 's/.*virtual time \([0-9.]*\)s.*/\1/p' "$tmp/serve.out")
python3 -c "import sys; r = $virtual / $wall; sys.exit(0 if 2.0 <= r <= 4.2 else 1)" ||
    fail "virtual $virtual s in $wall s of wall time is not speed 4"
grep -q '^pass: 1 of 1 expectations held' "$tmp/serve.out" || fail "the welcome expectation"

# The simulated side: seven deliveries at the store, seven successful
# AUTHs on the MSA with the right mechanisms and TLS states, every bridged
# connection closed.
[ "$(records msg.deliver node rcpt | grep -c "^ms.example.com	bob@example.com$")" -eq $sent ] ||
    fail "msg.deliver: $(records msg.deliver node rcpt)"
records auth.attempt node peer mechanism result tls | grep '^msa.example.com	bridge	' |
    cut -f3- | sort >"$tmp/auth"
for want in "PLAIN	success	False" "LOGIN	success	False" "CRAM-MD5	success	True" \
    "PLAIN	success	True"; do
    grep -q "^$want\$" "$tmp/auth" || fail "no auth.attempt '$want': $(cat "$tmp/auth")"
done
[ "$(grep -c '	success	' "$tmp/auth")" -eq $sent ] || fail "auth attempts: $(cat "$tmp/auth")"
! grep -q 'failure' "$tmp/auth" || fail "a failed AUTH: $(cat "$tmp/auth")"
records auth.attempt node proto ok | grep -q '^ms.example.com	POP3	True$' || fail "no POP3 login"
accepts=$(records bridge.accept conn | wc -l)
closes=$(records bridge.close conn | wc -l)
[ "$accepts" -ge $((sent + sent + 1)) ] || fail "only $accepts bridged connections"
[ "$accepts" -eq "$closes" ] || fail "$accepts accepted, $closes closed"
records tls.handshake node | grep -q '^msa.example.com' || fail "no tls.handshake at the MSA"
# The capture of the simulated links is complete at exit: a pcap file
# with the SMTP dialogue of the clear-text sessions in it.
python3 - "$tmp/c.pcap" <<'PY' || fail "pcap"
import struct, sys
data = open(sys.argv[1], "rb").read()
magic, = struct.unpack("<I", data[:4])
assert magic in (0xA1B2C3D4, 0xA1B23C4D), hex(magic)
assert b"AUTH PLAIN" in data and b"250 2.0.0 Ok: queued" in data, "no SMTP in the capture"
PY
# The five STARTTLS sessions (swaks twice, smtplib, s_client, curl) left
# their TLS 1.3 secrets in the key log.
[ "$(grep -c '^CLIENT_TRAFFIC_SECRET_0 ' "$tmp/keys")" -ge 5 ] || fail "key log: $(cat "$tmp/keys")"
echo "ok: $sent messages from real clients delivered and retrieved"
