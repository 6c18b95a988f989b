/* SPDX-License-Identifier: MIT
 * Tests for nodes/pop3_session and the store's POP3 policy, without the
 * YAML loader: a hand-built world with one store, one client and a
 * message placed in the mailbox. APOP (RFC 1939 section 7) is driven here
 * because the mua never chooses it; USER/PASS, the tracked-message tag,
 * keep and delete are checked against the store's mailbox and the trace.
 */
#include <string.h>

#include <glib.h>

#include "nodes/ms_node.h"
#include "nodes/pop3_session.h"
#include "nodes/world.h"
#include "nodes/world_private.h"
#include "helper_spec.h"

#define TEST_USER "bob@example.com"
#define TEST_SECRET "tanstaaf"

typedef struct {
    WorldSpec *spec;
    World *w;
    GString *trace;
    /* client results */
    GPtrArray *msg_ids; /* char*: tracked id of each message retrieved */
    GPtrArray *uids;
    gboolean done, ok;
    guint retrieved, deleted;
    char *reason;
} Fixture;

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
    f->spec = world_spec_new();
    test_spec_add_node(f->spec, SPEC_ROLE_MSA, "msa", "192.0.2.2");
    test_spec_add_pop3_pair(f->spec, TEST_USER, TEST_SECRET);
    f->trace = g_string_new(NULL);
    SimTrace *tr = sim_trace_new();
    sim_trace_add_jsonl_string(tr, f->trace);
    g_autoptr(GError) error = NULL;
    f->w = world_new(f->spec, tr, FALSE, 0, &error);
    g_assert_no_error(error);
    f->msg_ids = g_ptr_array_new_with_free_func(g_free);
    f->uids = g_ptr_array_new_with_free_func(g_free);
    /* One tracked message in the mailbox, as final delivery leaves it. */
    tracker_add(world_tracker(f->w), "m1", "mail", 0);
    GPtrArray *box = ms_node_mailbox(world_node(f->w, "ms"), TEST_USER);
    g_assert_nonnull(box);
    static const char text[] = "Subject: hi\r\n\r\n.dot line\r\nbye\r\n";
    g_autoptr(GBytes) bytes = g_bytes_new_static(text, strlen(text));
    g_assert_nonnull(ms_node_store(world_node(f->w, "ms"), TEST_USER, "Q1.1", "m1", bytes, &error));
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
    world_free(f->w);
    world_spec_free(f->spec);
    g_string_free(f->trace, TRUE);
    g_ptr_array_unref(f->msg_ids);
    g_ptr_array_unref(f->uids);
    g_free(f->reason);
}

static void
on_message(Pop3ClientSession *cs, guint msg, const char *uid, GBytes *bytes, const char *msg_id,
           gpointer user_data)
{
    Fixture *f = user_data;
    g_ptr_array_add(f->msg_ids, g_strdup(msg_id));
    g_ptr_array_add(f->uids, g_strdup(uid));
    /* Unstuffed (RFC 1939 section 3): the dot line arrives as written. */
    gsize len;
    const char *p = g_bytes_get_data(bytes, &len);
    g_assert_nonnull(g_strstr_len(p, (gssize)len, "\r\n.dot line\r\n"));
}

static void
on_done(Pop3ClientSession *cs, gboolean ok, guint retrieved, guint deleted, const char *reason,
        gpointer user_data)
{
    Fixture *f = user_data;
    g_assert_false(f->done); /* exactly once */
    f->done = TRUE;
    f->ok = ok;
    f->retrieved = retrieved;
    f->deleted = deleted;
    f->reason = g_strdup(reason);
}

static const Pop3ClientCallbacks callbacks = {.on_message = on_message, .on_done = on_done};

static void
fetch(Fixture *f, const Pop3ClientConfig *cfg)
{
    Node *pc = world_node(f->w, "bob-pc");
    pop3_client_session_start(pc, "192.0.2.3", 110, "ms", cfg, &callbacks, f);
    world_run(f->w, SIM_TIME_NEVER, NULL, NULL);
    g_assert_true(f->done);
}

static void
test_apop(Fixture *f, gconstpointer data)
{
    Pop3ClientConfig cfg = {
        .user = TEST_USER, .password = TEST_SECRET, .use_apop = TRUE, .keep = TRUE};
    fetch(f, &cfg);
    g_assert_true(f->ok);
    g_assert_cmpuint(f->retrieved, ==, 1);
    g_assert_cmpuint(f->deleted, ==, 0);
    /* The tracked message crossed from the store to the client. */
    g_assert_cmpstr(f->msg_ids->pdata[0], ==, "m1");
    g_assert_cmpstr(f->uids->pdata[0], ==, "Q1.1");
    /* APOP line traced as on the wire and marked secret; no PASS. */
    g_assert_nonnull(strstr(f->trace->str, "\"line\":\"APOP bob@example.com "));
    g_assert_nonnull(strstr(f->trace->str, "\"secret\":true"));
    g_assert_null(strstr(f->trace->str, "\"line\":\"PASS"));
    g_assert_nonnull(strstr(f->trace->str, "\"mech\":\"APOP\",\"user\":\"bob@example.com\","
                                           "\"ok\":true"));
    g_assert_cmpint(ms_node_mailbox_count(world_node(f->w, "ms"), TEST_USER), ==, 1);
}

static void
test_apop_wrong_secret(Fixture *f, gconstpointer data)
{
    Pop3ClientConfig cfg = {.user = TEST_USER, .password = "guess", .use_apop = TRUE};
    fetch(f, &cfg);
    g_assert_false(f->ok);
    g_assert_cmpuint(f->retrieved, ==, 0);
    g_assert_cmpuint(f->msg_ids->len, ==, 0);
    g_assert_nonnull(strstr(f->trace->str, "-ERR [AUTH]"));
    g_assert_cmpint(ms_node_mailbox_count(world_node(f->w, "ms"), TEST_USER), ==, 1);
}

static void
test_userpass_delete(Fixture *f, gconstpointer data)
{
    Pop3ClientConfig cfg = {.user = TEST_USER, .password = TEST_SECRET, .keep = FALSE};
    fetch(f, &cfg);
    g_assert_true(f->ok);
    g_assert_cmpuint(f->retrieved, ==, 1);
    g_assert_cmpuint(f->deleted, ==, 1);
    g_assert_cmpint(ms_node_mailbox_count(world_node(f->w, "ms"), TEST_USER), ==, 0);
    /* USER in clear and not secret, PASS in clear and secret. */
    g_assert_nonnull(strstr(f->trace->str, "\"line\":\"USER bob@example.com\"}"));
    g_assert_nonnull(strstr(f->trace->str, "\"line\":\"PASS " TEST_SECRET "\",\"secret\":true}"));
    g_assert_nonnull(strstr(f->trace->str, "\"ev\":\"pop3.update\",\"node\":\"ms\",\"conn\":1,"
                                           "\"mailbox\":\"bob@example.com\",\"deleted\":1,"
                                           "\"left\":0"));
    /* The tag table is dropped with the client session. */
    g_assert_null(pop3_session_uid_tag(f->w, 1, "Q1.1"));
}

static void
test_keep_seen(Fixture *f, gconstpointer data)
{
    const char *seen[] = {"Q1.1", NULL};
    Pop3ClientConfig cfg = {
        .user = TEST_USER, .password = TEST_SECRET, .keep = TRUE, .seen_uids = seen};
    fetch(f, &cfg);
    g_assert_true(f->ok);
    g_assert_cmpuint(f->retrieved, ==, 0);
    g_assert_null(strstr(f->trace->str, "\"line\":\"RETR"));
    g_assert_nonnull(strstr(f->trace->str, "\"line\":\"UIDL\""));
    g_assert_cmpint(ms_node_mailbox_count(world_node(f->w, "ms"), TEST_USER), ==, 1);
}

static void
test_unknown_user(Fixture *f, gconstpointer data)
{
    Pop3ClientConfig cfg = {.user = "carol@example.com", .password = TEST_SECRET};
    fetch(f, &cfg);
    g_assert_false(f->ok);
    g_assert_nonnull(strstr(f->trace->str, "\"user\":\"carol@example.com\",\"ok\":false"));
    g_assert_cmpint(ms_node_mailbox_count(world_node(f->w, "ms"), "carol@example.com"), ==, -1);
    g_assert_cmpint(ms_node_mailbox_count(NULL, TEST_USER), ==, -1);
    g_assert_cmpint(ms_node_mailbox_count(world_node(f->w, "bob-pc"), TEST_USER), ==, -1);
}

static void
test_refused(Fixture *f, gconstpointer data)
{
    Node *pc = world_node(f->w, "bob-pc");
    Pop3ClientConfig cfg = {.user = TEST_USER, .password = TEST_SECRET};
    pop3_client_session_start(pc, "192.0.2.3", 995, "ms", &cfg, &callbacks, f);
    world_run(f->w, SIM_TIME_NEVER, NULL, NULL);
    g_assert_true(f->done);
    g_assert_false(f->ok);
    g_assert_nonnull(strstr(f->reason, "refused"));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
    ADD("/nodes/pop3-session/apop", test_apop);
    ADD("/nodes/pop3-session/apop-wrong-secret", test_apop_wrong_secret);
    ADD("/nodes/pop3-session/userpass-delete", test_userpass_delete);
    ADD("/nodes/pop3-session/keep-seen", test_keep_seen);
    ADD("/nodes/pop3-session/unknown-user", test_unknown_user);
    ADD("/nodes/pop3-session/refused", test_refused);
#undef ADD
    return g_test_run();
}
