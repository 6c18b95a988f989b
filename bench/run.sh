#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The foundation benchmark (bench/README.md). Measures, in one sitting:
#   (a) the simulator: `mhs run -q scenarios/bench/chain-10k.yaml`, 10,000
#       messages through a plain ESMTP chain (RFC 5321 submission, relay, MX,
#       store): wall time, messages/s, simulated events/s, peak RSS;
#   (b) the baseline: Postfix's smtp-source -> smtp-sink on loopback, one new
#       TCP connection per message, the same count and body size: messages/s;
#   (c) bench_events: the simulator's event queue against a bare binary heap
#       and bench/ns3.sh: ns-3's schedulers on the same hold benchmark;
#   (d) bench/postfix.sh: a real one-hop Postfix relay on loopback;
#   (e) bench/features.sh, bench/tls.sh: the chain with STARTTLS, AUTH, DKIM
#       and all together, against `openssl speed`;
#   (f) bench/labs.sh: every lab graded, and 300 generated submissions.
# Every figure is the median of RUNS runs (default 3; chain-1m runs once).
# Prints tables and the ratios with their targets.
#
# Usage: bench/run.sh [--quick] [--scaling] [--check] [--runs N]
#   --quick    chain-10k only, 1 run, 1,000 baseline messages, 30
#              submissions, no 1M chain (also BENCH_QUICK=1)
#   --scaling  the chain at 1k, 10k, 100k and 1M messages (the default
#              unless --quick)
#   --check    exit 1 when a ratio misses its target (default: report only)
# Environment: BUILD (build directory, default build), RUNS, BENCH_PORT
# (loopback port for smtp-sink, default 2525), BENCH_SCALING=1 (= --scaling),
# BENCH_QUICK=1 (= --quick).
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
RUNS=${RUNS:-3}
PORT=${BENCH_PORT:-2525}
QUICK=${BENCH_QUICK:-0}
SCALING=${BENCH_SCALING:-}
CHECK=0
while [ $# -gt 0 ]; do
    case "$1" in
    --quick) QUICK=1 ;;
    --scaling) SCALING=1 ;;
    --check) CHECK=1 ;;
    --runs) RUNS=$2; shift ;;
    -h | --help) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown option '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done
if [ "$QUICK" = 1 ]; then
    RUNS=1
    SCALING=${SCALING:-0}
else
    SCALING=${SCALING:-1}
fi
export RUNS BUILD

MHS=$BUILD/mhs
. bench/lib.sh
EVENTS_BIN=$BUILD/bench/bench_events
SOURCE=/usr/sbin/smtp-source
SINK=/usr/sbin/smtp-sink
TIME=/usr/bin/time
BODY=1000 # body bytes, as `size` in scenarios/bench/*.yaml

for f in "$MHS" "$EVENTS_BIN"; do
    if [ ! -x "$f" ]; then
        echo "bench: $f is missing: run 'make build' first" >&2
        exit 1
    fi
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/mhs-bench.XXXXXX")
SINK_PID=""
bench_cleanup() {
    if [ -n "$SINK_PID" ]; then
        kill "$SINK_PID" 2>/dev/null || true
        wait "$SINK_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap bench_cleanup EXIT

# --- tools: Debian `time` and `postfix` (smtp-source, smtp-sink) ---

bench_install() { # Debian packages
    if [ "$(id -u)" -ne 0 ]; then
        echo "bench: missing $*; as root: apt-get install -y --no-install-recommends $*" >&2
        return 1
    fi
    echo "bench: installing $*" >&2
    # Postfix is wanted for its test tools only: no configuration, so its
    # daemon has no main.cf and does not start.
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

[ -x "$TIME" ] || bench_install time || exit 1
HAVE_BASELINE=1
if [ ! -x "$SOURCE" ] || [ ! -x "$SINK" ]; then
    if bench_install postfix; then
        # Leave no mail daemon behind if the package started one anyway.
        if command -v postfix >/dev/null && postfix status >/dev/null 2>&1; then
            postfix stop >/dev/null 2>&1 || true
        fi
    fi
    [ -x "$SOURCE" ] && [ -x "$SINK" ] || HAVE_BASELINE=0
fi

# --- (a) the simulator ---

# run_sim NAME: RUNS runs of scenarios/bench/NAME.yaml; leaves medians in
# SIM_<field>[NAME] and the message count in SIM_MSGS[NAME].
declare -A SIM_WALL SIM_MPS SIM_EPS SIM_RSS SIM_MSGS SIM_EVENTS
run_sim() { # NAME [SCENARIO]
    local name=$1 scen=${2:-scenarios/bench/$1.yaml} i t0 t1 wall msgs delivered events rss runs=$RUNS
    : >"$TMP/wall" ; : >"$TMP/mps" ; : >"$TMP/eps" ; : >"$TMP/rss"
    [ "$name" = chain-1m ] && runs=1 # about a minute and several GiB
    [ "$name" = campus ] && runs=1   # several seconds
    for i in $(seq "$runs"); do
        t0=$(bench_now)
        if ! "$TIME" -f %M -o "$TMP/time.out" "$MHS" run -q "$scen" >"$TMP/sim.out" 2>&1; then
            echo "bench: '$MHS run -q $scen' failed:" >&2
            cat "$TMP/sim.out" >&2
            exit 1
        fi
        t1=$(bench_now)
        wall=$(bench_elapsed "$t0" "$t1")
        events=$(sed -n '1s/.* \([0-9][0-9]*\) events.*/\1/p' "$TMP/sim.out")
        msgs=$(sed -n 's/^messages: \([0-9][0-9]*\);.*/\1/p' "$TMP/sim.out")
        delivered=$(sed -n 's/.*recipients: \([0-9][0-9]*\) delivered.*/\1/p' "$TMP/sim.out")
        rss=$(tail -n 1 "$TMP/time.out")
        if [ -z "$events" ] || [ -z "$msgs" ] || [ "$delivered" != "$msgs" ]; then
            echo "bench: $scen did not deliver every message:" >&2
            cat "$TMP/sim.out" >&2
            exit 1
        fi
        bench_div "$msgs" "$wall" >>"$TMP/mps"
        bench_div "$events" "$wall" >>"$TMP/eps"
        echo "$wall" >>"$TMP/wall"
        echo "$rss" >>"$TMP/rss"
    done
    SIM_MSGS[$name]=$msgs
    SIM_EVENTS[$name]=$events
    SIM_WALL[$name]=$(bench_median <"$TMP/wall")
    SIM_MPS[$name]=$(bench_median <"$TMP/mps")
    SIM_EPS[$name]=$(bench_median <"$TMP/eps")
    SIM_RSS[$name]=$(bench_median <"$TMP/rss")
}

# --- (b) smtp-source -> smtp-sink ---

sink_ready() {
    local i
    for i in $(seq 50); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

run_baseline() { # message count
    local n=$1 i t0 t1 wall user=()
    [ "$(id -u)" -eq 0 ] && user=(-u nobody)
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
        echo "bench: 127.0.0.1:$PORT is already in use; set BENCH_PORT" >&2
        return 1
    fi
    # smtp-sink: accept and discard; a timeout bounds it should we not return.
    timeout 900 "$SINK" "${user[@]}" "127.0.0.1:$PORT" 1000 >"$TMP/sink.out" 2>&1 &
    SINK_PID=$!
    sink_ready || { echo "bench: smtp-sink did not start" >&2; return 1; }
    : >"$TMP/base"
    for i in $(seq "$RUNS"); do
        t0=$(bench_now)
        # -s 1: one session at a time; no -d: a new connection per message.
        timeout 600 "$SOURCE" -s 1 -m "$n" -l "$BODY" -f alice@polito.it -t bob@example.com \
            "127.0.0.1:$PORT" >"$TMP/source.out" 2>&1 || {
            echo "bench: smtp-source failed:" >&2
            cat "$TMP/source.out" >&2
            return 1
        }
        t1=$(bench_now)
        wall=$(bench_elapsed "$t0" "$t1")
        bench_div "$n" "$wall" >>"$TMP/base"
    done
    kill "$SINK_PID" 2>/dev/null || true
    wait "$SINK_PID" 2>/dev/null || true
    SINK_PID=""
    BASE_MPS=$(bench_median <"$TMP/base")
}

# --- (c) bench_events ---

run_events() {
    local i
    : >"$TMP/q" ; : >"$TMP/h" ; : >"$TMP/r" ; : >"$TMP/s"
    for i in $(seq "$RUNS"); do
        "$EVENTS_BIN" >"$TMP/ev.out"
        sed -n 's/^sim queue: *\([0-9.]*\) .*/\1/p' "$TMP/ev.out" >>"$TMP/q"
        sed -n 's/^bare heap: *\([0-9.]*\) .*/\1/p' "$TMP/ev.out" >>"$TMP/h"
        sed -n 's/^ratio: *\([0-9.]*\).*/\1/p' "$TMP/ev.out" >>"$TMP/r"
        sed -n 's/^streams: *\([0-9.]*\) sessions.*/\1/p' "$TMP/ev.out" >>"$TMP/s"
    done
    EV_QUEUE=$(bench_median <"$TMP/q")
    EV_HEAP=$(bench_median <"$TMP/h")
    EV_RATIO=$(bench_median <"$TMP/r")
    EV_STREAMS=$(bench_median <"$TMP/s")
}

# --- the sitting ---

echo "mhs benchmark: median of $RUNS runs; $(nproc) CPUs, load average$(uptime | sed 's/.*load average//')"
echo "(figures are noisy when the machine is shared: compare runs of one sitting)"
echo

SCENARIOS=(chain-10k)
if [ "$SCALING" = 1 ]; then
    SCENARIOS=(chain-1k chain-10k chain-100k)
    [ "$QUICK" = 1 ] || SCENARIOS+=(chain-1m)
fi
for s in "${SCENARIOS[@]}"; do
    echo "running simulator: $s ..." >&2
    run_sim "$s"
done
# A campus: 3 universities of 1,000 users (300 with --quick), each user
# sending 20 messages in a day of virtual time and fetching every 6 hours.
if command -v python3 >/dev/null; then
    CAMPUS_USERS=1000
    [ "$QUICK" = 1 ] && CAMPUS_USERS=300
    python3 bench/campus.py --users "$CAMPUS_USERS" >"$TMP/campus.yaml"
    echo "running simulator: campus ($CAMPUS_USERS users per domain) ..." >&2
    run_sim campus "$TMP/campus.yaml"
    SCENARIOS+=(campus)
fi
N=${SIM_MSGS[chain-10k]}
[ "$QUICK" = 1 ] && N=1000
BASE_MPS=nan
if [ "$HAVE_BASELINE" = 1 ]; then
    echo "running baseline: smtp-source -> smtp-sink, $N messages ..." >&2
    run_baseline "$N" || BASE_MPS=nan
fi
echo "running baseline: a one-hop Postfix relay, $N messages ..." >&2
RELAY_LINE=$(bench/postfix.sh "$N" 2>"$TMP/postfix.err" || true)
RELAY_MPS=$(echo "$RELAY_LINE" | sed -n 's/^postfix relay: \([0-9.]*\) messages.*/\1/p')
RELAY_MPS=${RELAY_MPS:-nan}
echo "running bench_events ..." >&2
run_events
echo "running ns-3's schedulers on the same hold benchmark ..." >&2
NS3_EVENTS=10000000
[ "$QUICK" = 1 ] && NS3_EVENTS=2000000
NS3_LINE=$(bench/ns3.sh 1000 "$NS3_EVENTS" 2>/dev/null | tail -n 1 || true)
NS3_EPS=$(echo "$NS3_LINE" | sed -n 's/^ns3 fastest: \([0-9.]*\) events.*/\1/p')
NS3_EPS=${NS3_EPS:-nan}

printf '%-38s %10s %12s %14s %10s %8s\n' "workload" "wall s" "messages/s" "events/s" "RSS MiB" "KB/msg"
for s in "${SCENARIOS[@]}"; do
    printf '%-38s %10.3f %12.0f %14.0f %10.1f %8.2f\n' "mhs run -q $s (${SIM_MSGS[$s]} msgs)" \
        "${SIM_WALL[$s]}" "${SIM_MPS[$s]}" "${SIM_EPS[$s]}" "$(bench_div "${SIM_RSS[$s]}" 1024)" \
        "$(bench_div "${SIM_RSS[$s]}" "${SIM_MSGS[$s]}")"
done
if [ "$BASE_MPS" = nan ]; then
    printf '%-38s %10s %12s\n' "smtp-source -> smtp-sink" "-" "n/a"
else
    printf '%-38s %10.3f %12.0f\n' "smtp-source -> smtp-sink ($N msgs)" "$(bench_div "$N" "$BASE_MPS")" "$BASE_MPS"
fi
if [ "$RELAY_MPS" = nan ]; then
    printf '%-38s %10s %12s  %s\n' "smtp-source -> Postfix -> smtp-sink" "-" "n/a" "$RELAY_LINE $(tail -n 1 "$TMP/postfix.err")"
else
    printf '%-38s %10.3f %12.0f\n' "smtp-source -> Postfix -> smtp-sink" "$(bench_div "$N" "$RELAY_MPS")" "$RELAY_MPS"
fi
printf '%-38s %10s %12s %14.0f\n' "bench_events: sim event queue" "" "" "$EV_QUEUE"
printf '%-38s %10s %12s %14.0f\n' "bench_events: bare binary heap" "" "" "$EV_HEAP"
printf '%-38s %10s %12s %14s\n' "ns-3 hold, fastest scheduler" "" "" \
    "$(awk -v e="$NS3_EPS" -v l="$NS3_LINE" 'BEGIN { if (e == "nan") print l; else printf "%.0f", e }')"
printf '%-38s %10s %12.0f\n' "bench_events: stream sessions/s" "" "$EV_STREAMS"
echo
# Each chain message is 4 SMTP transactions (client -> MSA -> relay -> MX ->
# store), each parsed and re-serialised; smtp-source -> smtp-sink is 1.
printf 'simulated SMTP transactions/s (chain-10k, 4 per message): %.0f\n' \
    "$(awk -v m="${SIM_MPS[chain-10k]}" 'BEGIN { print m * 4 }')"

status=0
verdict() { # value target
    awk -v v="$1" -v t="$2" 'BEGIN { if (v == "nan") print "n/a"; else if (v + 0 >= t) print "ok"; else print "BELOW TARGET" }'
}
R1=$(bench_div "${SIM_MPS[chain-10k]}" "$BASE_MPS")
[ "$BASE_MPS" = nan ] && R1=nan
V1=$(verdict "$R1" 10)
V2=$(verdict "$EV_RATIO" 0.7)
R3=$(bench_div "${SIM_MPS[chain-10k]}" "$RELAY_MPS")
[ "$RELAY_MPS" = nan ] && R3=nan
printf 'ratio simulator / smtp-source messages/s: %6.2f  (target >= 10)   %s\n' "$R1" "$V1"
printf 'ratio event queue / bare heap events/s:   %6.2f  (target >= 0.7)  %s\n' "$EV_RATIO" "$V2"
R5=$(bench_div "$EV_QUEUE" "$NS3_EPS")
[ "$NS3_EPS" = nan ] && R5=nan
V5=$(verdict "$R5" 2)
printf 'ratio event queue / ns-3 fastest:         %6.2f  (target >= 2)    %s\n' "$R5" "$V5"
printf 'ratio simulator / Postfix relay msgs/s:   %8.2f\n' "$R3"
VERDICTS="$V1 $V2 $V5"
if [ -n "${SIM_MPS[chain-1m]:-}" ]; then
    R4=$(bench_div "${SIM_MPS[chain-1m]}" "${SIM_MPS[chain-10k]}")
    V4=$(verdict "$R4" 0.85)
    printf 'ratio 1M / 10k messages/s:                %6.2f  (target >= 0.85) %s\n' "$R4" "$V4"
    VERDICTS="$VERDICTS $V4"
fi

# --- the other scripts, same sitting ---
echo
echo "== protocol features (bench/features.sh) =="
bench/features.sh 2>/dev/null | tee "$TMP/features.out" || VERDICTS="$VERDICTS FAILED"
echo
echo "== TLS + AUTH with and without resumption (bench/tls.sh) =="
bench/tls.sh 2>/dev/null || VERDICTS="$VERDICTS FAILED"
echo
echo "== labs (bench/labs.sh) =="
LABS_COUNT=300
[ "$QUICK" = 1 ] && LABS_COUNT=30
bench/labs.sh --count "$LABS_COUNT" -j 2 2>/dev/null | tee "$TMP/labs.out" || VERDICTS="$VERDICTS FAILED"
VERDICTS="$VERDICTS $(grep -o 'BELOW TARGET\|ABOVE TARGET' "$TMP/features.out" "$TMP/labs.out" | tr '\n' ' ')"
case "$VERDICTS" in
*TARGET* | *FAILED*) [ "$CHECK" = 1 ] && status=1 ;;
esac
exit $status
