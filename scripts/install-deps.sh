#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the Debian packages mhs needs, only those pkg-config (or PATH)
# cannot find. As root it runs apt-get; otherwise it uses sudo when sudo
# works without a password, or prints the exact apt-get line and stops.
# --fuzz also asks for clang with a working libFuzzer (make fuzz).
set -u
missing=""
fuzz=0
[ "${1:-}" = "--fuzz" ] && fuzz=1
need_pc() { # pkg-config module, Debian package
    pkg-config --exists "$1" 2>/dev/null || missing="$missing $2"
}
need_cmd() { # command, Debian package
    command -v "$1" >/dev/null 2>&1 || missing="$missing $2"
}
need_cmd pkg-config pkg-config
need_cmd cmake cmake
need_cmd cc gcc
need_cmd make make
if command -v pkg-config >/dev/null 2>&1; then
    need_pc glib-2.0 libglib2.0-dev
    need_pc yaml-0.1 libyaml-dev
    need_pc openssl libssl-dev
    need_pc libcgraph libgraphviz-dev
    need_pc json-glib-1.0 libjson-glib-dev
    need_pc libpcap libpcap-dev
else
    missing="$missing libglib2.0-dev libyaml-dev libssl-dev libgraphviz-dev libjson-glib-dev libpcap-dev"
fi
need_cmd dot graphviz
need_cmd openssl openssl
if [ $fuzz -eq 1 ]; then
    # libFuzzer and the sanitizer runtimes come with clang's runtime package.
    if command -v clang >/dev/null 2>&1; then
        probe=$(mktemp -d)
        echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' >"$probe/f.c"
        clang -fsanitize=fuzzer,address,undefined "$probe/f.c" -o "$probe/f" >/dev/null 2>&1 ||
            missing="$missing libclang-rt-dev"
        rm -rf "$probe"
    else
        missing="$missing clang libclang-rt-dev"
    fi
fi
[ -z "$missing" ] && exit 0

line="apt-get install -y --no-install-recommends$missing"
echo "mhs: installing missing packages:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing
    exit $?
fi
if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
        sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
    exit $?
fi
echo "mhs: cannot install packages without root. Run as root:" >&2
echo "    $line" >&2
exit 1
