#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end message store: POP3 STLS (RFC 2595 section 4) at the client
# levels may/encrypt/verify against stores at none/may/encrypt, what an
# eavesdropper on the POP3 link reads with and without STLS, the copies
# nobody asked for (journal, backup, queues, clients: copy.held and
# copy.gone, the copies section of mhs run, copies_at and held_by), and
# the Maildir export (mhs run --maildir) read back with Python's mailbox
# module: counts, headers, the S flag, atomic writes and exit 2 on an
# unusable directory.
set -eu
: "${MHS:?MHS must point at the mhs binary}"
: "${MHS_SOURCE_DIR:?}"
dir="$MHS_SOURCE_DIR/tests/scenarios/store"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
has() { grep -q -- "$1" "$2" || fail "$3"; }
hasnt() { ! grep -q -- "$1" "$2" || fail "$3"; }

# Prints one line per record of kind $2 in trace $1 whose field "node" is
# $3 (or any node for "-"): the values of the fields named after it.
records() {
    python3 - "$@" <<'PY'
import json, signal, sys
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
path, kind, node, fields = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
for line in open(path):
    r = json.loads(line)
    if r["ev"] == kind and (node == "-" or r["node"] == node):
        print("\t".join(str(r.get(f, "-")) for f in fields))
PY
}

# ---- 1. STLS -------------------------------------------------------------
"$MHS" run "$dir/stls.yaml" --trace "$tmp/s.jsonl" >"$tmp/s.out" || fail "stls scenario: $(cat "$tmp/s.out")"
has '^pass: 5 of 5 expectations held' "$tmp/s.out" "stls summary"
# bob (encrypt): CAPA, STLS, handshake, CAPA again (RFC 2595 4), then USER.
bob=$(records "$tmp/s.jsonl" conn.open bob-pc conn port | awk -F'\t' '$2 == 110 {print $1}')
[ -n "$bob" ] || fail "no POP3 connection from bob-pc"
records "$tmp/s.jsonl" pop3.cmd ms.example.com conn line | awk -F'\t' -v c="$bob" '$1 == c {print $2}' \
    >"$tmp/s.bobcmds"
[ "$(sed -n 1,4p "$tmp/s.bobcmds" | tr '\n' '|')" = "CAPA|STLS|CAPA|USER bob@example.com|" ] ||
    fail "bob's commands: $(tr '\n' '|' <"$tmp/s.bobcmds")"
# Under TLS the PASS line is not shown (ciphertext on the wire), only its size.
records "$tmp/s.jsonl" pop3.cmd ms.example.com conn line len secret |
    awk -F'\t' -v c="$bob" '$1 == c && $4 == "True"' | grep -q "	(credentials)	15	True" ||
    fail "bob's PASS under TLS not hidden"
hasnt 'bob-secret' "$tmp/s.jsonl" "bob's password is in the trace"
# tls.handshake at both ends, verified by the client.
records "$tmp/s.jsonl" tls.handshake - conn side result verified | awk -F'\t' -v c="$bob" '$1 == c' \
    >"$tmp/s.hs"
grep -q '	client	ok	True$' "$tmp/s.hs" || fail "bob: no verified client handshake"
grep -q '	server	ok	-$' "$tmp/s.hs" || fail "bob: no server handshake"
# The eavesdropper on bob's link: clear greeting, CAPA and STLS, then only
# TLS records; no USER, no PASS, no credentials, no message content.
records "$tmp/s.jsonl" tap.observe eve-bob what line >"$tmp/s.eve-bob"
grep -q '^line	STLS$' "$tmp/s.eve-bob" || fail "eve-bob did not see STLS"
grep -q '^starttls	' "$tmp/s.eve-bob" || fail "eve-bob did not see the switch"
grep -q '^tls-records	' "$tmp/s.eve-bob" || fail "eve-bob saw no TLS records"
! grep -q '^line	USER \|^line	PASS \|^credentials\|^message' "$tmp/s.eve-bob" || fail "eve-bob read more than TLS metadata"
# The eavesdropper on carol's link (no STLS): USER and PASS in clear.
records "$tmp/s.jsonl" tap.observe eve-carol what user password >"$tmp/s.eve-carol"
grep -q '^credentials	carol@example.com	carol-secret$' "$tmp/s.eve-carol" ||
    fail "eve-carol did not read carol's password"
grep -q '^message	' "$tmp/s.eve-carol" || fail "eve-carol did not see the message go by"
# dave asked for verify on his fetch event: the certificate names the store.
records "$tmp/s.jsonl" tls.handshake dave-pc side verified | grep -q '^client	True$' ||
    fail "dave: no verified handshake"
records "$tmp/s.jsonl" mua.fetch dave-pc tls | grep -qx verify || fail "dave: fetch tls level"
# Same seed, same trace (TLS randomness never reaches it).
"$MHS" run -q "$dir/stls.yaml" --trace "$tmp/s2.jsonl" >/dev/null
cmp -s "$tmp/s.jsonl" "$tmp/s2.jsonl" || fail "two runs of stls.yaml differ"

# ---- 2. STLS levels ------------------------------------------------------
"$MHS" run "$dir/stls-required.yaml" --trace "$tmp/r.jsonl" >"$tmp/r.out" || fail "stls levels: $(cat "$tmp/r.out")"
has '^pass: 4 of 4 expectations held' "$tmp/r.out" "stls levels summary"
# A store at encrypt refuses USER in clear.
records "$tmp/r.jsonl" pop3.done bob-pc ok reason | grep -q '^False	authentication failed: USER not allowed before STLS$' ||
    fail "store at encrypt accepted USER in clear"
# A client at encrypt facing no STLS quits before any credential.
records "$tmp/r.jsonl" pop3.done carol-pc ok reason | grep -qx 'False	STLS not offered' ||
    fail "client at encrypt did not give up"
carol=$(records "$tmp/r.jsonl" conn.open carol-pc conn port | awk -F'\t' '$2 == 110 {print $1}')
records "$tmp/r.jsonl" pop3.cmd ms-plain conn line | awk -F'\t' -v c="$carol" '$1 == c {print $2}' \
    >"$tmp/r.carol"
[ "$(tr '\n' '|' <"$tmp/r.carol")" = "CAPA|QUIT|" ] || fail "carol-pc sent: $(tr '\n' '|' <"$tmp/r.carol")"
# A client at may fetches in clear from a store without TLS.
records "$tmp/r.jsonl" tls.handshake carol-may side | grep -q . && fail "carol-may: a handshake without STLS"
records "$tmp/r.jsonl" pop3.done carol-may ok retrieved | grep -qx 'True	1' || fail "carol-may fetched nothing"

# ---- 3. copies: journal, backup, queue, client ---------------------------
"$MHS" run "$dir/copies.yaml" --until 120s --trace "$tmp/c.jsonl" --maildir "$tmp/md" \
    >"$tmp/c.out" 2>"$tmp/c.err" || fail "copies scenario: $(cat "$tmp/c.out" "$tmp/c.err")"
has '^pass: 11 of 11 expectations held' "$tmp/c.out" "copies summary"
# The run summary lists who holds each message at the end.
has '^copies at the end' "$tmp/c.out" "no copies section"
has '^m2  .*archive.example.com backup bob@example.com; bob-pc client bob@example.com; ms.example.com journal journal@example.com; officer-pc client journal@example.com$' \
    "$tmp/c.out" "m2 copies row"
has '^m3  .*mx.example.com queue ' "$tmp/c.out" "m3 copies row"
# bob's DELE removes his mailbox copies, nothing else.
records "$tmp/c.jsonl" copy.gone ms.example.com msg kind where reason >"$tmp/c.gone"
[ "$(cut -f1,2,3 "$tmp/c.gone" | tr '\t\n' ' |')" = "m1 mailbox bob@example.com|m2 mailbox bob@example.com|" ] ||
    fail "copy.gone at the store: $(tr '\t\n' ' |' <"$tmp/c.gone")"
grep -q 'deleted over POP3 (DELE)$' "$tmp/c.gone" || fail "copy.gone reason"
# Queues hold copies until they relay them.
records "$tmp/c.jsonl" copy.gone msa.example.com msg kind reason | grep -qx 'm1	queue	relayed' ||
    fail "the MSA queue copy of m1 was not released"
records "$tmp/c.jsonl" copy.held archive.example.com msg kind where | grep -qx 'm1	backup	carol@example.com' ||
    fail "no backup of carol's copy"
# The journal copy carries the envelope, Bcc recipient included; carol's
# own copy has no Bcc field; everything is read back from the Maildir.
python3 - "$tmp/md" <<'PY' || fail "maildir check (copies)"
import mailbox, os, sys
root = sys.argv[1]
def box(a):
    return mailbox.Maildir(os.path.join(root, a), factory=None, create=False)
boxes = sorted(os.listdir(root))
assert boxes == ["alice@example.com", "bob@example.com", "carol@example.com",
                 "journal@example.com"], boxes
assert len(box("bob@example.com")) == 0
assert len(box("alice@example.com")) == 0
carol = list(box("carol@example.com"))
assert len(carol) == 1 and carol[0]["Subject"] == "Offer", carol
assert carol[0]["Bcc"] is None
assert carol[0].get_subdir() == "new" and carol[0].get_flags() == ""
journal = sorted(box("journal@example.com"), key=lambda m: m["Subject"])
assert [m["Subject"] for m in journal] == ["Lunch", "Offer"]
env = " ".join(journal[1]["X-Journal-Envelope"].split())
assert env == "from=<alice@example.com>; to=<bob@example.com>, <carol@example.com>", env
for m in journal:  # the officer fetched with keep: seen, still on the server
    assert m.get_subdir() == "cur" and m.get_flags() == "S", (m.get_subdir(), m.get_flags())
    assert m["Return-Path"] == "<alice@example.com>" and m["Received"] is not None
for a in boxes:
    assert os.listdir(os.path.join(root, a, "tmp")) == [], a
    for sub in ("new", "cur"):
        for name in os.listdir(os.path.join(root, a, sub)):
            data = open(os.path.join(root, a, sub, name), "rb").read()
            assert b"\r\n" not in data, name
PY
has 'maildir: 3 messages written into' "$tmp/c.err" "maildir count line"

# ---- 4. backup on the store itself ---------------------------------------
"$MHS" run "$dir/backup.yaml" --trace "$tmp/b.jsonl" --maildir "$tmp/mb" >"$tmp/b.out" 2>/dev/null ||
    fail "backup scenario: $(cat "$tmp/b.out")"
has '^pass: 6 of 6 expectations held' "$tmp/b.out" "backup summary"
has '^m1  .*bob-pc client bob@example.com; ms.example.com backup bob@example.com$' "$tmp/b.out" \
    "m1: the backup did not survive DELE"
python3 - "$tmp/mb/bob@example.com" <<'PY' || fail "maildir check (backup)"
import mailbox, sys
md = mailbox.Maildir(sys.argv[1], factory=None, create=False)
got = sorted((m["Subject"], m.get_subdir(), m.get_flags()) for m in md)
# m1 deleted (not exported; backups are not mailboxes), m2 kept and seen, m3 new.
assert got == [("Kept", "cur", "S"), ("Unread", "new", "")], got
PY

# ---- 5. journal on another store, over SMTP -------------------------------
"$MHS" run "$dir/journal-remote.yaml" --until 100s --trace "$tmp/j.jsonl" >"$tmp/j.out" ||
    fail "remote journal: $(cat "$tmp/j.out")"
has '^pass: 9 of 9 expectations held' "$tmp/j.out" "remote journal summary"
has '^m1.journal .*journal@vault.test .*delivered .*ms.corp.test@[0-9.]*(journal) > mx.vault.test@' \
    "$tmp/j.out" "m1.journal row"
records "$tmp/j.jsonl" msg.journal ms.corp.test msg about to | grep -qx 'm1.journal	m1	journal@vault.test' ||
    fail "no msg.journal record"
# The null reverse path (RFC 5321 4.5.5), as any notification.
jconn=$(records "$tmp/j.jsonl" conn.open ms.corp.test conn msg | awk -F'\t' '$2 == "m1.journal" {print $1}')
records "$tmp/j.jsonl" smtp.cmd mx.vault.test conn line | awk -F'\t' -v c="$jconn" '$1 == c {print $2}' |
    grep -q '^MAIL FROM:<> ' || fail "journal copy not sent with MAIL FROM:<>"
records "$tmp/j.jsonl" copy.held ms.vault.test msg kind where | grep -qx 'm1	journal	journal@vault.test' ||
    fail "the vault does not hold m1 as a journal copy"

# ---- 6. expectations that fail say what is held --------------------------
sed -e 's/copies_at: \[bob-pc, ms.example.com\]/copies_at: [ms.example.com]/' "$dir/backup.yaml" >"$tmp/bad.yaml"
set +e
"$MHS" run "$tmp/bad.yaml" >"$tmp/bad.out" 2>&1
rc=$?
set -e
[ $rc -eq 1 ] || fail "a wrong copies_at: exit $rc, want 1"
has 'FAIL m1 copies at exactly: ms.example.com' "$tmp/bad.out" "copies_at failure line"
has 'got: bob-pc (client bob@example.com), ms.example.com (backup bob@example.com)' "$tmp/bad.out" \
    "copies_at failure reason"

# ---- 7. bad input: exit 2, nothing runs ----------------------------------
: >"$tmp/afile"
set +e
"$MHS" run "$dir/backup.yaml" --maildir "$tmp/afile" --trace "$tmp/no.jsonl" >"$tmp/e1.out" 2>&1
rc1=$?
"$MHS" run "$dir/backup.yaml" --maildir "$tmp/afile/sub" >"$tmp/e2.out" 2>&1
rc2=$?
set -e
[ $rc1 -eq 2 ] && [ $rc2 -eq 2 ] || fail "unusable --maildir: exit $rc1 $rc2, want 2"
has "mhs: --maildir: '$tmp/afile' is not a directory" "$tmp/e1.out" "not-a-directory message"
has "mhs: --maildir: cannot create directory '$tmp/afile/sub'" "$tmp/e2.out" "cannot-create message"
[ ! -e "$tmp/no.jsonl" ] || fail "the run started with an unusable --maildir"
# A mailbox that cannot be made half-way: what was written is removed.
mkdir -p "$tmp/half"
: >"$tmp/half/journal@example.com"
set +e
"$MHS" run -q "$dir/copies.yaml" --until 120s --maildir "$tmp/half" >"$tmp/e3.out" 2>&1
rc3=$?
set -e
[ $rc3 -eq 2 ] || fail "export error: exit $rc3, want 2"
has 'nothing written' "$tmp/e3.out" "export error message"
[ -z "$(find "$tmp/half" -type f ! -name 'journal@example.com')" ] ||
    fail "a failed export left files: $(find "$tmp/half" -type f)"
# Scenario keys.
sed -e 's/kind: backup}/kind: tape}/' "$dir/backup.yaml" >"$tmp/k.yaml"
set +e
"$MHS" check "$tmp/k.yaml" >"$tmp/e5.out" 2>&1
rc5=$?
set -e
[ $rc5 -eq 2 ] || fail "unknown copy kind: exit $rc5, want 2"
has "k.yaml:[0-9]*:[0-9]*: 'kind' must be mailbox, journal, backup, queue or client, not 'tape'" \
    "$tmp/e5.out" "unknown copy kind: message"
echo "store: all checks passed"
