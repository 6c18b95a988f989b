#!/bin/sh
# SPDX-License-Identifier: MIT
# The grader against every lab under labs/ (labs added later are covered
# without editing this file): the start state scores below full marks, the
# reference solution (tests/labs/NAME/solution) full marks on every seed, a
# malformed submission (a YAML syntax error, a key the lab does not allow,
# tests/labs/NAME/bad) gets FILE:LINE:COL naming the student's file and
# zero; the JSON, JUnit (against tests/labs/junit.xsd) and Gradescope
# outputs validate; --student variants are stable and differ between IDs;
# a batch over mixed submissions writes the right CSV rows; a broken lab
# or invocation exits 2.
set -eu
: "${MHS:?MHS must point at the mhs binary}"
: "${MHS_SOURCE_DIR:?}"
src="$MHS_SOURCE_DIR"
check="$src/tests/labs/check_result.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 absent: the grader's outputs cannot be parsed"; exit 1; }

grade() { # grade LABDIR SUBMISSION OUT [ARGS...]: exit status must be 0
    lab=$1 sub=$2 out=$3
    shift 3
    "$MHS" grade "$lab" --submission "$sub" "$@" -o "$out" 2>"$out.err" ||
        fail "grade $lab $sub $*: exit $? ($(cat "$out.err"))"
}

nlabs=0
for labdir in "$src"/labs/*/; do
    labdir=${labdir%/}
    [ -f "$labdir/lab.yaml" ] || continue
    name=$(basename "$labdir")
    nlabs=$((nlabs + 1))
    sol="$src/tests/labs/$name/solution"
    [ -d "$sol" ] || fail "$name: no reference solution in tests/labs/$name/solution"
    [ -d "$labdir/start" ] || fail "$name: no start/ directory"
    [ -f "$labdir/README.md" ] || fail "$name: no README.md for students"
    t="$tmp/$name"
    mkdir -p "$t"

    # Start below full marks; the solution full marks (every seed: expect
    # checks hold only when they hold on every seed of lab.yaml).
    grade "$labdir" "$labdir/start" "$t/start.json" --format json
    python3 "$check" json "$t/start.json" below || fail "$name: start"
    [ -z "$(python3 "$check" field "$t/start.json" error)" ] ||
        fail "$name: the start state does not load: $(python3 "$check" field "$t/start.json" error)"
    grade "$labdir" "$sol" "$t/sol.json" --format json
    python3 "$check" json "$t/sol.json" full || fail "$name: solution"

    # The four formats.
    grade "$labdir" "$sol" "$t/sol.txt"
    grep -q "^score: " "$t/sol.txt" || fail "$name: text output"
    if grep -q "$(printf '\033')" "$t/sol.txt"; then fail "$name: colour in a file"; fi
    for sub in "$sol" "$labdir/start"; do
        grade "$labdir" "$sub" "$t/junit.xml" --format junit
        python3 "$check" junit "$t/junit.xml" || fail "$name: junit structure"
        if command -v xmllint >/dev/null; then
            xmllint --noout --schema "$src/tests/labs/junit.xsd" "$t/junit.xml" 2>"$t/xsd.err" ||
                fail "$name: JUnit XML does not validate: $(cat "$t/xsd.err")"
        fi
        grade "$labdir" "$sub" "$t/gs.json" --format gradescope
        python3 "$check" gradescope "$t/gs.json" || fail "$name: gradescope fields"
    done
    if ! command -v xmllint >/dev/null; then echo "xmllint absent: JUnit checked by structure only"; fi

    # Malformed submissions: in each of the solution's files in turn, a
    # YAML syntax error; appended to each, a key no lab allows (merged
    # files must refuse it). Both name the student's file with LINE:COL.
    refused=0
    for f in "$sol"/*; do
        fname=$(basename "$f")
        rm -rf "$t/bad" && cp -r "$sol" "$t/bad"
        printf 'ok: 1\nbroken: [unclosed\n' >"$t/bad/$fname"
        grade "$labdir" "$t/bad" "$t/bad.json" --format json
        python3 "$check" json "$t/bad.json" error || fail "$name: syntax error in $fname"
        python3 "$check" field "$t/bad.json" error | grep -q "^$t/bad/$fname:[0-9]*:[0-9]*: YAML syntax error" ||
            fail "$name: syntax error in $fname not located: $(python3 "$check" field "$t/bad.json" error)"
        grade "$labdir" "$t/bad" "$t/bad.gs.json" --format gradescope
        python3 "$check" gradescope "$t/bad.gs.json" || fail "$name: gradescope of a bad submission"
        grade "$labdir" "$t/bad" "$t/bad.xml" --format junit
        python3 "$check" junit "$t/bad.xml" || fail "$name: junit of a bad submission"
        grep -q '<error message="submission error" type="submission">' "$t/bad.xml" ||
            fail "$name: a bad submission is not a JUnit error"
        if command -v xmllint >/dev/null; then
            xmllint --noout --schema "$src/tests/labs/junit.xsd" "$t/bad.xml" 2>"$t/xsd.err" ||
                fail "$name: JUnit XML of a bad submission: $(cat "$t/xsd.err")"
        fi
        rm -rf "$t/bad" && cp -r "$sol" "$t/bad"
        lines=$(wc -l <"$f")
        printf 'zz_not_allowed_key: 1\n' >>"$t/bad/$fname"
        grade "$labdir" "$t/bad" "$t/bad.json" --format json
        err=$(python3 "$check" field "$t/bad.json" error)
        if [ -n "$err" ]; then
            echo "$err" | grep -q "^$t/bad/$fname:$((lines + 1)):1: 'zz_not_allowed_key' may not be set" ||
                fail "$name: refused key in $fname: $err"
            python3 "$check" json "$t/bad.json" error || fail "$name: refused key scored"
            refused=$((refused + 1))
        fi
    done
    [ "$refused" -ge 1 ] || fail "$name: no merged file refused a key outside the allow-list"
    rm -rf "$t/bad"
    if [ -d "$src/tests/labs/$name/bad" ]; then
        grade "$labdir" "$src/tests/labs/$name/bad" "$t/bad.json" --format json
        python3 "$check" json "$t/bad.json" error || fail "$name: tests/labs/$name/bad"
        python3 "$check" field "$t/bad.json" error |
            grep -q "^$src/tests/labs/$name/bad/[^:/]*:[0-9]*:[0-9]*: " || fail "$name: bad/ not located"
    fi
    mkdir -p "$t/empty"
    grade "$labdir" "$t/empty" "$t/empty.json" --format json
    python3 "$check" json "$t/empty.json" error || fail "$name: empty submission"

    # Variants: the same ID twice gives the same variant and result; when
    # the lab declares variants, some IDs differ.
    "$MHS" grade "$labdir" --print-variant --student alice >"$t/v1" || fail "$name: --print-variant"
    "$MHS" grade "$labdir" --print-variant --student alice >"$t/v2"
    cmp -s "$t/v1" "$t/v2" || fail "$name: the variant of alice changed"
    grade "$labdir" "$labdir/start" "$t/a1.json" --format json --student alice
    grade "$labdir" "$labdir/start" "$t/a2.json" --format json --student alice
    cmp -s "$t/a1.json" "$t/a2.json" || fail "$name: two gradings of alice differ"
    if [ -s "$t/v1" ]; then
        differ=0
        for id in bob carol s100001 s100002 s100003; do
            "$MHS" grade "$labdir" --print-variant --student "$id" >"$t/v3"
            cmp -s "$t/v1" "$t/v3" || differ=1
        done
        [ "$differ" -eq 1 ] || fail "$name: every student got alice's variant"
    fi

    # Batch over mixed submissions: a solution, the start, a syntax error,
    # an empty directory (and a stray file that is not a submission).
    b="$t/class"
    mkdir -p "$b/s-empty"
    cp -r "$sol" "$b/s-sol"
    cp -r "$labdir/start" "$b/s-start"
    cp -r "$sol" "$b/s-bad"
    for f in "$b/s-bad"/*; do printf '{{{\n' >"$f"; done
    echo "not a submission" >"$b/README"
    "$MHS" grade "$labdir" --submissions "$b" -j 2 --csv "$t/class.csv" -o "$t/summary.txt" \
        2>"$t/batch.err" || fail "$name: batch: $(cat "$t/batch.err")"
    [ "$(wc -l <"$t/class.csv")" -eq 5 ] || fail "$name: CSV should have 4 rows: $(cat "$t/class.csv")"
    head -1 "$t/class.csv" | grep -q '^student,score,max,.*,error$' || fail "$name: CSV header"
    [ "$(cut -d, -f1 "$t/class.csv" | tr '\n' ' ')" = "student s-bad s-empty s-sol s-start " ] ||
        fail "$name: CSV rows: $(cut -d, -f1 "$t/class.csv" | tr '\n' ' ')"
    for id in s-sol s-start; do
        grade "$labdir" "$b/$id" "$t/$id.json" --format json --student "$id"
        want=$(python3 "$check" field "$t/$id.json" score | sed 's/\.0$//')
        got=$(grep "^$id," "$t/class.csv" | cut -d, -f2)
        [ "$got" = "$want" ] || fail "$name: batch score of $id is $got, alone $want"
    done
    for id in s-bad s-empty; do
        grep "^$id,0," "$t/class.csv" | grep -q ',[^,]\+$' || fail "$name: $id row: $(grep "^$id," "$t/class.csv")"
    done
    grep -q "4 submissions" "$t/summary.txt" || fail "$name: summary"
    grep -q "checks most often failed" "$t/summary.txt" || fail "$name: summary of failed checks"
done
[ "$nlabs" -ge 1 ] || fail "no lab under labs/"

# Exit status 2: an unknown lab, a missing option, a broken lab.
lab1=$(ls -d "$src"/labs/*/ | head -1)
status=0; "$MHS" grade no-such-lab --submission "$tmp" 2>/dev/null || status=$?
[ "$status" -eq 2 ] || fail "unknown lab: exit $status"
status=0; "$MHS" grade "$lab1" 2>/dev/null || status=$?
[ "$status" -eq 2 ] || fail "no --submission: exit $status"
status=0; "$MHS" grade "$lab1" --submission "$tmp" --format xml 2>/dev/null || status=$?
[ "$status" -eq 2 ] || fail "bad --format: exit $status"
cp -r "$lab1" "$tmp/broken"
printf 'nodes: [\n' >"$tmp/broken/scenario.yaml"
status=0; "$MHS" grade "$tmp/broken" --submission "$tmp/broken/start" 2>"$tmp/broken.err" || status=$?
[ "$status" -eq 2 ] || fail "broken scenario: exit $status"
grep -q "scenario.yaml:[0-9]*:[0-9]*: YAML syntax error" "$tmp/broken.err" || fail "broken lab message"
mkdir -p "$tmp/class2/s1"
status=0; "$MHS" grade "$tmp/broken" --submissions "$tmp/class2" --csv "$tmp/c2.csv" 2>/dev/null || status=$?
[ "$status" -eq 2 ] || fail "batch on a broken lab: exit $status"
[ ! -e "$tmp/c2.csv" ] || fail "batch on a broken lab wrote a CSV"
cp -r "$lab1" "$tmp/broken2"
printf 'title: x\nchecks: []\nscenaro: s.yaml\n' >"$tmp/broken2/lab.yaml"
status=0; "$MHS" grade "$tmp/broken2" --submission "$tmp" 2>"$tmp/broken2.err" || status=$?
[ "$status" -eq 2 ] || fail "broken lab.yaml: exit $status"
grep -q "lab.yaml:3:1: unknown key 'scenaro' in a grading spec (did you mean 'scenario'?)" \
    "$tmp/broken2.err" || fail "lab.yaml message: $(cat "$tmp/broken2.err")"

# mhs labs lists every lab with its title.
MHS_LABS_DIR="$src/labs" "$MHS" labs >"$tmp/labs.txt" || fail "mhs labs"
[ "$(grep -c '^[0-9][0-9]-' "$tmp/labs.txt")" -eq "$nlabs" ] || fail "mhs labs: $(cat "$tmp/labs.txt")"

# Lab 03: the spammer's address is the student's own variant.
if [ -d "$src/labs/03-open-relay" ]; then
    l="$src/labs/03-open-relay"
    for id in alice bob; do
        octet=$("$MHS" grade "$l" --print-variant --student "$id" | sed -n 's/^octet=//p')
        mkdir -p "$tmp/v-$id"
        cp "$src/tests/labs/03-open-relay/solution/relay.yaml" "$tmp/v-$id/"
        printf 'spammer_ip: 203.0.113.%s\nrelayed_tests: 15\n' "$octet" >"$tmp/v-$id/answers.yaml"
    done
    grade "$l" "$tmp/v-alice" "$tmp/va.json" --format json --student alice
    python3 "$check" json "$tmp/va.json" full || fail "03: alice's own answer"
    grade "$l" "$tmp/v-bob" "$tmp/vb.json" --format json --student alice
    python3 "$check" json "$tmp/vb.json" below || fail "03: bob's address accepted for alice"
    printf 'spammer_ip: "203.0.113.${var.octet}"\nrelayed_tests: 15\n' >"$tmp/v-bob/answers.yaml"
    grade "$l" "$tmp/v-bob" "$tmp/vc.json" --format json --student alice
    python3 "$check" json "$tmp/vc.json" below || fail "03: a \${var.X} answer was substituted"
fi
echo "ok: $nlabs labs graded"
