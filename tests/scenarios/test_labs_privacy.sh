#!/bin/sh
# SPDX-License-Identifier: MIT
# Labs 02, 09, 11 and 12 beyond what test_grade.sh checks for every lab:
# the half-fixes a student is likely to hand in fail the check they
# should (and only what they should), and the answers that depend on a
# student's variant are graded against that student's own run (the true
# path through the variant's relay, the variant's addresses, passwords and
# certificate names), so a neighbour's answers do not pass.
set -eu
: "${MHS:?MHS must point at the mhs binary}"
: "${MHS_SOURCE_DIR:?}"
src="$MHS_SOURCE_DIR"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 absent: the grader's JSON cannot be parsed"; exit 1; }

# failed LAB SUB [ARGS...]: the names of the failed checks, one a line.
failed() {
    lab=$1 sub=$2
    shift 2
    "$MHS" grade "$src/labs/$lab" --submission "$sub" --format json "$@" -o "$tmp/r.json" ||
        fail "grade $lab $sub: exit $?"
    python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
if r["error"]:
    print("ERROR " + r["error"])
for c in r["checks"]:
    if not c["passed"]:
        print(c["name"])' "$tmp/r.json"
}
# expect_failed LAB SUB "NAME|NAME..." [ARGS...]: exactly these checks fail.
expect_failed() {
    lab=$1 sub=$2 want=$3
    shift 3
    got=$(failed "$lab" "$sub" "$@" | tr '\n' '|' | sed 's/|$//')
    [ "$got" = "$want" ] || fail "$lab $(basename "$sub") $*: failed checks '$got', expected '$want'"
}
variant() { # variant LAB ID NAME
    "$MHS" grade "$src/labs/$1" --student "$2" --print-variant | sed -n "s/^$3=//p"
}
# submission NAME LAB: a copy of the lab's reference solution to edit.
submission() {
    rm -rf "${tmp:?}/$1"
    cp -r "$src/tests/labs/$2/solution" "$tmp/$1"
    echo "$tmp/$1"
}

# ---- 02: the MSA needs both AUTH and the login match ---------------------
s=$(submission req-only 02-headers-forgery)
printf 'nodes:\n  - name: msa.polito.it\n    auth: {required: true, mechanisms: [PLAIN]}\n' >"$s/msa.yaml"
expect_failed 02-headers-forgery "$s" "mallory cannot write as the rector"
s=$(submission match-only 02-headers-forgery)
printf 'nodes:\n  - name: msa.polito.it\n    auth: {mechanisms: [PLAIN], sender_login_match: true}\n' >"$s/msa.yaml"
expect_failed 02-headers-forgery "$s" "A client without an account cannot write as Alice"
# The phisher's route and address are the student's: find an ID whose
# relay is not the default one; the default answers fail for it, its own
# pass.
id=""
for cand in alice bob carol dave s100001 s100002; do
    if [ "$(variant 02-headers-forgery "$cand" relay)" != out1.shady.example ]; then
        id=$cand
        break
    fi
done
[ -n "$id" ] || fail "02: every ID routes through out1.shady.example"
relay=$(variant 02-headers-forgery "$id" relay)
octet=$(variant 02-headers-forgery "$id" octet)
sec=$(variant 02-headers-forgery "$id" secretary)
s=$(submission own-02 02-headers-forgery)
[ "$octet" != 10 ] || fail "02: $id got the default octet too"
want="The true path of the phishing message|The phisher's address"
[ "$sec" = sam ] || want="$want|Who sent m3"
expect_failed 02-headers-forgery "$s" "$want" --student "$id"
cat >"$s/answers.yaml" <<EOF
true_path: phisher-pc -> msa.shady.example -> $relay -> mx.example.com -> ms.example.com -> bob-pc
origin_ip: 203.0.113.$octet
m3_sender: $sec@polito.it
forged_received: 2
date_finding: DATE-OLD
EOF
expect_failed 02-headers-forgery "$s" "" --student "$id"
# The Received chain as the sender wrote it is not the path.
sed -i 's/^true_path: .*/true_path: [pc17.bank.example, gw.bank.example, mail.bank.example, mx.example.com, ms.example.com, bob-pc]/' \
    "$s/answers.yaml"
expect_failed 02-headers-forgery "$s" "The true path of the phishing message" --student "$id"

# ---- 09: each TLS level in turn ------------------------------------------
for level in none may encrypt verify secure; do
    s=$(submission "tls-$level" 09-starttls-stripping)
    printf 'nodes:\n  - name: out.polito.it\n    tls: {client: %s}\n' "$level" >"$s/tls.yaml"
    case $level in
    none) want="The contract (m1) never crosses mallory's link in clear text|The offer (m2) is not handed to the impostor|... and it crossed the Internet encrypted|Alice is told that m1 and m2 were not sent" ;;
    may) want="The contract (m1) never crosses mallory's link in clear text|The offer (m2) is not handed to the impostor|Alice is told that m1 and m2 were not sent" ;;
    encrypt) want="The offer (m2) is not handed to the impostor|Alice is told that m1 and m2 were not sent" ;;
    *) want="" ;;
    esac
    expect_failed 09-starttls-stripping "$s" "$want"
done
# What mallory did and whom the impostor claims to be are the student's.
for id in alice bob carol dave; do
    strip=$(variant 09-starttls-stripping "$id" strip)
    imp=$(variant 09-starttls-stripping "$id" impostor)
    s=$(submission "own-09-$id" 09-starttls-stripping)
    printf 'clear_level: may\nstripped: %s\nimpostor_level: encrypt\nimpostor_name: %s\n' \
        "$strip" "$imp" >"$s/answers.yaml"
    expect_failed 09-starttls-stripping "$s" "" --student "$id"
done
[ "$(variant 09-starttls-stripping carol strip)" = false ] || fail "09: carol's mallory strips"
s=$(submission neighbour-09 09-starttls-stripping)
expect_failed 09-starttls-stripping "$s" "What mallory did" --student carol

# ---- 11: each protection where it does not belong ------------------------
protect() { # protect NAME M1 M2: the solution with these modes
    s=$(submission "$1" 11-end-to-end)
    printf 'events:\n  - send: {id: m1, smime: %s}\n  - send: {id: m2, smime: %s}\n' "$2" "$3" \
        >"$s/messages.yaml"
    echo "$s"
}
expect_failed 11-end-to-end "$(protect p-none none none)" \
    "Bob reads m1 and knows it is Alice's, unchanged|The stores and relays hold only ciphertext of m1|Bob's MUA detects that m2 was changed"
expect_failed 11-end-to-end "$(protect p-enc encrypt sign)" \
    "Bob reads m1 and knows it is Alice's, unchanged"
expect_failed 11-end-to-end "$(protect p-sign sign sign)" \
    "Bob reads m1 and knows it is Alice's, unchanged|The stores and relays hold only ciphertext of m1"
expect_failed 11-end-to-end "$(protect p-m2enc sign+encrypt sign+encrypt)" \
    "Carol, who has no certificate, still gets m2|Bob's MUA detects that m2 was changed"
expect_failed 11-end-to-end "$(protect p-opaque sign+encrypt opaque-sign)" \
    "Bob's MUA detects that m2 was changed"
# Only the S/MIME mode of each message is the student's: a new body, or
# a message of their own, is refused and scores zero.
s=$(submission body-11 11-end-to-end)
printf 'events:\n  - send: {id: m1, smime: sign+encrypt, body: "The code is 0000."}\n' >"$s/messages.yaml"
got=$(failed 11-end-to-end "$s" | head -1)
[ "$got" = "ERROR $s/messages.yaml:2:41: 'events.m1.send.body' may not be set in this lab (you may set: events.m1.send.smime, events.m2.send.smime)" ] ||
    fail "11: a new body: '$got'"
[ "$(failed 11-end-to-end "$s" | sed 1d | wc -l)" = "$(grep -c '^  - name: ' "$src/labs/11-end-to-end/lab.yaml")" ] ||
    fail "11: a refused submission must fail every check"
# The door code and the attacker's account are the student's.
code=$(variant 11-end-to-end alice code)
acct=$(variant 11-end-to-end alice acct)
[ "$code" != 1000 ] && [ "$acct" != 1000 ] || fail "11: alice got a default variant"
s=$(submission own-11 11-end-to-end)
expect_failed 11-end-to-end "$s" \
    "The door code as the store held it in the start state|The IBAN Bob was given in the start state" \
    --student alice
sed -i "s/^code: .*/code: $code/; s/^attacker_iban: .*/attacker_iban: IBAN GB33 BUKB 2020 $acct 5566 77/" \
    "$s/answers.yaml"
expect_failed 11-end-to-end "$s" "" --student alice
# Under TLS alone the taps do not read: eve is not among the readers.
sed -i 's/^readers_tls: .*/readers_tls: [alice-pc, msa.polito.it, smarthost.isp.example, mx.example.com, eve, ms.example.com, bob-pc]/' \
    "$s/answers.yaml"
expect_failed 11-end-to-end "$s" "Who reads m1 under TLS alone" --student alice
# The readers are graded as a set against the simulator's exposure table:
# any order passes, one party too many fails.
sed -i 's/^readers_tls: .*/readers_tls: bob-pc, ms.example.com, mx.example.com, smarthost.isp.example, msa.polito.it, alice-pc/; s/^readers_encrypted: .*/readers_encrypted: [bob-pc, alice-pc]/' \
    "$s/answers.yaml"
expect_failed 11-end-to-end "$s" "" --student alice
sed -i 's/^readers_encrypted: .*/readers_encrypted: alice-pc, ms.example.com, bob-pc/' "$s/answers.yaml"
expect_failed 11-end-to-end "$s" "Who reads m1 when it is encrypted" --student alice

# ---- 12: HTTPS at both ends of Alice's link ------------------------------
for pair in "true false" "false true"; do
    set -- $pair
    s=$(submission "https-$1-$2" 12-webmail-privacy)
    printf 'nodes:\n  - {name: web.example.com, https: %s}\n  - {name: alice-browser, https: %s}\n' \
        "$1" "$2" >"$s/web.yaml"
    # Either way Alice's visits fail: w1 is never sent (so Bob has nothing
    # to read), m1 never reaches her browser (so the path answer, graded
    # against the run, fails too). A browser still on plain HTTP sends the
    # login form in clear, so eve reads the password.
    eve=""
    [ "$2" = true ] || eve="Eve at the cafe no longer reads Alice's password|"
    want="Alice's message w1 reaches Bob's mailbox|${eve}Bob, whose browser speaks only HTTPS, reads w1|Alice still reads her mail (m1) in the browser|How m1 reached Alice's screen"
    expect_failed 12-webmail-privacy "$s" "$want"
done
pw=$(variant 12-webmail-privacy bob password)
[ "$pw" != sunshine42 ] || fail "12: bob got the default password"
s=$(submission own-12 12-webmail-privacy)
expect_failed 12-webmail-privacy "$s" "The password eve read at the cafe" --student bob
sed -i "s/^eve_password: .*/eve_password: $pw/" "$s/answers.yaml"
expect_failed 12-webmail-privacy "$s" "" --student bob
# The start state really shows the student's password to eve, and HTTPS
# hides it: the answer is what the run traced.
"$MHS" grade "$src/labs/12-webmail-privacy" --submission "$src/labs/12-webmail-privacy/start" \
    --student bob --merged "$tmp/start12.yaml" -o /dev/null
"$MHS" run -q "$tmp/start12.yaml" --trace "$tmp/start12.jsonl" >/dev/null || true
grep '"node":"eve"' "$tmp/start12.jsonl" | grep -q "\"what\":\"credentials\",\"mechanism\":\"FORM\",\"user\":\"alice@example.com\",\"password\":\"$pw\"" ||
    fail "12: eve did not read bob's variant of the password in the start state"
"$MHS" grade "$src/labs/12-webmail-privacy" --submission "$src/tests/labs/12-webmail-privacy/solution" \
    --student bob --merged "$tmp/sol12.yaml" -o /dev/null
"$MHS" run -q "$tmp/sol12.yaml" --trace "$tmp/sol12.jsonl" >/dev/null
if grep '"node":"eve"' "$tmp/sol12.jsonl" | grep -q "$pw"; then fail "12: eve read the password over HTTPS"; fi
echo "ok: labs 02, 09, 11, 12"
