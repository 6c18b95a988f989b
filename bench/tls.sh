#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The TLS benchmark (bench/README.md), in one sitting:
#   (a) the plain chain: scenarios/bench/chain-1k.yaml (no TLS, no AUTH);
#   (b) the same chain with STARTTLS on every hop into the MX and AUTH PLAIN
#       at the submission server, with session resumption (tls-chain-1k)
#       and without (tls-chain-1k-noresume);
#   (c) `openssl speed` for the primitives of those handshakes: Ed25519
#       (the scenario CA's key type: one signature by the server, two
#       verifications by the client, chain and CertificateVerify) and X25519
#       (TLS 1.3 key exchange, RFC 8446 4.2.8; resumption keeps it:
#       psk_dhe_ke), plus P-256 for scenarios that ask for it.
# Prints messages/s, full handshakes a second that the primitives alone
# allow, and the ratios: TLS chain / plain chain, with / without
# resumption, and simulator / crypto bound. Each figure is the median of
# RUNS runs (default 3), per CPU second (user + system, as bench/compare.sh:
# on a shared machine wall time also counts the wait for a CPU; CLOCK=wall
# measures wall time).
# Usage: bench/tls.sh [--runs N]. Environment: BUILD (default build), RUNS,
# CLOCK (cpu or wall, default cpu).
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
RUNS=${RUNS:-3}
CLOCK=${CLOCK:-cpu}
while [ $# -gt 0 ]; do
    case "$1" in
    --runs) RUNS=$2; shift ;;
    -h | --help) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown option '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done
MHS=$BUILD/mhs
[ -x "$MHS" ] || { echo "bench: $MHS is missing: run 'make build' first" >&2; exit 1; }
command -v openssl >/dev/null || { echo "bench: openssl is missing" >&2; exit 1; }
if [ "$CLOCK" = cpu ] && [ ! -x /usr/bin/time ]; then
    echo "bench: /usr/bin/time is missing (Debian time): measuring wall time" >&2
    CLOCK=wall
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mhs-tls.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
calc() { awk "BEGIN {printf \"%.6f\", $1}"; }

# CPU (or wall) seconds of one quiet run; fails unless every message is delivered.
bench_run() {
    local f=scenarios/bench/$1.yaml start end out
    start=$(date +%s.%N)
    if [ "$CLOCK" = cpu ]; then
        out=$(/usr/bin/time -f '%U %S' -o "$TMP/time" "$MHS" run -q "$f")
    else
        out=$("$MHS" run -q "$f")
    fi
    end=$(date +%s.%N)
    case "$out" in *"pass:"*) ;; *) echo "bench: $f failed: $out" >&2; exit 1 ;; esac
    if [ "$CLOCK" = cpu ]; then
        awk '{ printf "%.6f", $1 + $2 }' "$TMP/time"
    else
        calc "$end - $start"
    fi
}

bench_rate() { # scenario -> median messages/s (1000 messages)
    local i
    for i in $(seq "$RUNS"); do bench_run "$1"; done | median | awk '{printf "%.1f", 1000 / $1}'
}

plain=$(bench_rate chain-1k)
tls=$(bench_rate tls-chain-1k)
noresume=$(bench_rate tls-chain-1k-noresume)

speed=$(openssl speed -seconds 1 ed25519 ecdhx25519 ecdhp256 ecdsap256 2>/dev/null)
ed_sign=$(echo "$speed" | awk '/Ed25519/ {print $(NF-1)}')
ed_verify=$(echo "$speed" | awk '/Ed25519/ {print $NF}')
x25519=$(echo "$speed" | awk '/ecdh \(X25519\)/ {print $NF}')
p256=$(echo "$speed" | awk '/ecdh \(nistp256\)/ {print $NF}')
ecdsa_sign=$(echo "$speed" | awk '/ecdsa \(nistp256\)/ {print $(NF-1)}')
ecdsa_verify=$(echo "$speed" | awk '/ecdsa \(nistp256\)/ {print $NF}')

# One full TLS 1.3 handshake, both ends, counts 1 signature, 2 verifications
# and 2 key shares + 2 derivations (a key share costs about a derivation).
# A message crosses 3 TLS hops.
hs_ed=$(calc "1 / (1/$ed_sign + 2/$ed_verify + 4/$x25519)")
hs_p256=$(calc "1 / (1/$ecdsa_sign + 2/$ecdsa_verify + 4/$p256)")
bound=$(calc "$hs_ed / 3")

printf '%-46s %12s\n' "what" "per second"
printf '(messages per %s second, median of %s runs)\n' "$CLOCK" "$RUNS"
printf '%-46s %12.1f\n' "plain chain (chain-1k), messages" "$plain"
printf '%-46s %12.1f\n' "TLS+AUTH chain, resumption on, messages" "$tls"
printf '%-46s %12.1f\n' "TLS+AUTH chain, resumption off, messages" "$noresume"
printf '%-46s %12.1f\n' "openssl Ed25519 sign" "$ed_sign"
printf '%-46s %12.1f\n' "openssl Ed25519 verify" "$ed_verify"
printf '%-46s %12.1f\n' "openssl X25519 derive" "$x25519"
printf '%-46s %12.1f\n' "openssl P-256 ECDH derive" "$p256"
printf '%-46s %12.1f\n' "openssl ECDSA P-256 sign" "$ecdsa_sign"
printf '%-46s %12.1f\n' "openssl ECDSA P-256 verify" "$ecdsa_verify"
printf '%-46s %12.1f\n' "full handshakes, Ed25519+X25519 crypto only" "$hs_ed"
printf '%-46s %12.1f\n' "full handshakes, P-256 crypto only" "$hs_p256"
printf '%-46s %12.1f\n' "messages (3 full handshakes each), crypto only" "$bound"
echo
printf 'ratio TLS chain / plain chain:            %.3f\n' "$(calc "$tls / $plain")"
printf 'ratio no resumption / plain chain:        %.3f\n' "$(calc "$noresume / $plain")"
printf 'ratio resumption on / off:                %.2f\n' "$(calc "$tls / $noresume")"
printf 'ratio no resumption / crypto-only bound:  %.2f\n' "$(calc "$noresume / $bound")"
