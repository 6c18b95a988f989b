#!/bin/sh
# SPDX-License-Identifier: MIT
# Packet capture (mhs run --pcap): the quickstart and a refused-connection
# scenario are captured, twice each (the files must be byte-identical),
# and checked to be pcap files of Ethernet frames. When tshark is
# installed, it must dissect the SMTP dialogue (EHLO, MAIL, RCPT, DATA,
# QUIT and the 220/250/354/221 replies) and the POP3 one (USER, PASS,
# RETR), see the RST answering a SYN to a closed port (RFC 9293
# 3.10.7.1), and its expert analysis must report no malformed packet, no
# missing segment and no acknowledgement of unseen data. A STARTTLS
# capture shows the TLS handshakes, and with --keylog tshark decrypts the
# sessions and reads the SMTP commands after STARTTLS.
set -eu
: "${MHS:?MHS must point at the mhs binary}"
: "${MHS_SOURCE_DIR:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

quick="$MHS_SOURCE_DIR/scenarios/quickstart.yaml"
refused="$MHS_SOURCE_DIR/tests/scenarios/pcap/refused.yaml"
tls="$MHS_SOURCE_DIR/tests/scenarios/pcap/starttls.yaml"

# 1. The option writes a capture and does not change the run.
"$MHS" run "$quick" --pcap "$tmp/q.pcap" >"$tmp/q.out" || fail "quickstart with --pcap: $(cat "$tmp/q.out")"
grep -q '^pass: ' "$tmp/q.out" || fail "quickstart summary"
"$MHS" run "$quick" >"$tmp/q0.out" || fail "quickstart without --pcap"
cmp -s "$tmp/q.out" "$tmp/q0.out" || fail "--pcap changed the report"
"$MHS" run -q "$refused" --pcap "$tmp/r.pcap" >"$tmp/r.out" || fail "refused scenario: $(cat "$tmp/r.out")"

# 2. A pcap file (magic a1b2c3d4, version 2.4) of Ethernet frames
#    (LINKTYPE_ETHERNET = 1), timestamps from the scenario's epoch.
python3 - "$tmp/q.pcap" <<'PY' || fail "not a pcap file of Ethernet frames"
import struct, sys
d = open(sys.argv[1], "rb").read()
magic, major, minor, _, _, snap, link = struct.unpack("=IHHiIII", d[:24])
assert (magic, major, minor, link) == (0xa1b2c3d4, 2, 4, 1), (hex(magic), major, minor, link)
sec, usec, caplen, length = struct.unpack("=IIII", d[24:40])
# the epoch is 2026-01-01T00:00:00Z, the first connection about 1 s later
assert 1767225600 <= sec < 1767225600 + 60 and usec < 1000000, sec
assert caplen == length and length >= 54
PY

# 3. Deterministic: a second run writes the same bytes.
"$MHS" run -q "$quick" --pcap "$tmp/q2.pcap" >/dev/null || fail "second quickstart run"
cmp -s "$tmp/q.pcap" "$tmp/q2.pcap" || fail "two captures of quickstart.yaml differ"
"$MHS" run -q "$refused" --pcap "$tmp/r2.pcap" >/dev/null || fail "second refused run"
cmp -s "$tmp/r.pcap" "$tmp/r2.pcap" || fail "two captures of refused.yaml differ"

# 4. A file that cannot be created is bad input: exit 2, a message.
set +e
"$MHS" run -q "$quick" --pcap "$tmp/no/such/dir/x.pcap" >/dev/null 2>"$tmp/err"
rc=$?
set -e
[ $rc -eq 2 ] || fail "unwritable --pcap: exit $rc, want 2"
grep -q -- '--pcap: .*no/such/dir/x.pcap' "$tmp/err" || fail "unwritable --pcap: $(cat "$tmp/err")"

if ! command -v tshark >/dev/null 2>&1; then
    echo "pcap: tshark is not installed: dissection checks skipped"
    echo "pcap: all checks passed"
    exit 0
fi

ts() { tshark "$@" 2>>"$tmp/tshark.err"; }

# 5. SMTP as tshark dissects it: commands and replies.
ts -r "$tmp/q.pcap" -Y smtp -T fields -e smtp.req.command -e smtp.response.code >"$tmp/smtp"
[ -s "$tmp/smtp" ] || fail "tshark finds no SMTP: $(cat "$tmp/tshark.err")"
for cmd in EHLO MAIL RCPT DATA QUIT; do
    grep -q "$cmd" "$tmp/smtp" || fail "tshark -Y smtp: no $cmd command"
done
for code in 220 250 354 221; do
    grep -q "	$code\$" "$tmp/smtp" || fail "tshark -Y smtp: no $code reply"
done
ts -r "$tmp/q.pcap" -Y smtp >"$tmp/smtp.txt"
grep -q 'C: EHLO alice-pc' "$tmp/smtp.txt" || fail "tshark -Y smtp: no EHLO alice-pc"
grep -q 'MAIL FROM:<alice@polito.it>' "$tmp/smtp.txt" || fail "tshark -Y smtp: no MAIL FROM"
grep -q 'RCPT TO:<bob@example.com>' "$tmp/smtp.txt" || fail "tshark -Y smtp: no RCPT TO"
grep -q 'S: 354 ' "$tmp/smtp.txt" || fail "tshark -Y smtp: no 354"

# 6. POP3: what an eavesdropper on the link reads, USER and PASS included.
ts -r "$tmp/q.pcap" -Y pop -T fields -e pop.request.command -e pop.request.parameter >"$tmp/pop"
grep -q '^USER	bob@example.com$' "$tmp/pop" || fail "tshark -Y pop: no USER ($(cat "$tmp/pop"))"
grep -q '^PASS	' "$tmp/pop" || fail "tshark -Y pop: no PASS"
grep -q '^RETR	' "$tmp/pop" || fail "tshark -Y pop: no RETR"

# 7. The refused connect: SYN to port 25 of the name server, RST|ACK with
#    seq 0 acknowledging the SYN.
ts -r "$tmp/r.pcap" -o tcp.relative_sequence_numbers:FALSE -Y 'tcp.flags.reset == 1' \
    -T fields -e ip.src -e tcp.srcport -e tcp.flags.ack -e tcp.seq >"$tmp/rst"
grep -Eq '^192\.0\.2\.53	25	(1|True)	0$' "$tmp/rst" || fail "no RST|ACK from 192.0.2.53:25 ($(cat "$tmp/rst"))"

# 8. Expert analysis: no malformed packet, no gap, no ACK of unseen data,
#    nothing flagged by the TCP analysis but the expected RST.
for f in q r; do
    ts -r "$tmp/$f.pcap" -q -z expert >"$tmp/$f.expert"
    grep -q 'Chats' "$tmp/$f.expert" || fail "$f: no expert output: $(cat "$tmp/tshark.err")"
    ! grep -i 'malformed\|previous segment\|unseen\|retransmission\|out-of-order\|Errors (' "$tmp/$f.expert" ||
        fail "$f: tshark expert: $(cat "$tmp/$f.expert")"
    ts -r "$tmp/$f.pcap" -Y 'tcp.analysis.flags && !tcp.flags.reset' >"$tmp/$f.flags"
    [ ! -s "$tmp/$f.flags" ] || fail "$f: tcp analysis flags: $(cat "$tmp/$f.flags")"
    ts -r "$tmp/$f.pcap" -Y '_ws.malformed || (_ws.expert.severity >= "warning" && !tcp.flags.reset)' \
        >"$tmp/$f.warn"
    [ ! -s "$tmp/$f.warn" ] || fail "$f: warnings: $(cat "$tmp/$f.warn")"
done

# 9. STARTTLS (pcap/starttls.yaml: submission with AUTH inside TLS, relay
#    over TLS). Without keys: two TLS 1.3 handshakes (ClientHello = 1,
#    ServerHello = 2, RFC 8446 4), the commands after STARTTLS unreadable,
#    no warning. With the key log (NSS format, --keylog): both sessions
#    decrypted, the commands after STARTTLS (EHLO, AUTH, MAIL FROM) read,
#    AUTH PLAIN decoded, still no warning. The resets that end these
#    connections (data after the peer's FIN: close_notify) are expected.
"$MHS" run -q "$tls" --pcap "$tmp/t.pcap" --keylog "$tmp/t.keys" >"$tmp/t.out" ||
    fail "starttls.yaml: $(cat "$tmp/t.out")"
grep -q '^CLIENT_HANDSHAKE_TRAFFIC_SECRET ' "$tmp/t.keys" || fail "--keylog: no TLS 1.3 secrets"
ts -r "$tmp/t.pcap" -Y 'tls.handshake.type' -T fields -e tcp.stream -e tls.handshake.type \
    >"$tmp/hs"
for st in 0 1; do
    grep -Eq "^$st	1(,|\$)" "$tmp/hs" || fail "stream $st: no ClientHello ($(cat "$tmp/hs"))"
    grep -Eq "^$st	2(,|\$)" "$tmp/hs" || fail "stream $st: no ServerHello ($(cat "$tmp/hs"))"
done
ts -r "$tmp/t.pcap" -Y 'smtp.req.command == "MAIL" && tcp.stream == 0' >"$tmp/t.clear"
[ ! -s "$tmp/t.clear" ] || fail "MAIL FROM readable on the TLS stream without keys"
ts -r "$tmp/t.pcap" -Y tls -T fields -e tls.record.opaque_type >"$tmp/t.opaque"
grep -q '23' "$tmp/t.opaque" || fail "no encrypted application data records"
dec="-o tls.keylog_file:$tmp/t.keys -o smtp.decryption:TRUE"
# shellcheck disable=SC2086
ts -r "$tmp/t.pcap" $dec -Y smtp -T fields -e tcp.stream -e frame.number -e smtp.req.command \
    -e smtp.req.parameter >"$tmp/t.smtp"
for st in 0 1; do
    starttls=$(awk -F'\t' -v s=$st '$1 == s && $3 ~ /^STAR/ { print $2; exit }' "$tmp/t.smtp")
    [ -n "$starttls" ] || fail "stream $st: no STARTTLS ($(cat "$tmp/t.smtp"))"
    awk -F'\t' -v s=$st -v n="$starttls" '$1 == s && $2 > n && $3 ~ /^MAIL/ &&
        $4 ~ /FROM:<alice@polito.it>/ { ok = 1 } END { exit !ok }' "$tmp/t.smtp" ||
        fail "stream $st: MAIL FROM not decrypted after STARTTLS ($(cat "$tmp/t.smtp"))"
    awk -F'\t' -v s=$st -v n="$starttls" '$1 == s && $2 > n && $3 == "EHLO" { ok = 1 }
        END { exit !ok }' "$tmp/t.smtp" || fail "stream $st: no EHLO after STARTTLS"
done
# shellcheck disable=SC2086
ts -r "$tmp/t.pcap" $dec -Y smtp.auth.username -T fields -e smtp.auth.username \
    -e smtp.auth.password >"$tmp/t.auth"
grep -q '^alice@polito.it	alice-secret$' "$tmp/t.auth" ||
    fail "AUTH PLAIN not decrypted and decoded ($(cat "$tmp/t.auth"))"
for d in "" "$dec"; do
    # shellcheck disable=SC2086
    ts -r "$tmp/t.pcap" $d -Y '_ws.malformed || tcp.analysis.lost_segment ||
        tcp.analysis.ack_lost_segment || (_ws.expert.severity >= "warning" && !tcp.flags.reset)' \
        >"$tmp/t.warn"
    [ ! -s "$tmp/t.warn" ] || fail "TLS capture ${d:+(decrypted) }warnings: $(cat "$tmp/t.warn")"
    # shellcheck disable=SC2086
    ts -r "$tmp/t.pcap" $d -q -z expert >"$tmp/t.expert"
    ! grep -i 'malformed\|previous segment\|unseen\|retransmission\|out-of-order' \
        "$tmp/t.expert" || fail "TLS capture expert: $(cat "$tmp/t.expert")"
done
echo "pcap: all checks passed"
