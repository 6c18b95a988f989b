#!/bin/sh
# SPDX-License-Identifier: MIT
# mhs viz end to end: the quickstart's trace drawn as m1's path (DOT: its
# nodes and four numbered hop edges), the m1/r1 overlay, the overview, an
# SMTP sequence view, a refusal and a DSN; SVG output is XML; the same
# trace gives the same bytes (SVG, PNG, PDF, DOT); a scenario drawn
# directly matches its trace; bad input exits 2.
set -eu
: "${MHS:?MHS must point at the mhs binary}"
: "${MHS_SOURCE_DIR:?}"
dir="$MHS_SOURCE_DIR/tests/scenarios/foundation"
# Sanitizer builds: full leak stacks, so that the Graphviz, pango and
# fontconfig suppressions (viz/viz_graph.c) match; no effect otherwise.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
export ASAN_OPTIONS
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# The attribute block of the first edge FROM -> TO of a DOT file.
edge_attrs() {
    awk -v e="\"$1\" -> \"$2\"" 'index($0, e) { on = 1 } on { print } on && /\]/ { exit }' "$3"
}
xml_ok() { python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' "$1"; }

"$MHS" run -q "$MHS_SOURCE_DIR/scenarios/quickstart.yaml" --trace "$tmp/q.jsonl" >/dev/null ||
    fail "quickstart did not pass"

# 1. m1's path as DOT: five nodes with their roles, four numbered hops.
"$MHS" viz "$tmp/q.jsonl" --message m1 -o "$tmp/m1.dot" || fail "viz m1 dot"
for n in alice-pc msa.polito.it out.polito.it mx.example.com ms.example.com; do
    grep -q "^	\"$n\"	\[" "$tmp/m1.dot" || fail "node $n missing from m1.dot"
done
grep -q 'shape=note' "$tmp/m1.dot" || fail "the MUA is not drawn as a note"
grep -q 'shape=cylinder' "$tmp/m1.dot" || fail "the MS is not drawn as a cylinder"
[ "$(grep -c ' -> ' "$tmp/m1.dot")" -eq 4 ] || fail "m1 should have exactly 4 hop edges"
grep -q '"alice-pc" -> "msa.polito.it"' "$tmp/m1.dot" || fail "hop 1 edge"
grep -q '"msa.polito.it" -> "out.polito.it"' "$tmp/m1.dot" || fail "hop 2 edge"
grep -q '"out.polito.it" -> "mx.example.com"' "$tmp/m1.dot" || fail "hop 3 edge"
grep -q '"mx.example.com" -> "ms.example.com"' "$tmp/m1.dot" || fail "hop 4 edge"
grep -q 'label="1: 1.045047s ESMTP"' "$tmp/m1.dot" || fail "hop 1 label"
grep -q 'label="4: 1.191261s ESMTP"' "$tmp/m1.dot" || fail "hop 4 label"
grep -q 'bob-pc' "$tmp/m1.dot" && fail "r1's nodes leaked into m1's path"

# 2. Overlay of m1 and r1: both paths, two colours, a legend.
"$MHS" viz "$tmp/q.jsonl" -m m1 -m r1 -o "$tmp/ov.dot" || fail "viz overlay"
for n in alice-pc msa.polito.it ms.example.com bob-pc msa.example.com out.example.com \
    mx.polito.it ms.polito.it; do
    grep -q "\"$n\"" "$tmp/ov.dot" || fail "node $n missing from the overlay"
done
[ "$(grep -c ' -> ' "$tmp/ov.dot")" -eq 8 ] || fail "overlay should have 8 hop edges"
grep -q 'label="r1 1: 60.045051s ESMTP"' "$tmp/ov.dot" || fail "r1's first hop label"
[ "$(grep -o 'color="#[0-9a-f]*"' "$tmp/ov.dot" | sort -u | wc -l)" -ge 2 ] ||
    fail "overlay does not use two colours"
grep -q 'legend' "$tmp/ov.dot" || fail "overlay has no legend"

# 3. SVG parses as XML; the same trace gives the same bytes, every format.
"$MHS" viz "$tmp/q.jsonl" -m m1 -m r1 -o "$tmp/ov.svg" || fail "viz overlay svg"
xml_ok "$tmp/ov.svg" || fail "overlay SVG is not XML"
for f in svg png pdf dot; do
    "$MHS" viz "$tmp/q.jsonl" -m m1 -o "$tmp/a.$f" || fail "viz m1 $f"
    "$MHS" viz "$tmp/q.jsonl" -m m1 -o "$tmp/b.$f" || fail "viz m1 $f again"
    [ -s "$tmp/a.$f" ] || fail "empty $f output"
    cmp -s "$tmp/a.$f" "$tmp/b.$f" || fail "two renderings of m1 as $f differ"
done
head -c 8 "$tmp/a.png" | od -c | grep -q 'P   N   G' || fail "png output is not a PNG"
head -c 5 "$tmp/a.pdf" | grep -q '%PDF-' || fail "pdf output is not a PDF"

# 4. Overview of every message; the SMTP sequence view of m1's relay.
"$MHS" viz "$tmp/q.jsonl" -o "$tmp/all.svg" || fail "viz overview"
xml_ok "$tmp/all.svg" || fail "overview SVG is not XML"
grep -q 'msa.polito.it' "$tmp/all.svg" && grep -q 'msa.example.com' "$tmp/all.svg" ||
    fail "overview misses a message"
conn=$(grep '"ev":"conn.open","node":"out.polito.it"' "$tmp/q.jsonl" | head -1 |
    sed 's/.*"conn":\([0-9]*\).*/\1/')
"$MHS" viz "$tmp/q.jsonl" --session "$conn" -o "$tmp/seq.svg" || fail "viz session"
xml_ok "$tmp/seq.svg" || fail "sequence SVG is not XML"
grep -q '>EHLO out.polito.it<' "$tmp/seq.svg" || fail "EHLO not in the sequence view"
grep -q '>250 2.0.0 Ok: queued as' "$tmp/seq.svg" || fail "DATA reply not in the sequence view"
grep -q '>mx.example.com<' "$tmp/seq.svg" || fail "server lane not named"

# 5. A refused recipient and its DSN: a red edge and a dashed DSN path.
"$MHS" run -q "$dir/dsn.yaml" --trace "$tmp/d.jsonl" >/dev/null || fail "dsn scenario"
"$MHS" viz "$tmp/d.jsonl" -m m1 -o "$tmp/d.dot" || fail "viz dsn"
edge_attrs mx.example.com ms.example.com "$tmp/d.dot" | grep -q 'color=red' ||
    fail "refusal is not a red edge"
grep -q 'refused 550 user unknown (nobody@example.com)' "$tmp/d.dot" || fail "refusal label"
edge_attrs mx.example.com mx.polito.it "$tmp/d.dot" | grep -q 'style=dashed' ||
    fail "DSN path is not dashed"

# 6. A scenario instead of a trace: run in memory, the same diagram.
"$MHS" viz "$MHS_SOURCE_DIR/scenarios/quickstart.yaml" -m m1 -o "$tmp/s.dot" ||
    fail "viz from a scenario"
cmp -s "$tmp/s.dot" "$tmp/a.dot" || fail "scenario and trace give different diagrams"

# 7. Bad input: exit 2 with a message.
expect_usage() {
    set +e
    "$MHS" viz "$@" >"$tmp/err.out" 2>&1
    rc=$?
    set -e
    [ $rc -eq 2 ] || fail "viz $*: exit $rc, want 2"
    grep -q '^mhs: ' "$tmp/err.out" || fail "viz $*: no message"
}
expect_usage "$tmp/missing.jsonl" -m m1 -o "$tmp/x.svg"
set +e
"$MHS" viz "$dir/bad-key.yaml" -o "$tmp/x.svg" >"$tmp/err.out" 2>&1
rc=$?
set -e
[ $rc -eq 2 ] || fail "viz of a bad scenario: exit $rc, want 2"
grep -q 'bad-key.yaml:[0-9]*:[0-9]*: ' "$tmp/err.out" || fail "bad scenario without FILE:LINE:COL"
expect_usage "$tmp/q.jsonl" -m nosuch -o "$tmp/x.svg"
grep -q "nosuch" "$tmp/err.out" || fail "unknown message not named"
expect_usage "$tmp/q.jsonl" -m m1 -o "$tmp/x.jpeg"
expect_usage "$tmp/q.jsonl" -m m1
expect_usage "$tmp/q.jsonl" --session 9999 -o "$tmp/x.svg"
printf 'not json\n' >"$tmp/bad.jsonl"
expect_usage "$tmp/bad.jsonl" -o "$tmp/x.svg"
grep -q 'bad.jsonl:1:' "$tmp/err.out" || fail "parse error without FILE:LINE"
[ ! -e "$tmp/x.svg" ] || fail "output written despite bad input"

# mhs run --svg DIR: one diagram per message plus all.svg, same bytes as mhs viz.
"$MHS" run -q "$MHS_SOURCE_DIR/scenarios/quickstart.yaml" --svg "$tmp/svgdir" >/dev/null ||
    fail "run --svg"
for f in all m1 r1; do
    [ -s "$tmp/svgdir/$f.svg" ] || fail "run --svg did not write $f.svg"
done
python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' "$tmp/svgdir/m1.svg" ||
    fail "run --svg wrote bad SVG"
grep -q 'mx.example.com' "$tmp/svgdir/m1.svg" || fail "m1.svg lacks its path"
echo "viz ok"
