#!/bin/sh
# SPDX-License-Identifier: MIT
# Spam campaigns end to end: a campaign through an open relay reaches the
# victims, with forged HELO, envelope sender and header fields, and the
# bounces of a mailbox that does not exist land at the forged sender
# (backscatter); the fixed relay refuses every message at RCPT while the
# domain's own mail flows both ways; a DNSBL-listed spammer is refused
# naming the list, at connect or at RCPT, except for abuse@. Every
# message gets a spam.verdict record. The campaign diagram aggregates
# the hundred-odd hops into counted edges and is deterministic. A wrong
# spam expectation fails the run.
set -eu
: "${MHS:?MHS must point at the mhs binary}"
: "${MHS_SOURCE_DIR:?}"
dir="$MHS_SOURCE_DIR/tests/scenarios/spam"
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
export ASAN_OPTIONS
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
count() { grep -c -- "$1" "$2" || true; }
xml_ok() { python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' "$1"; }

# 1. Open relay: 30 messages, 20 delivered to the victims, 10 bounced by
#    the victims' MX with DSNs delivered to the innocent forged sender.
"$MHS" run "$dir/open-relay.yaml" --trace "$tmp/o.jsonl" --pcap "$tmp/o.pcap" >"$tmp/o.out" ||
    fail "open relay scenario: $(cat "$tmp/o.out")"
grep -q '^pass: 7 of 7' "$tmp/o.out" || fail "open relay summary"
[ "$(count '"ev":"spam.send","node":"spammer"' "$tmp/o.jsonl")" -eq 30 ] || fail "30 spam.send"
[ "$(count '"ev":"spam.verdict"' "$tmp/o.jsonl")" -eq 30 ] || fail "30 spam.verdict records"
[ "$(count '"ev":"msg.deliver","node":"ms.victims.example","msg":"s[0-9]*"' "$tmp/o.jsonl")" -eq 20 ] ||
    fail "the victims did not get 20 spam messages"
[ "$(count '"ev":"spam.verdict","node":"ms.victims.example".*"verdict":"delivered","code":250' \
    "$tmp/o.jsonl")" -eq 20 ] || fail "20 delivered verdicts at the victims' store"
grep -q '"ev":"spam.verdict","node":"mx.victims.example","msg":"s3","campaign":"pills","spammer":"spammer","rcpt":"nobody@victims.example","sender":"ceo@innocent.example","verdict":"bounced","code":550' \
    "$tmp/o.jsonl" || fail "s3 not bounced at the victims' MX"
grep -q '"msg":"s3".*"path":"spammer,relay.example.com,mx.victims.example".*"dsn":"s3.dsn","dsn_to":"ceo@innocent.example","dsn_verdict":"delivered","dsn_node":"ms.innocent.example"' \
    "$tmp/o.jsonl" || fail "s3's verdict does not show the backscatter"
[ "$(count '"ev":"msg.deliver","node":"ms.innocent.example","msg":"s[0-9]*.dsn","qid":"[^"]*","rcpt":"ceo@innocent.example"' \
    "$tmp/o.jsonl")" -eq 10 ] || fail "the forged sender did not receive 10 DSNs"
# Forgeries on the wire: HELO and reverse path at the relay, header
# fields in the DATA bytes of the capture.
grep -q '"ev":"smtp.cmd","node":"relay.example.com".*"line":"EHLO mail.innocent.example"' "$tmp/o.jsonl" ||
    fail "forged EHLO not seen"
grep -q '"ev":"smtp.cmd","node":"relay.example.com".*"line":"MAIL FROM:<ceo@innocent.example>' "$tmp/o.jsonl" ||
    fail "forged reverse path not seen"
for h in 'Received: from trusted.innocent.example (\[198.18.0.9\]) by mail.innocent.example' \
    'From: The CEO <ceo@innocent.example>' 'Sender: ceo@innocent.example' \
    'Date: Mon, 1 Jan 2024 09:00:00 +0000' 'Message-ID: <forged.1@innocent.example>'; do
    grep -a -q "$h" "$tmp/o.pcap" || fail "forged header not sent: $h"
done
# The relay's own Received field sits above the fake one.
python3 - "$tmp/o.pcap" <<'PY' || fail "fake Received not below the relay's"
import sys
data = open(sys.argv[1], "rb").read()
real = data.find(b"Received: from mail.innocent.example")
fake = data.find(b"Received: from trusted.innocent.example", real)
sys.exit(0 if real >= 0 and fake > real else 1)
PY

# 2. Fixed relay: all 30 refused at RCPT with 554 5.7.1, nothing at the
#    victims, no backscatter, out1 and in1 delivered.
"$MHS" run "$dir/fixed-relay.yaml" --trace "$tmp/f.jsonl" >"$tmp/f.out" ||
    fail "fixed relay scenario: $(cat "$tmp/f.out")"
grep -q '^pass: 7 of 7' "$tmp/f.out" || fail "fixed relay summary"
[ "$(count '"ev":"spam.verdict","node":"relay.example.com".*"verdict":"rejected","code":554,"reason":"554 5.7.1 <[a-z0-9]*@victims.example>: Relay access denied","stage":"RCPT","path":"spammer"' \
    "$tmp/f.jsonl")" -eq 30 ] || fail "30 RCPT refusals by the relay"
[ "$(count '"ev":"msg.deliver","node":"ms.victims.example"' "$tmp/f.jsonl")" -eq 0 ] ||
    fail "the fixed relay let spam through"
[ "$(count '"ev":"msg.deliver","node":"ms.innocent.example"' "$tmp/f.jsonl")" -eq 0 ] ||
    fail "backscatter from the fixed relay"
grep -q '"ev":"msg.deliver","node":"ms.example.org","msg":"out1"' "$tmp/f.jsonl" || fail "out1 lost"
grep -q '"ev":"msg.deliver","node":"ms.example.com","msg":"in1"' "$tmp/f.jsonl" || fail "in1 lost"

# 3. DNSBL: refused at RCPT (exempt abuse@ delivered) and at connect.
"$MHS" run "$dir/dnsbl.yaml" --trace "$tmp/d.jsonl" >"$tmp/d.out" || fail "dnsbl scenario: $(cat "$tmp/d.out")"
grep -q '^pass: 8 of 8' "$tmp/d.out" || fail "dnsbl summary"
grep -q '"ev":"dns.query","node":"spammer","name":"example.com","type":"MX"' "$tmp/d.jsonl" ||
    fail "the spammer did not look the MX up"
# RFC 5782 2.1: the list's TXT record at the same name explains the listing.
grep -q '"ev":"dns.query","node":"mx.example.org","name":"99.2.0.192.bl.test","type":"TXT"' \
    "$tmp/d.jsonl" || fail "the TXT reason was not looked up"
grep -q '"ev":"spam.verdict","node":"mx.example.org","msg":"d3".*"verdict":"rejected","code":554,"reason":"554 Service unavailable; client \[192.0.2.99\] blocked using bl.test; Listed: 192.0.2.99 (spam source)","stage":"CONNECT"' \
    "$tmp/d.jsonl" || fail "d3 not refused at connect naming bl.test and its TXT"
grep -q '"ev":"spam.verdict","node":"mx.example.com","msg":"d1".*"code":554,"reason":"554 5.7.1 Service unavailable; client \[192.0.2.99\] blocked using bl.test; Listed: 192.0.2.99 (spam source)","stage":"RCPT"' \
    "$tmp/d.jsonl" || fail "d1 not refused at RCPT naming bl.test and its TXT"
# A zone without TXT records: the refusal names the list only.
sed 's/, TXT: \[[^]]*\]//' "$dir/dnsbl.yaml" >"$tmp/notxt.yaml"
! grep -q TXT "$tmp/notxt.yaml" || fail "the TXT records were not removed"
"$MHS" run "$tmp/notxt.yaml" --trace "$tmp/n.jsonl" >"$tmp/n.out" || fail "dnsbl without TXT: $(cat "$tmp/n.out")"
grep -q '"ev":"spam.verdict","node":"mx.example.org","msg":"d3".*"verdict":"rejected","code":554,"reason":"554 Service unavailable; client \[192.0.2.99\] blocked using bl.test","stage":"CONNECT"' \
    "$tmp/n.jsonl" || fail "d3 not refused at connect naming bl.test alone"
grep -q '"ev":"spam.verdict","node":"mx.example.com","msg":"d1".*"code":554,"reason":"554 5.7.1 Service unavailable; client \[192.0.2.99\] blocked using bl.test","stage":"RCPT"' \
    "$tmp/n.jsonl" || fail "d1 not refused at RCPT naming bl.test alone"
grep -q '"ev":"dnsbl.exempt","node":"mx.example.com"' "$tmp/d.jsonl" || fail "abuse@ not exempt"
grep -q '"ev":"msg.deliver","node":"ms.example.com","msg":"d2","qid":"[^"]*","rcpt":"abuse@example.com"' \
    "$tmp/d.jsonl" || fail "abuse@ did not get d2"

# 4. A wrong spam expectation fails the run (exit 1) and says why.
sed 's/{spam_delivered: 20, campaign: pills}/{spam_delivered: 0, campaign: pills}/' \
    "$dir/open-relay.yaml" >"$tmp/wrong.yaml"
st=0
"$MHS" run "$tmp/wrong.yaml" >"$tmp/w.out" || st=$?
[ "$st" -eq 1 ] || fail "a wrong spam_delivered exited $st, not 1"
grep -q 'FAIL 0 spam of campaign pills delivered' "$tmp/w.out" || fail "the failure is not reported"
grep -q 'got: 20 delivered' "$tmp/w.out" || fail "the count found is not reported"

# A traffic sender must be a mua or a spammer.
sed 's/from: \[spammer\]/from: [ns]/' "$dir/open-relay.yaml" >"$tmp/role.yaml"
st=0
"$MHS" run "$tmp/role.yaml" >"$tmp/r.out" 2>&1 || st=$?
[ "$st" -eq 2 ] || fail "traffic from a dns node exited $st, not 2"
grep -q "role.yaml:[0-9]*:[0-9]*: node has the wrong role: 'ns'" "$tmp/r.out" || fail "wrong-role message"

# 5. Campaign diagram (DOT): aggregated, counted edges and stop reasons.
"$MHS" viz "$tmp/o.jsonl" --campaign pills -o "$tmp/o.dot" || fail "viz --campaign pills"
[ "$(grep -c ' -> ' "$tmp/o.dot")" -eq 6 ] || fail "open relay diagram: not 6 aggregated edges"
grep -q 'spammer -> "relay.example.com"	\[label="30 messages"' "$tmp/o.dot" || fail "spammer edge"
grep -q '"relay.example.com" -> "mx.victims.example"	\[label="30 messages"' "$tmp/o.dot" ||
    fail "relay edge"
grep -q '"mx.victims.example" -> "ms.victims.example"	\[label="20 messages"' "$tmp/o.dot" ||
    fail "delivery edge"
grep -q 'label="10 DSN to ceo@innocent.example (backscatter)"' "$tmp/o.dot" || fail "backscatter edge"
grep -q 'label="bounced\\n550 5.1.1 Recipient address rejected: User unknown' "$tmp/o.dot" ||
    fail "bounce outcome"
grep -q 'label="campaign pills: 30 messages, 20 delivered, 10 bounced"' "$tmp/o.dot" || fail "title"
"$MHS" viz "$tmp/f.jsonl" --campaign pills -o "$tmp/f.dot" || fail "viz fixed"
[ "$(grep -c ' -> ' "$tmp/f.dot")" -eq 2 ] || fail "fixed relay diagram: not 2 edges"
grep -q 'label="rejected at RCPT\\n554 5.7.1 Relay access denied"' "$tmp/f.dot" ||
    fail "relay refusal outcome (addresses not folded)"
grep -q 'label="30 rejected"' "$tmp/f.dot" || fail "30 rejected edge"
"$MHS" viz "$tmp/d.jsonl" --campaign all -o "$tmp/d.dot" || fail "viz dnsbl"
grep -q 'label="rejected at CONNECT\\n554 Service unavailable; client \[192.0.2.99\] blocked using bl.test; Listed: 192.0.2.99 (spam source)"' \
    "$tmp/d.dot" || fail "DNSBL connect outcome"
grep -q 'label="rejected at RCPT\\n554 5.7.1 Service unavailable; client \[192.0.2.99\] blocked using bl.test; Listed: 192.0.2.99 (spam source)"' \
    "$tmp/d.dot" || fail "DNSBL RCPT outcome"
st=0
"$MHS" viz "$tmp/o.jsonl" --campaign nosuch -o "$tmp/x.dot" 2>"$tmp/x.err" || st=$?
[ "$st" -eq 2 ] || fail "unknown campaign exited $st"
grep -q "no campaign 'nosuch'" "$tmp/x.err" || fail "unknown campaign message"

# 6. A 100-message campaign stays a handful of arrows; SVG parses; same
#    trace, same bytes; mhs run --svg writes campaign-NAME.svg.
sed -e 's/count: 30/count: 100/' -e 's/rate: 10/rate: 50/' -e '/spam_delivered\|mailbox:/d' \
    "$dir/open-relay.yaml" >"$tmp/big.yaml"
"$MHS" run -q "$tmp/big.yaml" --trace "$tmp/b.jsonl" --svg "$tmp/svg" >/dev/null || fail "100-message run"
[ "$(count '"ev":"spam.verdict"' "$tmp/b.jsonl")" -eq 100 ] || fail "100 verdicts"
"$MHS" viz "$tmp/b.jsonl" -c pills -o "$tmp/b.dot" || fail "viz 100"
[ "$(grep -c ' -> ' "$tmp/b.dot")" -eq 6 ] || fail "100 messages: not 6 edges"
grep -q 'label="100 messages"' "$tmp/b.dot" || fail "100 messages label"
[ -f "$tmp/svg/campaign-pills.svg" ] || fail "--svg wrote no campaign-pills.svg"
xml_ok "$tmp/svg/campaign-pills.svg" || fail "campaign SVG is not XML"
"$MHS" viz "$tmp/b.jsonl" -c pills -o "$tmp/b1.svg" && "$MHS" viz "$tmp/b.jsonl" -c pills -o "$tmp/b2.svg" ||
    fail "viz svg"
cmp -s "$tmp/b1.svg" "$tmp/b2.svg" || fail "two renderings differ"
cmp -s "$tmp/b1.svg" "$tmp/svg/campaign-pills.svg" || fail "run --svg and viz differ"

# 7. Same seed, same trace.
"$MHS" run -q "$dir/open-relay.yaml" --trace "$tmp/o2.jsonl" >/dev/null
cmp -s "$tmp/o.jsonl" "$tmp/o2.jsonl" || fail "two runs of open-relay.yaml differ"
# 8. Backup MX: the best MX refuses (example.com) or never answers
#    (example.org); the spammer goes on to the next MX, which delivers.
"$MHS" run "$dir/backup-mx.yaml" --trace "$tmp/x.jsonl" --maildir "$tmp/xmd" >"$tmp/x.out" 2>&1 ||
    fail "backup-mx scenario: $(cat "$tmp/x.out")"
grep -q '^pass: 2 of 2' "$tmp/x.out" || fail "backup-mx summary"
grep -q '"ev":"spam.next_mx","node":"spammer","msg":"b1","failed":"mx.example.com","reason":"connection refused","next":"backup.example.net"' \
    "$tmp/x.jsonl" || fail "no fallback after a refused connection"
grep -q '"ev":"spam.next_mx","node":"spammer","msg":"b2","failed":"dead.example.org","reason":"connection timed out","next":"backup.example.net"' \
    "$tmp/x.jsonl" || fail "no fallback after a connect timeout"
[ "$(count '"ev":"spam.verdict".*"verdict":"delivered".*"path":"spammer,backup.example.net,ms.example.com"' \
    "$tmp/x.jsonl")" -eq 4 ] || fail "not 4 messages through the backup MX"
# Without a backup MX the refusal stands: rejected at CONNECT, no fallback.
sed 's/{MX: \["20 backup.example.net", "10 mx.example.com"\]}/{MX: ["10 mx.example.com"]}/' \
    "$dir/backup-mx.yaml" >"$tmp/nobackup.yaml"
"$MHS" run "$tmp/nobackup.yaml" --trace "$tmp/y.jsonl" >"$tmp/y.out" 2>&1 || true
[ "$(count '"ev":"spam.next_mx","node":"spammer","msg":"b[13]"' "$tmp/y.jsonl")" -eq 0 ] ||
    fail "fallback without a next MX"
[ "$(count '"ev":"spam.verdict","node":"mx.example.com","msg":"b[13]".*"verdict":"rejected","code":0,"reason":"connection refused","stage":"CONNECT"' "$tmp/y.jsonl")" -eq 2 ] ||
    fail "unreachable single MX not rejected at CONNECT"
# {n} and {rand}: four different Message-IDs, numbered 1 to 4.
grep -rh '^Message-ID:' "$tmp/xmd" | sort >"$tmp/mids"
[ "$(wc -l <"$tmp/mids")" -eq 4 ] || fail "not 4 Message-IDs"
[ "$(sort -u "$tmp/mids" | wc -l)" -eq 4 ] || fail "the Message-IDs repeat"
for n in 1 2 3 4; do
    grep -Eq "^Message-ID: <$n\.[0-9a-f]{16}@bulk\.spam\.example>" "$tmp/mids" || fail "no Message-ID for message $n"
done

echo "spam scenarios: ok"
