#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end: headers the MUA writes and forges (Bcc, Sender, MSA-completed
# Date and Message-ID, sender_login_match), `mhs msg headers` on delivered
# copies (forged Received hops found, true hops trusted) and on the RFC
# 5322 corpus, read receipts (RFC 8098: sent and not sent), and DSN
# requests (RFC 3461: delivered, relayed, delayed, NOTIFY=NEVER).
set -eu
: "${MHS:?MHS must point at the mhs binary}"
: "${MHS_SOURCE_DIR:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
hdir="$MHS_SOURCE_DIR/tests/scenarios/headers"
rdir="$MHS_SOURCE_DIR/tests/scenarios/receipts"

# 1. Forged headers: the expectations (m2 refused 553, m3 completed by the
# MSA, m4 with Sender) hold, and the delivered copy of m1 is analysed.
"$MHS" run -q "$hdir/forged.yaml" --dump-messages "$tmp/f" --trace "$tmp/f.jsonl" >/dev/null ||
    fail "forged.yaml expectations"
[ -f "$tmp/f/m1--bob@example.com.eml" ] || fail "no dumped copy of m1"
"$MHS" msg headers "$tmp/f/m1--bob@example.com.eml" --format json \
    --envelope-from alice@polito.it --envelope-to bob@example.com >"$tmp/m1.json" ||
    fail "msg headers on m1"
python3 - "$tmp/m1.json" "$tmp/f.jsonl" <<'PY' || fail "m1 analysis"
import json, sys
a = json.load(open(sys.argv[1]))
# The true path, from the trace: the nodes that accepted or delivered m1.
true_by = set()
for line in open(sys.argv[2]):
    r = json.loads(line)
    if r.get("msg") == "m1" and r["ev"] in ("msg.accept", "msg.deliver"):
        true_by.add(r["node"])
assert true_by == {"msa.polito.it", "out.polito.it", "mx.example.com", "ms.example.com"}, true_by
assert a["verdict"] == "forged", a["verdict"]
hops = a["hops"]
assert len(hops) == 6, len(hops)
for h in hops:
    if h["by"] in true_by:
        assert h["trusted"] and h["flag"] is None, ("true hop flagged", h)
    else:
        assert not h["trusted"] and h["flag"], ("forged hop not flagged", h)
forged = [h["by"] for h in hops if h["flag"]]
assert forged == ["gw.bank.example", "mail.bank.example"], forged
codes = {f["code"] for f in a["findings"]}
for c in ("chain-break", "untrusted-hop", "date-old", "return-path-domain"):
    assert c in codes, (c, codes)
PY
# m3: the MSA wrote Date and Message-ID; m4: From the boss, Sender mallory.
grep -q '^Date: ' "$tmp/f/m3--bob@example.com.eml" || fail "m3 has no Date"
grep -q '^Message-ID: <.*@msa.polito.it>' "$tmp/f/m3--bob@example.com.eml" ||
    fail "m3's Message-ID was not made by the MSA"
grep -q '^Sender: mallory@polito.it' "$tmp/f/m4--bob@example.com.eml" || fail "m4 Sender"
grep -q '"ev":"msg.reject","node":"msa2.polito.it","msg":"m2".*"code":553' "$tmp/f.jsonl" ||
    fail "m2 not refused by sender_login_match"
"$MHS" msg headers "$tmp/f/m4--bob@example.com.eml" >"$tmp/m4.txt"
[ "$(head -n 1 "$tmp/m4.txt")" = clean ] || fail "m4 should be clean"
grep -q '^info sender-differs' "$tmp/m4.txt" || fail "m4 sender-differs"

# 2. Read receipts and Bcc.
"$MHS" run -q "$rdir/mdn.yaml" --dump-messages "$tmp/m" --trace "$tmp/m.jsonl" >/dev/null ||
    fail "mdn.yaml expectations"
python3 - "$tmp/m.jsonl" <<'PY' || fail "mdn decisions"
import json, sys
d = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["ev"] == "mdn.decision":
        d[r["msg"]] = r
want = {"m1": True, "m2": False, "m3": False, "m4": True, "m5": False}
assert {k: v["sent"] for k, v in d.items()} == want, d
assert d["m1"]["disposition"] == "automatic-action/MDN-sent-automatically; displayed"
assert d["m4"]["disposition"] == "manual-action/MDN-sent-manually; displayed"
assert "never" in d["m2"]["reason"] and "declined" in d["m3"]["reason"]
assert d["m5"]["request"] == "Return-Receipt-To"
PY
mdn="$tmp/m/m1.mdn--alice@example.com.eml"
[ -f "$mdn" ] || fail "the MDN for m1 was not delivered to alice"
[ ! -f "$tmp/m/m2.mdn--alice@example.com.eml" ] || fail "an MDN for m2 exists"
grep -q 'report-type=disposition-notification' "$mdn" || fail "MDN content type"
grep -q '^Content-Type: message/disposition-notification' "$mdn" || fail "MDN part"
grep -q '^Reporting-UA: bob-pc; mhs' "$mdn" || fail "Reporting-UA"
grep -q '^Final-Recipient: rfc822; bob@example.com' "$mdn" || fail "Final-Recipient"
omid=$(sed -n 's/^Message-ID: //p' "$tmp/m/m1--bob@example.com.eml" | tr -d '\r')
grep -q "^Original-Message-ID: $omid" "$mdn" || fail "Original-Message-ID"
grep -q '^Return-Path: <>' "$mdn" || fail "the MDN's envelope sender is not null"
# The reply names m1 (RFC 5322 3.6.4).
grep -q "^In-Reply-To: $omid" "$tmp/m/r1--alice@example.com.eml" || fail "r1 In-Reply-To"
grep -q "^References: $omid" "$tmp/m/r1--alice@example.com.eml" || fail "r1 References"
grep -q '^Subject: Re: One' "$tmp/m/r1--alice@example.com.eml" || fail "r1 Subject"
# Bcc: carol got m6, no copy says so.
[ -f "$tmp/m/m6--carol@example.com.eml" ] || fail "the Bcc recipient got nothing"
! grep -qi '^Bcc:' "$tmp/m/m6--carol@example.com.eml" "$tmp/m/m6--bob@example.com.eml" ||
    fail "a delivered copy shows Bcc"
grep -q '"ev":"msg.submit","node":"alice-pc","msg":"m6".*"rcpts":2' "$tmp/m.jsonl" ||
    fail "m6 envelope should have two recipients"
grep -q '"ev":"dsn.suppressed","node":"alice-pc","msg":"m7","reason":"the MSA does not advertise DSN' \
    "$tmp/m.jsonl" || fail "m7: a DSN request to an MSA without DSN is not reported"
! grep -q 'NOTIFY=' "$tmp/m.jsonl" || fail "NOTIFY sent to an MSA that does not offer DSN"

# 3. DSN requests.
"$MHS" run -q "$rdir/dsn.yaml" --dump-messages "$tmp/d" --trace "$tmp/d.jsonl" >/dev/null ||
    fail "dsn.yaml expectations"
grep -q '"ev":"msg.dsn","node":"mx.example.com","msg":"m1.dsn-delivered","about":"m1".*"action":"delivered"' \
    "$tmp/d.jsonl" || fail "no delivered DSN for m1"
grep -q '"node":"mx.example.com".*"line":"RCPT TO:<bob@example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@example.com"' \
    "$tmp/d.jsonl" || fail "NOTIFY not passed on to mx.example.com"
grep -q '"ev":"msg.dsn","node":"out.polito.it","msg":"m2.dsn-relayed","about":"m2".*"action":"relayed"' \
    "$tmp/d.jsonl" || fail "no relayed DSN for m2"
! grep -q '"node":"mx.old.example".*NOTIFY' "$tmp/d.jsonl" || fail "NOTIFY sent to a non-DSN MTA"
grep -q '"ev":"dsn.suppressed","node":"mx.example.com","msg":"m3".*"reason":"NOTIFY=NEVER' \
    "$tmp/d.jsonl" || fail "NOTIFY=NEVER did not suppress the bounce"
! grep -q '"ev":"msg.dsn".*"about":"m3"' "$tmp/d.jsonl" || fail "a DSN about m3 was sent"
python3 - "$tmp/d.jsonl" <<'PY' || fail "no delayed DSN for m4 two minutes after it was queued"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
acc = [r["t"] for r in recs if r["ev"] == "msg.accept" and r["node"] == "out.polito.it" and r["msg"] == "m4"]
dsn = [r for r in recs if r["ev"] == "msg.dsn" and r.get("about") == "m4"]
assert len(acc) == 1 and len(dsn) == 1, (acc, dsn)
assert dsn[0]["action"] == "delayed" and dsn[0]["node"] == "out.polito.it", dsn
assert abs(dsn[0]["t"] - acc[0] - 120.0) < 1e-6, (dsn[0]["t"], acc[0])  # delay_warning: 2m
dl = [r["t"] for r in recs if r["ev"] == "msg.deliver" and r["msg"] == "m4"]
assert dl and dl[0] > dsn[0]["t"], dl
PY
grep -q '"ev":"msg.deliver","node":"ms.slow.example","msg":"m4"' "$tmp/d.jsonl" ||
    fail "m4 not delivered after the delay"
d1="$tmp/d/m1.dsn-delivered--alice@polito.it.eml"
grep -q '^Action: delivered' "$d1" && grep -q '^Status: 2.0.0' "$d1" || fail "delivered DSN fields"
grep -q '^Original-Envelope-Id: QQ314159' "$d1" || fail "ENVID not returned"
grep -q '^Original-Recipient: rfc822; bob@example.com' "$d1" || fail "ORCPT not returned"
grep -q '^Action: relayed' "$tmp/d/m2.dsn-relayed--alice@polito.it.eml" || fail "relayed DSN"
grep -q '^Action: delayed' "$tmp/d/m4.dsn-delayed--alice@polito.it.eml" || fail "delayed DSN"
"$MHS" run -q "$rdir/dsn.yaml" --trace "$tmp/d2.jsonl" >/dev/null
cmp -s "$tmp/d.jsonl" "$tmp/d2.jsonl" || fail "two runs of dsn.yaml differ"

# 4. mhs msg headers on real-world messages, and its usage errors.
conf="${MHS_CONFORMANCE_DIR:-$MHS_SOURCE_DIR/../shared/conformance}/rfc5322"
if [ -d "$conf" ]; then
    n=0
    for f in "$conf"/appendix-a/*.eml "$conf"/extra/*.eml "$conf"/cpython-email-corpus/data/msg_*.txt; do
        v=$("$MHS" msg headers "$f" | head -n 1) || fail "msg headers $f"
        case "$v" in clean | suspicious | forged) ;; *) fail "$f: verdict '$v'" ;; esac
        "$MHS" msg headers --format json "$f" | python3 -c 'import json,sys; json.load(sys.stdin)' ||
            fail "$f: JSON"
        n=$((n + 1))
    done
    [ "$n" -ge 60 ] || fail "only $n corpus messages"
    [ "$("$MHS" msg headers "$conf/appendix-a/A.4-trace.eml" | head -n 1)" = clean ] ||
        fail "RFC 5322 A.4 should be clean"
else
    echo "conformance folder absent: skipping the RFC 5322 corpus"
fi
printf 'Received: from a.example by b.example; Thu, 1 Jan 2026 10:00:00 +0000\r\nFrom: x@a.example\r\n\r\n' |
    "$MHS" msg headers - >"$tmp/stdin.txt" || fail "msg headers -"
grep -q '^hop 1: from a.example by b.example' "$tmp/stdin.txt" || fail "stdin hop"
set +e
"$MHS" msg headers "$tmp/no-such.eml" 2>/dev/null; rc1=$?
"$MHS" msg headers --format xml "$tmp/stdin.txt" 2>/dev/null; rc2=$?
"$MHS" msg 2>/dev/null; rc3=$?
set -e
[ $rc1 -eq 2 ] && [ $rc2 -eq 2 ] && [ $rc3 -eq 2 ] || fail "usage errors: $rc1 $rc2 $rc3, want 2"
echo "headers: all checks passed"
