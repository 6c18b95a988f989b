/* SPDX-License-Identifier: MIT
 * Tests for the fixed replies the SMTP engines share by reference
 * (proto/smtp_server.c smtp_server_reply_static(), proto/smtp_client.c QUIT):
 * each SEND action holds its own reference, so bytes taken from one session
 * stay valid and unchanged after the engine is reused or freed, and an
 * engine reused with another configuration picks the wire form of that
 * configuration (RFC 2034 3: enhanced codes only when advertised). Also
 * smtp_server_act_clear(), which clears the acts those bytes come in.
 */
#include <string.h>

#include <glib.h>

#include "proto/smtp_client.h"
#include "proto/smtp_server.h"

/* Feeds text, answers every query with the default answer, and returns the
 * SEND actions' bytes (transfer full) in order. */
static GPtrArray *
server_run(SmtpServer *srv, const char *text)
{
    GPtrArray *sent = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    smtp_server_feed(srv, (const guint8 *)text, strlen(text));
    gboolean progress = TRUE;
    while (progress) {
        progress = FALSE;
        SmtpServerAct act;
        while (smtp_server_poll(srv, &act)) {
            if (act.kind == SMTP_SERVER_ACT_SEND)
                g_ptr_array_add(sent, g_steal_pointer(&act.bytes));
            guint32 query = act.kind == SMTP_SERVER_ACT_QUERY ? act.query.id : 0;
            smtp_server_act_clear(&act);
            if (query != 0) {
                smtp_server_answer(srv, query, NULL);
                progress = TRUE;
            }
        }
    }
    return sent;
}

static gboolean
bytes_is(GBytes *b, const char *text)
{
    gsize n = 0;
    const char *d = g_bytes_get_data(b, &n);
    return n == strlen(text) && memcmp(d, text, n) == 0;
}

static const char dialogue[] = "EHLO c.example\r\n"
                               "MAIL FROM:<a@a.example>\r\n"
                               "RCPT TO:<b@b.example>\r\n"
                               "DATA\r\n"
                               "Subject: x\r\n\r\nbody\r\n.\r\n"
                               "MAIL FROM:<a@a.example>\r\n"
                               "RCPT TO:<b@b.example>\r\n"
                               "QUIT\r\n";

/* RFC 5321 4.2 / 4.3.2 replies of the dialogue: greeting, EHLO (skipped),
 * then MAIL, RCPT, DATA, end of data, MAIL, RCPT, QUIT. */
static void
check_replies(GPtrArray *sent, gboolean enhanced)
{
    g_assert_cmpuint(sent->len, ==, 9);
    const char *const want_enh[] = {
        "250 2.1.0 Ok\r\n",         "250 2.1.5 Ok\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n",
        "250 2.0.0 Ok: queued\r\n", "250 2.1.0 Ok\r\n", "250 2.1.5 Ok\r\n",
        "221 2.0.0 Bye\r\n"};
    const char *const want_plain[] = {
        "250 Ok\r\n",         "250 Ok\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n",
        "250 Ok: queued\r\n", "250 Ok\r\n", "250 Ok\r\n",
        "221 Bye\r\n"};
    for (guint i = 0; i < 7; i++)
        g_assert_true(
            bytes_is(g_ptr_array_index(sent, i + 2), enhanced ? want_enh[i] : want_plain[i]));
}

static void
test_server_fixed_shared(void)
{
    SmtpServerConfig cfg = {.hostname = "mx.example", .greeting = "ESMTP"};
    SmtpServer *srv = smtp_server_new(&cfg);
    g_autoptr(GPtrArray) first = server_run(srv, dialogue);
    check_replies(first, TRUE);
    /* The same fixed reply twice in one session: one shared block. */
    g_assert_true(g_ptr_array_index(first, 2) == g_ptr_array_index(first, 6));
    g_assert_true(g_ptr_array_index(first, 3) == g_ptr_array_index(first, 7));

    /* Reused without enhanced codes: the plain wire forms, as a new engine. */
    SmtpServerConfig plain = cfg;
    plain.ext_off = SMTP_EXT_ENHANCEDSTATUSCODES;
    smtp_server_reuse(srv, &plain);
    g_autoptr(GPtrArray) second = server_run(srv, dialogue);
    check_replies(second, FALSE);
    SmtpServer *fresh = smtp_server_new(&plain);
    g_autoptr(GPtrArray) third = server_run(fresh, dialogue);
    g_assert_cmpuint(second->len, ==, third->len);
    for (guint i = 0; i < second->len; i++)
        g_assert_true(g_bytes_equal(g_ptr_array_index(second, i), g_ptr_array_index(third, i)));
    smtp_server_free(fresh);

    /* Reused with them again: the first session's shared bytes come back. */
    smtp_server_reuse(srv, &cfg);
    g_autoptr(GPtrArray) fourth = server_run(srv, dialogue);
    check_replies(fourth, TRUE);
    g_assert_true(g_ptr_array_index(fourth, 2) == g_ptr_array_index(first, 2));

    /* Bytes taken out of the engine outlive it. */
    smtp_server_free(srv);
    check_replies(first, TRUE);
    check_replies(fourth, TRUE);
}

/* Runs a client against scripted replies; returns the SEND bytes. */
static GPtrArray *
client_run(SmtpClient *c)
{
    static const char *const replies[] = {
        "220 mx.example ESMTP\r\n", "250 mx.example\r\n", "250 Ok\r\n", "250 Ok\r\n", "354 go\r\n",
        "250 Ok: queued\r\n",       "221 Bye\r\n",
    };
    GPtrArray *sent = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    for (guint i = 0; i <= G_N_ELEMENTS(replies); i++) {
        SmtpClientAct act;
        while (smtp_client_poll(c, &act)) {
            if (act.kind == SMTP_CLIENT_ACT_SEND)
                g_ptr_array_add(sent, g_steal_pointer(&act.bytes));
            smtp_client_act_clear(&act);
        }
        if (i < G_N_ELEMENTS(replies))
            smtp_client_feed(c, (const guint8 *)replies[i], strlen(replies[i]));
    }
    return sent;
}

static void
test_client_quit_shared(void)
{
    const char *const rcpts[] = {"b@b.example", NULL};
    g_autoptr(GBytes) msg = g_bytes_new_static("Subject: x\r\n\r\nbody\r\n", 20);
    SmtpClientConfig cfg = {.helo_name = "c.example",
                            .reverse_path = "a@a.example",
                            .recipients = rcpts,
                            .message = msg};
    SmtpClient *c = smtp_client_new(&cfg);
    g_autoptr(GPtrArray) first = client_run(c);
    g_assert_cmpuint(first->len, >=, 1);
    GBytes *quit1 = g_ptr_array_index(first, first->len - 1);
    g_assert_true(bytes_is(quit1, "QUIT\r\n"));

    /* Reused, the engine builds its commands in the buffer it kept: every
     * SEND is the same as a new engine's. */
    smtp_client_reuse(c, &cfg);
    g_autoptr(GPtrArray) second = client_run(c);
    SmtpClient *fresh = smtp_client_new(&cfg);
    g_autoptr(GPtrArray) third = client_run(fresh);
    smtp_client_free(fresh);
    g_assert_cmpuint(second->len, ==, first->len);
    g_assert_cmpuint(third->len, ==, first->len);
    for (guint i = 0; i < first->len; i++) {
        g_assert_true(g_bytes_equal(g_ptr_array_index(first, i), g_ptr_array_index(second, i)));
        g_assert_true(g_bytes_equal(g_ptr_array_index(third, i), g_ptr_array_index(second, i)));
    }
    /* The reused engine sends the same shared QUIT, which outlives it. */
    g_assert_true(g_ptr_array_index(second, second->len - 1) == quit1);
    smtp_client_free(c);
    g_assert_true(bytes_is(quit1, "QUIT\r\n"));
}

/* smtp_server_act_clear() leaves every act zero, whatever its kind (a SEND
 * is cleared without touching its zero query). */
static void
test_server_act_clear_zero(void)
{
    SmtpServerConfig cfg = {.hostname = "mx.example", .greeting = "ESMTP", .dsn_offered = TRUE};
    SmtpServer *srv = smtp_server_new(&cfg);
    static const char text[] = "EHLO c.example\r\n"
                               "MAIL FROM:<a@a.example> RET=HDRS ENVID=e1\r\n"
                               "RCPT TO:<b@b.example> NOTIFY=NEVER ORCPT=rfc822;b@b.example\r\n"
                               "DATA\r\nSubject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n";
    smtp_server_feed(srv, (const guint8 *)text, sizeof text - 1);
    static const SmtpServerAct zero;
    guint kinds = 0;
    gboolean progress = TRUE;
    while (progress) {
        progress = FALSE;
        SmtpServerAct act;
        while (smtp_server_poll(srv, &act)) {
            kinds |= 1u << act.kind;
            guint32 query = act.kind == SMTP_SERVER_ACT_QUERY ? act.query.id : 0;
            smtp_server_act_clear(&act);
            g_assert_cmpmem(&act, sizeof act, &zero, sizeof zero);
            if (query != 0) {
                smtp_server_answer(srv, query, NULL);
                progress = TRUE;
            }
        }
    }
    g_assert_true(kinds & (1u << SMTP_SERVER_ACT_SEND));
    g_assert_true(kinds & (1u << SMTP_SERVER_ACT_QUERY));
    g_assert_true(kinds & (1u << SMTP_SERVER_ACT_CLOSE));
    smtp_server_free(srv);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/smtp_fixed_bytes/server_shared", test_server_fixed_shared);
    g_test_add_func("/proto/smtp_fixed_bytes/client_quit_shared", test_client_quit_shared);
    g_test_add_func("/proto/smtp_fixed_bytes/server_act_clear_zero", test_server_act_clear_zero);
    return g_test_run();
}
