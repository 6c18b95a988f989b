# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Helpers shared by the bench/ scripts (sourced, not run).

bench_median() { # numbers on stdin, one a line
    sort -g | awk '{a[NR] = $1} END {
        if (NR == 0) { print "nan"; exit }
        if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

bench_now() { date +%s%N; }

bench_elapsed() { # start_ns end_ns -> seconds
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f\n", (b - a) / 1e9 }'
}

bench_div() { # a b -> a / b, nan when either is nan or b is 0
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a == "nan" || b == "nan" || b + 0 == 0) print "nan"; else printf "%.6g\n", a / b }'
}

bench_verdict() { # value target -> ok, BELOW TARGET or n/a (value >= target)
    awk -v v="$1" -v t="$2" 'BEGIN {
        if (v == "nan" || v == "") print "n/a"; else if (v + 0 >= t) print "ok"; else print "BELOW TARGET" }'
}

bench_verdict_max() { # value limit -> ok, ABOVE TARGET or n/a (value <= limit)
    awk -v v="$1" -v t="$2" 'BEGIN {
        if (v == "nan" || v == "") print "n/a"; else if (v + 0 <= t) print "ok"; else print "ABOVE TARGET" }'
}

bench_install() { # Debian packages; root only
    if [ "$(id -u)" -ne 0 ]; then
        echo "bench: missing $*; as root: apt-get install -y --no-install-recommends $*" >&2
        return 1
    fi
    echo "bench: installing $*" >&2
    # Postfix is wanted for its test tools and a throwaway instance only:
    # "No configuration", so the system's daemon has no main.cf and does not start.
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

bench_port_free() { # port -> 0 when nothing listens on 127.0.0.1:port
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

bench_wait_port() { # port -> 0 once something listens there (5 s at most)
    for _ in $(seq 50); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
