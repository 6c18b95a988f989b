#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end runs of the relay defences: the open-relay battery against a
# closed relay (all refused, controls accepted) and against misconfigured
# ones (exploited, mail reaches the victim), a DNSBL-listed client refused
# except for abuse@, and SMTP smuggling accepted by a lenient MX only.
set -eu
: "${MHS:?MHS must point at the mhs binary}"
: "${MHS_SOURCE_DIR:?}"
dir="$MHS_SOURCE_DIR/tests/scenarios/relay"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
count() { grep -c "$1" "$2" || true; }

# 1. Closed relay: 45 verdicts, no accepted relay attempt, controls
#    accepted, the AUTH controls included (over STARTTLS).
"$MHS" run "$dir/closed.yaml" --trace "$tmp/c.jsonl" >"$tmp/c.out" || fail "closed relay scenario"
[ "$(count '"ev":"relay.test"' "$tmp/c.jsonl")" -eq 45 ] || fail "expected 45 relay.test records"
grep -q '"ev":"relay.test".*"id":"nmap-02".*"expected":"reject-rcpt","code":554,"verdict":"refused"' \
    "$tmp/c.jsonl" || fail "nmap-02 not refused with 554"
grep -q '"ev":"relay.test".*"id":"control-local-user".*"code":250,"verdict":"accepted"' "$tmp/c.jsonl" ||
    fail "control-local-user not accepted"
grep -q '"ev":"relay.test".*"id":"control-postmaster-unqualified".*"verdict":"accepted"' "$tmp/c.jsonl" ||
    fail "<Postmaster> not accepted"
grep -q '"ev":"relay.test".*"id":"helo-empty".*"code":501' "$tmp/c.jsonl" || fail "EHLO without name"
# Only the two logged-in controls reached the victim's store.
[ "$(count '"ev":"msg.deliver","node":"ms.relay-victim.example"' "$tmp/c.jsonl")" -eq 2 ] ||
    fail "closed relay: the victim's store should hold exactly the 2 authenticated controls"
[ "$(count '"ev":"msg.deliver","node":"ms.relay-victim.example","msg":"relay-test.mx.example.com.control-\(authenticated-relay\|rset-after-auth\)"' \
    "$tmp/c.jsonl")" -eq 2 ] || fail "closed relay delivered something else to the victim"
# The AUTH controls ran for real, over STARTTLS (tls_only target).
grep -q '"id":"control-authenticated-relay".*"code":250,"verdict":"accepted".*"auth":"ok","tls":true' \
    "$tmp/c.jsonl" || fail "authenticated relay control"
grep -q '"id":"control-auth-failed-no-relay".*"code":554,"verdict":"refused","auth":"bad","tls":true' \
    "$tmp/c.jsonl" || fail "a failed AUTH left relay permission behind"
grep -q '"id":"control-rset-after-auth".*"code":250,"verdict":"accepted".*"auth":"rset","tls":true' \
    "$tmp/c.jsonl" || fail "RSET dropped the authenticated state"
grep -q '"id":"control-starttls-resets-auth".*"code":538,"verdict":"n/a".*"note":"AUTH refused with 538"' \
    "$tmp/c.jsonl" || fail "AUTH in clear at a tls_only target should make the STARTTLS control n/a"
grep -q '"ev":"auth.attempt","node":"mx.example.com".*"result":"failure"' "$tmp/c.jsonl" ||
    fail "no failed AUTH at the target"
[ "$(count '"verdict":"skipped"' "$tmp/c.jsonl")" -eq 0 ] || fail "tests still skipped"
grep -q 'ok   relay tests against mx.example.com: all refused' "$tmp/c.out" || fail "closed summary"
if [ -n "${MHS_CONFORMANCE_DIR:-}" ] && [ -f "$MHS_CONFORMANCE_DIR/relay/relay-tests.yaml" ]; then
    # Every test id of the conformance file got a verdict.
    for id in $(sed -n 's/^  - id: //p' "$MHS_CONFORMANCE_DIR/relay/relay-tests.yaml"); do
        grep -q "\"id\":\"$id\"" "$tmp/c.jsonl" || fail "no verdict for $id"
    done
else
    echo "conformance folder absent: test ids not cross-checked"
fi

# 2. Open relays: exploited, with mail at the victim's store.
"$MHS" run "$dir/open.yaml" --trace "$tmp/o.jsonl" >"$tmp/o.out" || fail "open relay scenario"
grep -q '"ev":"relay.test","node":"prober","target":"mx.example.com","id":"nmap-02".*"code":250' \
    "$tmp/o.jsonl" || fail "open relay refused nmap-02"
grep -q '"ev":"relay.trick","node":"mx.example.org".*"trick":"percent_hack"' "$tmp/o.jsonl" ||
    fail "percent hack not followed"
grep -q '"ev":"relay.test","node":"prober","target":"mx.example.org","id":"helo-own-name".*"code":250' \
    "$tmp/o.jsonl" || fail "trust_helo not exploited"
[ "$(count '"ev":"msg.deliver","node":"ms.relay-victim.example"' "$tmp/o.jsonl")" -gt 0 ] ||
    fail "nothing reached the victim"
grep -q '^pass: 2 of 2' "$tmp/o.out" || fail "open summary"
# STARTTLS after AUTH (RFC 3207 4.2): the handshake resets the login, so
# the relay attempt after it is refused.
grep -q '"target":"mx.example.org","id":"control-starttls-resets-auth".*"code":554,"verdict":"refused","auth":"starttls","tls":true' \
    "$tmp/o.jsonl" || fail "STARTTLS did not reset the AUTH state"
grep -q '"target":"mx.example.com","id":"control-authenticated-relay".*"verdict":"n/a".*"note":"the target offers no AUTH PLAIN"' \
    "$tmp/o.jsonl" || fail "AUTH control without AUTH not n/a"

# 3. DNSBL: listed client refused (554 5.7.1 naming the list), abuse@ reachable,
#    refused at connect where role accounts are not exempt, timeouts no 5xx.
"$MHS" run "$dir/dnsbl.yaml" --trace "$tmp/d.jsonl" >"$tmp/d.out" || fail "dnsbl scenario"
grep -q '"ev":"dns.query","node":"mx.example.com","name":"99.2.0.192.bl.test","type":"A"' \
    "$tmp/d.jsonl" || fail "no RFC 5782 query"
grep -q '"code":554,"text":"5.7.1 Service unavailable; client \[192.0.2.99\] blocked using bl.test; Listed: 192.0.2.99 (fixture)"' \
    "$tmp/d.jsonl" || fail "no 554 5.7.1 at RCPT"
grep -q '"ev":"dnsbl.exempt","node":"mx.example.com"' "$tmp/d.jsonl" || fail "abuse@ not exempt"
grep -q '"node":"listed","conn":[0-9]*,"peer":"mx.example.org","code":554.*"step":-1' "$tmp/d.jsonl" ||
    fail "not refused at connect"
grep -q '"list":"slow.test","verdict":"tempfail"' "$tmp/d.jsonl" || fail "no timed-out list"
grep -q '^pass: 5 of 5' "$tmp/d.out" || fail "dnsbl summary"

# 4. Smuggling: the lenient MX accepts a second, spoofed message; the
#    strict one gives one 550 and accepts nothing.
"$MHS" run "$dir/smuggling.yaml" --trace "$tmp/s.jsonl" >"$tmp/s.out" || fail "smuggling scenario"
grep -q '"ev":"msg.accept","node":"mx.example.com".*"from":"ceo@example.com"' "$tmp/s.jsonl" ||
    fail "lenient MX did not accept the smuggled message"
[ "$(count '"ev":"msg.accept","node":"mx.example.org"' "$tmp/s.jsonl")" -eq 0 ] ||
    fail "strict MX accepted a message"
grep -q '"node":"attacker".*"peer":"mx.example.org","code":550,"text":"5.5.2' "$tmp/s.jsonl" ||
    fail "strict MX did not refuse with 550 5.5.2"
grep -q '"ev":"raw.done","node":"attacker","conn":[0-9]*,"msg":"lenient1","completed":true,"extra_replies":4' \
    "$tmp/s.jsonl" || fail "no extra replies from the smuggled transaction"
grep -q '^pass: 3 of 3' "$tmp/s.out" || fail "smuggling summary"

# 5. Same seed, same trace.
"$MHS" run -q "$dir/open.yaml" --trace "$tmp/o2.jsonl" >/dev/null
cmp -s "$tmp/o.jsonl" "$tmp/o2.jsonl" || fail "two runs of open.yaml differ"
echo "relay scenarios: ok"
