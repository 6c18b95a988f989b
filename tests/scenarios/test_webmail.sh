#!/bin/sh
# SPDX-License-Identifier: MIT
# Webmail end to end: a browser sends through the webmail server (HTTP
# form -> virtual MUA -> SMTP AUTH to the MSA -> MX -> store) and the
# recipient's browser reads it (the server fetches over POP3). The trace
# must show the server holding both passwords and the message in clear
# (webmail.handle), an eavesdropper on the browser link must read the
# login form's password over HTTP and only TLS record sizes over HTTPS,
# a wrong password must get 403 and send nothing, and tshark (when
# installed) must dissect the HTTP of the capture with no warning.
set -eu
: "${MHS:?MHS must point at the mhs binary}"
: "${MHS_SOURCE_DIR:?}"
dir="$MHS_SOURCE_DIR/tests/scenarios/webmail"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# One line per record of kind $2 in trace $1: the named fields, tab-separated.
records() {
    python3 - "$@" <<'PY'
import json, os, sys
path, kind, fields = sys.argv[1], sys.argv[2], sys.argv[3:]
try:
    for line in open(path):
        r = json.loads(line)
        if r["ev"] == kind:
            print("\t".join(str(r.get(f, "-")) for f in fields))
    sys.stdout.flush()
except BrokenPipeError:  # grep -q stopped reading
    os._exit(0)
PY
}

# 1. HTTP: the round trip holds every expectation (delivered, the journey
#    browser -> webmail -> MSA -> MX -> store -> webmail -> browser, read).
"$MHS" run "$dir/webmail.yaml" --trace "$tmp/h.jsonl" --pcap "$tmp/h.pcap" >"$tmp/h.out" ||
    fail "http scenario: $(cat "$tmp/h.out")"
grep -q '^pass: 5 of 5 expectations held' "$tmp/h.out" || fail "http summary: $(cat "$tmp/h.out")"

# 2. The privacy record: the server had both passwords and the message.
records "$tmp/h.jsonl" webmail.handle user what msg browser_tls cleartext_at_server >"$tmp/h.handle"
grep -qx 'alice@example.com	password	-	False	True' "$tmp/h.handle" || fail "no alice password record"
grep -qx 'alice@example.com	message	w1	-	True' "$tmp/h.handle" || fail "no record of w1 going out"
grep -qx 'bob@example.com	password	-	False	True' "$tmp/h.handle" || fail "no bob password record"
grep -qx 'bob@example.com	message	w1	-	True' "$tmp/h.handle" || fail "no record of w1 coming in"
# ... and used Alice's password itself to log in to the MSA.
records "$tmp/h.jsonl" auth.attempt peer user result | grep -qx 'web.example.com	alice@example.com	success' ||
    fail "the webmail did not AUTH as alice"

# 3. HTTP as the server read it: one persistent connection per visit.
records "$tmp/h.jsonl" http.request conn line >"$tmp/h.req"
[ "$(awk -F'\t' '$1 == 1 {print $2}' "$tmp/h.req" | tr '\n' '|')" = \
  "POST /login HTTP/1.1|POST /send HTTP/1.1|POST /logout HTTP/1.1|" ] ||
    fail "alice's visit: $(cat "$tmp/h.req")"
records "$tmp/h.jsonl" http.response request code | grep -qx 'GET /message/2	404' ||
    fail "the reader did not stop at 404"

# 4. The eavesdropper on Alice's link reads her password in the form.
records "$tmp/h.jsonl" tap.observe what mechanism user password |
    grep -qx 'credentials	FORM	alice@example.com	alice-secret' || fail "eve did not read the password"

# 5. The sequence view draws the HTTP session of Alice's visit.
"$MHS" viz "$tmp/h.jsonl" --session 1 -o "$tmp/seq.svg" || fail "viz --session 1"
grep -q '>HTTP session 1, message w1 (port 80)<' "$tmp/seq.svg" || fail "sequence view: no HTTP title"
grep -q '>POST /send HTTP/1.1<' "$tmp/seq.svg" || fail "sequence view: no POST /send"
grep -q '>200 OK<' "$tmp/seq.svg" || fail "sequence view: no 200 OK"

# 5a. The path diagram starts with the browser -> webmail hop over HTTP.
"$MHS" viz "$tmp/h.jsonl" --message w1 -o "$tmp/w1.dot" || fail "viz --message w1"
tr -d '\n\t' <"$tmp/w1.dot" | grep -q '"alice-browser" -> "web.example.com"[^;]*label="1: [0-9.]*s HTTP"' ||
    fail "path diagram: no HTTP hop from the browser"

# 5b. Deterministic.
"$MHS" run -q "$dir/webmail.yaml" --trace "$tmp/h2.jsonl" >/dev/null || fail "second run"
cmp -s "$tmp/h.jsonl" "$tmp/h2.jsonl" || fail "two runs differ"

# 5c. Streams re-chunked into 7-octet segments (network mtu): the same
#     requests, responses and privacy records, whatever the split.
sed 's/^seed: 7$/seed: 7\nnetwork: {mtu: 7}/' "$dir/webmail.yaml" >"$tmp/mtu.yaml"
grep -q 'mtu: 7' "$tmp/mtu.yaml" || fail "mtu variant not written"
"$MHS" run -q "$tmp/mtu.yaml" --trace "$tmp/m.jsonl" >/dev/null || fail "mtu run"
for kind in http.request http.response webmail.handle; do
    records "$tmp/h.jsonl" "$kind" conn line request code what msg >"$tmp/a.$kind"
    records "$tmp/m.jsonl" "$kind" conn line request code what msg >"$tmp/b.$kind"
    [ -s "$tmp/a.$kind" ] && cmp -s "$tmp/a.$kind" "$tmp/b.$kind" || fail "mtu 7 changed $kind"
done

# 6. HTTPS: same journey; the browsers verify the server's certificate;
#    the tap sees TLS records only, never the password; the server still
#    has everything in clear.
"$MHS" run "$dir/webmail-https.yaml" --exposure --trace "$tmp/s.jsonl" --pcap "$tmp/s.pcap" >"$tmp/s.out" ||
    fail "https scenario: $(cat "$tmp/s.out")"
grep -q '^pass: 5 of 5 expectations held' "$tmp/s.out" || fail "https summary"
records "$tmp/s.jsonl" tls.handshake node side result verified | grep -qx 'alice-browser	client	ok	True' ||
    fail "https: no verified handshake at alice-browser"
records "$tmp/s.jsonl" tap.observe what | sort -u | tr '\n' ' ' | grep -qx 'tls-records ' ||
    fail "https: the tap saw more than TLS records"
! grep '"node":"eve"' "$tmp/s.jsonl" | grep -q 'alice-secret' || fail "https: eve saw the password"
records "$tmp/s.jsonl" webmail.handle user what browser_tls | grep -qx 'alice@example.com	password	True' ||
    fail "https: the server did not record the password"
records "$tmp/s.jsonl" http.request line tls | grep -qx 'POST /login HTTP/1.1	True' || fail "https: request"
# Who can read and change w1 (--exposure): over HTTPS the tap nothing, the
# webmail server everything, even with TLS on every link.
records "$tmp/s.jsonl" exposure case party read alter >"$tmp/s.exp"
grep -qx 'actual	eve	False	False' "$tmp/s.exp" || fail "https exposure: eve $(grep eve "$tmp/s.exp")"
grep -qx 'tls	web.example.com	True	True' "$tmp/s.exp" || fail "https exposure: webmail under TLS"
grep -qx 'actual	alice-browser	True	False' "$tmp/s.exp" || fail "https exposure: the sender's browser"

# 7. A wrong password: 403, no session, nothing sent, the message stops
#    at the browser (exit 1: its expectations fail).
# The browser types a wrong password; the account keeps the right one.
sed '0,/webmail: web.example.com}/s//webmail: web.example.com, password: guess}/' \
    "$dir/webmail.yaml" >"$tmp/wrong.yaml"
set +e
"$MHS" run "$tmp/wrong.yaml" --trace "$tmp/w.jsonl" >"$tmp/w.out" 2>&1
rc=$?
set -e
[ $rc -eq 1 ] || fail "wrong password: exit $rc, want 1"
records "$tmp/w.jsonl" webmail.login user ok | grep -qx 'alice@example.com	False' || fail "wrong password: login ok"
records "$tmp/w.jsonl" http.response request code | grep -qx 'POST /login	403' || fail "wrong password: no 403"
! grep -q '"ev":"msg.submit","node":"web.example.com"' "$tmp/w.jsonl" || fail "wrong password: something was submitted"
grep -q '^w1 .* rejected  *alice-browser@' "$tmp/w.out" || fail "wrong password: w1 not stopped at the browser: $(cat "$tmp/w.out")"
records "$tmp/w.jsonl" tap.observe what password | grep -qx 'credentials	guess' ||
    fail "wrong password: eve did not read the guess"

if ! command -v tshark >/dev/null 2>&1; then
    echo "webmail: tshark is not installed: dissection checks skipped"
    echo "webmail: all checks passed"
    exit 0
fi
ts() { tshark "$@" 2>>"$tmp/tshark.err"; }

# 8. tshark dissects the HTTP on port 80, the login form included.
ts -r "$tmp/h.pcap" -Y 'http.request' -T fields -e http.request.method -e http.request.uri >"$tmp/http"
grep -qx 'POST	/login' "$tmp/http" || fail "tshark: no POST /login ($(cat "$tmp/http" "$tmp/tshark.err"))"
grep -qx 'GET	/message/1' "$tmp/http" || fail "tshark: no GET /message/1"
ts -r "$tmp/h.pcap" -Y 'urlencoded-form.key == "password"' -T fields -e urlencoded-form.value >"$tmp/form"
grep -q 'alice-secret' "$tmp/form" || fail "tshark: the form's password is not visible"
ts -r "$tmp/h.pcap" -Y 'http.response' -T fields -e http.response.code | sort -u | tr '\n' ' ' >"$tmp/codes"
[ "$(cat "$tmp/codes")" = "200 303 404 " ] || fail "tshark: response codes $(cat "$tmp/codes")"
# 9. No malformed packet and no warning about HTTP or TCP.
ts -r "$tmp/h.pcap" -Y '_ws.malformed || (_ws.expert.severity >= "warning" && (http || tcp.analysis.flags))' \
    >"$tmp/warn"
[ ! -s "$tmp/warn" ] || fail "tshark warnings: $(cat "$tmp/warn")"
ts -r "$tmp/h.pcap" -q -z expert >"$tmp/expert"
! grep -i 'malformed\|previous segment\|unseen' "$tmp/expert" || fail "tshark expert: $(cat "$tmp/expert")"
# 10. Over HTTPS tshark sees TLS handshakes on port 443 and no HTTP at all.
ts -r "$tmp/s.pcap" -Y 'tls.handshake.type == 1 && tcp.dstport == 443' >"$tmp/hello"
[ -s "$tmp/hello" ] || fail "tshark: no ClientHello to port 443"
ts -r "$tmp/s.pcap" -Y 'http || urlencoded-form' >"$tmp/shttp"
[ ! -s "$tmp/shttp" ] || fail "tshark: HTTP visible over HTTPS: $(cat "$tmp/shttp")"
echo "webmail: all checks passed"
