/* SPDX-License-Identifier: MIT
 * Client <-> server pair tests for proto/smtp_client and proto/smtp_server
 * with no simulator (h11 ConnectionPair): bytes are pumped between the two
 * engines, queries answered in place; the message must arrive byte-identical
 * (RFC 5321 4.5.2 transparency round trip), pipelined and lock-step, with
 * STARTTLS (RFC 3207) and AUTH (RFC 4954) seams exercised.
 */
#include <string.h>

#include <glib.h>

#include "proto/smtp_client.h"
#include "proto/smtp_server.h"

typedef struct {
    SmtpServer *srv;
    SmtpClient *cli;
    GBytes *received; /* message as the server's node saw it */
    char *mail_from;
    GPtrArray *rcpts_seen; /* char* */
    SmtpClientOutcome *outcome;
    GPtrArray *client_sent; /* char* command lines (first line of each SEND) */
    guint server_sends, client_sends;
    gsize chunk;             /* 0: whole writes; else re-chunk every write */
    const char *reject_rcpt; /* RCPT to answer 550 */
    gboolean starttls_seen, authed;
    int auth_steps;
} Pair;

static void
pair_deliver(Pair *p, gboolean to_server, GBytes *b)
{
    gsize n = 0;
    const guint8 *d = g_bytes_get_data(b, &n);
    gsize step = p->chunk ? p->chunk : MAX(n, 1);
    for (gsize off = 0; off < n; off += step) {
        if (to_server)
            smtp_server_feed(p->srv, d + off, MIN(step, n - off));
        else
            smtp_client_feed(p->cli, d + off, MIN(step, n - off));
    }
}

static void
pair_server_query(Pair *p, SmtpServerQuery *q)
{
    if (q->kind == SMTP_SERVER_QUERY_RCPT && p->reject_rcpt &&
        strcmp(q->addr, p->reject_rcpt) == 0) {
        g_autoptr(SmtpReply) r = smtp_reply_new(550, "5.1.1", "<%s>: unknown user", q->addr);
        smtp_server_answer(p->srv, q->id, r);
        return;
    }
    if (q->kind == SMTP_SERVER_QUERY_RCPT)
        g_ptr_array_add(p->rcpts_seen, g_strdup(q->addr));
    if (q->kind == SMTP_SERVER_QUERY_DATA) {
        p->received = g_bytes_ref(q->message);
        p->mail_from = g_strdup(q->mail_from);
        g_autoptr(SmtpReply) r = smtp_reply_new(250, "2.0.0", "Ok: queued as Q1");
        smtp_server_answer(p->srv, q->id, r);
        return;
    }
    if (q->kind == SMTP_SERVER_QUERY_AUTH) {
        g_assert_cmpstr(q->mech, ==, "PLAIN");
        g_assert_nonnull(q->auth_data);
        g_assert_cmpmem(g_bytes_get_data(q->auth_data, NULL), g_bytes_get_size(q->auth_data),
                        "\0test\0secret", 12);
        p->authed = TRUE;
    }
    smtp_server_answer(p->srv, q->id, NULL);
}

/* Runs until both engines are idle; returns TRUE when both closed. */
static void
pair_run(Pair *p)
{
    gboolean progress = TRUE;
    while (progress) {
        progress = FALSE;
        SmtpServerAct sa;
        while (smtp_server_poll(p->srv, &sa)) {
            progress = TRUE;
            if (sa.kind == SMTP_SERVER_ACT_SEND) {
                p->server_sends++;
                pair_deliver(p, FALSE, sa.bytes);
            } else if (sa.kind == SMTP_SERVER_ACT_QUERY) {
                pair_server_query(p, &sa.query);
            } else if (sa.kind == SMTP_SERVER_ACT_STARTTLS) {
                /* Both sides switch "layers" (a no-op pipe here). */
                g_assert_cmpuint(sa.discarded, ==, 0);
                g_assert_cmpuint(smtp_server_starttls_done(p->srv), ==, 0);
                p->starttls_seen = TRUE;
            } else if (sa.kind == SMTP_SERVER_ACT_CLOSE) {
                smtp_client_feed_eof(p->cli);
            }
            smtp_server_act_clear(&sa);
        }
        SmtpClientAct ca;
        while (smtp_client_poll(p->cli, &ca)) {
            progress = TRUE;
            if (ca.kind == SMTP_CLIENT_ACT_SEND) {
                p->client_sends++;
                gsize n = 0;
                const char *d = g_bytes_get_data(ca.bytes, &n);
                const char *nl = memchr(d, '\r', n);
                g_ptr_array_add(p->client_sent, g_strndup(d, nl ? (gsize)(nl - d) : n));
                pair_deliver(p, TRUE, ca.bytes);
            } else if (ca.kind == SMTP_CLIENT_ACT_STARTTLS) {
                smtp_client_starttls_done(p->cli);
            } else if (ca.kind == SMTP_CLIENT_ACT_QUERY) {
                p->auth_steps++;
                g_assert_null(ca.challenge); /* PLAIN: initial response, no challenge */
                g_autoptr(GBytes) resp = g_bytes_new("\0test\0secret", 12);
                smtp_client_answer_auth(p->cli, ca.query_id, resp, FALSE);
            } else if (ca.kind == SMTP_CLIENT_ACT_DONE) {
                g_assert_null(p->outcome);
                p->outcome = g_steal_pointer(&ca.outcome);
            } else if (ca.kind == SMTP_CLIENT_ACT_CLOSE) {
                smtp_server_feed_eof(p->srv);
            }
            smtp_client_act_clear(&ca);
        }
    }
}

static void
pair_clear(Pair *p)
{
    smtp_server_free(p->srv);
    smtp_client_free(p->cli);
    g_clear_pointer(&p->received, g_bytes_unref);
    g_free(p->mail_from);
    g_ptr_array_unref(p->rcpts_seen);
    g_ptr_array_unref(p->client_sent);
    smtp_client_outcome_free(p->outcome);
}

static GBytes *
make_message(void)
{
    GString *m = g_string_new("From: a@c.example\r\nTo: b@mx.example\r\nSubject: pair\r\n\r\n");
    g_string_append(m, ".\r\n..\r\n.leading\r\n\r\n.\r\nlast line without dot\r\n");
    for (int i = 0; i < 50; i++)
        g_string_append_printf(m, "line %d %s\r\n", i, i % 7 == 0 ? "." : "text");
    gsize n = m->len;
    return g_bytes_new_take(g_string_free(m, FALSE), n);
}

static void
pair_init(Pair *p, SmtpServerConfig *scfg, SmtpClientConfig *ccfg, GBytes *msg, gsize chunk)
{
    static const char *const rcpts[] = {"b@mx.example", "x@mx.example", "c@mx.example", NULL};
    memset(p, 0, sizeof *p);
    ccfg->helo_name = "c.example";
    ccfg->reverse_path = "a@c.example";
    ccfg->recipients = rcpts;
    ccfg->message = msg;
    p->srv = smtp_server_new(scfg);
    p->cli = smtp_client_new(ccfg);
    p->rcpts_seen = g_ptr_array_new_with_free_func(g_free);
    p->client_sent = g_ptr_array_new_with_free_func(g_free);
    p->chunk = chunk;
    p->reject_rcpt = "x@mx.example";
}

static void
pair_check_delivered(Pair *p, GBytes *msg)
{
    g_assert_nonnull(p->received);
    g_assert_true(g_bytes_equal(p->received, msg));
    g_assert_cmpstr(p->mail_from, ==, "a@c.example");
    g_assert_cmpuint(p->rcpts_seen->len, ==, 2);
    g_assert_nonnull(p->outcome);
    g_assert_cmpint(p->outcome->result, ==, SMTP_CLIENT_RESULT_DELIVERED);
    g_assert_cmpint(p->outcome->stage, ==, SMTP_CLIENT_STAGE_DOT);
    g_assert_cmpint(p->outcome->rcpt_results[0], ==, SMTP_CLIENT_RESULT_DELIVERED);
    g_assert_cmpint(p->outcome->rcpt_results[1], ==, SMTP_CLIENT_RESULT_PERMFAIL);
    g_assert_cmpuint(p->outcome->rcpt_replies[1]->code, ==, 550);
    g_assert_cmpint(p->outcome->rcpt_results[2], ==, SMTP_CLIENT_RESULT_DELIVERED);
    g_assert_true(smtp_server_is_done(p->srv));
    g_assert_true(smtp_client_is_done(p->cli));
    /* The client said goodbye. */
    g_assert_cmpstr(g_ptr_array_index(p->client_sent, p->client_sent->len - 1), ==, "QUIT");
}

static void
test_pair_pipelined(void)
{
    g_autoptr(GBytes) msg = make_message();
    for (gsize chunk = 0; chunk <= 7; chunk += 1) {
        Pair p;
        SmtpServerConfig scfg = {.hostname = "mx.example"};
        SmtpClientConfig ccfg = {0};
        pair_init(&p, &scfg, &ccfg, msg, chunk);
        pair_run(&p);
        pair_check_delivered(&p, msg);
        /* RFC 2920: MAIL, RCPT x3 and DATA went in one write. */
        gboolean grouped = FALSE;
        for (guint i = 0; i < p.client_sent->len; i++)
            if (g_str_has_prefix(g_ptr_array_index(p.client_sent, i),
                                 "MAIL FROM:<a@c.example> SIZE="))
                grouped = TRUE;
        g_assert_true(grouped);
        g_assert_cmpuint(p.client_sends, ==, 4); /* EHLO, MAIL group, message, QUIT */
        pair_clear(&p);
    }
}

static void
test_pair_lockstep(void)
{
    g_autoptr(GBytes) msg = make_message();
    Pair p;
    SmtpServerConfig scfg = {.hostname = "mx.example",
                             .ext_off = SMTP_EXT_PIPELINING | SMTP_EXT_SIZE};
    SmtpClientConfig ccfg = {0};
    pair_init(&p, &scfg, &ccfg, msg, 0);
    pair_run(&p);
    pair_check_delivered(&p, msg);
    /* EHLO, MAIL, RCPT x3, DATA, message, QUIT: one command per write. */
    g_assert_cmpuint(p.client_sends, ==, 8);
    g_assert_cmpstr(g_ptr_array_index(p.client_sent, 1), ==, "MAIL FROM:<a@c.example>");
    pair_clear(&p);
}

static void
test_pair_starttls_auth(void)
{
    g_autoptr(GBytes) msg = make_message();
    static const char *const mechs[] = {"PLAIN", NULL};
    Pair p;
    SmtpServerConfig scfg = {.hostname = "mx.example",
                             .starttls_offered = TRUE,
                             .auth_mechs = mechs,
                             .auth_requires_tls = TRUE,
                             .auth_required = TRUE};
    SmtpClientConfig ccfg = {.want_starttls = TRUE, .auth_mech = "PLAIN", .require_auth = TRUE};
    pair_init(&p, &scfg, &ccfg, msg, 3);
    pair_run(&p);
    pair_check_delivered(&p, msg);
    g_assert_true(p.starttls_seen);
    g_assert_true(p.authed);
    g_assert_cmpint(p.auth_steps, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(p.client_sent, 1), ==, "STARTTLS");
    g_assert_cmpstr(g_ptr_array_index(p.client_sent, 2), ==, "EHLO c.example");
    g_assert_cmpstr(g_ptr_array_index(p.client_sent, 3), ==, "AUTH PLAIN AHRlc3QAc2VjcmV0");
    pair_clear(&p);
}

static void
test_pair_helo_only(void)
{
    /* A client configured for HELO: no extensions, lock-step, no SIZE. */
    g_autoptr(GBytes) msg = make_message();
    Pair p;
    SmtpServerConfig scfg = {.hostname = "mx.example"};
    SmtpClientConfig ccfg = {.use_helo = TRUE};
    pair_init(&p, &scfg, &ccfg, msg, 1);
    pair_run(&p);
    pair_check_delivered(&p, msg);
    g_assert_cmpstr(g_ptr_array_index(p.client_sent, 1), ==, "MAIL FROM:<a@c.example>");
    pair_clear(&p);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/smtp-pair/pipelined", test_pair_pipelined);
    g_test_add_func("/proto/smtp-pair/lockstep", test_pair_lockstep);
    g_test_add_func("/proto/smtp-pair/starttls-auth", test_pair_starttls_auth);
    g_test_add_func("/proto/smtp-pair/helo-only", test_pair_helo_only);
    return g_test_run();
}
