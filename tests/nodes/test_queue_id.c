/* SPDX-License-Identifier: MIT
 * Tests for node_new_queue_id (nodes/node.c): Postfix-like short queue ids,
 * a 5-hex-digit prefix from the node name's FNV-1a hash and a serial of at
 * least 5 upper-case hex digits, exactly as printf's "%05X%05llX" would
 * write them (the traces and reports of every run hold them), including
 * serials past 0xFFFFF, which need a sixth digit.
 */
#include <string.h>

#include <glib.h>

#include "nodes/node.h"
#include "sim/world.h"

static char *
reference_id(const char *name, guint64 serial)
{
    guint32 h = (guint32)sim_fnv1a64(name);
    return g_strdup_printf("%05X%05" G_GINT64_MODIFIER "X", h & 0xfffff, serial);
}

static void
check_serials(const char *name, guint64 first, guint count)
{
    Node node = {.name = (char *)name, .queue_serial = first};
    for (guint i = 0; i < count; i++) {
        g_autofree char *got = node_new_queue_id(&node);
        g_autofree char *want = reference_id(name, first + i + 1);
        g_assert_cmpstr(got, ==, want);
    }
}

static void
test_queue_id_first(void)
{
    Node node = {.name = (char *)"mx.example.com"};
    g_autofree char *id = node_new_queue_id(&node);
    g_assert_cmpuint(strlen(id), ==, 10);
    g_assert_cmpstr(id + 5, ==, "00001");
    g_assert_cmpuint(node.queue_serial, ==, 1);
    for (const char *p = id; *p; p++)
        g_assert_true(g_ascii_isdigit(*p) || (*p >= 'A' && *p <= 'F'));
}

static void
test_queue_id_matches_printf(void)
{
    check_serials("msa.polito.it", 0, 300);
    check_serials("out.polito.it", 0xfff0, 40);
    check_serials("", 0, 20); /* the hash of the empty name */
}

static void
test_queue_id_wide_serials(void)
{
    check_serials("ms.example.com", 0xffff0, 40); /* 5 digits, then 6 */
    check_serials("ms.example.com", G_GUINT64_CONSTANT(0xfffffffffffffff0), 15);
    Node node = {.name = (char *)"a", .queue_serial = 0xfffff};
    g_autofree char *id = node_new_queue_id(&node);
    g_assert_cmpuint(strlen(id), ==, 11);
    g_assert_cmpstr(id + 5, ==, "100000");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/nodes/queue_id/first", test_queue_id_first);
    g_test_add_func("/nodes/queue_id/matches_printf", test_queue_id_matches_printf);
    g_test_add_func("/nodes/queue_id/wide_serials", test_queue_id_wide_serials);
    return g_test_run();
}
