/* SPDX-License-Identifier: MIT
 * Tests for node_uint_str (nodes/node.c): decimal digits exactly as
 * printf's "%u" writes them (message ids, subjects and DNS cache keys are
 * made with it), for 0, single digits, powers of ten around the carries,
 * G_MAXUINT and a sweep.
 */
#include <glib.h>

#include "nodes/node.h"

static void
check(guint v)
{
    char buf[NODE_UINT_STR_MAX];
    g_autofree char *want = g_strdup_printf("%u", v);
    g_assert_cmpstr(node_uint_str(v, buf), ==, want);
}

static void
test_edges(void)
{
    static const guint values[] = {0, 1, 9, 10, 11, 99, 100, 999, 1000, 65535, 65536,
                                   999999999, 1000000000, 4294967294u, G_MAXUINT};
    for (guint i = 0; i < G_N_ELEMENTS(values); i++)
        check(values[i]);
    char buf[NODE_UINT_STR_MAX];
    g_assert_cmpstr(node_uint_str(G_MAXUINT, buf), ==, "4294967295");
    g_assert_cmpstr(node_uint_str(0, buf), ==, "0");
}

static void
test_sweep(void)
{
    for (guint v = 0; v < 20000; v++)
        check(v);
    for (guint64 v = 1; v <= G_MAXUINT; v = v * 3 + 1)
        check((guint)v);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/nodes/uint-str/edges", test_edges);
    g_test_add_func("/nodes/uint-str/sweep", test_sweep);
    return g_test_run();
}
