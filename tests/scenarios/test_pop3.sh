#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end POP3 (RFC 1939) in the simulation: keep with UIDL (a second
# fetch retrieves nothing again), retrieve-and-delete (the mailbox ends
# empty), a wrong password (-ERR [AUTH], nothing fetched), the maildrop
# lock (-ERR [IN-USE]), and USER/PASS in clear in the trace, as an
# eavesdropper on the link would read them (RFC 1939 section 13).
set -eu
: "${MHS:?MHS must point at the mhs binary}"
: "${MHS_SOURCE_DIR:?}"
dir="$MHS_SOURCE_DIR/tests/scenarios/pop3"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Prints one line per record of kind $2 in trace $1: the values of the
# fields named after it, tab-separated ("-" when absent).
records() {
    python3 - "$@" <<'PY'
import json, sys
path, kind, fields = sys.argv[1], sys.argv[2], sys.argv[3:]
for line in open(path):
    r = json.loads(line)
    if r["ev"] == kind:
        print("\t".join(str(r.get(f, "-")) for f in fields))
PY
}

# 1. keep: the first fetch retrieves m1, the second sends UIDL and no RETR,
#    the third retrieves only m2; nothing is deleted.
"$MHS" run "$dir/keep.yaml" --trace "$tmp/k.jsonl" >"$tmp/k.out" || fail "keep scenario: $(cat "$tmp/k.out")"
grep -q '^pass: 4 of 4 expectations held' "$tmp/k.out" || fail "keep summary"
records "$tmp/k.jsonl" pop3.done retrieved deleted >"$tmp/k.done"
[ "$(cat "$tmp/k.done" | tr '\t\n' ' ')" = "1 0 0 0 1 0 " ] ||
    fail "keep: retrieved/deleted per fetch: $(cat "$tmp/k.done" | tr '\t\n' ' ')"
records "$tmp/k.jsonl" msg.fetch msg uid by >"$tmp/k.fetch"
[ "$(cut -f1 "$tmp/k.fetch" | tr '\n' ' ')" = "m1 m2 " ] || fail "keep: fetched $(cut -f1 "$tmp/k.fetch")"
[ "$(cut -f2 "$tmp/k.fetch" | sort -u | wc -l)" -eq 2 ] || fail "keep: a uid fetched twice"
second=$(records "$tmp/k.jsonl" conn.open conn node port | awk -F'\t' '$2 == "bob-pc" && $3 == 110 {print $1}' | sed -n 2p)
[ -n "$second" ] || fail "keep: no second POP3 connection"
records "$tmp/k.jsonl" pop3.cmd conn line | awk -F'\t' -v c="$second" '$1 == c {print $2}' >"$tmp/k.second"
grep -qx 'UIDL' "$tmp/k.second" || fail "keep: the second fetch sent no UIDL"
! grep -q '^RETR' "$tmp/k.second" || fail "keep: the second fetch retrieved again"
! grep -q '"line":"DELE' "$tmp/k.jsonl" || fail "keep: DELE sent"

# 2. What an eavesdropper sees: USER and PASS in clear, PASS marked secret.
records "$tmp/k.jsonl" pop3.cmd line secret | sed -n 1,2p >"$tmp/k.auth"
printf 'USER bob@example.com\t-\nPASS bob-secret\tTrue\n' | cmp -s - "$tmp/k.auth" ||
    fail "credentials in the trace: $(cat "$tmp/k.auth")"
grep -q '"ev":"auth.attempt","node":"ms.example.com",.*"proto":"POP3","mech":"USER","user":"bob@example.com","ok":true' \
    "$tmp/k.jsonl" || fail "no successful auth.attempt"

# 3. Without keep: RETR and DELE everything, the mailbox ends empty; the
#    store listens on its pop3_port.
"$MHS" run "$dir/delete.yaml" --trace "$tmp/d.jsonl" >"$tmp/d.out" || fail "delete scenario: $(cat "$tmp/d.out")"
grep -q '^pass: 5 of 5 expectations held' "$tmp/d.out" || fail "delete summary"
[ "$(grep -c '"ev":"pop3.cmd".*"line":"DELE ' "$tmp/d.jsonl")" -eq 2 ] || fail "delete: two DELE expected"
grep -q '"ev":"pop3.update","node":"ms.example.com",.*"deleted":2,"left":0' "$tmp/d.jsonl" ||
    fail "delete: no UPDATE removing two messages"
grep -q '"ev":"conn.open","node":"bob-pc",.*"port":1110' "$tmp/d.jsonl" || fail "delete: pop3_port not used"
records "$tmp/d.jsonl" pop3.done retrieved deleted | tr '\t\n' ' ' | grep -qx '2 2 0 0 ' ||
    fail "delete: the second fetch found mail"

# 4. Wrong password: -ERR [AUTH], nothing fetched, the mail stays; the
#    fetched_by expectation fails and says why (exit 1).
set +e
"$MHS" run "$dir/wrong-password.yaml" --trace "$tmp/w.jsonl" >"$tmp/w.out" 2>&1
rc=$?
set -e
[ $rc -eq 1 ] || fail "wrong password: exit $rc, want 1"
grep -q '"ev":"pop3.reply","node":"bob-pc",.*"ok":false,"text":"-ERR \[AUTH\] ' "$tmp/w.jsonl" ||
    fail "wrong password: no -ERR [AUTH]"
grep -q '"ev":"auth.attempt",.*"ok":false' "$tmp/w.jsonl" || fail "wrong password: auth.attempt"
! grep -q '"ev":"msg.fetch"' "$tmp/w.jsonl" || fail "wrong password: something was fetched"
! grep -q '"line":"RETR' "$tmp/w.jsonl" || fail "wrong password: RETR sent"
grep -q 'ok   mailbox bob@example.com holds 1 message' "$tmp/w.out" || fail "wrong password: mailbox"
grep -q 'FAIL m1 fetched by bob-pc' "$tmp/w.out" || fail "wrong password: fetched_by not failed"
grep -q 'got: nobody fetched it' "$tmp/w.out" || fail "wrong password: no reason"

# 5. Two clients of one user at once: the second finds the maildrop locked
#    and fetches later, once the lock is gone.
"$MHS" run "$dir/lock.yaml" --trace "$tmp/l.jsonl" >"$tmp/l.out" || fail "lock scenario: $(cat "$tmp/l.out")"
grep -q '"ev":"pop3.reply","node":"bob-phone",.*"ok":false,"text":"-ERR \[IN-USE\] ' "$tmp/l.jsonl" ||
    fail "lock: no -ERR [IN-USE]"
records "$tmp/l.jsonl" msg.fetch msg by | tr '\t\n' ' ' | grep -qx 'm1 bob-pc m1 bob-phone ' ||
    fail "lock: fetches"

# 6. The quickstart fetches m1 before the reply; runs are reproducible.
"$MHS" run "$MHS_SOURCE_DIR/scenarios/quickstart.yaml" --trace "$tmp/q.jsonl" >/dev/null || fail "quickstart"
grep -q '"ev":"msg.fetch","node":"bob-pc","msg":"m1",' "$tmp/q.jsonl" || fail "quickstart: no fetch of m1"
"$MHS" run -q "$dir/keep.yaml" --trace "$tmp/k2.jsonl" >/dev/null
cmp -s "$tmp/k.jsonl" "$tmp/k2.jsonl" || fail "two runs of keep.yaml differ"
echo "pop3: all checks passed"
