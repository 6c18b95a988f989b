#!/bin/sh
# SPDX-License-Identifier: MIT
# The tap expectation ({tap, saw, present, user}): what an eavesdropper
# read on its link, checked after a run with or without a trace; each
# expectation turned around fails with what the tap did see; a bad `saw`
# or an unknown tap is an error at its FILE:LINE:COL.
set -eu
: "${MHS:?MHS must point at the mhs binary}"
: "${MHS_SOURCE_DIR:?}"
sc="$MHS_SOURCE_DIR/tests/scenarios/tap/tap-expect.yaml"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$MHS" run "$sc" >"$tmp/out" || fail "run: $(tail -5 "$tmp/out")"
grep -q "pass: 10 of 10 expectations held" "$tmp/out" || fail "not all held: $(cat "$tmp/out")"
"$MHS" run "$sc" --trace "$tmp/t.jsonl" >/dev/null || fail "run with a trace"
# The records agree with the expectations.
grep '"node":"eve"' "$tmp/t.jsonl" | grep -q '"what":"credentials","mechanism":"PLAIN","user":"alice@polito.it"' ||
    fail "eve's credentials record"
if grep '"node":"eve2"' "$tmp/t.jsonl" | grep -q '"what":"\(credentials\|cram-md5\)"'; then
    fail "eve2 read a login under TLS"
fi

# Turned around, each tap expectation fails and says what was seen.
sed -e 's/{tap: eve, saw: credentials}/{tap: eve, saw: credentials, present: false}/' \
    -e 's/user: alice@polito.it}/user: bob@polito.it}/' \
    -e 's/{tap: eve2, saw: cram-md5, present: false}/{tap: eve2, saw: cram-md5}/' \
    "$sc" >"$tmp/flip.yaml"
set +e
"$MHS" run "$tmp/flip.yaml" >"$tmp/out" 2>&1
rc=$?
set -e
[ $rc -eq 1 ] || fail "flipped: exit $rc, want 1"
grep -q "fail: 7 of 10 expectations held" "$tmp/out" || fail "flipped: $(tail -3 "$tmp/out")"
grep -A1 "FAIL eve does not see credentials" "$tmp/out" | grep -q "got: eve saw credentials 1 time (alice@polito.it)" ||
    fail "flipped credentials: $(cat "$tmp/out")"
grep -A1 "FAIL eve sees credentials of bob@polito.it" "$tmp/out" | grep -q "got: eve saw no credentials" ||
    fail "flipped user: $(cat "$tmp/out")"
grep -A1 "FAIL eve2 sees cram-md5" "$tmp/out" | grep -q "got: eve2 saw no cram-md5" ||
    fail "flipped cram-md5: $(cat "$tmp/out")"

# A mitm's own actions are what it saw too: lab 09's mallory strips
# STARTTLS from the start state's session and reads the message.
"$MHS" grade "$MHS_SOURCE_DIR/labs/09-starttls-stripping" \
    --submission "$MHS_SOURCE_DIR/labs/09-starttls-stripping/start" --merged "$tmp/m09.yaml" -o /dev/null
sed '/^expect:/,$d' "$tmp/m09.yaml" >"$tmp/x09.yaml"
printf 'expect:\n  - {tap: mallory, saw: starttls-stripped}\n  - {tap: mallory, saw: message}\n  - {tap: mallory, saw: tls-passthrough, present: false}\n' >>"$tmp/x09.yaml"
"$MHS" run "$tmp/x09.yaml" >"$tmp/out" || fail "mitm: $(sed -n '/expectations:/,$p' "$tmp/out")"
grep -q "pass: 3 of 3 expectations held" "$tmp/out" || fail "mitm: $(cat "$tmp/out")"

# Errors at the value.
bad() { # bad FROM TO WANT: the scenario with FROM replaced fails to load with WANT
    sed "s/$1/$2/" "$sc" >"$tmp/bad.yaml"
    set +e
    "$MHS" run "$tmp/bad.yaml" >/dev/null 2>"$tmp/err"
    rc=$?
    set -e
    [ $rc -eq 2 ] || fail "bad $2: exit $rc, want 2"
    grep -q "$3" "$tmp/err" || fail "bad $2: $(cat "$tmp/err")"
}
bad "saw: starttls}" "saw: password}" "bad.yaml:[0-9]*:[0-9]*: 'saw' must be 'line', 'message', 'credentials', .* not 'password'"
bad "{tap: eve2, saw: starttls}" "{tap: eve3, saw: starttls}" "bad.yaml:[0-9]*:[0-9]*: .*eve3"
bad "{tap: eve2, saw: starttls}" "{tap: eve2}" "bad.yaml:[0-9]*:[0-9]*: .*saw"
echo "tap expect: all checks passed"
