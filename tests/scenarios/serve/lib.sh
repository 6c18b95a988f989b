# SPDX-License-Identifier: MIT
# Shared by tests/scenarios/test_serve*.sh: start `mhs serve` on free ports
# (port 0, the bound ports are read from its "listen" lines), stop it with
# SIGTERM, and read its JSON Lines trace. Every client runs under timeout;
# the server itself is killed after SERVE_MAX seconds whatever happens.
: "${MHS:?MHS must point at the mhs binary}"
: "${MHS_SOURCE_DIR:?}"
SERVE_MAX=${SERVE_MAX:-120}
tmp=$(mktemp -d)
server_pid=
aio_pid=
# Kills a process started under timeout(1) and its child (KILL is not
# passed on by timeout).
kill_tree() {
    [ -n "$1" ] || return 0
    pkill -KILL -P "$1" 2>/dev/null || true
    kill -KILL "$1" 2>/dev/null || true
}
cleanup() {
    kill_tree "$server_pid"
    kill_tree "$aio_pid"
    rm -rf "$tmp"
    true
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() {
    echo "FAIL: $*" >&2
    [ -f "$tmp/serve.err" ] && sed 's/^/serve: /' "$tmp/serve.err" >&2
    exit 1
}
need() {
    command -v "$1" >/dev/null 2>&1 || fail "$1 is not installed (.ci/run installs it)"
}

# refused WANT ARGS...: `mhs serve $scenario ARGS` must exit 2 with WANT
# in its error output, serving nothing.
refused() {
    want=$1
    shift
    st=0
    "$MHS" serve "$scenario" "$@" >"$tmp/bad.out" 2>"$tmp/bad.err" || st=$?
    [ $st -eq 2 ] || fail "mhs serve $*: status $st, not 2"
    grep -q "$want" "$tmp/bad.err" || fail "mhs serve $*: $(cat "$tmp/bad.err")"
}

# start_server SCENARIO ARGS...: runs mhs serve, waits for "ready".
start_server() {
    rm -f "$tmp/serve.out" "$tmp/t.jsonl"
    timeout -s KILL "$SERVE_MAX" "$MHS" serve "$@" --trace "$tmp/t.jsonl" \
        >"$tmp/serve.out" 2>"$tmp/serve.err" &
    server_pid=$!
    i=0
    while ! grep -qx ready "$tmp/serve.out" 2>/dev/null; do
        i=$((i + 1))
        [ $i -le 100 ] || fail "mhs serve did not start"
        kill -0 "$server_pid" 2>/dev/null || fail "mhs serve exited early"
        sleep 0.1
    done
}

# port_of SERVICE [NODE]: the bound port of a listener (fails without one).
port_of() {
    p=$(awk -v s="$1" -v n="${2:-}" '$1 == "listen" && $4 == s && (n == "" || $3 == n) {
        k = split($2, a, ":"); print a[k]; exit }' "$tmp/serve.out")
    [ -n "$p" ] || fail "no $1 listener: $(cat "$tmp/serve.out")"
    echo "$p"
}

# stop_server [SIGNAL]: SIGTERM (or SIGNAL: INT), which must end it with
# status 0 within 10 s.
stop_server() {
    kill -"${1:-TERM}" "$server_pid"
    i=0
    while kill -0 "$server_pid" 2>/dev/null; do
        i=$((i + 1))
        [ $i -le 100 ] || fail "mhs serve ignored SIGTERM"
        sleep 0.1
    done
    wait "$server_pid" || fail "mhs serve exited with status $?"
    server_pid=
}

# records KIND FIELD...: one tab-separated line per record of KIND.
records() {
    python3 - "$tmp/t.jsonl" "$@" <<'PY'
import json, sys
path, kind, fields = sys.argv[1], sys.argv[2], sys.argv[3:]
try:
    for line in open(path):
        r = json.loads(line)
        if r["ev"] == kind:
            print("\t".join(str(r.get(f, "-")) for f in fields))
except BrokenPipeError:  # a reader like grep -q stopped early
    pass
PY
}
