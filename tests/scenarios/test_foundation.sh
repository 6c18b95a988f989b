#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end runs of the foundation: the quickstart's forward and reply
# paths, a deferral and retry, a DSN for an unknown recipient, MX
# fallback, byte-identical traces for the same seed, exit statuses 0/1/2.
set -eu
: "${MHS:?MHS must point at the mhs binary}"
: "${MHS_SOURCE_DIR:?}"
dir="$MHS_SOURCE_DIR/tests/scenarios/foundation"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. Quickstart: both messages delivered, different paths, exit 0.
"$MHS" run "$MHS_SOURCE_DIR/scenarios/quickstart.yaml" --trace "$tmp/q1.jsonl" >"$tmp/q.out" ||
    fail "quickstart did not pass"
grep -q '^m1 .*delivered .*alice-pc@1.000000 > msa.polito.it@.* > out.polito.it@.* > mx.example.com@.* > ms.example.com@' "$tmp/q.out" ||
    fail "m1's path is not in the table"
grep -q '^r1 .*delivered .*bob-pc@60.000000 > msa.example.com@.* > out.example.com@.* > mx.polito.it@.* > ms.polito.it@' "$tmp/q.out" ||
    fail "r1's path is not in the table"
grep -q '^pass: 6 of 6 expectations held' "$tmp/q.out" || fail "quickstart summary"
# The trace: valid JSON on every line, the reply answers m1.
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$tmp/q1.jsonl" ||
    fail "trace is not JSON Lines"
grep -q '"ev":"msg.deliver","node":"ms.example.com","msg":"m1"' "$tmp/q1.jsonl" || fail "no m1 delivery record"
grep -q '"ev":"dns.query","node":"out.polito.it".*"name":"example.com","type":"MX"' "$tmp/q1.jsonl" ||
    fail "out.polito.it did not look up example.com's MX"

# 2. Same scenario and seed: byte-identical traces; another seed runs too.
"$MHS" run -q "$MHS_SOURCE_DIR/scenarios/quickstart.yaml" --trace "$tmp/q2.jsonl" >/dev/null
cmp -s "$tmp/q1.jsonl" "$tmp/q2.jsonl" || fail "two runs with the same seed differ"
"$MHS" run -q --seed 99 "$MHS_SOURCE_DIR/scenarios/quickstart.yaml" >"$tmp/s.out" || fail "--seed 99"
grep -q 'seed 99' "$tmp/s.out" || fail "--seed not used"

# 3. Link down: deferred, retried with backoff, delivered after it is up.
"$MHS" run "$dir/retry.yaml" --trace "$tmp/r.jsonl" >"$tmp/r.out" || fail "retry scenario"
[ "$(grep -c '"ev":"msg.defer","node":"out.polito.it"' "$tmp/r.jsonl")" -ge 2 ] ||
    fail "expected at least two deferrals"
grep -q '"ev":"msg.deliver","node":"ms.example.com","msg":"m1"' "$tmp/r.jsonl" || fail "m1 not delivered"

# 4. Unknown recipient: refused by the store, bounced, DSN delivered back.
"$MHS" run "$dir/dsn.yaml" --trace "$tmp/d.jsonl" >"$tmp/d.out" || fail "dsn scenario"
grep -q '"ev":"msg.dsn","node":"mx.example.com","msg":"m1.dsn","about":"m1","to":"alice@polito.it"' "$tmp/d.jsonl" ||
    fail "no DSN record"
grep -q '"ev":"smtp.reply","node":"mx.example.com".*"code":550' "$tmp/d.jsonl" || fail "no 550 from the store"

# 5. First MX unreachable: the second one delivers.
"$MHS" run "$dir/mx-fallback.yaml" --trace "$tmp/m.jsonl" >"$tmp/m.out" || fail "mx fallback scenario"
grep -q '"ev":"conn.fail","node":"out.polito.it".*"peer":"mx1.example.com".*"reason":"connection timed out"' "$tmp/m.jsonl" ||
    fail "no timed-out connect to mx1"

# 6. An expectation that does not hold: exit 1 and the reason.
set +e
"$MHS" run "$dir/wrong-expect.yaml" >"$tmp/w.out" 2>&1
rc=$?
set -e
[ $rc -eq 1 ] || fail "failing expectation: exit $rc, want 1"
grep -q 'FAIL .*bounced' "$tmp/w.out" || fail "failing expectation not reported"
grep -q 'got: bob@example.com delivered' "$tmp/w.out" || fail "actual outcome not reported"

# 7. Bad input: FILE:LINE:COL, a suggestion, exit 2, nothing runs.
set +e
"$MHS" run "$dir/bad-key.yaml" >"$tmp/b.out" 2>"$tmp/b.err"
rc=$?
set -e
[ $rc -eq 2 ] || fail "bad key: exit $rc, want 2"
grep -q 'bad-key.yaml:3:[0-9]*: .*relayhots.*did you mean .relayhost' "$tmp/b.err" || fail "bad key message: $(cat "$tmp/b.err")"
[ ! -s "$tmp/b.out" ] || fail "a bad scenario printed results"
set +e
"$MHS" run "$dir/no-such-file.yaml" 2>/dev/null; rc1=$?
"$MHS" run 2>/dev/null; rc2=$?
"$MHS" frobnicate 2>/dev/null; rc3=$?
"$MHS" run --until 10parsecs "$MHS_SOURCE_DIR/scenarios/quickstart.yaml" 2>/dev/null; rc4=$?
set -e
[ $rc1 -eq 2 ] && [ $rc2 -eq 2 ] && [ $rc3 -eq 2 ] && [ $rc4 -eq 2 ] ||
    fail "usage errors: $rc1 $rc2 $rc3 $rc4, want 2"

# 8. check validates without running; --version and help work.
"$MHS" check "$MHS_SOURCE_DIR/scenarios/quickstart.yaml" | grep -q '^ok: ' || fail "check"
"$MHS" --version | grep -q '^mhs ' || fail "--version"
"$MHS" help run | grep -q -- '--seed' || fail "help run"
echo "foundation: all checks passed"
