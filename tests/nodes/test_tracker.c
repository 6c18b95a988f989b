/* SPDX-License-Identifier: MIT
 * Tests for nodes/tracker's interned strings and nodes/copies' ledger:
 * hops and recipients that name the same node, detail or recipient list
 * share one copy (so a long run does not keep one per hop), lists that
 * differ stay apart ({} and {""} included), what a caller passes may be
 * freed at once, and the ledger counts copies per (message, node, kind,
 * where) whatever buffer the node name came from. Forgetting: only the
 * hops of finished generated traffic, when asked, past the first rows and
 * outside the named messages; the recipients' fates stay.
 */
#include <string.h>

#include <glib.h>

#include "nodes/copies.h"
#include "nodes/copies_private.h"
#include "nodes/ms_node.h"
#include "nodes/tracker.h"
#include "nodes/world.h"
#include "helper_spec.h"

static void
test_tracker_interned_hops(void)
{
    g_autoptr(Tracker) t = tracker_new();
    TrackMsg *a = tracker_add(t, "m1", "mail", 0);
    TrackMsg *b = tracker_add(t, "m2", NULL, 5);
    g_assert_cmpstr(b->kind, ==, "mail");
    g_assert_true(a->tracker == t && b->tracker == t);
    /* The caller's buffers die right after the call. */
    g_autofree char *node = g_strdup("mx.example.com");
    g_autofree char *detail = g_strdup("ESMTP from out");
    char *rcpts[] = {g_strdup("bob@example.com"), g_strdup("carol@example.com"), NULL};
    TrackHop *h1 = track_msg_add_hop(a, node, 1, "accept", detail, (const char *const *)rcpts, "Q1");
    TrackHop *h2 = track_msg_add_hop(b, "mx.example.com", 2, "accept", "ESMTP from out",
                                     (const char *const *)rcpts, "Q2");
    memset(node, 'x', strlen(node));
    memset(detail, 'x', strlen(detail));
    g_free(rcpts[0]);
    g_free(rcpts[1]);
    g_assert_cmpstr(h1->node, ==, "mx.example.com");
    g_assert_cmpstr(h1->detail, ==, "ESMTP from out");
    g_assert_true(h1->node == h2->node);
    g_assert_true(h1->detail == h2->detail);
    g_assert_true(h1->rcpts == h2->rcpts); /* one vector for the same list */
    g_assert_cmpuint(g_strv_length(h1->rcpts), ==, 2);
    g_assert_cmpstr(h1->rcpts[0], ==, "bob@example.com");
    g_assert_cmpstr(h1->rcpts[1], ==, "carol@example.com");
    /* Each hop keeps its own action and queue id. */
    g_assert_cmpstr(h1->queue_id, ==, "Q1");
    g_assert_cmpstr(h2->queue_id, ==, "Q2");
    g_assert_true(h1->action != h2->action);
    g_assert_cmpint(h1->t_out, ==, -1);
    g_assert_true(track_msg_open_hop(a, "mx.example.com") == h1);
}

static void
test_tracker_rcpt_lists_apart(void)
{
    g_autoptr(Tracker) t = tracker_new();
    TrackMsg *m = tracker_add(t, "m1", "mail", 0);
    const char *one[] = {"bob@example.com", NULL};
    const char *two[] = {"bob@example.com", "carol@example.com", NULL};
    const char *swapped[] = {"carol@example.com", "bob@example.com", NULL};
    const char *empty_addr[] = {"", NULL};
    const char *none[] = {NULL};
    TrackHop *h[] = {
        track_msg_add_hop(m, "a", 0, "submit", NULL, one, NULL),
        track_msg_add_hop(m, "b", 0, "accept", NULL, two, NULL),
        track_msg_add_hop(m, "c", 0, "accept", NULL, swapped, NULL),
        track_msg_add_hop(m, "d", 0, "accept", NULL, empty_addr, NULL),
        track_msg_add_hop(m, "e", 0, "accept", NULL, none, NULL),
        track_msg_add_hop(m, "f", 0, "accept", NULL, NULL, NULL),
    };
    for (guint i = 0; i < 4; i++)
        for (guint k = i + 1; k < 5; k++)
            g_assert_true(h[i]->rcpts != h[k]->rcpts);
    g_assert_cmpuint(g_strv_length(h[3]->rcpts), ==, 1);
    g_assert_cmpstr(h[3]->rcpts[0], ==, "");
    g_assert_null(h[4]->detail);
    g_assert_nonnull(h[5]->rcpts); /* NULL: the empty list, which means everyone */
    g_assert_null(h[5]->rcpts[0]);
    g_assert_true(h[4]->rcpts == h[5]->rcpts);
    /* The path per recipient still reads the lists. */
    g_auto(GStrv) carol = track_msg_path(m, "carol@example.com");
    g_autofree char *joined = g_strjoinv(",", carol);
    g_assert_cmpstr(joined, ==, "b,c,e,f");
}

static void
test_tracker_rcpt_status(void)
{
    g_autoptr(Tracker) t = tracker_new();
    TrackMsg *m = tracker_add(t, "m1", "mail", 0);
    TrackMsg *n = tracker_add(t, "m2", "mail", 0);
    g_autofree char *where = g_strdup("ms.example.com");
    track_msg_set_status(m, "Bob@Example.com", TRACK_STATUS_QUEUED, 451, "later", where, 3);
    TrackRcpt *r = track_msg_rcpt(m, "bob@example.com"); /* case-insensitive: the same */
    g_assert_cmpuint(m->rcpts->len, ==, 1);
    g_assert_cmpstr(r->address, ==, "Bob@Example.com");
    g_assert_null(r->mailbox_node);
    track_msg_set_status(m, "bob@example.com", TRACK_STATUS_DELIVERED, 250, "delivered", where, 9);
    memset(where, 'x', strlen(where));
    g_assert_cmpstr(r->where, ==, "ms.example.com");
    g_assert_cmpstr(r->mailbox_node, ==, "ms.example.com");
    g_assert_cmpstr(r->reply, ==, "delivered");
    g_assert_cmpuint(r->code, ==, 250);
    g_assert_cmpint(r->at, ==, 9);
    track_msg_set_status(n, "Bob@Example.com", TRACK_STATUS_DELIVERED, 250, "delivered",
                         "ms.example.com", 9);
    TrackRcpt *s = track_msg_rcpt(n, "bob@example.com");
    g_assert_true(s->address == r->address);
    g_assert_true(s->where == r->where);
    /* A later status with no deciding node clears where, not the store. */
    track_msg_set_status(n, "bob@example.com", TRACK_STATUS_QUEUED, 0, NULL, NULL, 10);
    g_assert_null(s->where);
    g_assert_null(s->reply);
    g_assert_cmpstr(s->mailbox_node, ==, "ms.example.com");
}

/* A message whose journey is over: its recipient delivered, every hop
 * closed. */
static TrackMsg *
forget_msg(Tracker *t, const char *id, const char *kind, gboolean done)
{
    TrackMsg *m = tracker_add(t, id, kind, 0);
    const char *to[] = {"bob@example.com", NULL};
    track_msg_add_hop(m, "pc", 0, "submit", "ESMTP", to, NULL)->t_out = 1;
    TrackHop *mx = track_msg_add_hop(m, "mx", 1, "accept", "ESMTP from pc", to, "Q1");
    track_msg_add_hop(m, "ms", 2, "deliver", "mailbox", to, "Q2")->t_out = 2;
    track_msg_set_status(m, "bob@example.com", TRACK_STATUS_DELIVERED, 250, "delivered", "ms", 2);
    if (done)
        mx->t_out = 3;
    return m;
}

static void
test_tracker_forget(void)
{
    g_autoptr(Tracker) t = tracker_new();
    /* Off by default. */
    TrackMsg *m0 = forget_msg(t, "t0", "traffic", TRUE);
    g_assert_false(track_msg_forget_if_finished(m0));
    g_assert_cmpuint(m0->hops->len, ==, 3);
    const char *keep[] = {"t3", NULL};
    tracker_forget_finished(t, 2, keep);
    TrackMsg *m1 = forget_msg(t, "t1", "traffic", TRUE); /* index 1 < keep_first */
    TrackMsg *m2 = forget_msg(t, "t2", "traffic", FALSE);
    TrackMsg *m3 = forget_msg(t, "t3", "traffic", TRUE); /* named: kept */
    TrackMsg *m4 = forget_msg(t, "m4", "mail", TRUE);    /* not generated traffic */
    TrackMsg *m5 = forget_msg(t, "t5", "traffic", TRUE);
    g_assert_cmpuint(m5->index, ==, 5);
    g_assert_false(track_msg_forget_if_finished(m1));
    g_assert_false(track_msg_forget_if_finished(m2)); /* the mx hop is open */
    g_assert_false(track_msg_forget_if_finished(m3));
    g_assert_false(track_msg_forget_if_finished(m4));
    g_assert_true(track_msg_forget_if_finished(m5));
    g_assert_cmpuint(m5->hops->len, ==, 0);
    g_assert_false(track_msg_forget_if_finished(m5)); /* nothing left */
    /* The fates stay: the report counts and run.rcpt records read them. */
    g_assert_cmpuint(m5->rcpts->len, ==, 1);
    TrackRcpt *r = m5->rcpts->pdata[0];
    g_assert_cmpint(r->status, ==, TRACK_STATUS_DELIVERED);
    g_assert_cmpstr(r->where, ==, "ms");
    g_assert_cmpuint(m2->hops->len, ==, 3);
    /* Still queued somewhere: not finished, whatever the hops say. */
    TrackMsg *m6 = forget_msg(t, "t6", "traffic", TRUE);
    track_msg_set_status(m6, "carol@example.com", TRACK_STATUS_QUEUED, 451, "later", "mx", 3);
    g_assert_false(track_msg_forget_if_finished(m6));
    track_msg_set_status(m6, "carol@example.com", TRACK_STATUS_BOUNCED, 550, "no", "mx", 4);
    g_assert_true(track_msg_forget_if_finished(m6));
    /* A hop added later (a fetch) is kept and read as usual. */
    const char *to[] = {"bob@example.com", NULL};
    track_msg_add_hop(m5, "bob-pc", 9, "fetch", "POP3", to, NULL)->t_out = 9;
    g_auto(GStrv) path = track_msg_path(m5, NULL);
    g_assert_cmpuint(g_strv_length(path), ==, 1);
    g_assert_cmpstr(path[0], ==, "bob-pc");
    g_assert_true(tracker_find(t, "t5") == m5);
}

/* A forgotten message keeps every string a reader wants, now the
 * tracker's; notes and a fetch hop still work on it, and messages with
 * no notes or no hops each read as empty (one shared empty array). */
static void
test_tracker_compact(void)
{
    g_autoptr(Tracker) t = tracker_new();
    tracker_forget_finished(t, 0, NULL);
    TrackMsg *a = forget_msg(t, "t1", "traffic", TRUE);
    TrackMsg *b = forget_msg(t, "t2", "traffic", TRUE);
    a->from = g_strdup("alice@example.com");
    a->envelope_from = g_strdup("alice@example.com");
    a->subject = g_strdup("hello 1");
    a->message_id = g_strdup("<1@example.com>");
    b->from = g_strdup("alice@example.com");
    b->subject = g_strdup("hello 2");
    g_assert_cmpuint(a->notes->len, ==, 0);
    g_assert_cmpuint(b->notes->len, ==, 0);
    g_assert_false(a->compact);
    g_assert_true(track_msg_forget_if_finished(a));
    g_assert_true(track_msg_forget_if_finished(b));
    g_assert_true(a->compact && b->compact);
    g_assert_cmpstr(a->id, ==, "t1");
    g_assert_cmpstr(a->kind, ==, "traffic");
    g_assert_cmpstr(a->from, ==, "alice@example.com");
    g_assert_cmpstr(a->envelope_from, ==, "alice@example.com");
    g_assert_cmpstr(a->subject, ==, "hello 1");
    g_assert_cmpstr(a->message_id, ==, "<1@example.com>");
    g_assert_null(a->parent);
    g_assert_cmpstr(b->subject, ==, "hello 2");
    g_assert_null(b->envelope_from);
    /* Repeated strings are interned once; unique ones are not shared. */
    g_assert_true(a->from == b->from);
    g_assert_true(a->kind == b->kind);
    g_assert_cmpuint(a->hops->len, ==, 0);
    g_assert_cmpuint(b->hops->len, ==, 0);
    /* Found by its id still, the key having moved with it. */
    g_assert_true(tracker_find(t, "t1") == a);
    g_assert_true(tracker_find(t, "t2") == b);
    const TrackRcpt *r = a->rcpts->pdata[0];
    g_assert_cmpstr(r->reply, ==, "delivered");
    g_assert_true(r->reply == ((const TrackRcpt *)b->rcpts->pdata[0])->reply);
    /* A later decision on a compact message replaces the reply. */
    track_msg_set_status(a, "bob@example.com", TRACK_STATUS_BOUNCED, 550, "gone", "mx", 5);
    g_assert_cmpstr(r->reply, ==, "gone");
    track_msg_set_status(a, "bob@example.com", TRACK_STATUS_BOUNCED, 550, NULL, "mx", 6);
    g_assert_null(r->reply);
    /* A note on one message is not seen on another. */
    track_msg_note(a, "mx", "spf", "pass");
    g_assert_cmpstr(track_msg_get_note(a, "mx", "spf"), ==, "pass");
    g_assert_null(track_msg_get_note(b, "mx", "spf"));
    g_assert_cmpuint(b->notes->len, ==, 0);
    /* A fetch hop on one forgotten message leaves the other's empty. */
    const char *to[] = {"bob@example.com", NULL};
    track_msg_add_hop(a, "bob-pc", 9, "fetch", "POP3", to, NULL)->t_out = 9;
    g_assert_cmpuint(a->hops->len, ==, 1);
    g_assert_cmpuint(b->hops->len, ==, 0);
    /* A message never forgotten frees its own strings (valgrind: no leak). */
    TrackMsg *c = forget_msg(t, "m3", "mail", TRUE);
    c->subject = g_strdup("kept");
    g_assert_false(track_msg_forget_if_finished(c));
    g_assert_false(c->compact);
}

/* ---- the copies ledger ---- */

static World *
ledger_world(WorldSpec **spec_out)
{
    WorldSpec *spec = world_spec_new();
    NodeSpec *ms = test_spec_add_node(spec, SPEC_ROLE_MS, "ms", "192.0.2.3");
    g_strfreev(ms->domains);
    ms->domains = g_strsplit("example.com", ",", -1);
    test_spec_add_node(spec, SPEC_ROLE_MTA, "mx", "192.0.2.1");
    g_autoptr(GError) error = NULL;
    World *w = world_new(spec, NULL, FALSE, 0, &error);
    g_assert_no_error(error);
    *spec_out = spec;
    return w;
}

static void
test_copies_ledger(void)
{
    WorldSpec *spec = NULL;
    World *w = ledger_world(&spec);
    g_autofree char *node = g_strdup("mx");
    copies_hold(w, "m1", node, COPY_KIND_QUEUE, "Q1");
    copies_hold(w, "m1", "ms", COPY_KIND_MAILBOX, "bob@example.com");
    copies_hold(w, "m1", "ms", COPY_KIND_MAILBOX, "bob@example.com"); /* two aliases */
    copies_hold(w, "m2", "ms", COPY_KIND_BACKUP, "bob@example.com");
    g_autofree char *d1 = test_copies_describe(w, "m1");
    g_assert_cmpstr(d1, ==, "ms/mailbox/bob@example.com mx/queue/Q1");
    /* Released with another buffer holding the same name. */
    g_autofree char *again = g_strdup("mx");
    copies_release(w, "m1", again, COPY_KIND_QUEUE, "Q1", "relayed");
    copies_release(w, "m1", again, COPY_KIND_QUEUE, "Q1", "relayed"); /* not held: ignored */
    copies_release(w, "m1", "ms", COPY_KIND_MAILBOX, "bob@example.com", "deleted");
    g_autofree char *d2 = test_copies_describe(w, "m1");
    g_assert_cmpstr(d2, ==, "ms/mailbox/bob@example.com");
    copies_release(w, "m1", "ms", COPY_KIND_MAILBOX, "bob@example.com", "deleted");
    g_autofree char *d3 = test_copies_describe(w, "m1");
    g_assert_cmpstr(d3, ==, "");
    /* The kind is part of the key: a backup is not a mailbox copy. */
    copies_release(w, "m2", "ms", COPY_KIND_MAILBOX, "bob@example.com", "deleted");
    g_autofree char *d4 = test_copies_describe(w, "m2");
    g_assert_cmpstr(d4, ==, "ms/backup/bob@example.com");
    g_autoptr(GPtrArray) msgs = world_copies_messages(w);
    g_assert_cmpuint(msgs->len, ==, 2); /* every message that ever had a copy */
    g_assert_cmpstr(msgs->pdata[0], ==, "m1");
    g_assert_cmpstr(msgs->pdata[1], ==, "m2");
    /* A message's copies go in any order: first, middle or last held. */
    const char *const wheres[] = {"a@example.com", "b@example.com", "c@example.com",
                                  "d@example.com"};
    for (guint i = 0; i < G_N_ELEMENTS(wheres); i++)
        copies_hold(w, "m3", "ms", COPY_KIND_MAILBOX, wheres[i]);
    copies_hold(w, "m3", "mx", COPY_KIND_QUEUE, "Q9");
    copies_release(w, "m3", "ms", COPY_KIND_MAILBOX, "b@example.com", "deleted"); /* middle */
    copies_release(w, "m3", "mx", COPY_KIND_QUEUE, "Q9", "relayed");              /* newest */
    copies_release(w, "m3", "ms", COPY_KIND_MAILBOX, "a@example.com", "deleted"); /* oldest */
    g_autofree char *d5 = test_copies_describe(w, "m3");
    g_assert_cmpstr(d5, ==, "ms/mailbox/c@example.com ms/mailbox/d@example.com");
    copies_release(w, "m3", "ms", COPY_KIND_MAILBOX, "d@example.com", "deleted");
    copies_release(w, "m3", "ms", COPY_KIND_MAILBOX, "c@example.com", "deleted");
    g_autofree char *d6 = test_copies_describe(w, "m3");
    g_assert_cmpstr(d6, ==, "");
    /* Held again once none was left: listed once among the messages. */
    copies_hold(w, "m3", "mx", COPY_KIND_QUEUE, "Q10");
    g_autofree char *d7 = test_copies_describe(w, "m3");
    g_assert_cmpstr(d7, ==, "mx/queue/Q10");
    g_autoptr(GPtrArray) msgs2 = world_copies_messages(w);
    g_assert_cmpuint(msgs2->len, ==, 3);
    g_assert_cmpstr(msgs2->pdata[2], ==, "m3");
    g_auto(GStrv) none = world_copies_nodes(w, "m9"); /* never held */
    g_assert_cmpuint(g_strv_length(none), ==, 0);
    world_free(w);
    world_spec_free(spec);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/tracker/interned_hops", test_tracker_interned_hops);
    g_test_add_func("/tracker/rcpt_lists_apart", test_tracker_rcpt_lists_apart);
    g_test_add_func("/tracker/rcpt_status", test_tracker_rcpt_status);
    g_test_add_func("/tracker/forget", test_tracker_forget);
    g_test_add_func("/tracker/compact", test_tracker_compact);
    g_test_add_func("/tracker/copies_ledger", test_copies_ledger);
    return g_test_run();
}
