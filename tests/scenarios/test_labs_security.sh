#!/bin/sh
# SPDX-License-Identifier: MIT
# Labs 04-08 and 10 played through as a student would, per student
# variant: the answers read from the trace of the graded scenario are the
# ones the grader expects (the sniffed password in the eavesdropper's
# records, the CRAM-MD5 password that `mhs sasl crack` finds with the
# lab's wordlist, the listing code, the smuggling probes that got
# through), a neighbour's answers score below full marks, and each lab's
# lesson holds (simple/simple breaks at the re-wrapping gateway, the
# wrong DNSBL or DMARC settings lose mail). test_grade.sh covers the
# start states, the reference solutions and the output formats.
set -eu
: "${MHS:?MHS must point at the mhs binary}"
: "${MHS_SOURCE_DIR:?}"
src="$MHS_SOURCE_DIR"
labs="$src/labs"
sols="$src/tests/labs"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 absent: the grader's outputs cannot be parsed"; exit 1; }

var() { # var LAB STUDENT NAME: the student's variant value
    "$MHS" grade "$labs/$1" --print-variant --student "$2" | sed -n "s/^$3=//p"
}
# failed LAB SUBMISSION STUDENT: the names of the failed checks, one a line
failed() {
    "$MHS" grade "$labs/$1" --submission "$2" --student "$3" --format json -o "$tmp/r.json" ||
        fail "grade $1 $2: exit $?"
    python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))
if r["error"]: print("error: " + r["error"])
for c in r["checks"]:
    if not c["passed"]: print(c["name"])' "$tmp/r.json"
}
# trace LAB SUBMISSION STUDENT OUT: run the graded scenario with a trace
trace() {
    "$MHS" grade "$labs/$1" --submission "$2" --student "$3" --merged "$tmp/m.yaml" >/dev/null
    "$MHS" run "$tmp/m.yaml" --trace "$4" -q >/dev/null || true   # the start state fails its checks
    [ -s "$4" ] || fail "$1: no trace"
}
field() { # field FILE EV KEY [MATCH]: KEY of the first record of kind EV (containing MATCH)
    python3 -c 'import json,sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["ev"] == sys.argv[2] and (len(sys.argv) < 5 or sys.argv[4] in line):
        print(r[sys.argv[3]]); break' "$@"
}
sub() { rm -rf "$tmp/$1" && mkdir -p "$tmp/$1" && echo "$tmp/$1"; }

# ---- 04: sniff and crack, per student
l=04-submission-auth
for id in s100001 s100002; do
    t="$tmp/$id.jsonl"
    trace $l "$labs/$l/start" $id "$t"
    sniffed=$(field "$t" tap.observe password '"what":"credentials","mechanism":"PLAIN","user":"alice@')
    [ "$sniffed" = "$(var $l $id alice_password)" ] || fail "04 $id: eve-alice read '$sniffed'"
    cracked=$("$MHS" sasl crack --wordlist "$labs/$l/wordlist.txt" --trace "$t" | awk '$3 == "bob@polito.it" {print $1}')
    [ "$cracked" = "$(var $l $id bob_password)" ] || fail "04 $id: cracked '$cracked'"
    # the same from eve-bob's records alone (what the attacker has)
    grep '"node":"eve-bob"' "$t" >"$t.eve"
    [ "$("$MHS" sasl crack --wordlist "$labs/$l/wordlist.txt" --trace "$t.eve")" = "$cracked CRAM-MD5 bob@polito.it" ] ||
        fail "04 $id: not cracked from eve-bob's records"
    d=$(sub $id)
    cp "$sols/$l/solution/auth.yaml" "$d/"
    printf 'sniffed_password: "%s"\ncracked_password: %s\nlegacy_password_safe: "no"\n' \
        "$sniffed" "$cracked" >"$d/answers.yaml"
    [ -z "$(failed $l "$d" $id)" ] || fail "04 $id: own answers: $(failed $l "$d" $id)"
    # after the fix Eve reads no password on Alice's or Bob's link
    trace $l "$d" $id "$t"
    if grep '"ev":"tap.observe"' "$t" | grep -q '"node":"eve-\(alice\|bob\)".*"what":"\(credentials\|cram-md5\)"'; then
        fail "04 $id: credentials still readable after the fix"
    fi
    grep '"ev":"tap.observe"' "$t" | grep -q '"node":"eve-legacy".*"what":"credentials"' ||
        fail "04 $id: the legacy client's password should still cross in clear"
done
[ "$(var $l s100001 bob_password)" != "$(var $l s100002 bob_password)" ] || fail "04: same variant"
f=$(failed $l "$tmp/s100002" s100001)
echo "$f" | grep -q "The cracked password" || fail "04: a neighbour's answers: $f"
# requiring AUTH without tls_only lets the legacy client log in in clear
d=$(sub auth-only)
cp "$sols/$l/solution/answers.yaml" "$d/"
printf 'nodes:\n  - name: msa.polito.it\n    tls: {server: may}\n    auth: {required: true, mechanisms: [PLAIN, CRAM-MD5]}\n' >"$d/auth.yaml"
"$MHS" grade "$labs/$l" --submission "$d" --format json -o "$tmp/r.json"
python3 -c 'import json,sys
r = json.load(open(sys.argv[1])); bad = [c["name"] for c in r["checks"] if not c["passed"]]
sys.exit(0 if bad == ["No login in clear text is accepted"] else 1)' "$tmp/r.json" ||
    fail "04: AUTH required without tls_only"

# ---- 05: the listing code read from the trace; abuse@ and a dead list
l=05-dnsbl-abuse
id=s100003
t="$tmp/05.jsonl"
trace $l "$sols/$l/solution" $id "$t"
ip="203.0.113.$(var $l $id octet)"
code=$(field "$t" dnsbl.result codes "\"ip\":\"$ip\",\"list\":\"zen.dnsbl.example\"")
[ "$code" = "127.0.0.$(var $l $id code)" ] || fail "05: listing code '$code'"
d=$(sub 05)
cp "$sols/$l/solution/dnsbl.yaml" "$d/"
printf 'spammer_ip: %s\nlisting_code: %s\ndead_list: dead.dnsbl.example\n' "$ip" "$code" >"$d/answers.yaml"
[ -z "$(failed $l "$d" $id)" ] || fail "05: own answers: $(failed $l "$d" $id)"
printf 'nodes:\n  - name: mx.polito.it\n    exempt_role_accounts: false\n    dnsbl: {lists: [zen.dnsbl.example], allow: [198.18.5.25]}\n' >"$d/dnsbl.yaml"
[ "$(failed $l "$d" $id)" = "The hijacked firm reaches abuse@polito.it" ] || fail "05: abuse@ lost: $(failed $l "$d" $id)"
printf 'nodes:\n  - name: mx.polito.it\n    dnsbl: {lists: [zen.dnsbl.example, dead.dnsbl.example], allow: [198.18.5.25]}\n' >"$d/dnsbl.yaml"
failed $l "$d" $id | grep -q "Bob's mail still arrives" || fail "05: the dead list refused nobody"

# ---- 06: a record written with a:, valid for every variant
l=06-spf
d=$(sub 06)
printf 'dns:\n  polito.it:\n    TXT: ["v=spf1 ip4:130.192.0.0/16 include:_spf.google.com a:mailer.newsco.example -all"]\n' >"$d/spf.yaml"
for id in s100001 s100004; do
    printf 'newsletter_ip: 198.18.7.%s\nforged_start_result: softfail\ngoogle_forgery_result: pass\n' \
        "$(var $l $id octet)" >"$d/answers.yaml"
    [ -z "$(failed $l "$d" $id)" ] || fail "06 $id: $(failed $l "$d" $id)"
done
printf 'dns:\n  polito.it:\n    TXT: ["v=spf1 ip4:130.192.0.0/16 include:_spf.google.com a:mailer.newsco.example ~all"]\n' >"$d/spf.yaml"
[ "$(failed $l "$d" s100004 | tr '\n' ';')" = "The forgery fails SPF;The forgery is refused;" ] ||
    fail "06: ~all: $(failed $l "$d" s100004)"

# ---- 07: simple/simple breaks at the gateway only; the default selector is taken
l=07-dkim
id=s100005
d=$(sub 07)
printf 'example_selector: %s\nsimple_result: fail\nrewrapped_by: gw.partner-uni.example\n' \
    "$(var $l $id selector)" >"$d/answers.yaml"
printf 'nodes:\n  - name: out.polito.it\n    dkim: {domain: polito.it, selector: y2026, canon: simple/simple}\n' >"$d/dkim.yaml"
[ "$(failed $l "$d" $id)" = "The signature survives the partner's gateway" ] || fail "07 simple: $(failed $l "$d" $id)"
t="$tmp/07.jsonl"
trace $l "$d" $id "$t"
[ "$(field "$t" dkim.verify reason '"msg":"c1"')" = "signature mismatch" ] || fail "07: c1 not broken by the header"
printf 'nodes:\n  - name: out.polito.it\n    dkim: {domain: polito.it, selector: y2026}\n' >"$d/dkim.yaml"
[ -z "$(failed $l "$d" $id)" ] || fail "07 relaxed: $(failed $l "$d" $id)"
printf 'nodes:\n  - name: out.polito.it\n    dkim: {domain: polito.it}\n' >"$d/dkim.yaml"
failed $l "$d" $id | grep -q "The signature verifies at example.com" || fail "07: the stale key verified"

# ---- 08: p=reject alone loses the newsletter; sp=none lets the subdomain through
l=08-dmarc
id=s100006
d=$(sub 08)
printf 'forged_spf_domain: %s\nnewsletter_result: fail\ngiulia_aligned: spf\n' "$(var $l $id evil)" >"$d/answers.yaml"
printf 'dns:\n  _dmarc.polito.it:\n    TXT: ["v=DMARC1; p=reject"]\n' >"$d/dmarc.yaml"
[ "$(failed $l "$d" $id | tr '\n' ';')" = "The newsletter passes DMARC;The newsletter is delivered;" ] ||
    fail "08 p=reject alone: $(failed $l "$d" $id)"
cat "$sols/$l/solution/dmarc.yaml" | sed 's/p=reject;/p=reject; sp=none;/' >"$d/dmarc.yaml"
[ "$(failed $l "$d" $id)" = "The forged subdomain bounces too" ] || fail "08 sp=none: $(failed $l "$d" $id)"
cp "$sols/$l/solution/dmarc.yaml" "$d/"
[ -z "$(failed $l "$d" $id)" ] || fail "08: $(failed $l "$d" $id)"

# ---- 10: the probes that get through tell the mode
l=10-smtp-smuggling
seen=""
for id in s100001 s100002 s100003 s100004 s100005 s100006; do
    mode=$(var $l $id mode)
    case " $seen " in *" $mode "*) continue ;; esac
    seen="$seen $mode"
    t="$tmp/10.jsonl"
    trace $l "$labs/$l/start" $id "$t"
    done_of() { field "$t" raw.done completed "\"msg\":\"$1\""; }
    [ "$(done_of p1)$(done_of p2)" = "FalseFalse" ] || fail "10: the primary MX was fooled"
    want=$([ "$mode" = lenient_lf ] && echo TrueFalse || echo TrueTrue)
    [ "$(done_of p3)$(field "$t" raw.done extra_replies '"msg":"p4"' | sed 's/^0$/False/;s/^[1-9].*/True/')" = "$want" ] ||
        fail "10 $mode: probes p3/p4"
    d=$(sub 10)
    cp "$sols/$l/solution/data_end.yaml" "$d/"
    printf 'lenient_mx: mx2.polito.it\nlenient_mode: %s\nsmuggled_sender: %s@polito.it\n' \
        "$mode" "$(var $l $id smuggled)" >"$d/answers.yaml"
    [ -z "$(failed $l "$d" $id)" ] || fail "10 $id: $(failed $l "$d" $id)"
    printf 'nodes:\n  - {name: mx2.polito.it, data_end: normalize_lf}\n' >"$d/data_end.yaml"
    [ -z "$(failed $l "$d" $id)" ] || fail "10 $id normalize_lf: $(failed $l "$d" $id)"
done
[ "$seen" = " lenient_lf lenient_cr_lf" ] || [ "$seen" = " lenient_cr_lf lenient_lf" ] ||
    fail "10: the students drew only$seen"
echo "ok: labs 04-08 and 10 played through"
