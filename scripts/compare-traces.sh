#!/bin/sh
# SPDX-License-Identifier: MIT
# compare-traces.sh: runs every scenario with two mhs binaries and compares
# the results byte for byte: exit status, standard output, the JSON Lines
# trace (--trace) and the capture (--pcap). For refactors that must not
# change behaviour.
#
#   scripts/compare-traces.sh OLD_MHS NEW_MHS [SCENARIO.yaml ...]
#
# Without scenarios: scenarios/*.yaml, tests/scenarios/**/*.yaml and
# labs/*/scenario.yaml; and each lab with a reference solution in
# tests/labs/LAB/solution: the grade report of both binaries (--format
# json) and the scenario as graded (grade --merged, by OLD) run as above.
# Some capture payloads differ from run to run of
# the same binary (TLS ciphertext, S/MIME content encryption: OpenSSL's own
# randomness), so OLD runs twice: a segment whose payload differs between
# those two runs is compared by size only; every other byte of every
# record (times, addresses, ports, flags, sequence numbers, payloads) must
# be equal, TCP/IP checksums aside. A scenario both binaries reject as bad
# input (exit 2, e.g. a lab that needs a student's files) is skipped.
# MHS_ARGS adds options to every run (e.g. MHS_ARGS="--until 30s").
# Exit status: 0 all identical, 1 a difference, 2 usage.
set -u
if [ $# -lt 2 ] || [ ! -x "$1" ] || [ ! -x "$2" ]; then
    echo "usage: $0 OLD_MHS NEW_MHS [SCENARIO.yaml ...]" >&2
    exit 2
fi
old=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
new=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
shift 2
cd "$(dirname "$0")/.." || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
same=0
differ=0
skipped=0
if [ $# -eq 0 ]; then
    set -- scenarios/*.yaml $(find tests/scenarios -name '*.yaml' | sort) labs/*/scenario.yaml
    mkdir -p "$tmp/labs"
    for sol in tests/labs/*/solution; do
        [ -d "$sol" ] || continue
        lab=$(basename "$(dirname "$sol")")
        [ -d "labs/$lab" ] || continue
        for bin in "$old" "$new"; do
            "$bin" grade "labs/$lab" --submission "$sol" --student ref --format json \
                -o "$tmp/labs/$lab.$([ "$bin" = "$old" ] && echo a || echo b).json" >/dev/null 2>&1
        done
        if cmp -s "$tmp/labs/$lab.a.json" "$tmp/labs/$lab.b.json"; then
            echo "same     grade $lab"
            same=$((same + 1))
        else
            echo "DIFFERS  grade $lab"
            differ=$((differ + 1))
        fi
        "$old" grade "labs/$lab" --submission "$sol" --student ref --merged "$tmp/labs/$lab.yaml" \
            >/dev/null 2>&1 && set -- "$@" "$tmp/labs/$lab.yaml"
    done
fi

# Compares captures a (old), a2 (old again) and b (new); prints the first
# difference and exits 1.
pcap_compare() {
    python3 - "$@" <<'PY'
import struct, sys

def records(path):
    try:
        d = open(path, "rb").read()
    except OSError:
        return None
    e = "<" if struct.unpack("<I", d[:4])[0] in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    skip = 14 if struct.unpack(e + "I", d[20:24])[0] == 1 else 0
    out, off = [], 24
    while off + 16 <= len(d):
        sec, frac, incl, orig = struct.unpack(e + "IIII", d[off:off + 16])
        ip = d[off + 16 + skip:off + 16 + incl]
        off += 16 + incl
        ihl = (ip[0] & 15) * 4
        tcp = ip[ihl:]
        thl = (tcp[12] >> 4) * 4
        meta = (sec, frac, incl, orig, ip[:10] + ip[12:ihl], tcp[:16] + tcp[20:thl])
        out.append((meta, tcp[thl:]))
    return out

a, a2, b = (records(p) for p in sys.argv[1:4])
if a is None or b is None:
    sys.exit(0 if a is None and b is None else 1)
if a2 is None or len(a) != len(a2) or any(x[0] != y[0] for x, y in zip(a, a2)):
    print("old binary's capture changes from run to run")
    sys.exit(1)
if len(a) != len(b):
    print("%d segments, new %d" % (len(a), len(b)))
    sys.exit(1)
for i, ((m, p), (_, p2), (mb, pb)) in enumerate(zip(a, a2, b)):
    if m != mb or (p == p2 and p != pb) or len(p) != len(pb):
        print("segment %d at %d.%06d differs" % (i + 1, m[0], m[1]))
        sys.exit(1)
PY
}

for scn in "$@"; do
    [ -f "$scn" ] || continue
    for side in a a2 b; do
        rm -rf "${tmp:?}/$side"
        mkdir -p "$tmp/$side"
        bin=$old
        [ "$side" = b ] && bin=$new
        # shellcheck disable=SC2086
        "$bin" run "$scn" --trace "$tmp/$side/trace.jsonl" --pcap "$tmp/$side/capture.pcap" \
            ${MHS_ARGS:-} >"$tmp/$side/stdout" 2>"$tmp/$side/stderr"
        echo $? >"$tmp/$side/status"
        # The output names the files it wrote: make them the same.
        sed -i "s|$tmp/$side/|OUT/|g" "$tmp/$side/stdout" "$tmp/$side/stderr"
    done
    if [ "$(cat "$tmp/a/status")" = 2 ] && [ "$(cat "$tmp/b/status")" = 2 ]; then
        echo "skipped  $scn (bad input for both: $(head -n 1 "$tmp/a/stderr"))"
        skipped=$((skipped + 1))
        continue
    fi
    bad=""
    for f in status stdout trace.jsonl; do
        if [ -e "$tmp/a/$f" ] || [ -e "$tmp/b/$f" ]; then
            cmp -s "$tmp/a/$f" "$tmp/b/$f" || bad="$bad $f"
        fi
    done
    why=$(pcap_compare "$tmp/a/capture.pcap" "$tmp/a2/capture.pcap" "$tmp/b/capture.pcap") ||
        bad="$bad capture.pcap ($why)"
    if [ -n "$bad" ]; then
        echo "DIFFERS  $(echo "$scn" | sed "s|^$tmp/labs/|graded lab |"):$bad"
        differ=$((differ + 1))
    else
        echo "same     $(echo "$scn" | sed "s|^$tmp/labs/|graded lab |") ($(wc -l <"$tmp/a/trace.jsonl" 2>/dev/null || echo 0) trace lines," \
            "$(wc -c <"$tmp/a/capture.pcap" 2>/dev/null || echo 0) pcap bytes)"
        same=$((same + 1))
    fi
done
echo "compare-traces: $same identical, $differ different, $skipped skipped"
[ "$differ" -eq 0 ]
