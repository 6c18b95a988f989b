#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs stopped by --until in the middle of things: a connect still
# pending (the link is down, the SYN waits for its timeout), SMTP, POP3
# and HTTP dialogues half done. The run reports what it had (exit 1: the
# expectations about later events fail) and frees every session, queue
# delivery and stream it leaves behind: under the sanitizer build
# (-DENABLE_SANITIZERS=ON) LeakSanitizer turns any leak into another exit
# status.
set -eu
: "${MHS:?MHS must point at the mhs binary}"
: "${MHS_SOURCE_DIR:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# GLib's slice allocator keeps freed blocks that LeakSanitizer would
# count as roots.
export G_SLICE=always-malloc

# run SCENARIO UNTIL: exit status 0 or 1, the run's summary printed, no
# sanitizer report (a leak report exits 1 as well).
run() {
    rc=0
    "$MHS" run "$MHS_SOURCE_DIR/$1" --until "$2" --trace "$tmp/t.jsonl" >"$tmp/out" 2>"$tmp/err" ||
        rc=$?
    if [ "$rc" -gt 1 ] || grep -q 'Sanitizer' "$tmp/err"; then
        cat "$tmp/err" >&2
        fail "$1 --until $2: exit status $rc"
    fi
    grep -q "seed .* virtual time $(echo "$2" | sed 's/s$//')" "$tmp/out" ||
        fail "$1 --until $2: no summary"
}

# 1. out.polito.it's connect to mx.example.com is pending at 10 s (the
#    link is down until 4 min, the connect timeout is 30 s).
run tests/scenarios/foundation/retry.yaml 10s
[ "$rc" -eq 1 ] || fail "retry.yaml --until 10s: expectations should fail"
grep -q '^m1 .* queued ' "$tmp/out" || fail "m1 should be queued at the stop"
last_open=$(grep '"ev":"conn.open","node":"out.polito.it"' "$tmp/t.jsonl" | tail -n 1 |
    sed 's/.*"conn":\([0-9]*\).*/\1/')
[ -n "$last_open" ] || fail "out.polito.it opened no connection"
grep -q "\"ev\":\"conn.fail\",\"node\":\"out.polito.it\",\"conn\":$last_open," "$tmp/t.jsonl" &&
    fail "the last connect should still be pending at the stop"

# 2. Stops in the middle of SMTP (with STARTTLS and AUTH), POP3 and HTTP,
#    and of role work that spans sessions: a relay-test battery between
#    probes, a raw send, spam sends waiting for DNS, a webmail request
#    waiting for its POP3 fetch.
run scenarios/quickstart.yaml 1.02s
run scenarios/quickstart.yaml 60.05s
run tests/scenarios/sec/tls.yaml 1.05s
run tests/scenarios/sec/auth.yaml 1.05s
run tests/scenarios/pop3/keep.yaml 10.03s
run tests/scenarios/store/stls.yaml 10.06s
run tests/scenarios/webmail/webmail-https.yaml 1.025s
run tests/scenarios/relay/open.yaml 1.03s
run tests/scenarios/relay/closed.yaml 1.076031s
run tests/scenarios/relay/dnsbl.yaml 2.076035s
run tests/scenarios/spam/dnsbl.yaml 1.201s
run tests/scenarios/webmail/webmail.yaml 20.076061s
echo "teardown: all runs stopped cleanly"
