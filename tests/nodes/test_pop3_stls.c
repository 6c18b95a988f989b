/* SPDX-License-Identifier: MIT
 * Tests for STLS in nodes/pop3_session (RFC 2595 section 4) and for the
 * copies ledger (nodes/copies.h), on a hand-built world: a store at a TLS
 * server level, one client driven directly so that APOP, a wrong peer
 * name and the client levels can be chosen; the ledger's hold/release
 * counting, its end-of-run view and the copies_at / held_by checks.
 */
#include <string.h>

#include <glib.h>

#include "nodes/copies_private.h"
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
    gboolean done, ok;
    guint retrieved;
    char *reason;
    gboolean tls_up;
} Fixture;

/* data: the store's tls.server level (a SpecTlsLevel). */
static void
fixture_set_up(Fixture *f, gconstpointer data)
{
    f->spec = world_spec_new();
    test_spec_add_node(f->spec, SPEC_ROLE_MSA, "msa", "192.0.2.2");
    NodeSpec *ms = test_spec_add_pop3_pair(f->spec, TEST_USER, TEST_SECRET);
    ms->tls.server = (SpecTlsLevel)GPOINTER_TO_INT(data);
    f->trace = g_string_new(NULL);
    SimTrace *tr = sim_trace_new();
    sim_trace_add_jsonl_string(tr, f->trace);
    g_autoptr(GError) error = NULL;
    f->w = world_new(f->spec, tr, FALSE, 0, &error);
    g_assert_no_error(error);
    GPtrArray *box = ms_node_mailbox(world_node(f->w, "ms"), TEST_USER);
    g_assert_nonnull(box);
    static const char text[] = "Subject: hi\r\n\r\nbody\r\n";
    g_autoptr(GBytes) bytes = g_bytes_new_static(text, strlen(text));
    g_assert_nonnull(ms_node_store(world_node(f->w, "ms"), TEST_USER, "Q1.1", "m1", bytes, &error));
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
    world_free(f->w);
    world_spec_free(f->spec);
    g_string_free(f->trace, TRUE);
    g_free(f->reason);
}

static void
on_done(Pop3ClientSession *cs, gboolean ok, guint retrieved, guint deleted, const char *reason,
        gpointer user_data)
{
    Fixture *f = user_data;
    g_assert_false(f->done);
    f->done = TRUE;
    f->ok = ok;
    f->retrieved = retrieved;
    f->reason = g_strdup(reason);
    f->tls_up = pop3_client_session_is_tls(cs);
}

static const Pop3ClientCallbacks callbacks = {.on_done = on_done};

/* Fetches as bob-pc at level, naming the store peer_name (SNI and the name
 * to verify). */
static void
fetch(Fixture *f, SpecTlsLevel level, const char *peer_name, gboolean apop)
{
    Pop3ClientConfig cfg = {
        .user = TEST_USER,
        .password = TEST_SECRET,
        .use_apop = apop,
        .keep = TRUE,
        .want_stls = level >= SPEC_TLS_MAY,
        .require_stls = level >= SPEC_TLS_ENCRYPT,
    };
    Node *pc = world_node(f->w, "bob-pc");
    Pop3ClientSession *cs =
        pop3_client_session_start(pc, "192.0.2.3", 110, peer_name, &cfg, &callbacks, f);
    pop3_client_session_set_tls_level(cs, level);
    world_run(f->w, SIM_TIME_NEVER, NULL, NULL);
    g_assert_true(f->done);
}

/* The lines the store traced as pop3.cmd, joined with '|'. */
static char *
commands(Fixture *f)
{
    GString *s = g_string_new(NULL);
    g_auto(GStrv) lines = g_strsplit(f->trace->str, "\n", -1);
    for (char **l = lines; *l; l++) {
        if (strstr(*l, "\"ev\":\"pop3.cmd\"") == NULL)
            continue;
        const char *p = strstr(*l, "\"line\":\"");
        g_assert_nonnull(p);
        p += 8;
        const char *e = strchr(p, '"');
        g_string_append_len(s, p, e - p);
        g_string_append_c(s, '|');
    }
    return g_string_free(s, FALSE);
}

/* APOP after STLS: CAPA is asked again, the APOP line is hidden. */
static void
test_apop_under_tls(Fixture *f, gconstpointer data)
{
    fetch(f, SPEC_TLS_ENCRYPT, "ms", TRUE);
    g_assert_true(f->ok);
    g_assert_true(f->tls_up);
    g_assert_cmpuint(f->retrieved, ==, 1);
    g_autofree char *cmds = commands(f);
    g_assert_true(g_str_has_prefix(cmds, "CAPA|STLS|CAPA|(credentials)|"));
    g_assert_null(strstr(f->trace->str, "APOP bob"));
    g_assert_nonnull(
        strstr(f->trace->str, "\"mech\":\"APOP\",\"user\":\"bob@example.com\",\"ok\":true"));
    g_assert_nonnull(strstr(f->trace->str, "\"ev\":\"tls.handshake\",\"node\":\"ms\""));
    g_assert_nonnull(strstr(f->trace->str, "\"ev\":\"tls.handshake\",\"node\":\"bob-pc\""));
}

/* RFC 2595 2.4: at verify the certificate must name the server; it names
 * "ms", not "mail.example.com". encrypt accepts the same certificate. */
static void
test_verify_name(Fixture *f, gconstpointer data)
{
    fetch(f, SPEC_TLS_VERIFY, "mail.example.com", FALSE);
    g_assert_false(f->ok);
    g_assert_cmpuint(f->retrieved, ==, 0);
    g_assert_nonnull(f->reason);
    g_assert_true(
        g_str_has_prefix(f->reason, "TLS with mail.example.com: certificate not verified"));
    g_assert_null(strstr(f->trace->str, "USER bob"));
    g_assert_nonnull(strstr(f->trace->str, "\"verified\":false"));
}

static void
test_encrypt_any_name(Fixture *f, gconstpointer data)
{
    fetch(f, SPEC_TLS_ENCRYPT, "mail.example.com", FALSE);
    g_assert_true(f->ok);
    g_assert_cmpuint(f->retrieved, ==, 1);
}

static void
test_verify_ok(Fixture *f, gconstpointer data)
{
    fetch(f, SPEC_TLS_VERIFY, "ms", FALSE);
    g_assert_true(f->ok);
    g_assert_true(f->tls_up);
    g_assert_nonnull(strstr(f->trace->str, "\"verified\":true"));
}

/* A store without TLS: encrypt quits before USER, may goes on in clear. */
static void
test_no_stls(Fixture *f, gconstpointer data)
{
    fetch(f, SPEC_TLS_ENCRYPT, "ms", FALSE);
    g_assert_false(f->ok);
    g_assert_cmpstr(f->reason, ==, "STLS not offered");
    g_autofree char *cmds = commands(f);
    g_assert_cmpstr(cmds, ==, "CAPA|QUIT|");
}

static void
test_no_stls_may(Fixture *f, gconstpointer data)
{
    fetch(f, SPEC_TLS_MAY, "ms", FALSE);
    g_assert_true(f->ok);
    g_assert_false(f->tls_up);
    g_autofree char *cmds = commands(f);
    g_assert_true(g_str_has_prefix(cmds, "CAPA|USER bob@example.com|PASS tanstaaf|"));
}

/* A store at encrypt: USER in clear is refused, nothing retrieved. */
static void
test_store_encrypt(Fixture *f, gconstpointer data)
{
    fetch(f, SPEC_TLS_NONE, "ms", FALSE);
    g_assert_false(f->ok);
    g_assert_cmpuint(f->retrieved, ==, 0);
    g_assert_nonnull(strstr(f->reason, "USER not allowed before STLS"));
}

/* A raw client pipelines "STLS\r\nUSER mallory\r\n" and then sends no
 * TLS at all. RFC 2595 section 4 (the CVE-2011-0411 class): the USER
 * line is dropped and counted, never read as a command; the handshake
 * fails and the session ends. */
typedef struct {
    int greeted;
    gboolean closed;
} RawClient;

static void
raw_on_data(SimStream *s, GBytes *data, gpointer user_data)
{
    RawClient *rc = user_data;
    if (rc->greeted++ == 0) {
        static const char in[] = "STLS\r\nUSER mallory\r\n";
        sim_stream_write_data(s, in, strlen(in));
    } else if (rc->greeted == 2) {
        static const char junk[] = "not a TLS ClientHello\r\n";
        sim_stream_write_data(s, junk, strlen(junk));
    }
}

static void
raw_on_end(SimStream *s, gpointer user_data)
{
    RawClient *rc = user_data;
    if (!rc->closed) {
        rc->closed = TRUE;
        sim_stream_close(s);
    }
}

static void
raw_on_reset(SimStream *s, gpointer user_data)
{
    ((RawClient *)user_data)->closed = TRUE;
}

static const SimStreamHandler raw_handler = {
    .on_data = raw_on_data,
    .on_eof = raw_on_end,
    .on_reset = raw_on_reset,
};

static void
test_stls_leftover(Fixture *f, gconstpointer data)
{
    RawClient rc = {0};
    Node *pc = world_node(f->w, "bob-pc");
    sim_net_connect(world_net(f->w), pc->host, "192.0.2.3", 110, &raw_handler, &rc);
    world_run(f->w, SIM_TIME_NEVER, NULL, NULL);
    g_assert_true(rc.closed);
    g_autofree char *cmds = commands(f);
    g_assert_cmpstr(cmds, ==, "STLS|");
    g_assert_nonnull(strstr(f->trace->str, "\"ev\":\"tls.handshake\",\"node\":\"ms\""));
    g_assert_nonnull(strstr(f->trace->str, "\"result\":\"failed\""));
    g_assert_nonnull(strstr(f->trace->str, "\"discarded\":14"));
    g_assert_null(strstr(f->trace->str, "mallory"));
}

/* ---- the copies ledger ---- */

static ExpectSpec *
expect_held(const char *msg, const char *node, const char *kind, gboolean present)
{
    ExpectSpec *e = expect_spec_new(SPEC_EXPECT_HELD_BY);
    e->message = g_strdup(msg);
    e->held_by = g_strdup(node);
    e->copy_kind = g_strdup(kind);
    e->present = present;
    return e;
}

static void
test_ledger(Fixture *f, gconstpointer data)
{
    World *w = f->w;
    copies_hold(w, "m1", "ms", COPY_KIND_MAILBOX, "a@x");
    copies_hold(w, "m1", "ms", COPY_KIND_MAILBOX, "a@x"); /* two deliveries */
    copies_hold(w, "m1", "arch", COPY_KIND_BACKUP, "a@x");
    copies_hold(w, "m2", "mx", COPY_KIND_QUEUE, "Q1");
    copies_release(w, "m1", "ms", COPY_KIND_MAILBOX, "a@x", "deleted");
    copies_release(w, "m2", "mx", COPY_KIND_QUEUE, "Q1", "relayed");
    copies_release(w, "m2", "mx", COPY_KIND_QUEUE, "Q1", "again"); /* not held: ignored */
    copies_release(w, "m9", "mx", COPY_KIND_QUEUE, "Q9", "never"); /* unknown: ignored */
    g_auto(GStrv) n1 = world_copies_nodes(w, "m1");
    const char *want1[] = {"arch", "ms", NULL};
    g_assert_true(g_strv_equal((const char *const *)n1, want1));
    g_auto(GStrv) n2 = world_copies_nodes(w, "m2");
    g_assert_null(n2[0]);
    g_autoptr(GPtrArray) msgs = world_copies_messages(w);
    g_assert_cmpuint(msgs->len, ==, 2);
    g_assert_cmpstr(msgs->pdata[0], ==, "m1");
    /* One copy of the two deliveries is left; the second release goes. */
    copies_release(w, "m1", "ms", COPY_KIND_MAILBOX, "a@x", "deleted");
    g_auto(GStrv) n3 = world_copies_nodes(w, "m1");
    const char *want3[] = {"arch", NULL};
    g_assert_true(g_strv_equal((const char *const *)n3, want3));
    g_assert_null(strstr(f->trace->str, "\"reason\":\"again\""));
    g_assert_nonnull(strstr(
        f->trace->str, "\"ev\":\"copy.gone\",\"node\":\"mx\",\"msg\":\"m2\",\"kind\":\"queue\","
                       "\"where\":\"Q1\",\"reason\":\"relayed\""));
    /* The expectations. */
    g_autoptr(ExpectSpec) e1 = expect_held("m1", "arch", "backup", TRUE);
    g_autoptr(ExpectResult) r1 = copies_check(w, e1);
    g_assert_true(r1->held);
    g_autoptr(ExpectSpec) e2 = expect_held("m1", "arch", "mailbox", TRUE);
    g_autoptr(ExpectResult) r2 = copies_check(w, e2);
    g_assert_false(r2->held);
    g_assert_cmpstr(r2->actual, ==, "arch (backup a@x)");
    g_autoptr(ExpectSpec) e3 = expect_held("m1", "ms", NULL, FALSE);
    g_autoptr(ExpectResult) r3 = copies_check(w, e3);
    g_assert_true(r3->held);
    g_autoptr(ExpectSpec) e4 = expect_spec_new(SPEC_EXPECT_COPIES_AT);
    e4->message = g_strdup("m2");
    e4->copies_at = g_new0(char *, 1);
    g_autoptr(ExpectResult) r4 = copies_check(w, e4);
    g_assert_true(r4->held);
    g_assert_cmpstr(r4->actual, ==, "no copy left anywhere");
    g_autoptr(ExpectSpec) e5 = expect_spec_new(SPEC_EXPECT_COPIES_AT);
    e5->message = g_strdup("m1");
    e5->copies_at = g_strsplit("ms,arch", ",", -1);
    g_autoptr(ExpectResult) r5 = copies_check(w, e5);
    g_assert_false(r5->held);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    gconstpointer may = GINT_TO_POINTER(SPEC_TLS_MAY);
    gconstpointer none = GINT_TO_POINTER(SPEC_TLS_NONE);
    gconstpointer enc = GINT_TO_POINTER(SPEC_TLS_ENCRYPT);
#define ADD(path, data, fn) g_test_add(path, Fixture, data, fixture_set_up, fn, fixture_tear_down)
    ADD("/nodes/pop3-stls/apop-under-tls", may, test_apop_under_tls);
    ADD("/nodes/pop3-stls/verify-name", may, test_verify_name);
    ADD("/nodes/pop3-stls/encrypt-any-name", may, test_encrypt_any_name);
    ADD("/nodes/pop3-stls/verify-ok", may, test_verify_ok);
    ADD("/nodes/pop3-stls/no-stls", none, test_no_stls);
    ADD("/nodes/pop3-stls/no-stls-may", none, test_no_stls_may);
    ADD("/nodes/pop3-stls/store-encrypt", enc, test_store_encrypt);
    ADD("/nodes/pop3-stls/leftover", may, test_stls_leftover);
    ADD("/nodes/copies/ledger", none, test_ledger);
#undef ADD
    return g_test_run();
}
