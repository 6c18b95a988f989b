#!/bin/sh
# SPDX-License-Identifier: MIT
# mhs serve against hostile or broken peers: garbage with NUL bytes, an
# overlong line, a half-close (the node must answer and close), a reset
# mid-command, the connection cap (the busy 421), the idle timeout, too
# many recipients and an oversized message (held back by flow control),
# and repeated AUTH failures (421 after the delay); the server keeps serving
# (a normal submission still works) and every bridged connection is closed
# at the end. Then the gateway role: mail for elsewhere.test leaves through
# gw.example.com to a real SMTP server (Python's aiosmtpd).
set -eu
. "$MHS_SOURCE_DIR/tests/scenarios/serve/lib.sh"
need swaks
need python3
scenario="$MHS_SOURCE_DIR/tests/scenarios/serve/bridge.yaml"

start_server "$scenario" --max-conns 3 --idle-timeout 1500ms --listen 0=msa.example.com \
    --listen 0=ms.example.com
sub=$(port_of submission)
pop=$(port_of pop3)

timeout 60 python3 - "$sub" "$pop" <<'PY' || fail "robustness client"
import socket, struct, sys, time
port, pop = int(sys.argv[1]), int(sys.argv[2])

# 0. POP3 gets garbage too: NUL bytes and an overlong line are -ERR, the
#    session goes on (RFC 1939 3: QUIT still answered).
s = socket.create_connection(("127.0.0.1", pop), timeout=10)
f = s.makefile("rb")
if not f.readline().startswith(b"+OK"):
    sys.exit("pop3 greeting")
s.sendall(b"\x00\x00US\x00ER\r\n")
if not f.readline().startswith(b"-ERR"):
    sys.exit("pop3 garbage not refused")
s.sendall(b"USER " + b"u" * 4000 + b"\r\n")
line = f.readline()
if not line.startswith(b"-ERR"):
    sys.exit(f"pop3 overlong line: {line!r}")
s.sendall(b"QUIT\r\n")
if not f.readline().startswith(b"+OK"):
    sys.exit("pop3 QUIT after garbage")
if f.readline() != b"":
    sys.exit("pop3: no EOF after QUIT")
f.close()
s.close()

def conn():
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    return s, s.makefile("rb")

def expect(f, prefix, what):
    line = f.readline()
    if not line.startswith(prefix):
        sys.exit(f"{what}: expected {prefix!r}, got {line!r}")
    return line

def eof(s, what):
    s.settimeout(10)
    data = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            return data
        data += chunk
        if len(data) > 100000:
            sys.exit(f"{what}: no EOF")

# 1. Garbage with NUL bytes, then an overlong command line: the engine
#    answers with errors, never crashes; the session still works after.
s, f = conn()
expect(f, b"220 ", "greeting")
s.sendall(b"\x00\x01\xff garbage \x00\r\n")
expect(f, b"5", "garbage")
s.sendall(b"EHLO " + b"x" * 5000 + b"\r\n")
expect(f, b"500", "overlong line")
f.close()
s.close()

# 2. Half-close: QUIT then shutdown(SHUT_WR): the reply comes, then EOF.
s, f = conn()
expect(f, b"220 ", "greeting")
s.sendall(b"QUIT\r\n")
s.shutdown(socket.SHUT_WR)
if b"221" not in eof(s, "half-close"):
    sys.exit("half-close: no 221")
f.close()
s.close()

# 3. Reset in the middle of a command (SO_LINGER 0 makes close() an RST).
s, f = conn()
expect(f, b"220 ", "greeting")
s.sendall(b"EHLO half-a-comm")
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
f.close()
s.close()
time.sleep(0.3)

# 4. Connection cap (3): the fourth client reads the busy 421 and EOF.
#    The earlier connections may still be closing on a loaded machine:
#    retry until three are held.
for attempt in range(30):
    held = [conn() for _ in range(3)]
    greetings = [f.readline() for s, f in held]
    if all(g.startswith(b"220 ") for g in greetings):
        break
    for s, f in held:
        f.close()
        s.close()
    time.sleep(0.3)
else:
    sys.exit(f"held greetings: {greetings!r}")
s4, f4 = conn()
expect(f4, b"421 ", "over the cap")
f4.close()
s4.close()

# 5. Idle timeout (1.5 s): the held connections are closed by the bridge.
t0 = time.monotonic()
for s, f in held:
    eof(s, "idle")
    f.close()
    s.close()
if time.monotonic() - t0 > 8:
    sys.exit("idle timeout too late")

# 6. Limits of the node (max_recipients 5, max_message_size 1M) hold for
#    a real client: the sixth RCPT and a 3 MB message are refused, and the
#    bridge holds the sender back meanwhile instead of buffering it all.
import base64
s, f = conn()
expect(f, b"220 ", "greeting")
s.sendall(b"EHLO big\r\n")
while not f.readline().startswith(b"250 "):
    pass
good = base64.b64encode(b"\0alice@example.com\0alice-secret").decode()
s.sendall(f"AUTH PLAIN {good}\r\n".encode())
expect(f, b"235", "login")
s.sendall(b"MAIL FROM:<alice@example.com>\r\n")
expect(f, b"250", "MAIL")
for i in range(6):
    s.sendall(f"RCPT TO:<bob+{i}@example.com>\r\n".encode())
    expect(f, b"250" if i < 5 else b"452", f"RCPT {i + 1}")
s.sendall(b"DATA\r\n")
expect(f, b"354", "DATA")
line = b"y" * 998 + b"\r\n"
s.sendall(b"Subject: too big\r\n\r\n" + line * 3000 + b".\r\n")
expect(f, b"552", "oversized message")
s.sendall(b"QUIT\r\n")
expect(f, b"221", "QUIT after 552")
f.close()
s.close()

# 7. AUTH failures: max_failures 2, so the second wrong password is
#    answered, after the delay, with 421 and the connection closes.
s, f = conn()
expect(f, b"220 ", "greeting")
s.sendall(b"EHLO guesser\r\n")
while not f.readline().startswith(b"250 "):
    pass
bad = base64.b64encode(b"\0alice@example.com\0wrong").decode()
s.sendall(f"AUTH PLAIN {bad}\r\n".encode())
expect(f, b"535", "first failure")
t0 = time.monotonic()
s.sendall(f"AUTH PLAIN {bad}\r\n".encode())
expect(f, b"421", "second failure")
if time.monotonic() - t0 < 0.4:
    sys.exit("421 came without the delay")
eof(s, "after 421")
f.close()
s.close()
PY

# The server still serves.
timeout 20 swaks --server 127.0.0.1 --port "$sub" --from alice@example.com --to bob@example.com \
    --auth PLAIN --auth-user alice@example.com --auth-password alice-secret \
    </dev/null >"$tmp/swaks.log" 2>&1 || fail "swaks after the abuse: $(tail -5 "$tmp/swaks.log")"
sleep 0.3
stop_server

records bridge.close reason | sort | uniq -c >"$tmp/reasons"
grep -q 'reset by peer' "$tmp/reasons" || fail "no reset seen: $(cat "$tmp/reasons")"
[ "$(grep 'idle' "$tmp/reasons" | awk '{print $1}')" = 3 ] || fail "idle closes: $(cat "$tmp/reasons")"
[ "$(records bridge.refuse reason)" = "too many connections" ] || fail "no bridge.refuse"
[ "$(records bridge.accept conn | wc -l)" -eq "$(records bridge.close conn | wc -l)" ] ||
    fail "a bridged connection was never closed"
records auth.limit node failures | grep -q '^msa.example.com	2$' || fail "no auth.limit"
[ "$(records auth.attempt result reason | grep -c '^failure')" -eq 2 ] || fail "auth failures"
[ "$(records msg.deliver rcpt | grep -c bob@example.com)" -eq 1 ] || fail "the last message"

# --- the gateway: real aiosmtpd as the next hop of gw.example.com ---
# Under mhs run there is no real server: the run says so.
"$MHS" run "$scenario" >/dev/null 2>"$tmp/run.err" || fail "mhs run of the gateway scenario"
grep -q "gateway 'gw.example.com' reaches 127.0.0.1:2525 only under 'mhs serve'" "$tmp/run.err" ||
    fail "mhs run: no gateway note: $(cat "$tmp/run.err")"
aio=
for py in $(which -a python3 2>/dev/null); do
    if "$py" -c 'import aiosmtpd' 2>/dev/null; then aio=$py; break; fi
done
[ -n "$aio" ] || fail "python3-aiosmtpd is not installed (.ci/run installs it)"
# aiosmtpd makes the Maildir itself (it must not exist yet).
tries=0
while :; do
    rport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    timeout -s KILL "$SERVE_MAX" "$aio" -m aiosmtpd -n -l "127.0.0.1:$rport" \
        -c aiosmtpd.handlers.Mailbox "$tmp/mbox" >"$tmp/aio.log" 2>&1 &
    aio_pid=$!
    sleep 1
    kill -0 "$aio_pid" 2>/dev/null && break
    tries=$((tries + 1))
    [ $tries -lt 5 ] || fail "aiosmtpd does not start: $(cat "$tmp/aio.log")"
done
sed "s/connect: 127.0.0.1:2525/connect: 127.0.0.1:$rport/" "$scenario" >"$tmp/gw.yaml"
start_server "$tmp/gw.yaml" --speed 4 --listen 0=msa.example.com
sub=$(port_of submission)
timeout 20 swaks --server 127.0.0.1 --port "$sub" --from alice@example.com \
    --to carol@elsewhere.test --header "Subject: through-the-gateway" --auth PLAIN \
    --auth-user alice@example.com --auth-password alice-secret </dev/null >"$tmp/swaks-gw.log" 2>&1 ||
    fail "swaks to the gateway: $(tail -5 "$tmp/swaks-gw.log")"
i=0
until grep -rqs 'Subject: through-the-gateway' "$tmp/mbox"; do
    i=$((i + 1))
    [ $i -le 50 ] || fail "aiosmtpd got nothing: $(cat "$tmp/aio.log")"
    sleep 0.2
done
# The gateway's own Received field (folded: "by\n gw.example.com with ESMTP").
grep -rqs 'gw.example.com with ESMTP' "$tmp/mbox" ||
    fail "no Received from the gateway in what aiosmtpd stored: $(cat "$tmp"/mbox/new/*)"
stop_server
kill "$aio_pid" 2>/dev/null || true
wait "$aio_pid" 2>/dev/null || true
aio_pid=
records bridge.connect node result | grep -q '^gw.example.com	ok$' || fail "no bridge.connect ok"
records msg.relay node rcpt to | grep -q "^gw.example.com	carol@elsewhere.test	127.0.0.1:$rport\$" ||
    fail "no msg.relay from the gateway: $(records msg.relay node rcpt to)"

# With the real server gone, the gateway's dial fails: its client sees a
# reset and the message is deferred (retried, as for any dead next hop).
start_server "$tmp/gw.yaml" --speed 4 --listen 0=msa.example.com
sub=$(port_of submission)
timeout 20 swaks --server 127.0.0.1 --port "$sub" --from alice@example.com \
    --to dave@elsewhere.test --auth PLAIN --auth-user alice@example.com \
    --auth-password alice-secret </dev/null >"$tmp/swaks-gw2.log" 2>&1 ||
    fail "swaks with the real server down: $(tail -5 "$tmp/swaks-gw2.log")"
sleep 1
stop_server INT
records bridge.connect node result | grep -q '^gw.example.com	failed$' ||
    fail "no failed bridge.connect: $(records bridge.connect node result)"
records msg.defer node | grep -q '^gw.example.com$' || fail "the gateway did not defer"
records bridge.close node reason | grep -q '^gw.example.com	connect failed$' ||
    fail "bridge.close: $(records bridge.close node reason)"
echo "ok: hostile peers survived; the gateway delivered to aiosmtpd, and deferred without it"
