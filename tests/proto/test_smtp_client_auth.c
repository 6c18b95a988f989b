/* SPDX-License-Identifier: MIT
 * Tests for proto/smtp_client AUTH sequencing (RFC 4954 4): AUTH is sent
 * only when the mechanism is advertised, unless force_auth is set (clients
 * configured to always authenticate), which lets a server answer 538 5.7.11
 * before TLS (RFC 4954 6).
 */
#include <string.h>

#include <glib.h>

#include "proto/smtp_client.h"

/* Feeds text, returns every SEND joined and whether an AUTH_STEP query came
 * (answered with an initial response "x"). */
static char *
client_run(SmtpClient *c, const char *text, gboolean *queried)
{
    GString *out = g_string_new(NULL);
    if (text)
        smtp_client_feed(c, (const guint8 *)text, strlen(text));
    SmtpClientAct act;
    while (smtp_client_poll(c, &act)) {
        if (act.kind == SMTP_CLIENT_ACT_SEND) {
            gsize n;
            const char *p = g_bytes_get_data(act.bytes, &n);
            g_string_append_len(out, p, (gssize)n);
        } else if (act.kind == SMTP_CLIENT_ACT_QUERY) {
            *queried = TRUE;
            g_autoptr(GBytes) r = g_bytes_new_static("x", 1);
            smtp_client_answer_auth(c, act.query_id, r, FALSE);
        }
        smtp_client_act_clear(&act);
    }
    return g_string_free(out, FALSE);
}

static const char *const rcpts[] = {"b@b.example", NULL};

static void
run_case(gboolean force, const char *ehlo_reply, gboolean want_auth)
{
    g_autoptr(GBytes) msg = g_bytes_new_static("Subject: x\r\n\r\nhi\r\n", 18);
    SmtpClientConfig cfg = {
        .helo_name = "c.example",
        .reverse_path = "a@a.example",
        .recipients = rcpts,
        .message = msg,
        .auth_mech = "PLAIN",
        .force_auth = force,
        .no_pipelining = TRUE,
    };
    g_autoptr(SmtpClient) c = smtp_client_new(&cfg);
    gboolean queried = FALSE;
    g_autofree char *a = client_run(c, "220 s.example ESMTP\r\n", &queried);
    g_assert_cmpstr(a, ==, "EHLO c.example\r\n");
    g_autofree char *b = client_run(c, ehlo_reply, &queried);
    g_assert_cmpint(queried, ==, want_auth);
    if (want_auth)
        g_assert_cmpstr(b, ==, "AUTH PLAIN eA==\r\n");
    else
        g_assert_cmpstr(b, ==, "MAIL FROM:<a@a.example>\r\n");
}

static void
test_not_offered(void)
{
    run_case(FALSE, "250-s.example\r\n250 8BITMIME\r\n", FALSE);
}

static void
test_offered(void)
{
    run_case(FALSE, "250-s.example\r\n250 AUTH LOGIN PLAIN\r\n", TRUE);
}

static void
test_forced(void)
{
    run_case(TRUE, "250-s.example\r\n250 STARTTLS\r\n", TRUE);
}

/* The 538 answer ends the transaction as a permanent failure at AUTH. */
static void
test_forced_538(void)
{
    g_autoptr(GBytes) msg = g_bytes_new_static("\r\nhi\r\n", 6);
    SmtpClientConfig cfg = {
        .reverse_path = "a@a.example",
        .recipients = rcpts,
        .message = msg,
        .auth_mech = "PLAIN",
        .force_auth = TRUE,
    };
    g_autoptr(SmtpClient) c = smtp_client_new(&cfg);
    gboolean q = FALSE;
    g_free(client_run(c, "220 s ESMTP\r\n250 s\r\n", &q));
    g_assert_true(q);
    const char *r = "538 5.7.11 Encryption required for requested authentication mechanism\r\n";
    smtp_client_feed(c, (const guint8 *)r, strlen(r));
    SmtpClientAct act;
    gboolean done = FALSE;
    while (smtp_client_poll(c, &act)) {
        if (act.kind == SMTP_CLIENT_ACT_DONE) {
            done = TRUE;
            g_assert_cmpint(act.outcome->result, ==, SMTP_CLIENT_RESULT_PERMFAIL);
            g_assert_cmpint(act.outcome->stage, ==, SMTP_CLIENT_STAGE_AUTH);
            g_assert_cmpuint(act.outcome->reply->code, ==, 538);
        }
        smtp_client_act_clear(&act);
    }
    g_assert_true(done);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/smtp-client/auth/not-offered", test_not_offered);
    g_test_add_func("/proto/smtp-client/auth/offered", test_offered);
    g_test_add_func("/proto/smtp-client/auth/forced", test_forced);
    g_test_add_func("/proto/smtp-client/auth/forced-538", test_forced_538);
    return g_test_run();
}
