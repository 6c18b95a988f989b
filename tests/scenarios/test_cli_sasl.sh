#!/bin/sh
# SPDX-License-Identifier: MIT
# `mhs sasl cram-md5` and `mhs sasl crack`: the RFC 2195 2 vector, the
# RFC 4954 4.1 exchange, dictionary attacks on CRAM-MD5 and DIGEST-MD5
# (RFC 2831 4) given on the command line or found in a JSON Lines trace,
# exit 1 when no word matches, exit 2 on bad input.
set -eu
: "${MHS:?MHS must point at the mhs binary}"
: "${MHS_SOURCE_DIR:?}"
cli="$MHS_SOURCE_DIR/tests/scenarios/cli"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# RFC 2195 section 2: tim / tanstaaftanstaaf.
rfc_chal='<1896.697170952@postoffice.reston.mci.net>'
rfc_chal_b64=PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+
rfc_resp_b64=dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw
# RFC 2831 section 4, first example: chris / secret.
dig_chal_b64=cmVhbG09ImVsd29vZC5pbm5vc29mdC5jb20iLG5vbmNlPSJPQTZNRzl0RVFHbTJoaCIscW9wPSJhdXRoIixhbGdvcml0aG09bWQ1LXNlc3MsY2hhcnNldD11dGYtOA==
dig_resp_b64=Y2hhcnNldD11dGYtOCx1c2VybmFtZT0iY2hyaXMiLHJlYWxtPSJlbHdvb2QuaW5ub3NvZnQuY29tIixub25jZT0iT0E2TUc5dEVRR20yaGgiLG5jPTAwMDAwMDAxLGNub25jZT0iT0E2TUhYaDZWcVRyUmsiLGRpZ2VzdC11cmk9ImltYXAvZWx3b29kLmlubm9zb2Z0LmNvbSIscmVzcG9uc2U9ZDM4OGRhZDkwZDRiYmQ3NjBhMTUyMzIxZjIxNDNhZjcscW9wPWF1dGg=

# 1. cram-md5: the base64 response, then the hex digest.
"$MHS" sasl cram-md5 --user tim --secret tanstaaftanstaaf --challenge "$rfc_chal" >"$tmp/out" ||
    fail "cram-md5 exit"
printf '%s\n%s\n' "$rfc_resp_b64" b913a602c7eda7a495b4e6e7334d3890 >"$tmp/want"
diff "$tmp/want" "$tmp/out" || fail "RFC 2195 vector"
"$MHS" sasl cram-md5 --user tim --secret tanstaaftanstaaf --challenge-b64 "$rfc_chal_b64" >"$tmp/out"
diff "$tmp/want" "$tmp/out" || fail "RFC 2195 vector from the base64 challenge"
# RFC 4954 4.1: rjs3; "1234" reproduces the printed digest.
"$MHS" sasl cram-md5 --user rjs3 --secret 1234 \
    --challenge '<4192942341.12828472@sourcefour.andrew.cmu.edu>' | head -n 1 >"$tmp/out"
[ "$(cat "$tmp/out")" = cmpzMyBlYzNhNTlmZWQzOTVhYmExZWM2MzY3YzRmNGI0MWFjMA== ] ||
    fail "RFC 4954 vector: $(cat "$tmp/out")"

# 2. crack with the exchange on the command line.
"$MHS" sasl crack --mech cram-md5 --wordlist "$cli/words.txt" --challenge "$rfc_chal_b64" \
    --response "$rfc_resp_b64" >"$tmp/out" || fail "crack cram-md5 exit"
[ "$(cat "$tmp/out")" = tanstaaftanstaaf ] || fail "crack cram-md5: $(cat "$tmp/out")"
"$MHS" sasl crack --mech DIGEST-MD5 --wordlist "$cli/words.txt" --challenge "$dig_chal_b64" \
    --response "$dig_resp_b64" >"$tmp/out" || fail "crack digest-md5 exit"
[ "$(cat "$tmp/out")" = secret ] || fail "crack digest-md5: $(cat "$tmp/out")"
# CRLF wordlists work; a list without the password: exit 1, nothing printed.
printf 'letmein\r\ntanstaaftanstaaf\r\n' >"$tmp/crlf.txt"
"$MHS" sasl crack --mech cram-md5 --wordlist "$tmp/crlf.txt" --challenge "$rfc_chal_b64" \
    --response "$rfc_resp_b64" | grep -qx tanstaaftanstaaf || fail "CRLF wordlist"
printf 'password\nletmein\n' >"$tmp/weak.txt"
set +e
"$MHS" sasl crack --mech cram-md5 --wordlist "$tmp/weak.txt" --challenge "$rfc_chal_b64" \
    --response "$rfc_resp_b64" >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
[ $rc -eq 1 ] || fail "not found: exit $rc, want 1"
[ ! -s "$tmp/out" ] || fail "not found: printed $(cat "$tmp/out")"
grep -q 'no word' "$tmp/err" || fail "not found: no message"

# 3. crack from a trace: AUTH lines (smtp.cmd at the server) and 334
#    challenges (smtp.reply at the client); PLAIN is not a challenge.
"$MHS" sasl crack --wordlist "$cli/words.txt" --trace "$cli/auth-trace.jsonl" >"$tmp/out" ||
    fail "crack trace exit"
printf 'tanstaaftanstaaf CRAM-MD5 tim\nsecret DIGEST-MD5 chris\n' >"$tmp/want"
diff "$tmp/want" "$tmp/out" || fail "crack trace"
"$MHS" sasl crack --mech digest-md5 --wordlist "$cli/words.txt" --trace "$cli/auth-trace.jsonl" >"$tmp/out"
[ "$(cat "$tmp/out")" = "secret DIGEST-MD5 chris" ] || fail "crack trace --mech: $(cat "$tmp/out")"
set +e
"$MHS" sasl crack --wordlist "$tmp/weak.txt" --trace "$cli/auth-trace.jsonl" >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
[ $rc -eq 1 ] || fail "trace not found: exit $rc, want 1"
grep -q '2 exchanges' "$tmp/err" || fail "trace not found: $(cat "$tmp/err")"

# 3b. crack from what a tap saw: an eavesdropper's tap.observe record of
#     what cram-md5 holds the challenge, the user and the hex digest
#     (RFC 2195 2: the response is "user SP digest"); a trace holding both
#     the server's records and the tap's cracks each exchange once.
tap='{"t":1.5,"ev":"tap.observe","node":"eve","conn":1,"from":"pc","to":"msa","what":"cram-md5","mechanism":"CRAM-MD5","user":"tim","challenge":"<1896.697170952@postoffice.reston.mci.net>","response":"b913a602c7eda7a495b4e6e7334d3890"}'
plain='{"t":1.2,"ev":"tap.observe","node":"eve","conn":1,"from":"pc","to":"msa","what":"credentials","mechanism":"PLAIN","user":"tim","password":"x"}'
printf '%s\n%s\n' "$plain" "$tap" >"$tmp/tap.jsonl"
"$MHS" sasl crack --wordlist "$cli/words.txt" --trace "$tmp/tap.jsonl" >"$tmp/out" ||
    fail "crack tap trace exit"
[ "$(cat "$tmp/out")" = "tanstaaftanstaaf CRAM-MD5 tim" ] || fail "crack tap trace: $(cat "$tmp/out")"
{ cat "$cli/auth-trace.jsonl"; echo "$tap"; } >"$tmp/both.jsonl"
"$MHS" sasl crack --wordlist "$cli/words.txt" --trace "$tmp/both.jsonl" >"$tmp/out"
printf 'tanstaaftanstaaf CRAM-MD5 tim\nsecret DIGEST-MD5 chris\n' >"$tmp/want"
diff "$tmp/want" "$tmp/out" || fail "crack server and tap records: each exchange once"
set +e
"$MHS" sasl crack --mech digest-md5 --wordlist "$cli/words.txt" --trace "$tmp/tap.jsonl" >"$tmp/out" 2>"$tmp/err"
rc=$?
"$MHS" sasl crack --wordlist "$tmp/weak.txt" --trace "$tmp/tap.jsonl" >/dev/null 2>"$tmp/err2"
rc2=$?
set -e
[ $rc -eq 1 ] && [ ! -s "$tmp/out" ] || fail "tap trace --mech digest-md5: exit $rc"
[ $rc2 -eq 1 ] && grep -q '1 exchange in' "$tmp/err2" || fail "tap trace weak list: $rc2 $(cat "$tmp/err2")"

# 4. Bad input: exit 2.
bad() {
    set +e
    "$MHS" sasl "$@" >/dev/null 2>"$tmp/b.err"
    rc=$?
    set -e
    [ $rc -eq 2 ] || fail "sasl $*: exit $rc, want 2"
    [ -s "$tmp/b.err" ] || fail "sasl $*: no message"
}
bad cram-md5 --user tim --secret x
bad cram-md5 --user tim --secret x --challenge-b64 'not base64!'
bad crack --mech plain --wordlist "$cli/words.txt" --challenge "$rfc_chal_b64" --response "$rfc_resp_b64"
bad crack --mech cram-md5 --wordlist "$tmp/none.txt" --challenge "$rfc_chal_b64" --response "$rfc_resp_b64"
bad crack --mech cram-md5 --wordlist "$cli/words.txt" --challenge "$rfc_chal_b64"
bad crack --mech cram-md5 --wordlist "$cli/words.txt" --challenge '%%%' --response "$rfc_resp_b64"
printf 'not json\n' >"$tmp/bad.jsonl"
bad crack --wordlist "$cli/words.txt" --trace "$tmp/bad.jsonl"
grep -q 'bad.jsonl:1:1:' "$tmp/b.err" || fail "bad trace message"
bad frobnicate
"$MHS" help sasl crack | grep -q -- '--wordlist' || fail "help sasl crack"
echo "cli sasl: all checks passed"
