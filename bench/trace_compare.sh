#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checks that two builds of mhs simulate alike: for every scenario, the
# JSON Lines trace of `mhs run --trace` (docs/trace.md), the printed report
# and the exit status must be byte-identical. Use it before and after an
# optimisation: a faster simulator must not change one event.
# Scenarios: scenarios/quickstart.yaml, every scenarios/bench/*-1k.yaml,
# every tests/scenarios/**/*.yaml, and every lab graded with its reference
# solution (`mhs grade --merged`), or the files given as arguments.
#
# Usage: bench/trace_compare.sh BASE NEW [SCENARIO...]
#   BASE, NEW: an mhs binary, or a git revision (such as main) that is then
#   built from `git archive` in a temporary directory.
# Exit status: 0 when every scenario matches, 1 otherwise.
set -euo pipefail

cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mhs-tracecmp.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

resolve() { # binary or revision -> path of an mhs binary
    local what=$1 dir
    if [ -x "$what" ] && [ -f "$what" ]; then
        (cd "$(dirname "$what")" && echo "$PWD/$(basename "$what")")
        return
    fi
    git rev-parse --verify -q "$what^{commit}" >/dev/null ||
        { echo "trace_compare: '$what' is neither a binary nor a revision" >&2; exit 2; }
    dir=$TMP/src-$(git rev-parse --short "$what")
    mkdir -p "$dir"
    git archive "$what" | tar -x -C "$dir"
    echo "trace_compare: building $what in $dir ..." >&2
    cmake -S "$dir" -B "$dir/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$dir/build" --target mhs -j2 >/dev/null
    echo "$dir/build/mhs"
}
BASE=$(resolve "$1")
NEW=$(resolve "$2")
shift 2

if [ $# -gt 0 ]; then
    FILES=("$@")
else
    FILES=(scenarios/quickstart.yaml scenarios/bench/*-1k.yaml)
    while IFS= read -r f; do FILES+=("$f"); done < <(find tests/scenarios -name '*.yaml' | sort)
    # Each lab with its reference solution, as graded (first seed of the lab).
    for lab in labs/*/; do
        name=$(basename "$lab")
        [ -f "$lab/lab.yaml" ] && [ -d "tests/labs/$name/solution" ] || continue
        if "$BASE" grade "$lab" --submission "tests/labs/$name/solution" \
            --merged "$TMP/lab-$name.yaml" >/dev/null 2>&1; then
            FILES+=("$TMP/lab-$name.yaml")
        else
            echo "trace_compare: could not merge lab $name: skipped" >&2
        fi
    done
fi

same=0
differ=0
for f in "${FILES[@]}"; do
    for side in base new; do
        bin=$BASE
        [ $side = new ] && bin=$NEW
        rc=0
        "$bin" run "$f" --trace "$TMP/$side.jsonl" >"$TMP/$side.out" 2>"$TMP/$side.err" || rc=$?
        echo "$rc" >"$TMP/$side.rc"
        [ -f "$TMP/$side.jsonl" ] || : >"$TMP/$side.jsonl"
    done
    what=""
    cmp -s "$TMP/base.rc" "$TMP/new.rc" || what="$what exit($(cat "$TMP/base.rc") vs $(cat "$TMP/new.rc"))"
    cmp -s "$TMP/base.out" "$TMP/new.out" || what="$what report"
    cmp -s "$TMP/base.err" "$TMP/new.err" || what="$what stderr"
    if ! cmp -s "$TMP/base.jsonl" "$TMP/new.jsonl"; then
        what="$what trace(line $(cmp "$TMP/base.jsonl" "$TMP/new.jsonl" 2>&1 | sed -n 's/.* line \([0-9]*\).*/\1/p'))"
    fi
    if [ -z "$what" ]; then
        same=$((same + 1))
    else
        differ=$((differ + 1))
        echo "DIFFER $f:$what"
    fi
    rm -f "$TMP/base.jsonl" "$TMP/new.jsonl"
done
echo "trace_compare: $same identical, $differ different (${#FILES[@]} scenarios)"
[ "$differ" = 0 ]
