#!/bin/sh
# SPDX-License-Identifier: MIT
# Node faults (scenarios/README.md `fault`): a crashed resolver makes MX
# lookups time out, a crashed MX refuses nothing and answers nothing
# (connects time out), a relay that crashes with mail on its disk tries
# it again as soon as it restarts, a store with a full disk answers 452
# 4.3.1 (RFC 5321 4.2.3, RFC 3463) and the mail waits in the MX's queue.
# Nothing is lost; the run is deterministic; bad fault events are refused
# with their location. Also regressions found by the no-loss property test.
set -eu
: "${MHS:?MHS must point at the mhs binary}"
: "${MHS_SOURCE_DIR:?}"
dir="$MHS_SOURCE_DIR/tests/scenarios/fault"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

records() {
    python3 - "$@" <<'PY'
import json, signal, sys
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
path, kind, fields = sys.argv[1], sys.argv[2], sys.argv[3:]
for line in open(path):
    r = json.loads(line)
    if r["ev"] == kind:
        print("\t".join("%.6f" % r[f] if isinstance(r.get(f), float) else str(r.get(f, "-"))
                        for f in fields))
PY
}

"$MHS" run "$dir/crash-restart.yaml" --trace "$tmp/a.jsonl" >"$tmp/a.out" || fail "run: $(cat "$tmp/a.out")"
grep -q '^pass: 2 of 2 expectations held' "$tmp/a.out" || fail "summary: $(cat "$tmp/a.out")"
records "$tmp/a.jsonl" fault t node state | tr '\t' ' ' >"$tmp/faults"
cat >"$tmp/want" <<'W'
0.200000 ns.example.net crash
0.500000 mx.example.com crash
40.000000 ns.example.net restart
50.000000 out.polito.it crash
100.000000 mx.example.com restart
110.000000 out.polito.it restart
200.000000 ms.example.com disk_full
400.000000 ms.example.com disk_ok
W
diff "$tmp/want" "$tmp/faults" >&2 || fail "fault records"
# The resolver was down: the first MX lookup timed out.
records "$tmp/a.jsonl" dns.answer node name rcode | grep -q "^out.polito.it	example.com	TIMEOUT$" ||
    fail "no MX lookup timed out"
# Restarted with m1 queued: out.polito.it tries at once (not at its next retry time).
records "$tmp/a.jsonl" queue.attempt t node msg | grep -q "^110.000000	out.polito.it	m1$" ||
    fail "out.polito.it did not resume its queue at restart"
# While it was down it tried nothing.
records "$tmp/a.jsonl" queue.attempt t node | awk -F'\t' '$2 == "out.polito.it" && $1 > 50 && $1 < 110' |
    grep -q . && fail "out.polito.it tried a delivery while crashed"
# The full store: 452 4.3.1 to MAIL, and m2 waited at the MX.
records "$tmp/a.jsonl" smtp.reply node peer code | grep -q "^mx.example.com	ms.example.com	452$" ||
    fail "no 452 from the full store"
records "$tmp/a.jsonl" msg.defer node msg reason | grep -q "^mx.example.com	m2	452 4.3.1 Insufficient system storage$" ||
    fail "m2 not deferred at the MX"
records "$tmp/a.jsonl" msg.deliver t msg | awk -F'\t' '$2 == "m2" && $1 < 400 {print}' | grep -q . &&
    fail "m2 delivered while the disk was full"

# Same seed, same trace.
"$MHS" run "$dir/crash-restart.yaml" --trace "$tmp/b.jsonl" >/dev/null || fail "second run"
cmp -s "$tmp/a.jsonl" "$tmp/b.jsonl" || fail "two runs differ"

# The store crashes with Bob's maildrop locked: the fetch fails (reset),
# the lock does not outlive the session, the next fetch gets m1.
"$MHS" run "$dir/pop3-crash.yaml" --trace "$tmp/p.jsonl" >"$tmp/p.out" || fail "pop3 crash: $(cat "$tmp/p.out")"
records "$tmp/p.jsonl" pop3.done ok retrieved reason | tr '\t\n' ' ' >"$tmp/p.done"
[ "$(cat "$tmp/p.done")" = "False 0 connection reset True 1 - " ] || fail "pop3 crash: $(cat "$tmp/p.done")"

# Regressions found by tests/nodes/test_no_loss.c: a recipient named twice
# gets one copy (it got six), and two copies of one message at one node
# are both that message (the second was reported "in transit" forever).
"$MHS" run "$dir/copies.yaml" --trace "$tmp/c.jsonl" >"$tmp/c.out" || fail "copies: $(cat "$tmp/c.out")"
grep -q '^pass: 5 of 5 expectations held' "$tmp/c.out" || fail "copies summary"
[ "$(records "$tmp/c.jsonl" msg.deliver msg rcpt | grep -c '^m1	')" -eq 1 ] || fail "m1 delivered more than once"

# Bad fault events: exit 2 with FILE:LINE:COL.
for f in bad-crash-mua bad-link-and-node; do
    set +e
    "$MHS" check "$dir/$f.yaml" >"$tmp/out" 2>&1
    rc=$?
    set -e
    [ "$rc" -eq 2 ] || fail "$f: exit $rc"
    grep -q "$f.yaml:8:" "$tmp/out" || fail "$f: no location: $(cat "$tmp/out")"
done
grep -q "a fault is about a 'link' or a 'node', not both" "$tmp/out" || fail "link and node: $(cat "$tmp/out")"
"$MHS" check "$dir/bad-crash-mua.yaml" 2>&1 | grep -q 'a mua node cannot crash' || fail "crash of a mua"
echo "fault scenarios: ok"
