#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The protocol-feature benchmark (bench/README.md), in one sitting: the
# 1,000-message chain of scenarios/bench/chain-1k.yaml
#   plain          chain-1k
#   STARTTLS       starttls-chain-1k  (RFC 3207 on the 3 hops into the MX)
#   AUTH           auth-chain-1k      (RFC 4954 PLAIN at the submission server)
#   DKIM           dkim-chain-1k      (RFC 6376/8463 Ed25519 sign at the
#                                      submission server, verify at the MX)
#   all            full-chain-1k      (STARTTLS + AUTH + DKIM)
#   all, no resumption                (the same with session_tickets: false)
# each the median of RUNS runs of `mhs run -q` (every message must be
# delivered), against the crypto floor from `openssl speed` (Ed25519 sign
# and verify, X25519 derive): per message, 3 handshakes (full: 1 signature,
# 2 verifications, 4 X25519 operations; resumed with psk_dhe_ke, RFC 8446
# 4.2.9: the 4 X25519 operations only) plus, with DKIM, 1 signature and 1
# verification. Prints messages/s, the ratio to the plain chain, and the
# ratio to the floor (target >= 0.7 for the all-together chains: at most
# 30 % of the CPU outside the public-key operations). Messages/s are per
# CPU second (user + system, as bench/compare.sh): on a shared machine wall
# time also counts the wait for a CPU; CLOCK=wall measures wall time.
# Then a second floor, what OpenSSL itself does for the same work:
# BUILD/bench/tls_floor (bench/tls_floor.c: the 3 handshakes with the
# scenario's settings over memory BIOs, an SMTP transaction's records, the
# DKIM signature and verification, no simulator), with and without
# resumption, and the all-together chains' ratio to it. Last, from an
# instruction profile (valgrind callgrind, bench/openssl_share.py) of the
# all-together chain at 100 and 200 messages, the share of the extra 100
# messages' instructions spent outside OpenSSL (target <= 0.30), and the
# instructions a message of the chain and of tls_floor (resumed) counted
# the same way; SHARE=0 skips these (about a minute and a half).
#
# Usage: bench/features.sh   Environment: BUILD (default build), RUNS (3),
# CLOCK (cpu or wall, default cpu), SHARE (1 or 0, default 1).
set -euo pipefail

cd "$(dirname "$0")/.."
. bench/lib.sh
BUILD=${BUILD:-build}
RUNS=${RUNS:-3}
CLOCK=${CLOCK:-cpu}
SHARE=${SHARE:-1}
case "${1:-}" in -h | --help) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac
MHS=$BUILD/mhs
[ -x "$MHS" ] || { echo "bench: $MHS is missing: run 'make build' first" >&2; exit 1; }
command -v openssl >/dev/null || { echo "bench: openssl is missing" >&2; exit 1; }
if [ "$CLOCK" = cpu ] && [ ! -x /usr/bin/time ]; then
    echo "bench: /usr/bin/time is missing (Debian time): measuring wall time" >&2
    CLOCK=wall
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mhs-features.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# The all-together chain without session tickets, written next to it
# (no file references, so the directory does not matter).
sed 's/tls: {\([^}]*\)}/tls: {\1, session_tickets: false}/; s/^name: \(.*\)/name: \1, no resumption/' \
    scenarios/bench/full-chain-1k.yaml >"$TMP/full-chain-1k-noresume.yaml"

rate() { # scenario file -> median messages/s
    local f=$1 t0 out msgs secs
    : >"$TMP/r"
    for _ in $(seq "$RUNS"); do
        t0=$(bench_now)
        if [ "$CLOCK" = cpu ]; then
            out=$(/usr/bin/time -f '%U %S' -o "$TMP/time" "$MHS" run -q "$f" 2>&1) ||
                { echo "bench: $f failed: $out" >&2; exit 1; }
            secs=$(awk '{ printf "%.6f", $1 + $2 }' "$TMP/time")
        else
            out=$("$MHS" run -q "$f" 2>&1) || { echo "bench: $f failed: $out" >&2; exit 1; }
            secs=$(bench_elapsed "$t0" "$(bench_now)")
        fi
        msgs=$(echo "$out" | sed -n 's/^messages: \([0-9]*\);.*recipients: \1 delivered.*/\1/p')
        [ -n "$msgs" ] || { echo "bench: $f did not deliver every message: $out" >&2; exit 1; }
        bench_div "$msgs" "$secs" >>"$TMP/r"
    done
    bench_median <"$TMP/r"
}

declare -A RATE
NAMES=(plain starttls auth dkim all all-noresume)
declare -A FILE=([plain]=scenarios/bench/chain-1k.yaml
    [starttls]=scenarios/bench/starttls-chain-1k.yaml
    [auth]=scenarios/bench/auth-chain-1k.yaml
    [dkim]=scenarios/bench/dkim-chain-1k.yaml
    [all]=scenarios/bench/full-chain-1k.yaml
    [all-noresume]=$TMP/full-chain-1k-noresume.yaml)
for n in "${NAMES[@]}"; do
    echo "running $n ..." >&2
    RATE[$n]=$(rate "${FILE[$n]}")
done

speed=$(openssl speed -seconds 1 ed25519 ecdhx25519 2>/dev/null)
ed_sign=$(echo "$speed" | awk '/Ed25519/ {print $(NF-1)}')
ed_verify=$(echo "$speed" | awk '/Ed25519/ {print $NF}')
x25519=$(echo "$speed" | awk '/ecdh \(X25519\)/ {print $NF}')
# Seconds of public-key work per message.
s_full=$(awk -v s="$ed_sign" -v v="$ed_verify" -v x="$x25519" 'BEGIN { printf "%.9f", 3 * (1/s + 2/v + 4/x) }')
s_resumed=$(awk -v x="$x25519" 'BEGIN { printf "%.9f", 3 * 4 / x }')
s_dkim=$(awk -v s="$ed_sign" -v v="$ed_verify" 'BEGIN { printf "%.9f", 1/s + 1/v }')
declare -A FLOOR=([plain]=nan [auth]=nan
    [starttls]=$(bench_div 1 "$s_resumed")
    [dkim]=$(bench_div 1 "$s_dkim")
    [all]=$(bench_div 1 "$(awk -v a="$s_resumed" -v b="$s_dkim" 'BEGIN { print a + b }')")
    [all-noresume]=$(bench_div 1 "$(awk -v a="$s_full" -v b="$s_dkim" 'BEGIN { print a + b }')"))

printf "messages/s per %s second, median of %s runs\n" "$CLOCK" "$RUNS"
printf '%-30s %12s %10s %14s %10s\n' "chain (1000 messages)" "messages/s" "/ plain" "crypto floor" "/ floor"
for n in "${NAMES[@]}"; do
    printf '%-30s %12.0f %10.3f %14s %10s\n' "$n" "${RATE[$n]}" "$(bench_div "${RATE[$n]}" "${RATE[plain]}")" \
        "$(awk -v f="${FLOOR[$n]}" 'BEGIN { if (f == "nan") print "-"; else printf "%.0f", f }')" \
        "$(awk -v r="${RATE[$n]}" -v f="${FLOOR[$n]}" 'BEGIN { if (f == "nan") print "-"; else printf "%.3f", r / f }')"
done
printf 'openssl speed: Ed25519 %s sign/s, %s verify/s; X25519 %s derive/s\n' "$ed_sign" "$ed_verify" "$x25519"
for n in all all-noresume; do
    r=$(bench_div "${RATE[$n]}" "${FLOOR[$n]}")
    printf 'ratio %-13s / crypto floor: %6.3f  (target >= 0.7)  %s\n' "$n" "$r" "$(bench_verdict "$r" 0.7)"
done

# The OpenSSL handshake floor: tls_floor's messages/s (per CPU second, its
# own clock), median of RUNS runs of 1,000 messages in each mode.
FLOOR_BIN=$BUILD/bench/tls_floor
declare -A OSSL=([resumed]=nan [full]=nan)
if [ -x "$FLOOR_BIN" ]; then
    for mode in resumed full; do
        : >"$TMP/f"
        for _ in $(seq "$RUNS"); do
            "$FLOOR_BIN" 1000 "$mode" | awk -v m="$mode" '$1 == m { print $2 }' >>"$TMP/f"
        done
        OSSL[$mode]=$(bench_median <"$TMP/f")
    done
else
    echo "bench: $FLOOR_BIN is missing: run 'make build' first" >&2
fi
printf 'OpenSSL handshake floor (tls_floor): %.0f messages/s resumed, %.0f full\n' \
    "${OSSL[resumed]}" "${OSSL[full]}"
for pair in all:resumed all-noresume:full; do
    n=${pair%%:*} m=${pair##*:}
    r=$(bench_div "${RATE[$n]}" "${OSSL[$m]}")
    printf 'ratio %-13s / OpenSSL handshake floor: %6.3f\n' "$n" "$r"
done
# How far OpenSSL itself is from the primitive floor: the best ratio to it
# any program using OpenSSL's handshakes could reach.
for pair in all:resumed all-noresume:full; do
    n=${pair%%:*} m=${pair##*:}
    printf 'ratio OpenSSL handshake floor (%s) / crypto floor: %6.3f\n' "$m" \
        "$(bench_div "${OSSL[$m]}" "${FLOOR[$n]}")"
done

# The share outside OpenSSL: instructions of 200 messages minus those of
# 100 (start-up cancels out), split by bench/openssl_share.py.
if [ "$SHARE" = 1 ] && command -v valgrind >/dev/null && command -v python3 >/dev/null; then
    echo "profiling full-chain at 100 and 200 messages (valgrind) ..." >&2
    for n in 100 200; do
        sed "s/count: 1000/count: $n/; s/delivered: 1000/delivered: $n/; s/t1000/t$n/g" \
            scenarios/bench/full-chain-1k.yaml >"$TMP/full-$n.yaml"
        valgrind --tool=callgrind --callgrind-out-file="$TMP/cg-$n.out" \
            "$MHS" run -q "$TMP/full-$n.yaml" >/dev/null 2>"$TMP/cg-$n.log"
    done
    share=$(python3 bench/openssl_share.py "$TMP/cg-100.out" "$TMP/cg-200.out" |
        sed -n 's/^outside OpenSSL: .* share \([0-9.]*\) .*/\1/p')
    printf 'share of instructions outside OpenSSL (all): %6.3f  (target <= 0.30)  %s\n' \
        "$share" "$(bench_verdict_max "$share" 0.30)"
    # The same difference for tls_floor: instructions a message, both sides.
    ir() { sed -n 's/^totals: //p; s/^summary: //p' "$1" | head -n 1; }
    if [ -x "$FLOOR_BIN" ]; then
        for n in 100 200; do
            valgrind --tool=callgrind --callgrind-out-file="$TMP/cgf-$n.out" \
                "$FLOOR_BIN" "$n" resumed >/dev/null 2>"$TMP/cgf-$n.log"
        done
        sim_ir=$(awk -v a="$(ir "$TMP/cg-100.out")" -v b="$(ir "$TMP/cg-200.out")" 'BEGIN { print (b - a) / 100 }')
        floor_ir=$(awk -v a="$(ir "$TMP/cgf-100.out")" -v b="$(ir "$TMP/cgf-200.out")" 'BEGIN { print (b - a) / 100 }')
        printf 'instructions a message: all %.0f, OpenSSL handshake floor %.0f, floor / all %.3f\n' \
            "$sim_ir" "$floor_ir" "$(bench_div "$floor_ir" "$sim_ir")"
    fi
else
    echo "share of instructions outside OpenSSL: n/a (SHARE=0, or valgrind or python3 missing)"
fi
