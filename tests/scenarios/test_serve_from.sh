#!/bin/sh
# SPDX-License-Identifier: MIT
# mhs serve --listen PORT=NODE@FROM: a real client that appears from a
# simulated node instead of the host "bridge". mx.example.com of
# tests/scenarios/serve/bridge.yaml relays to other domains only for its
# networks (198.51.100.0/24): a real client at "bridge" (127.0.0.1) is
# refused as an outsider (relay access denied, RFC 5321 3.6.2), the same
# client appearing from alice-pc (198.51.100.20) is inside and relayed.
# The trace must show where each connection came from.
set -eu
. "$MHS_SOURCE_DIR/tests/scenarios/serve/lib.sh"
need python3
scenario="$MHS_SOURCE_DIR/tests/scenarios/serve/bridge.yaml"

# Bad command lines: exit 2 and a message.
refused "no node 'nobody' in the scenario" --listen 0=mx.example.com:smtp@nobody
refused "cannot appear from that node itself" --listen 0=mx.example.com:smtp@mx.example.com
refused "name a node after '@'" --listen 0=mx.example.com:smtp@

start_server "$scenario" --speed 4 --listen 127.0.0.1:0=mx.example.com:smtp \
    --listen 127.0.0.1:0=mx.example.com:smtp@alice-pc
grep -q '^listen .* mx.example.com smtp from alice-pc$' "$tmp/serve.out" ||
    fail "no 'from' on the listen line: $(cat "$tmp/serve.out")"
outside=$(awk '$1 == "listen" && NF == 4 { k = split($2, a, ":"); print a[k]; exit }' "$tmp/serve.out")
inside=$(awk '$1 == "listen" && $6 == "alice-pc" { k = split($2, a, ":"); print a[k]; exit }' "$tmp/serve.out")
[ -n "$outside" ] && [ -n "$inside" ] || fail "listen lines: $(cat "$tmp/serve.out")"

# RCPT to a domain the MX relays only for its networks (not one of its
# relay domains): the reply code.
rcpt_code() {
    timeout 20 python3 - "$1" <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=15)
s.ehlo("real-client.test")
s.mail("alice@example.com")
code, _ = s.rcpt("someone@other.test")
print(code)
s.quit()
PY
}
code_out=$(rcpt_code "$outside") || fail "smtplib (outside) failed"
code_in=$(rcpt_code "$inside") || fail "smtplib (inside) failed"
[ "$code_out" -ge 500 ] || fail "outside client: RCPT got $code_out, want a refusal (5xx)"
[ "$code_in" = 250 ] || fail "client at alice-pc: RCPT got $code_in, want 250"
stop_server

# The trace: the first connection from the host bridge at 127.0.0.1, the
# second from alice-pc at its address, and bridge.accept names it.
records conn.accept node ip >"$tmp/acc"
grep -q "^mx.example.com	127.0.0.1$" "$tmp/acc" || fail "no conn.accept from 127.0.0.1: $(cat "$tmp/acc")"
grep -q "^mx.example.com	198.51.100.20$" "$tmp/acc" ||
    fail "no conn.accept from alice-pc's 198.51.100.20: $(cat "$tmp/acc")"
records bridge.accept node from >"$tmp/bacc"
grep -q "	alice-pc$" "$tmp/bacc" || fail "bridge.accept has no from alice-pc: $(cat "$tmp/bacc")"
records bridge.listen node from >"$tmp/blisten"
grep -q "^mx.example.com	alice-pc$" "$tmp/blisten" || fail "bridge.listen: $(cat "$tmp/blisten")"
echo "PASS: a real client appears from a simulated node (relayed inside, refused outside)"
