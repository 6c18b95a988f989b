#!/bin/sh
# SPDX-License-Identifier: MIT
# mhs serve for browsers and POP3 with STLS: curl with a cookie jar logs
# in to the simulated webmail over HTTP and over HTTPS (verified with the
# scenario CA from --ca-out), sends a message with POST /send and reads
# the inbox and a message; curl pop3:// with --ssl-reqd and openssl
# s_client -starttls pop3 retrieve the messages from the store after STLS
# (RFC 2595). The trace must show the webmail's handling (webmail.handle),
# the deliveries (msg.deliver), the TLS handshakes with the host "bridge"
# and the retrievals on those very connections.
set -eu
. "$MHS_SOURCE_DIR/tests/scenarios/serve/lib.sh"
need curl
need openssl
need python3
scenario="$MHS_SOURCE_DIR/tests/scenarios/serve/web.yaml"

# A webmail node serves http or https, as its `https` key says.
if "$MHS" serve "$scenario" --listen 0=webs.example.com:http >"$tmp/bad.out" 2>"$tmp/bad.err"; then
    fail "http on an https webmail was accepted"
fi
grep -q "node 'webs.example.com' does not offer http" "$tmp/bad.err" || fail "$(cat "$tmp/bad.err")"
if "$MHS" serve "$scenario" --listen 0=mx.example.com:pop3 >"$tmp/bad.out" 2>"$tmp/bad.err"; then
    fail "pop3 on an mta was accepted"
fi
grep -q "node 'mx.example.com' does not offer pop3" "$tmp/bad.err" || fail "$(cat "$tmp/bad.err")"

start_server "$scenario" --speed 4 --ca-out "$tmp/ca.pem" \
    --listen 0=web.example.com --listen 0=webs.example.com --listen 0=ms.example.com:all
web=$(port_of http)
webs=$(port_of https)
pop=$(port_of pop3 ms.example.com)
# :all is every service of the node: a store takes deliveries over SMTP too.
store_smtp=$(port_of smtp ms.example.com)
[ "$(grep -c ' ms.example.com ' "$tmp/serve.out")" -eq 2 ] || fail "ms:all: $(cat "$tmp/serve.out")"
timeout 10 python3 - "$store_smtp" <<'PY' || fail "the store's SMTP listener"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
f = s.makefile("rb")
line = f.readline()
if not line.startswith(b"220 ms.example.com"):
    sys.exit(f"greeting {line!r}")
s.sendall(b"QUIT\r\n")
if not f.readline().startswith(b"221"):
    sys.exit("no 221")
PY

http="http://127.0.0.1:$web"
https="https://webs.example.com:$webs"
tlsopt="--cacert $tmp/ca.pem --resolve webs.example.com:$webs:127.0.0.1"

# --- HTTP: login, a wrong password, no cookie, send ---
timeout 10 curl -sS "$http/" >"$tmp/root.html" || fail "GET /"
grep -q 'action="/login"' "$tmp/root.html" || fail "no login form: $(cat "$tmp/root.html")"
code=$(timeout 10 curl -sS -o /dev/null -w '%{http_code}' -d user=alice@example.com \
    -d password=wrong "$http/login") || fail "POST /login (wrong)"
[ "$code" = 403 ] || fail "a wrong password got $code, not 403"
code=$(timeout 10 curl -sS -o /dev/null -w '%{http_code}' "$http/inbox") || fail "GET /inbox"
[ "$code" = 403 ] || fail "the inbox without a cookie got $code, not 403"
timeout 10 curl -sS -c "$tmp/jar" -b "$tmp/jar" -D "$tmp/login.h" -o /dev/null \
    -d user=alice@example.com -d password=alice-secret "$http/login" || fail "POST /login"
grep -q '^HTTP/1.1 303' "$tmp/login.h" || fail "login: $(cat "$tmp/login.h")"
grep -q 'sid' "$tmp/jar" || fail "no session cookie in the jar"
timeout 20 curl -sS -c "$tmp/jar" -b "$tmp/jar" --data-urlencode to=bob@example.com \
    --data-urlencode subject=via-http --data-urlencode 'body=Hello <Bob> over HTTP' \
    "$http/send" >"$tmp/sent.html" || fail "POST /send"
grep -q '<h1>Sent</h1>' "$tmp/sent.html" || fail "send: $(cat "$tmp/sent.html")"

# --- HTTPS: the certificate chains to the scenario CA and names the node ---
st=0
timeout 10 curl -sS --resolve "webs.example.com:$webs:127.0.0.1" "$https/" >/dev/null 2>&1 || st=$?
[ $st -eq 60 ] || fail "HTTPS without the CA: curl status $st, not 60 (certificate problem)"
# shellcheck disable=SC2086
timeout 20 curl -sS $tlsopt -c "$tmp/jar2" -b "$tmp/jar2" -L -o /dev/null \
    -d user=alice@example.com -d password=alice-secret "$https/login" || fail "HTTPS login"
grep -q 'TRUE	0	sid' "$tmp/jar2" || fail "the HTTPS cookie is not Secure: $(cat "$tmp/jar2")"
# shellcheck disable=SC2086
timeout 20 curl -sS $tlsopt -b "$tmp/jar2" -d to=bob@example.com -d subject=via-https \
    -d 'body=Hello over HTTPS' "$https/send" >"$tmp/sent2.html" || fail "HTTPS POST /send"
grep -q '<h1>Sent</h1>' "$tmp/sent2.html" || fail "HTTPS send: $(cat "$tmp/sent2.html")"

# --- Bob reads both in the webmail (the server fetches over POP3) ---
timeout 10 curl -sS -c "$tmp/jar3" -b "$tmp/jar3" -o /dev/null -d user=bob@example.com \
    -d password=bob-secret "$http/login" || fail "bob's login"
i=0
while :; do
    timeout 10 curl -sS -b "$tmp/jar3" "$http/inbox" >"$tmp/inbox.html" || fail "GET /inbox"
    grep -q 'via-http<' "$tmp/inbox.html" && grep -q 'via-https<' "$tmp/inbox.html" && break
    i=$((i + 1))
    [ $i -le 20 ] || fail "inbox: $(cat "$tmp/inbox.html")"
    sleep 0.3
done
n=$(sed -n 's|.*<a href="/message/\([0-9]*\)">via-http<.*|\1|p' "$tmp/inbox.html")
timeout 10 curl -sS -b "$tmp/jar3" "$http/message/$n" >"$tmp/msg.html" || fail "GET /message/$n"
grep -q 'Hello &lt;Bob&gt; over HTTP' "$tmp/msg.html" || fail "message page: $(cat "$tmp/msg.html")"

# --- POP3 with STLS: curl (STLS required, certificate verified) ---
i=1
: >"$tmp/subjects"
while [ $i -le 2 ]; do
    timeout 10 curl -sS --ssl-reqd --cacert "$tmp/ca.pem" \
        --resolve "ms.example.com:$pop:127.0.0.1" --user bob@example.com:bob-secret \
        "pop3://ms.example.com:$pop/$i" >"$tmp/retr$i" 2>&1 || fail "curl pop3 STLS: $(cat "$tmp/retr$i")"
    tr -d '\r' <"$tmp/retr$i" | grep '^Subject:' >>"$tmp/subjects" || true
    i=$((i + 1))
done
grep -q 'Subject: via-http$' "$tmp/subjects" || fail "curl STLS: $(cat "$tmp/subjects")"
grep -q 'Subject: via-https$' "$tmp/subjects" || fail "curl STLS: $(cat "$tmp/subjects")"

# --- POP3 with STLS: openssl s_client, by hand ---
{
    printf 'USER bob@example.com\r\n'; sleep 0.4
    printf 'PASS bob-secret\r\n'; sleep 0.4
    printf 'RETR 1\r\n'; sleep 0.4
    printf 'QUIT\r\n'; sleep 0.8
} | timeout 20 openssl s_client -starttls pop3 -connect "127.0.0.1:$pop" -CAfile "$tmp/ca.pem" \
    -verify_return_error -verify_hostname ms.example.com -quiet >"$tmp/s_client.log" 2>&1 ||
    fail "s_client: $(cat "$tmp/s_client.log")"
grep -q "^+OK bob@example.com's maildrop has 2 messages" "$tmp/s_client.log" ||
    fail "s_client: no login: $(cat "$tmp/s_client.log")"
grep -q '^Subject: via-http' "$tmp/s_client.log" || fail "s_client: no message"
stop_server

# --- the simulated side ---
# The webmail servers had the passwords and the messages in clear; the
# browser's link was HTTPS for webs.example.com only.
records webmail.handle node user what browser_tls >"$tmp/handle"
grep -q '^web.example.com	alice@example.com	password	False$' "$tmp/handle" ||
    fail "webmail.handle (http): $(cat "$tmp/handle")"
grep -q '^webs.example.com	alice@example.com	password	True$' "$tmp/handle" ||
    fail "webmail.handle (https): $(cat "$tmp/handle")"
[ "$(grep -c '	message	-$' "$tmp/handle")" -ge 3 ] || fail "webmail.handle message: $(cat "$tmp/handle")"
records http.request node peer target tls | grep -q '^webs.example.com	bridge	/send	True$' ||
    fail "no HTTPS POST /send from the bridge"
records http.request node peer target tls | grep -q '^web.example.com	bridge	/send	False$' ||
    fail "no HTTP POST /send from the bridge"
[ "$(records msg.deliver node rcpt | grep -c '^ms.example.com	bob@example.com$')" -eq 2 ] ||
    fail "msg.deliver: $(records msg.deliver node rcpt)"
records auth.attempt node peer mechanism user | grep -q '^msa.example.com	webs.example.com	PLAIN	alice@example.com$' ||
    fail "the webmail did not log in to the MSA as alice"
# STLS: handshakes of the store with the host "bridge", and on those very
# connections a login with the password hidden and a RETR.
records tls.handshake node peer result conn | awk -F'\t' '$1 == "ms.example.com" && $2 == "bridge" &&
    $3 == "ok" { print $4 }' >"$tmp/tlsconns"
[ "$(wc -l <"$tmp/tlsconns")" -eq 3 ] || fail "STLS handshakes: $(cat "$tmp/tlsconns")"
records pop3.cmd node conn line >"$tmp/pop3"
while read -r c; do
    grep -q "^ms.example.com	$c	RETR [12]\$" "$tmp/pop3" || fail "no RETR on STLS connection $c"
    grep -q "^ms.example.com	$c	(credentials)\$" "$tmp/pop3" ||
        fail "the password on STLS connection $c is not hidden: $(grep "	$c	" "$tmp/pop3")"
done <"$tmp/tlsconns"
records tls.handshake node peer | grep -q '^webs.example.com	bridge$' || fail "no HTTPS handshake"
[ "$(records bridge.accept conn | wc -l)" -eq "$(records bridge.close conn | wc -l)" ] ||
    fail "a bridged connection was never closed"
echo "ok: webmail over HTTP and HTTPS, POP3 with STLS, from real clients"
