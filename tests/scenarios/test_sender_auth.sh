#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end runs of sender authentication (tests/scenarios/sender): SPF
# -all refusal with 550 5.7.23 and ~all tagging, ptr with and without a
# PTR, an include chain and the lookup limit, DKIM signed and verified
# (and broken by a footer or re-spaced headers), DMARC p=reject and
# p=quarantine; reproducible traces with derived keys; verdict
# expectations that fail exit 1.
set -eu
: "${MHS:?MHS must point at the mhs binary}"
: "${MHS_SOURCE_DIR:?}"
dir="$MHS_SOURCE_DIR/tests/scenarios/sender"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

for s in spf-forged spf-ptr spf-include dkim dmarc; do
    "$MHS" run "$dir/$s.yaml" --trace "$tmp/$s.jsonl" >"$tmp/$s.out" ||
        { cat "$tmp/$s.out" >&2; fail "$s: expectations did not hold"; }
    grep -q '^pass: ' "$tmp/$s.out" || fail "$s: no pass summary"
done

# 1. SPF: -all refused at MAIL (RFC 7372 X.7.23), ~all tagged.
grep -q '"ev":"smtp.reply","node":"msa.evil.test".*"code":550,"text":"5.7.23 SPF fail' "$tmp/spf-forged.jsonl" ||
    fail "no 550 5.7.23 to the forger"
grep -q '"ev":"spf.result","node":"mx.example.com","msg":"soft".*"result":"softfail","mechanism":"~all"' "$tmp/spf-forged.jsonl" ||
    fail "no softfail for ~all"
# The answer to the first MAIL waits for the DNS round trip (later ones
# may be answered from the resolver's cache).
mail_t=$(grep '"ev":"smtp.cmd","node":"mx.example.com".*MAIL FROM:<alice@polito.it>' "$tmp/spf-forged.jsonl" | head -1 | sed 's/^{"t":\([0-9.]*\),.*/\1/')
spf_t=$(grep '"ev":"spf.result","node":"mx.example.com","msg":"real"' "$tmp/spf-forged.jsonl" | sed 's/^{"t":\([0-9.]*\),.*/\1/')
[ "$mail_t" != "$spf_t" ] || fail "SPF took no virtual time ($mail_t)"

# 2. ptr: validated name passes, no PTR softfails; <> checks the HELO.
grep -q '"msg":"named".*"result":"pass","mechanism":"ptr"' "$tmp/spf-ptr.jsonl" || fail "ptr pass"
grep -q '"msg":"nameless".*"result":"softfail"' "$tmp/spf-ptr.jsonl" || fail "ptr softfail"
grep -q '"msg":"nullsender","identity":"helo","domain":"out.polito.it"' "$tmp/spf-ptr.jsonl" || fail "HELO identity"

# 3. include chain and lookup limit.
grep -q '"msg":"chain".*"result":"pass","mechanism":"include:_spf.bigmail.example"' "$tmp/spf-include.jsonl" ||
    fail "include chain"
grep -q '"msg":"deep".*"result":"permerror".*"lookups":11' "$tmp/spf-include.jsonl" || fail "lookup limit"

# 4. DKIM: keys published, signatures made and checked.
[ "$(grep -c '"ev":"dkim.key".*"published":true' "$tmp/dkim.jsonl")" -eq 4 ] || fail "four keys published"
grep -q '"ev":"dns.answer","node":"mx.example.com","name":"sa._domainkey.polito.it","type":"TXT","rcode":"NOERROR","data":"v=DKIM1; k=ed25519; p=' "$tmp/dkim.jsonl" ||
    fail "the MX did not fetch the key"
grep -q '"ev":"dkim.verify","node":"mx.example.com","msg":"footer".*"result":"fail","reason":"body hash mismatch"' "$tmp/dkim.jsonl" ||
    fail "footer did not break the body hash"
"$MHS" run -q "$dir/dkim.yaml" --trace "$tmp/dkim2.jsonl" >/dev/null
cmp -s "$tmp/dkim.jsonl" "$tmp/dkim2.jsonl" || fail "two DKIM runs with the same seed differ"

# 5. DMARC: p=reject refused after DATA, p=quarantine marked.
grep -q '"ev":"dmarc.result","node":"mx.example.com","msg":"forged","from_domain":"polito.it","result":"fail","policy":"reject","disposition":"reject"' "$tmp/dmarc.jsonl" ||
    fail "no DMARC fail for the forged From"
grep -q '"code":550,"text":"5.7.1 Email rejected per DMARC policy for polito.it"' "$tmp/dmarc.jsonl" ||
    fail "no 550 5.7.1"

# 6. A verdict that did not happen: exit 1 and the actual verdict.
sed 's/{message: soft, spf: softfail, at: mx.example.com}/{message: soft, spf: pass, at: mx.example.com}/' \
    "$dir/spf-forged.yaml" >"$tmp/wrong.yaml"
set +e
"$MHS" run "$tmp/wrong.yaml" >"$tmp/w.out" 2>&1
rc=$?
set -e
[ $rc -eq 1 ] || fail "wrong verdict: exit $rc, want 1"
grep -q 'FAIL .*soft spf=pass at mx.example.com' "$tmp/w.out" || fail "failed verdict not reported"
grep -q 'got: spf=softfail' "$tmp/w.out" || fail "actual verdict not reported"
echo "sender_auth: all checks passed"
