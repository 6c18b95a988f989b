/* SPDX-License-Identifier: MIT
 * Tests for the copies ledger kept as one list per message (nodes/copies.c)
 * and the table of session timeouts keyed inside its entries
 * (nodes/session_timeout.c): entries found by (node, kind, where) among
 * many of one message, dropped at count 0 and held again, and a timeout
 * that is replaced, called and forgotten.
 */
#include <string.h>

#include <glib.h>

#include "nodes/copies.h"
#include "nodes/copies_private.h"
#include "nodes/session_timeout.h"
#include "nodes/world.h"
#include "nodes/world_private.h"
#include "helper_spec.h"

static World *
scan_world(WorldSpec **spec_out)
{
    WorldSpec *spec = world_spec_new();
    test_spec_add_node(spec, SPEC_ROLE_MTA, "mx", "192.0.2.1");
    test_spec_add_node(spec, SPEC_ROLE_MTA, "out", "192.0.2.2");
    g_autoptr(GError) error = NULL;
    World *w = world_new(spec, NULL, FALSE, 0, &error);
    g_assert_no_error(error);
    *spec_out = spec;
    return w;
}

static void
test_copies_many_of_one_message(void)
{
    WorldSpec *spec = NULL;
    World *w = scan_world(&spec);
    char where[16];
    for (guint i = 0; i < 12; i++) {
        g_snprintf(where, sizeof where, "Q%02u", i);
        copies_hold(w, "m", i % 2 ? "out" : "mx", COPY_KIND_QUEUE, where);
    }
    /* Released out of order: the list is reordered as entries go. */
    const guint order[] = {0, 11, 5, 6, 1, 10, 2, 9};
    for (guint k = 0; k < G_N_ELEMENTS(order); k++) {
        g_snprintf(where, sizeof where, "Q%02u", order[k]);
        copies_release(w, "m", order[k] % 2 ? "out" : "mx", COPY_KIND_QUEUE, where, "relayed");
    }
    /* The wrong node for Q03 (held at out) releases nothing. */
    copies_release(w, "m", "mx", COPY_KIND_QUEUE, "Q03", "relayed");
    g_autofree char *d = test_copies_describe(w, "m");
    g_assert_cmpstr(d, ==, "mx/queue/Q04 mx/queue/Q08 out/queue/Q03 out/queue/Q07");
    world_free(w);
    world_spec_free(spec);
}

static void
test_copies_where_null_and_again(void)
{
    WorldSpec *spec = NULL;
    World *w = scan_world(&spec);
    /* A NULL where is the empty one. */
    copies_hold(w, "m", "mx", COPY_KIND_CLIENT, NULL);
    copies_hold(w, "m", "mx", COPY_KIND_CLIENT, "");
    copies_hold(w, "m", "mx", COPY_KIND_JOURNAL, "");
    copies_release(w, "m", "mx", COPY_KIND_CLIENT, "", NULL);
    g_autofree char *d1 = test_copies_describe(w, "m");
    g_assert_cmpstr(d1, ==, "mx/journal/ mx/client/"); /* kinds in CopyKind order */
    copies_release(w, "m", "mx", COPY_KIND_CLIENT, NULL, NULL);
    copies_release(w, "m", "mx", COPY_KIND_JOURNAL, NULL, NULL);
    g_autofree char *d2 = test_copies_describe(w, "m");
    g_assert_cmpstr(d2, ==, "");
    /* Held again after it was dropped: counted from one, message listed once. */
    copies_hold(w, "m", "out", COPY_KIND_QUEUE, "Q1");
    g_autofree char *d3 = test_copies_describe(w, "m");
    g_assert_cmpstr(d3, ==, "out/queue/Q1");
    copies_release(w, "m", "out", COPY_KIND_QUEUE, "Q1", NULL);
    copies_release(w, "m", "out", COPY_KIND_QUEUE, "Q1", NULL); /* not held: ignored */
    copies_release(w, "never", "out", COPY_KIND_QUEUE, "Q1", NULL);
    g_autofree char *d4 = test_copies_describe(w, "m");
    g_assert_cmpstr(d4, ==, "");
    g_autoptr(GPtrArray) msgs = world_copies_messages(w);
    g_assert_cmpuint(msgs->len, ==, 1);
    g_assert_cmpstr(msgs->pdata[0], ==, "m");
    /* A where longer than the entry's own fields is kept whole. */
    char long_where[200];
    memset(long_where, 'x', sizeof long_where - 1);
    long_where[sizeof long_where - 1] = '\0';
    copies_hold(w, "m", "mx", COPY_KIND_MAILBOX, long_where);
    g_autoptr(GPtrArray) held = world_copies_held(w, "m");
    g_assert_cmpuint(held->len, ==, 1);
    g_assert_cmpstr(((const CopyHeld *)held->pdata[0])->where, ==, long_where);
    world_free(w);
    world_spec_free(spec);
}

typedef struct {
    guint calls;
    gboolean answer;
} TimeoutProbe;

static gboolean
probe_timeout(gpointer session)
{
    TimeoutProbe *p = session;
    p->calls++;
    return p->answer;
}

static void
test_session_timeout_table(void)
{
    WorldSpec *spec = NULL;
    World *w = scan_world(&spec);
    Node *mx = world_node(w, "mx");
    g_assert_nonnull(mx);
    TimeoutProbe first = {0, TRUE}, second = {0, TRUE}, other = {0, FALSE};
    g_assert_false(world_conn_timeout(w, 7)); /* nothing registered */
    session_timeout_register(mx, 7, probe_timeout, &first);
    session_timeout_register(mx, 7, probe_timeout, &second); /* replaces */
    session_timeout_register(mx, 8, probe_timeout, &other);
    g_assert_true(world_conn_timeout(w, 7));
    g_assert_cmpuint(first.calls, ==, 0);
    g_assert_cmpuint(second.calls, ==, 1);
    g_assert_false(world_conn_timeout(w, 8)); /* the session could not */
    g_assert_cmpuint(other.calls, ==, 1);
    session_timeout_unregister(w, 7);
    session_timeout_unregister(w, 7); /* twice: a no-op */
    g_assert_false(world_conn_timeout(w, 7));
    g_assert_cmpuint(second.calls, ==, 1);
    g_assert_false(world_conn_timeout(w, 8));
    g_assert_cmpuint(other.calls, ==, 2);
    world_free(w);
    world_spec_free(spec);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/copies_scan/many_of_one_message", test_copies_many_of_one_message);
    g_test_add_func("/copies_scan/where_null_and_again", test_copies_where_null_and_again);
    g_test_add_func("/copies_scan/session_timeout_table", test_session_timeout_table);
    return g_test_run();
}
