#!/bin/sh
# SPDX-License-Identifier: MIT
# mhs serve hardening for real peers: an idle connection reads its
# service's goodbye before the close, in clear and through TLS (SMTP
# "421 4.4.2 ... timeout exceeded" after STARTTLS, POP3 "-ERR ..." after
# STLS): the node's engine says it, not the bridge. The store's limit on
# failed logins holds for POP3 (USER/PASS and APOP): the last failure is
# answered after the delay and the session closes. And a server stopped
# while a delayed answer is pending exits cleanly (an ASan build reports
# no leak: -DENABLE_SANITIZERS=ON).
set -eu
. "$MHS_SOURCE_DIR/tests/scenarios/serve/lib.sh"
need python3
scenario="$MHS_SOURCE_DIR/tests/scenarios/serve/web.yaml"

start_server "$scenario" --ca-out "$tmp/ca.pem" --idle-timeout 1s \
    --listen 0=msa.example.com --listen 0=ms.example.com
sub=$(port_of submission)
pop=$(port_of pop3)

timeout 60 python3 - "$sub" "$pop" "$tmp/ca.pem" <<'PY' || fail "limits client"
import hashlib, re, socket, ssl, sys, time
sub, pop, ca = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)

def conn(port):
    return socket.create_connection(("127.0.0.1", port), timeout=10)

def line(s, what):
    buf = b""
    while not buf.endswith(b"\r\n"):
        c = s.recv(1)
        if not c:
            sys.exit(f"{what}: EOF after {buf!r}")
        buf += c
    return buf

def expect(s, prefix, what):
    l = line(s, what)
    if not l.startswith(prefix):
        sys.exit(f"{what}: expected {prefix!r}, got {l!r}")
    return l

def until(s, prefix, what):
    while True:
        l = line(s, what)
        if l.startswith(prefix):
            return l

def eof(s, what):
    try:
        data = s.recv(100)
    except (ssl.SSLError, ConnectionError):
        return  # TLS close_notify or a reset after the goodbye
    if data:
        sys.exit(f"{what}: data after the goodbye: {data!r}")

def idle(s, prefix, what):
    t0 = time.monotonic()
    l = expect(s, prefix, what)
    if time.monotonic() - t0 > 6:
        sys.exit(f"{what}: the goodbye came too late")
    eof(s, what)
    return l

# 1. SMTP in clear: 421 4.4.2 (RFC 5321 4.5.3.2.7), then EOF.
s = conn(sub)
expect(s, b"220 ", "smtp greeting")
l = idle(s, b"421 4.4.2 ", "smtp idle")
if b"timeout" not in l:
    sys.exit(f"smtp idle: {l!r}")
s.close()

# 2. SMTP after STARTTLS: the 421 comes through TLS.
s = conn(sub)
expect(s, b"220 ", "smtp greeting")
s.sendall(b"EHLO idle\r\n")
until(s, b"250 ", "EHLO")
s.sendall(b"STARTTLS\r\n")
expect(s, b"220 ", "STARTTLS")
t = ctx.wrap_socket(s, server_hostname="msa.example.com")
t.sendall(b"EHLO idle\r\n")
until(t, b"250 ", "EHLO after STARTTLS")
idle(t, b"421 4.4.2 ", "smtp idle under TLS")
t.close()

# 3. POP3 in clear: -ERR, then EOF.
s = conn(pop)
greeting = expect(s, b"+OK ", "pop3 greeting")
idle(s, b"-ERR ", "pop3 idle")
s.close()

# 4. POP3 after STLS (RFC 2595 4): the -ERR comes through TLS.
s = conn(pop)
expect(s, b"+OK ", "pop3 greeting")
s.sendall(b"STLS\r\n")
expect(s, b"+OK", "STLS")
t = ctx.wrap_socket(s, server_hostname="ms.example.com")
t.sendall(b"CAPA\r\n")
until(t, b".\r\n", "CAPA after STLS")
idle(t, b"-ERR ", "pop3 idle under TLS")
t.close()

# 5. Failed POP3 logins (max_failures 2, failure_delay 500ms): USER/PASS,
#    then APOP; the second failure waits, reads -ERR [AUTH], the session
#    closes. A session goes on after one failure.
def guess(login, what):
    s = conn(pop)
    g = expect(s, b"+OK ", "pop3 greeting")
    login(s, g)
    expect(s, b"-ERR [AUTH]", f"{what}: first failure")
    t0 = time.monotonic()
    login(s, g)
    l = expect(s, b"-ERR [AUTH]", f"{what}: second failure")
    if time.monotonic() - t0 < 0.4:
        sys.exit(f"{what}: no delay before the last -ERR")
    if b"too many" not in l:
        sys.exit(f"{what}: {l!r}")
    eof(s, what)
    s.close()

def userpass(s, g):
    s.sendall(b"USER bob@example.com\r\n")
    expect(s, b"+OK", "USER")
    s.sendall(b"PASS wrong\r\n")

def apop(s, g):
    stamp = re.search(rb"<[^>]*>", g).group(0)
    digest = hashlib.md5(stamp + b"wrong").hexdigest()
    s.sendall(b"APOP bob@example.com " + digest.encode() + b"\r\n")

guess(userpass, "USER/PASS")
guess(apop, "APOP")
# The right password still works in a new session.
s = conn(pop)
expect(s, b"+OK ", "pop3 greeting")
s.sendall(b"USER bob@example.com\r\nPASS bob-secret\r\nQUIT\r\n")
expect(s, b"+OK", "USER")
expect(s, b"+OK", "PASS after the lockouts")
expect(s, b"+OK", "QUIT")
s.close()
PY
stop_server
records bridge.close node reason | sort | uniq -c >"$tmp/reasons"
[ "$(awk '$3 == "idle" { n += $1 } END { print n + 0 }' "$tmp/reasons")" -eq 4 ] ||
    fail "idle closes: $(cat "$tmp/reasons")"
records conn.timeout node | sort | uniq -c >"$tmp/timeouts"
grep -q ' 2 msa.example.com$' "$tmp/timeouts" || fail "conn.timeout: $(cat "$tmp/timeouts")"
grep -q ' 2 ms.example.com$' "$tmp/timeouts" || fail "conn.timeout: $(cat "$tmp/timeouts")"
records tls.handshake node peer result | grep -c '	bridge	ok$' | grep -qx 2 ||
    fail "TLS handshakes: $(records tls.handshake node peer result)"
records auth.limit node proto failures >"$tmp/limits"
[ "$(grep -c '^ms.example.com	POP3	2$' "$tmp/limits")" -eq 2 ] || fail "auth.limit: $(cat "$tmp/limits")"
records auth.attempt node mech ok | grep '^ms.example.com' | sort | uniq -c >"$tmp/attempts"
grep -q ' 2 ms.example.com	USER	False$' "$tmp/attempts" || fail "USER failures: $(cat "$tmp/attempts")"
grep -q ' 2 ms.example.com	APOP	False$' "$tmp/attempts" || fail "APOP failures: $(cat "$tmp/attempts")"

# Stopped while delayed answers are pending (a 421 at the MSA, an -ERR at
# the store, 60 s away): the server exits at once, status 0.
sed -e 's/failure_delay: 500ms/failure_delay: 60s/' \
    -e 's/sender_login_match: true}/sender_login_match: true, max_failures: 1, failure_delay: 60s}/' \
    "$scenario" >"$tmp/slow.yaml"
grep -q 'max_failures: 1, failure_delay: 60s' "$tmp/slow.yaml" || fail "sed of the scenario"
start_server "$tmp/slow.yaml" --listen 0=msa.example.com --listen 0=ms.example.com
sub=$(port_of submission)
pop=$(port_of pop3)
timeout 30 python3 - "$sub" "$pop" <<'PY' || fail "pending lockouts"
import base64, socket, sys, time
sub, pop = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", sub), timeout=10)
f = s.makefile("rb")
f.readline()
s.sendall(b"EHLO pending\r\n")
while not f.readline().startswith(b"250 "):
    pass
bad = base64.b64encode(b"\0alice@example.com\0wrong")
s.sendall(b"AUTH PLAIN " + bad + b"\r\n")
p = socket.create_connection(("127.0.0.1", pop), timeout=10)
g = p.makefile("rb")
g.readline()
for _ in range(2):
    p.sendall(b"USER bob@example.com\r\nPASS wrong\r\n")
time.sleep(1)
# Nothing yet: the answers are 60 s away.
s.settimeout(0.2)
p.settimeout(0.2)
for sock, what in ((s, "smtp"), (p, "pop3")):
    try:
        data = sock.recv(1000)
    except socket.timeout:
        continue
    if b"421" in data or b"too many" in data:
        sys.exit(f"{what}: the delayed answer came early: {data!r}")
PY
t0=$(date +%s)
stop_server
[ $(($(date +%s) - t0)) -le 5 ] || fail "the stop waited for the delayed answers"
records auth.limit node | sort | uniq -c | grep -q ' 1 msa.example.com$' || fail "no SMTP auth.limit"
records auth.limit node | grep -q '^ms.example.com$' || fail "no POP3 auth.limit"
echo "ok: idle goodbyes in clear and through TLS, POP3 login limits, clean stop"
