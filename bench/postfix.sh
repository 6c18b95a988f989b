#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Baseline: a real one-hop Postfix relay on loopback (bench/README.md).
#   smtp-source -> Postfix smtpd, queue, smtp client -> smtp-sink
# A throwaway Postfix instance lives in a temporary directory (its own
# main.cf, master.cf, queue and log; no chroot, loopback only, relayhost
# the sink, mynetworks 127.0.0.0/8); the system's Postfix is not touched.
# smtp-source sends COUNT messages of 1,000 body bytes, one session at a
# time and a new connection per message (as bench/run.sh's baseline); a
# run ends when the relay's queue is empty and the log counts COUNT
# "status=sent". Prints the median of RUNS runs as
#   postfix relay: MSGS messages/s (COUNT messages, median of RUNS)
# or "postfix relay: n/a (WHY)" and exit status 0 when it cannot run.
#
# Usage: bench/postfix.sh [COUNT]   (default 10000)
# Environment: RUNS (default 3), BENCH_PORT (default 2525: the relay
# listens on BENCH_PORT+10, the sink on BENCH_PORT+11). Needs root.
set -euo pipefail

cd "$(dirname "$0")/.."
. bench/lib.sh
COUNT=${1:-10000}
RUNS=${RUNS:-3}
PORT=${BENCH_PORT:-2525}
IN_PORT=$((PORT + 10))
SINK_PORT=$((PORT + 11))
SOURCE=/usr/sbin/smtp-source
SINK=/usr/sbin/smtp-sink

na() { echo "postfix relay: n/a ($*)"; exit 0; }
[ "$(id -u)" -eq 0 ] || na "needs root to start a Postfix instance"
if [ ! -x /usr/sbin/postfix ] || [ ! -x "$SOURCE" ]; then
    bench_install postfix >&2 || na "postfix is not installed"
    if postfix status >/dev/null 2>&1; then postfix stop >/dev/null 2>&1 || true; fi
fi
id postfix >/dev/null 2>&1 || na "no postfix user"
bench_port_free "$IN_PORT" || na "127.0.0.1:$IN_PORT is in use; set BENCH_PORT"
bench_port_free "$SINK_PORT" || na "127.0.0.1:$SINK_PORT is in use; set BENCH_PORT"

DIR=$(mktemp -d "${TMPDIR:-/tmp}/mhs-postfix.XXXXXX")
chmod 755 "$DIR" # the postfix user must reach its queue
SINK_PID=""
PF_UP=0
postfix_cleanup() {
    if [ "$PF_UP" = 1 ]; then postfix -c "$DIR/etc" stop >/dev/null 2>&1 || true; fi
    if [ -n "$SINK_PID" ]; then
        kill "$SINK_PID" 2>/dev/null || true
        wait "$SINK_PID" 2>/dev/null || true
    fi
    rm -rf "$DIR"
}
trap postfix_cleanup EXIT

mkdir -p "$DIR/etc" "$DIR/spool" "$DIR/data"
chown postfix "$DIR/data"
cat >"$DIR/etc/main.cf" <<EOC
compatibility_level = 3.6
queue_directory = $DIR/spool
data_directory = $DIR/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = loopback-only
inet_protocols = ipv4
myhostname = relay.bench.invalid
mydestination =
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:$SINK_PORT
smtpd_relay_restrictions = permit_mynetworks, reject
maillog_file_prefixes = $DIR
maillog_file = $DIR/maillog
alias_maps =
alias_database =
local_recipient_maps =
smtputf8_enable = no
biff = no
EOC
# No chroot; only the services a relay uses (master.cf(5) columns: service
# type private unpriv chroot wakeup maxproc command).
cat >"$DIR/etc/master.cf" <<EOC
127.0.0.1:$IN_PORT inet n - n - - smtpd
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n - - proxymap
smtp      unix - - n - - smtp
relay     unix - - n - - smtp
showq     unix n - n - - showq
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
EOC
# postfix(1) reports to syslog only; its log file says why it failed.
postfix -c "$DIR/etc" check >/dev/null 2>&1 || true
postfix -c "$DIR/etc" start >/dev/null 2>&1 || na "postfix did not start: $(tail -n 1 "$DIR/maillog" 2>/dev/null)"
PF_UP=1
timeout 1800 "$SINK" -u nobody "127.0.0.1:$SINK_PORT" 1000 >"$DIR/sink.out" 2>&1 &
SINK_PID=$!
bench_wait_port "$SINK_PORT" || na "smtp-sink did not start"
bench_wait_port "$IN_PORT" || na "the relay does not listen on $IN_PORT"

queue_empty() {
    [ -z "$(find "$DIR/spool/incoming" "$DIR/spool/active" "$DIR/spool/deferred" \
        "$DIR/spool/maildrop" -type f 2>/dev/null | head -n 1)" ]
}
sent_count() { grep -c 'status=sent' "$DIR/maillog" 2>/dev/null || true; }

: >"$DIR/rates"
for _ in $(seq "$RUNS"); do
    before=$(sent_count)
    t0=$(bench_now)
    timeout 1800 "$SOURCE" -s 1 -m "$COUNT" -l 1000 -f alice@polito.it -t bob@example.com \
        "127.0.0.1:$IN_PORT" >"$DIR/source.out" 2>&1 || na "smtp-source failed: $(tail -n 1 "$DIR/source.out")"
    deadline=$(( $(date +%s) + 600 ))
    while ! queue_empty || [ $(( $(sent_count) - before )) -lt "$COUNT" ]; do
        [ "$(date +%s)" -lt "$deadline" ] || na "the relay did not deliver $COUNT messages in 600 s"
        sleep 0.02
    done
    t1=$(bench_now)
    bench_div "$COUNT" "$(bench_elapsed "$t0" "$t1")" >>"$DIR/rates"
done
printf 'postfix relay: %.0f messages/s (%d messages, median of %d)\n' \
    "$(bench_median <"$DIR/rates")" "$COUNT" "$RUNS"
