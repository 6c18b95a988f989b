/* SPDX-License-Identifier: MIT
 * Tests for nodes/session_stream and world_jobs: a run stopped
 * mid-dialogue (mhs run --until) leaves sessions alive, with a connect
 * still pending or a dialogue half done, and role work held by the world;
 * world_free() frees them all, silently: no callback to the role, no
 * trace record after the run. Under the sanitizer build
 * (-DENABLE_SANITIZERS=ON) LeakSanitizer checks that nothing is left.
 */
#include <string.h>

#include <glib.h>

#include "nodes/pop3_session.h"
#include "nodes/session_stream.h"
#include "nodes/smtp_session.h"
#include "nodes/world.h"
#include "nodes/world_private.h"
#include "helper_spec.h"

typedef struct {
    WorldSpec *spec;
    World *w;
    GString *trace;
    guint done_calls;
} Fixture;

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
    f->spec = world_spec_new();
    test_spec_add_node(f->spec, SPEC_ROLE_MTA, "out", "192.0.2.4");
    test_spec_add_node(f->spec, SPEC_ROLE_MTA, "mx", "192.0.2.1");
    NodeSpec *ms = test_spec_add_node(f->spec, SPEC_ROLE_MS, "ms", "192.0.2.3");
    g_strfreev(ms->domains);
    ms->domains = g_strsplit("example.com", ",", -1);
    UserSpec *u = user_spec_new();
    u->address = g_strdup("bob@example.com");
    u->password = g_strdup("secret");
    g_ptr_array_add(f->spec->users, u);
    f->trace = g_string_new(NULL);
    SimTrace *tr = sim_trace_new();
    sim_trace_add_jsonl_string(tr, f->trace);
    g_autoptr(GError) error = NULL;
    f->w = world_new(f->spec, tr, FALSE, 0, &error);
    g_assert_no_error(error);
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
    world_free(f->w); /* a no-op when the test freed it */
    world_spec_free(f->spec);
    g_string_free(f->trace, TRUE);
}

static guint
live_sessions(World *w)
{
    guint n = 0;
    for (SessionStream *st = w->sessions; st != NULL; st = st->next)
        n++;
    return n;
}

static void
on_smtp_done(SmtpClientSession *cs, const SmtpClientOutcome *o, gpointer user_data)
{
    Fixture *f = user_data;
    f->done_calls++;
}

static void
smtp_start(Fixture *f, const char *ip, const char *peer)
{
    static const char *const rcpts[] = {"bob@example.com", NULL};
    static const char text[] = "Subject: hi\r\n\r\nhello\r\n";
    g_autoptr(GBytes) msg = g_bytes_new_static(text, strlen(text));
    SmtpClientConfig cfg = {
        .helo_name = "out.example.org",
        .reverse_path = "alice@example.org",
        .recipients = rcpts,
        .message = msg,
    };
    smtp_client_session_start(world_node(f->w, "out"), ip, 25, peer, &cfg, "m1", on_smtp_done, f);
}

/* Frees the world and checks the teardown said nothing and called no one. */
static void
free_world_silently(Fixture *f)
{
    gsize len = f->trace->len;
    guint calls = f->done_calls;
    world_free(f->w);
    f->w = NULL;
    g_assert_cmpuint(f->trace->len, ==, len);
    g_assert_cmpuint(f->done_calls, ==, calls);
}

static void
test_pending_connect(Fixture *f, gconstpointer data)
{
    /* Nothing answers this address: the SYN waits for the connect
     * timeout (30 s), far beyond the stop. */
    smtp_start(f, "203.0.113.9", "nowhere");
    world_run(f->w, 5 * SIM_TIME_S, NULL, NULL);
    g_assert_cmpuint(f->done_calls, ==, 0);
    g_assert_cmpuint(live_sessions(f->w), ==, 1);
    g_assert_nonnull(strstr(f->trace->str, "\"ev\":\"conn.open\""));
    g_assert_null(strstr(f->trace->str, "\"ev\":\"conn.fail\""));
    free_world_silently(f);
}

static void
test_mid_dialogue(Fixture *f, gconstpointer data)
{
    /* 5 ms each way: the server accepts at 15 ms and greets; stop at
     * 40 ms, with both ends still talking. */
    smtp_start(f, "192.0.2.1", "mx");
    world_run(f->w, 40 * SIM_TIME_MS, NULL, NULL);
    g_assert_cmpuint(f->done_calls, ==, 0);
    g_assert_cmpuint(live_sessions(f->w), ==, 2);
    g_assert_nonnull(strstr(f->trace->str, "\"ev\":\"conn.accept\""));
    free_world_silently(f);
}

static void
on_pop3_done(Pop3ClientSession *cs, gboolean ok, guint retrieved, guint deleted, const char *reason,
             gpointer user_data)
{
    Fixture *f = user_data;
    f->done_calls++;
}

static void
test_pop3_mid_dialogue(Fixture *f, gconstpointer data)
{
    static const Pop3ClientCallbacks cb = {.on_done = on_pop3_done};
    Pop3ClientConfig cfg = {.user = "bob@example.com", .password = "secret"};
    pop3_client_session_start(world_node(f->w, "out"), "192.0.2.3", 110, "ms", &cfg, &cb, f);
    world_run(f->w, 40 * SIM_TIME_MS, NULL, NULL);
    g_assert_cmpuint(f->done_calls, ==, 0);
    g_assert_cmpuint(live_sessions(f->w), ==, 2);
    free_world_silently(f);
}

static void
test_finished_sessions_leave(Fixture *f, gconstpointer data)
{
    /* A run to its end: every session freed itself and left the list. */
    smtp_start(f, "203.0.113.9", "nowhere");
    smtp_start(f, "192.0.2.1", "mx");
    world_run(f->w, SIM_TIME_NEVER, NULL, NULL);
    g_assert_cmpuint(f->done_calls, ==, 2);
    g_assert_null(f->w->sessions);
    g_assert_nonnull(strstr(f->trace->str, "\"reason\":\"connection timed out\""));
}

static void
count_free(gpointer p)
{
    (*(guint *)p)++;
}

static void
test_held_jobs(Fixture *f, gconstpointer data)
{
    /* A job still held when the world goes is freed once; a released
     * one is the caller's. */
    guint held = 0, released = 0;
    world_hold(f->w, &held, count_free);
    world_hold(f->w, &released, count_free);
    world_release(f->w, &released);
    world_release(f->w, &released); /* twice: harmless */
    free_world_silently(f);
    g_assert_cmpuint(held, ==, 1);
    g_assert_cmpuint(released, ==, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/nodes/session-stream/teardown/pending-connect", Fixture, NULL, fixture_set_up,
               test_pending_connect, fixture_tear_down);
    g_test_add("/nodes/session-stream/teardown/mid-dialogue", Fixture, NULL, fixture_set_up,
               test_mid_dialogue, fixture_tear_down);
    g_test_add("/nodes/session-stream/teardown/pop3-mid-dialogue", Fixture, NULL, fixture_set_up,
               test_pop3_mid_dialogue, fixture_tear_down);
    g_test_add("/nodes/session-stream/finished-sessions-leave", Fixture, NULL, fixture_set_up,
               test_finished_sessions_leave, fixture_tear_down);
    g_test_add("/nodes/session-stream/teardown/held-jobs", Fixture, NULL, fixture_set_up,
               test_held_jobs, fixture_tear_down);
    return g_test_run();
}
