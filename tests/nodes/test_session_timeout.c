/* SPDX-License-Identifier: MIT
 * Tests for nodes/session_timeout: a driver's idle timeout makes the
 * server session say goodbye in its protocol and close (SMTP "421 4.4.2"
 * RFC 5321 4.5.3.2.7; POP3 "-ERR", RFC 1939 3), traced as conn.timeout;
 * nothing happens for an unknown or closed connection; a session that
 * is waiting for its delayed 421 (the AUTH failure limit) when the run
 * ends is freed with the world (run under ASan to see the difference).
 */
#include <string.h>

#include <glib.h>

#include "nodes/session_timeout.h"
#include "nodes/world.h"
#include "nodes/world_private.h"
#include "helper_spec.h"

typedef struct {
    GString *in; /* bytes from the server */
    gboolean eof;
    guint64 conn;
} TimeoutClient;

static void
timeout_client_data(SimStream *s, GBytes *data, gpointer user_data)
{
    TimeoutClient *c = user_data;
    gsize n = 0;
    const char *p = g_bytes_get_data(data, &n);
    g_string_append_len(c->in, p, (gssize)n);
}

static void
timeout_client_eof(SimStream *s, gpointer user_data)
{
    ((TimeoutClient *)user_data)->eof = TRUE;
    sim_stream_close(s);
}

static const SimStreamHandler timeout_client_handler = {
    .on_data = timeout_client_data,
    .on_eof = timeout_client_eof,
};

static World *
timeout_world(WorldSpec *spec, GString *trace)
{
    NodeSpec *msa = test_spec_add_node(spec, SPEC_ROLE_MSA, "msa", "192.0.2.2");
    msa->auth.required = TRUE;
    msa->auth.mechanisms = g_strsplit("PLAIN", ",", -1);
    msa->auth.max_failures = 1;
    msa->auth.failure_delay = 60 * G_USEC_PER_SEC;
    NodeSpec *ms = test_spec_add_node(spec, SPEC_ROLE_MS, "ms", "192.0.2.3");
    g_strfreev(ms->domains);
    ms->domains = g_strsplit("example.com", ",", -1);
    NodeSpec *pc = test_spec_add_node(spec, SPEC_ROLE_MUA, "pc", "192.0.2.10");
    pc->user = g_strdup("a@example.com");
    pc->msa = g_strdup("msa");
    pc->ms = g_strdup("ms");
    SimTrace *tr = sim_trace_new();
    sim_trace_add_jsonl_string(tr, trace);
    g_autoptr(GError) error = NULL;
    World *w = world_new(spec, tr, FALSE, 0, &error);
    g_assert_no_error(error);
    return w;
}

/* Connects pc to ip:port and runs until the greeting is in. */
static SimStream *
timeout_connect(World *w, const char *ip, guint16 port, TimeoutClient *c)
{
    SimStream *s = sim_net_connect(world_net(w), world_node(w, "pc")->host, ip, port,
                                   &timeout_client_handler, c);
    c->conn = sim_stream_conn_id(s);
    world_run(w, world_now(w) + G_USEC_PER_SEC, NULL, NULL);
    g_assert_cmpuint(c->in->len, >, 0);
    return s;
}

static void
test_goodbyes(void)
{
    g_autoptr(WorldSpec) spec = world_spec_new();
    g_autoptr(GString) trace = g_string_new(NULL);
    World *w = timeout_world(spec, trace);
    g_assert_false(world_conn_timeout(w, 999)); /* nobody there */

    TimeoutClient smtp = {.in = g_string_new(NULL)};
    timeout_connect(w, "192.0.2.2", 587, &smtp);
    g_assert_true(g_str_has_prefix(smtp.in->str, "220 "));
    g_string_truncate(smtp.in, 0);
    g_assert_true(world_conn_timeout(w, smtp.conn));
    world_run(w, world_now(w) + G_USEC_PER_SEC, NULL, NULL);
    g_assert_true(g_str_has_prefix(smtp.in->str, "421 4.4.2 "));
    g_assert_nonnull(strstr(smtp.in->str, "timeout exceeded"));
    g_assert_true(smtp.eof);
    g_assert_false(world_conn_timeout(w, smtp.conn)); /* closed: unregistered */

    TimeoutClient pop = {.in = g_string_new(NULL)};
    timeout_connect(w, "192.0.2.3", 110, &pop);
    g_assert_true(g_str_has_prefix(pop.in->str, "+OK "));
    g_string_truncate(pop.in, 0);
    g_assert_true(world_conn_timeout(w, pop.conn));
    world_run(w, world_now(w) + G_USEC_PER_SEC, NULL, NULL);
    g_assert_cmpstr(pop.in->str, ==, "-ERR Disconnected for inactivity\r\n");
    g_assert_true(pop.eof);

    g_autofree char *want_smtp = g_strdup_printf(
        "\"ev\":\"conn.timeout\",\"node\":\"msa\",\"conn\":%" G_GUINT64_FORMAT, smtp.conn);
    g_autofree char *want_pop = g_strdup_printf(
        "\"ev\":\"conn.timeout\",\"node\":\"ms\",\"conn\":%" G_GUINT64_FORMAT, pop.conn);
    world_free(w);
    g_assert_nonnull(strstr(trace->str, want_smtp));
    g_assert_nonnull(strstr(trace->str, want_pop));
    g_string_free(smtp.in, TRUE);
    g_string_free(pop.in, TRUE);
}

/* The AUTH failure limit (max 1, delay 60 s): the 421 is due later; the
 * session owes it and does not time out meanwhile; the run ends first,
 * and the world frees the session with the event. */
static void
test_pending_lockout(void)
{
    g_autoptr(WorldSpec) spec = world_spec_new();
    g_autoptr(GString) trace = g_string_new(NULL);
    World *w = timeout_world(spec, trace);
    TimeoutClient c = {.in = g_string_new(NULL)};
    SimStream *s = timeout_connect(w, "192.0.2.2", 587, &c);
    static const char in[] = "EHLO pc\r\nAUTH PLAIN AGEAd3Jvbmc=\r\n"; /* \0a\0wrong */
    sim_stream_write_data(s, in, strlen(in));
    world_run(w, world_now(w) + 5 * G_USEC_PER_SEC, NULL, NULL);
    g_assert_nonnull(strstr(trace->str, "\"ev\":\"auth.limit\""));
    g_assert_null(strstr(c.in->str, "421"));
    g_assert_false(world_conn_timeout(w, c.conn)); /* an answer is owed */
    g_assert_false(c.eof);
    world_free(w);
    g_string_free(c.in, TRUE);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/nodes/session-timeout/goodbyes", test_goodbyes);
    g_test_add_func("/nodes/session-timeout/pending-lockout", test_pending_lockout);
    return g_test_run();
}
