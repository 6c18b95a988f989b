#!/bin/sh
# SPDX-License-Identifier: MIT
# Load on mhs serve from a second process on loopback, bounded in count and
# time: MHS_LOAD_CONNS concurrent SMTP sessions (default 200) each submit
# MHS_LOAD_MSGS messages (default 5; the issue's figure is 50) with AUTH.
# No connection and no message may be lost: every session succeeds, every
# message is delivered at the simulated store, every bridged connection is
# accepted (none refused) and closed. Prints messages/s and peak memory.
set -eu
. "$MHS_SOURCE_DIR/tests/scenarios/serve/lib.sh"
need python3
conns=${MHS_LOAD_CONNS:-200}
msgs=${MHS_LOAD_MSGS:-5}
scenario="$MHS_SOURCE_DIR/tests/scenarios/serve/bridge.yaml"
start_server "$scenario" --speed 20 --max-conns $((conns + 10)) --listen 0=msa.example.com
sub=$(port_of submission)
timeout 300 python3 "$MHS_SOURCE_DIR/tests/scenarios/serve/load.py" "$sub" "$conns" "$msgs" \
    >"$tmp/load.out" 2>&1 || fail "load client: $(cat "$tmp/load.out")"
mhs_pid=$(pgrep -P "$server_pid" || true)
peak=$(sed -n 's/^VmHWM:[[:space:]]*//p' "/proc/$mhs_pid/status" 2>/dev/null || echo "n/a")
total=$((conns * msgs))
# Let the simulated path finish (virtual time runs 20 times the wall clock),
# then stop: the report counts the deliveries (the scenario's welcome too).
sleep 1
stop_server
grep -q "recipients: $((total + 1)) delivered, 0 rejected, 0 bounced, 0 queued" "$tmp/serve.out" ||
    fail "lost mail: $(grep recipients "$tmp/serve.out")"
[ "$(records msg.deliver node | grep -c '^ms.example.com$')" -ge "$total" ] || fail "msg.deliver"
[ "$(records bridge.accept conn | wc -l)" -eq "$conns" ] || fail "accepted: $(records bridge.accept conn | wc -l)"
[ "$(records bridge.close reason | grep -c '^done$')" -eq "$conns" ] ||
    fail "closes: $(records bridge.close reason | sort | uniq -c)"
[ -z "$(records bridge.refuse reason)" ] || fail "connections refused"
seconds=$(awk '{print $4}' "$tmp/load.out")
rate=$(python3 -c "print(round($total / $seconds))")
echo "ok: $conns sessions x $msgs messages = $total in ${seconds}s ($rate messages/s), peak RSS $peak, none lost"
