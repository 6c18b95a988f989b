#!/bin/sh
# SPDX-License-Identifier: MIT
# mhs run --report / mhs viz --report: the HTML report of a run. A scenario
# with markup in its subjects, name and From field (report/hostile.yaml:
# STARTTLS, AUTH, DKIM, SPF, DMARC, a bounce, a reply) and the quickstart
# are reported; the report is checked structurally against the trace
# (report/check_report.py: sections, SVGs that parse, no external
# resource, hostile text shown as text, counts as in the trace), is
# deterministic, is the same from the run and from its saved trace, lists
# a kind it does not know, shows a failed expectation, draws a spam
# campaign, the S/MIME who-can-read table, a store's copies and an HTTP
# session, and renders in headless Chromium at desktop and phone widths,
# and prints to PDF, with no console error.
set -eu
: "${MHS:?MHS must point at the mhs binary}"
: "${MHS_SOURCE_DIR:?}"
dir="$MHS_SOURCE_DIR/tests/scenarios/report"
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
export ASAN_OPTIONS
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
check() { python3 "$dir/check_report.py" "$@" || fail "structure of $1"; }

# 1. The hostile scenario: every expectation holds, the report is written
#    and the text summary is what it is without --report.
"$MHS" run "$dir/hostile.yaml" --report "$tmp/h.html" --trace "$tmp/h.jsonl" >"$tmp/h.out" ||
    fail "hostile.yaml: $(cat "$tmp/h.out")"
"$MHS" run "$dir/hostile.yaml" >"$tmp/h0.out" || fail "hostile.yaml without --report"
cmp -s "$tmp/h.out" "$tmp/h0.out" || fail "--report changed the run's output"
check "$tmp/h.html" "$tmp/h.jsonl" "$tmp/h.out" \
    '<script>alert("x")</script> & friends' '<img src=x onerror=alert(1)>' \
    'Report <b>test</b> & "markup"' '"<b>Alice</b>" <alice@polito.it>' \
    'STARTTLS' 'AUTH PLAIN' 'TLSv1.3' 'Forward and reply paths'
grep -q '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; friends' "$tmp/h.html" ||
    fail "the subject is not escaped as expected"
# The first hop after submission went over TLS with AUTH; the MX checked
# SPF, DKIM and DMARC; the refused recipient bounced.
python3 - "$tmp/h.html" <<'PY' || fail "journey of m1"
import re, sys
h = open(sys.argv[1], encoding="utf-8").read()
m1 = h[h.index('<article class="msg" id="msg-m1">'):]
m1 = m1[:m1.index("</article>")]
row = re.search(r"<tr><td class=\"num\">2</td>.*?</tr>", m1).group(0)
assert "alice-pc &rarr; msa.polito.it" in row and "ESMTPSA" in row, row
assert '<span class="ok">TLSv1.3</span>' in row and "PLAIN alice@polito.it" in row, row
assert '<span class="ok">success</span>' in row, row
for k in ("spf.result", "dkim.verify", "dmarc.result"):
    assert "<code>%s</code>" % k in m1, k
assert "nobody@example.com</td><td><span class=\"bad\">bounced</span>" in m1
PY

# 2. Deterministic; the same from the saved trace and from the scenario.
"$MHS" run -q "$dir/hostile.yaml" --report "$tmp/h2.html" >/dev/null || fail "second run"
cmp -s "$tmp/h.html" "$tmp/h2.html" || fail "two reports of the same run differ"
"$MHS" viz "$tmp/h.jsonl" --report "$tmp/h3.html" || fail "viz TRACE --report"
cmp -s "$tmp/h.html" "$tmp/h3.html" || fail "the report of the saved trace differs"
"$MHS" viz "$dir/hostile.yaml" --report "$tmp/h4.html" || fail "viz SCENARIO --report"
cmp -s "$tmp/h.html" "$tmp/h4.html" || fail "the report of viz SCENARIO differs"

# 3. A kind the report does not know is listed, escaped, not dropped.
cp "$tmp/h.jsonl" "$tmp/u.jsonl"
printf '%s\n' '{"t":500.000000,"ev":"zz.future","node":"x<y","note":"<i>new</i>","n":7,"b":true}' \
    >>"$tmp/u.jsonl"
"$MHS" viz "$tmp/u.jsonl" --report "$tmp/u.html" || fail "viz --report with an unknown kind"
check "$tmp/u.html" "$tmp/u.jsonl" "$tmp/h.out" '<i>new</i>' 'x<y'
grep -q 'id="kind-zz.future"' "$tmp/u.html" && fail "a '.' in an anchor was not encoded"
grep -q 'id="kind-zz_2Efuture"' "$tmp/u.html" || fail "no table for the unknown kind"

# 4. The quickstart (a reply: the overlay) and a failed expectation.
"$MHS" run "$MHS_SOURCE_DIR/scenarios/quickstart.yaml" --report "$tmp/q.html" \
    --trace "$tmp/q.jsonl" >"$tmp/q.out" || fail "quickstart"
check "$tmp/q.html" "$tmp/q.jsonl" "$tmp/q.out" 'Forward and reply: m1 and its reply r1' \
    'Hello from Turin' 'USER bob@example.com'
set +e
"$MHS" run "$MHS_SOURCE_DIR/tests/scenarios/foundation/wrong-expect.yaml" \
    --report "$tmp/w.html" --trace "$tmp/w.jsonl" >"$tmp/w.out"
rc=$?
set -e
[ $rc -eq 1 ] || fail "wrong-expect.yaml: exit $rc, want 1"
check "$tmp/w.html" "$tmp/w.jsonl" "$tmp/w.out" 'FAIL'
grep -q '<td class="bad">FAIL</td>' "$tmp/w.html" || fail "the failed expectation is not marked"

# 4b. Other features' records: a spam campaign's diagram, the S/MIME
#     who-can-read table (and a message refused before it left its MUA),
#     the copies a store holds, an HTTP session of webmail.
sc="$MHS_SOURCE_DIR/tests/scenarios"
report_of() { # NAME SCENARIO [run options]: run, report, structural check
    n=$1 f=$2
    shift 2
    "$MHS" run "$f" "$@" --report "$tmp/$n.html" --trace "$tmp/$n.jsonl" >"$tmp/$n.out" ||
        fail "$f: $(tail -3 "$tmp/$n.out")"
    check "$tmp/$n.html" "$tmp/$n.jsonl" "$tmp/$n.out"
}
report_of spam "$sc/spam/open-relay.yaml"
grep -q '<h3 id="campaigns">Spam campaigns</h3>' "$tmp/spam.html" || fail "no campaign section"
grep -q '<figcaption>Campaign [^<]*: where its messages stopped' "$tmp/spam.html" ||
    fail "no campaign diagram"
grep -q '<code>spam.verdict</code>' "$tmp/spam.html" || fail "no spam verdicts"
report_of smime "$sc/smime/roundtrip.yaml"
[ "$(grep -c '<h4>Who can read and change it</h4>' "$tmp/smime.html")" -ge 2 ] ||
    fail "no who-can-read tables"
grep -q '<th>smime-encrypted</th>' "$tmp/smime.html" || fail "no smime-encrypted case"
grep -q 'No hop: the message never left its sender.' "$tmp/smime.html" ||
    fail "the message refused at its MUA has no journey"
report_of store "$sc/store/copies.yaml" --until 120s
grep -q '<h4>Copies</h4>' "$tmp/store.html" || fail "no copies table"
grep -q '<td class="warn">held</td>' "$tmp/store.html" || fail "no copy held at the end"
report_of web "$sc/webmail/webmail.yaml"
grep -q 'C:</td><td class="mono line">POST /login HTTP/1.1</td>' "$tmp/web.html" ||
    fail "no HTTP request in the transcripts"
grep -q '<span class="badge">HTTP</span>' "$tmp/web.html" || fail "no HTTP session"

# 5. Bad input: an unwritable report, --report with -o, a broken trace.
set +e
"$MHS" run -q "$dir/hostile.yaml" --report "$tmp/no/such/dir/r.html" >/dev/null 2>"$tmp/err"
rc=$?
"$MHS" viz "$tmp/h.jsonl" --report "$tmp/x.html" -o "$tmp/x.svg" 2>/dev/null
rc2=$?
echo 'not json' >"$tmp/bad.jsonl"
"$MHS" viz "$tmp/bad.jsonl" --report "$tmp/x.html" 2>"$tmp/err3"
rc3=$?
set -e
[ $rc -eq 2 ] || fail "unwritable --report: exit $rc, want 2"
grep -q -- '--report' "$tmp/err" || fail "unwritable --report: $(cat "$tmp/err")"
[ $rc2 -eq 2 ] || fail "--report with -o: exit $rc2, want 2"
[ $rc3 -eq 2 ] || fail "broken trace: exit $rc3, want 2"
grep -q 'bad.jsonl:1:' "$tmp/err3" || fail "broken trace: $(cat "$tmp/err3")"

# 6. Headless Chromium: the page loads with no console message (a script
#    error would be one), its DOM has the sections, and screenshots at a
#    desktop and a phone width are PNGs of that width.
command -v chromium >/dev/null 2>&1 ||
    fail "chromium is not installed (apt-get install chromium; .ci/run installs it)"
chrome() {
    timeout 120 chromium --headless --disable-gpu --no-sandbox --no-first-run \
        --user-data-dir="$tmp/chrome" --enable-logging=stderr --v=0 "$@"
}
for page in h q spam smime; do
    chrome --dump-dom "file://$tmp/$page.html" >"$tmp/$page.dom" 2>"$tmp/$page.log" ||
        fail "chromium --dump-dom $page.html: $(tail -5 "$tmp/$page.log")"
    case $page in h | q) shots=yes ;; *) shots=no ;; esac
    for w in 1280 390; do
        [ $shots = yes ] || break
        chrome --window-size=$w,2000 --screenshot="$tmp/$page-$w.png" "file://$tmp/$page.html" \
            >/dev/null 2>>"$tmp/$page.log" || fail "chromium --screenshot $page.html at $w"
        python3 - "$tmp/$page-$w.png" $w <<'PY' || fail "screenshot $page at $w"
import struct, sys
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", d[16:24])
assert w == int(sys.argv[2]) and h > 0, (w, h)
PY
    done
    if [ $shots = yes ]; then
        # Printable: the print style and the script that opens <details> run.
        chrome --no-pdf-header-footer --print-to-pdf="$tmp/$page.pdf" "file://$tmp/$page.html" \
            >/dev/null 2>>"$tmp/$page.log" || fail "chromium --print-to-pdf $page.html"
        head -c 5 "$tmp/$page.pdf" | grep -q '%PDF-' || fail "$page: printing gave no PDF"
    fi
    ! grep -E 'CONSOLE|Uncaught|ERR_FILE_NOT_FOUND|Refused to' "$tmp/$page.log" ||
        fail "console messages while rendering $page.html"
    for sec in summary expectations diagrams messages verdicts sessions records; do
        grep -q "<section id=\"$sec\">" "$tmp/$page.dom" || fail "$page: no section $sec in the DOM"
    done
    [ "$(grep -o '<script' "$tmp/$page.dom" | wc -l)" -eq 1 ] || fail "$page: a script in the DOM"
done
# Narrow screens: the page itself never scrolls sideways (wide tables and
# diagrams scroll inside their boxes). Headless windows are at least 500
# pixels wide: the narrowest width it can lay out.
for page in h q; do
    sed 's|</body>|<script>addEventListener("load",function(){document.body.setAttribute("data-sw",document.documentElement.scrollWidth+"/"+innerWidth);});</script></body>|' \
        "$tmp/$page.html" >"$tmp/$page-w.html"
    chrome --window-size=390,800 --virtual-time-budget=2000 --dump-dom "file://$tmp/$page-w.html" \
        2>/dev/null | grep -o 'data-sw="[0-9]*/[0-9]*"' >"$tmp/$page.sw" || fail "$page: no width"
    sw=$(sed 's/.*="\([0-9]*\)\/.*/\1/' "$tmp/$page.sw")
    iw=$(sed 's/.*\/\([0-9]*\)"/\1/' "$tmp/$page.sw")
    [ "$sw" -le "$iw" ] || fail "$page: the page is $sw pixels wide in a $iw-pixel window"
done
# Printing opens the collapsed sections: more pages than the same report
# without its script.
sed 's|<script>.*</script>||' "$tmp/h.html" >"$tmp/hns.html"
chrome --no-pdf-header-footer --print-to-pdf="$tmp/hns.pdf" "file://$tmp/hns.html" \
    >/dev/null 2>&1 || fail "chromium --print-to-pdf hns.html"
pages() { grep -a -c '/Type /Page$' "$1" || true; }
[ "$(pages "$tmp/h.pdf")" -gt "$(pages "$tmp/hns.pdf")" ] ||
    fail "printing did not open the sections ($(pages "$tmp/h.pdf") pages, $(pages "$tmp/hns.pdf") closed)"
# A page that does log to the console is caught by the check above.
printf '<!DOCTYPE html><title>t</title><script>undefinedFn();</script>\n' >"$tmp/bad.html"
chrome --dump-dom "file://$tmp/bad.html" >/dev/null 2>"$tmp/bad.log" || true
grep -q 'Uncaught' "$tmp/bad.log" || fail "chromium's console is not seen in its log"
if [ -n "${MHS_REPORT_KEEP:-}" ]; then
    mkdir -p "$MHS_REPORT_KEEP" && cp "$tmp"/*.png "$tmp"/*.html "$MHS_REPORT_KEEP"/
fi
echo "report: all checks passed"
