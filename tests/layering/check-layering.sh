#!/bin/sh
# SPDX-License-Identifier: MIT
# The one dependency rule (DESIGN 1, STYLE 2): proto/ never includes sim/,
# nodes/, viz/ or app/ headers; sim/ never includes anything above it;
# nodes/ never includes viz/ or app/; viz/ never includes nodes/ or app/.
top=${1:-.}
cd "$top" || exit 2
bad=0
check() {
    dir=$1; pattern=$2
    [ -d "$dir" ] || return 0
    hits=$(grep -nE "#include *\"(\.\./)?($pattern)/" "$dir"/*.c "$dir"/*.h 2>/dev/null)
    if [ -n "$hits" ]; then
        echo "layering violation in $dir/:"
        echo "$hits"
        bad=1
    fi
}
check proto 'sim|nodes|viz|app'
check sim 'proto|nodes|viz|app'
check nodes 'viz|app'
check viz 'nodes|app|proto'
# proto/ and sim/ must not use the real world either (STYLE 1, 15).
hits=$(grep -nE 'g_get_real_time|g_random_|GSocket|GMainLoop|g_main_loop' proto/*.[ch] sim/*.[ch] nodes/*.[ch] 2>/dev/null)
if [ -n "$hits" ]; then
    echo "wall clock, global randomness or sockets below app/:"
    echo "$hits"
    bad=1
fi
[ $bad -eq 0 ] && echo "layering ok"
exit $bad
