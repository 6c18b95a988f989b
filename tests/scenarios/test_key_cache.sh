#!/bin/sh
# SPDX-License-Identifier: MIT
# The key cache (docs/cli.md, "Key cache") end to end: an S/MIME scenario
# with RSA users run with a cold cache, a warm one, the cache off, after
# its files were corrupted, and twice at once on a new directory. Every
# run gives the same trace, report, certificates, private keys and signed
# copies (--smime-dir); the cold run writes one file per RSA key (0600, in
# a 0700 directory, named by its digest); MHS_CACHE_DIR=off writes nothing;
# corrupt files are ignored and rewritten as they were. Lab 11 grades the
# same with the cache cold, warm and off.
set -eu
: "${MHS:?MHS must point at the mhs binary}"
: "${MHS_SOURCE_DIR:?}"
scen="$MHS_SOURCE_DIR/tests/scenarios/smime/roundtrip.yaml"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# run NAME CACHE_DIR: the scenario with its outputs in $tmp/NAME.*
run() {
    MHS_CACHE_DIR=$2 "$MHS" run "$scen" --trace "$tmp/$1.jsonl" --smime-dir "$tmp/$1.x" \
        >"$tmp/$1.out" 2>"$tmp/$1.err" || fail "$1 run: $(cat "$tmp/$1.out" "$tmp/$1.err")"
}
# same A B: the runs A and B wrote the same things.
same() {
    for f in jsonl out err; do
        cmp -s "$tmp/$1.$f" "$tmp/$2.$f" || fail "$1 and $2: the $f differs"
    done
    for f in ca.pem alice@a.test.pem alice@a.test.key bob@b.test.key dave@a.test.key \
        erin@b.test.key s1.bob@b.test.eml o1.bob@b.test.eml; do
        [ -f "$tmp/$1.x/$f" ] || fail "$1 exported no $f"
        cmp -s "$tmp/$1.x/$f" "$tmp/$2.x/$f" || fail "$1 and $2: $f differs"
    done
}
mode() { stat -c %a "$1"; }

cache="$tmp/cache"
run cold "$cache"
keys="$cache/keys"
[ -d "$keys" ] || fail "the cold run made no $keys"
[ "$(mode "$keys")" = 700 ] || fail "$keys has mode $(mode "$keys"), not 700"
# alice, bob and dave have RSA keys; erin's P-256 key is not filed.
n=$(ls "$keys" | wc -l)
[ "$n" = 3 ] || fail "$n files in the cache, not 3: $(ls "$keys")"
for f in "$keys"/*; do
    case $(basename "$f") in
    [0-9a-f]*.key) ;;
    *) fail "unexpected file $(basename "$f")" ;;
    esac
    [ "$(mode "$f")" = 600 ] || fail "$f has mode $(mode "$f"), not 600"
    head -n 1 "$f" | grep -qx 'mhs-seed-key-cache 1' || fail "$f: no header"
    sed -n 2p "$f" | grep -qx "derivation $(basename "$f" .key)" || fail "$f: not named by its digest"
    sed -n 3p "$f" | grep -qx 'type rsa2048' || fail "$f: not an RSA key"
    # The key-sha256 line is the SHA-256 of the key's lines.
    if command -v sha256sum >/dev/null 2>&1; then
        sum=$(tail -n +5 "$f" | sha256sum | cut -d' ' -f1)
        sed -n 4p "$f" | grep -qx "key-sha256 $sum" || fail "$f: key-sha256 is not its key's"
    fi
    grep -q '^rsa-factor1 [0-9A-F]*$' "$f" || fail "$f: no first prime"
done
mkdir "$tmp/saved"
cp -p "$keys"/* "$tmp/saved/"

run warm "$cache"
same cold warm
[ "$(ls "$keys" | wc -l)" = 3 ] || fail "the warm run added files"

# Off: same outputs, no directory named "off" anywhere we can see.
(cd "$tmp" && run off off)
same cold off
[ ! -e "$tmp/off" ] || fail "MHS_CACHE_DIR=off made a directory"

# Corrupt: one truncated, one flipped, one replaced by another's text.
set -- "$keys"/*
head -c 700 "$1" >"$tmp/t" && mv "$tmp/t" "$1"
sed 's/^derivation ./derivation x/' "$2" >"$tmp/t" && mv "$tmp/t" "$2"
cp "$1" "$3"
run repaired "$cache"
same cold repaired
for f in "$tmp/saved"/*; do
    cmp -s "$f" "$keys/$(basename "$f")" || fail "$(basename "$f") was not rewritten as it was"
done

# Two runs at once on an empty directory: both write every key.
race="$tmp/race"
run raceA "$race" &
a=$!
run raceB "$race"
wait "$a" || fail "the first racing run failed"
same cold raceA
same cold raceB
for f in "$tmp/saved"/*; do
    cmp -s "$f" "$race/keys/$(basename "$f")" || fail "race: $(basename "$f") differs"
done
[ "$(ls "$race/keys" | wc -l)" = 3 ] || fail "race: left $(ls "$race/keys")"

# Grading: lab 11 (S/MIME, two RSA users on three seeds) gives the same
# report with the cache cold, warm and off.
lab="$MHS_SOURCE_DIR/labs/11-end-to-end"
sol="$MHS_SOURCE_DIR/tests/labs/11-end-to-end/solution"
if [ -d "$lab" ] && [ -d "$sol" ]; then
    for how in cold warm off; do
        dir="$tmp/grade-cache"
        [ "$how" = off ] && dir=off
        MHS_CACHE_DIR=$dir "$MHS" grade "$lab" --submission "$sol" --student s1 --format json \
            >"$tmp/grade-$how.json" || fail "grading lab 11 ($how cache)"
    done
    [ "$(ls "$tmp/grade-cache/keys" | wc -l)" = 6 ] || fail "lab 11 did not file 6 keys"
    cmp -s "$tmp/grade-cold.json" "$tmp/grade-warm.json" || fail "lab 11: cold and warm grades differ"
    cmp -s "$tmp/grade-cold.json" "$tmp/grade-off.json" || fail "lab 11: cold and off grades differ"
fi
echo "ok: cold, warm, off, repaired and racing runs alike; 3 key files; lab 11 graded alike"
