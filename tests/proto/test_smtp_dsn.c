/* SPDX-License-Identifier: MIT
 * Tests for proto/smtp_dsn (RFC 3461 4 parameters and xtext) and for the
 * DSN parameters between the SMTP client and server engines, with no
 * simulator: passed on when the server advertises DSN, left out when not.
 */
#include <string.h>

#include <glib.h>

#include "proto/smtp_client.h"
#include "proto/smtp_dsn.h"
#include "proto/smtp_path.h"
#include "proto/smtp_server.h"

static void
test_notify(void)
{
    guint n = 0;
    g_assert_true(smtp_dsn_notify_parse("NEVER", &n));
    g_assert_cmpuint(n, ==, SMTP_DSN_NOTIFY_NEVER);
    g_assert_true(smtp_dsn_notify_parse("delay,SUCCESS,Failure", &n));
    g_assert_cmpuint(n, ==,
                     SMTP_DSN_NOTIFY_SUCCESS | SMTP_DSN_NOTIFY_FAILURE | SMTP_DSN_NOTIFY_DELAY);
    g_autofree char *f = smtp_dsn_notify_format(n);
    g_assert_cmpstr(f, ==, "SUCCESS,FAILURE,DELAY"); /* canonical order */
    g_autofree char *empty = smtp_dsn_notify_format(0);
    g_assert_cmpstr(empty, ==, "");
    /* RFC 3461 4.1: NEVER alone; no repeats, empty items or other words. */
    const char *bad[] = {"NEVER,SUCCESS", "SUCCESS,NEVER", "SUCCESS,SUCCESS", "",  "SUCCESS,",
                         ",FAILURE",      "ALWAYS",        "SUCCESS FAILURE", NULL};
    for (guint i = 0; bad[i]; i++) {
        n = 77;
        g_assert_false(smtp_dsn_notify_parse(bad[i], &n));
        g_assert_cmpuint(n, ==, 77);
    }
    g_assert_false(smtp_dsn_notify_parse(NULL, &n));
}

static void
test_ret_envid_orcpt(void)
{
    SmtpDsnRet r = SMTP_DSN_RET_NONE;
    g_assert_true(smtp_dsn_ret_parse("full", &r));
    g_assert_cmpint(r, ==, SMTP_DSN_RET_FULL);
    g_assert_true(smtp_dsn_ret_parse("HDRS", &r));
    g_assert_cmpstr(smtp_dsn_ret_name(r), ==, "HDRS");
    g_assert_false(smtp_dsn_ret_parse("BODY", &r));
    g_assert_false(smtp_dsn_ret_parse(NULL, &r));

    /* RFC 3461 4.4: ENVID is xtext, at most 100 characters. */
    g_autofree char *e = smtp_dsn_envid_parse("QQ314159+2Bx+3D");
    g_assert_cmpstr(e, ==, "QQ314159+x=");
    g_assert_null(smtp_dsn_envid_parse("a+0Ab")); /* decodes to a control character */
    g_assert_null(smtp_dsn_envid_parse("a+G1"));
    g_assert_null(smtp_dsn_envid_parse(""));
    g_autofree char *longid = g_strnfill(101, 'x');
    g_assert_null(smtp_dsn_envid_parse(longid));
    longid[100] = '\0';
    g_autofree char *ok100 = smtp_dsn_envid_parse(longid);
    g_assert_nonnull(ok100);

    /* RFC 3461 4.2: ORCPT=rfc822;xtext. The RFC's own example. */
    g_autofree char *type = NULL, *addr = NULL;
    g_assert_true(smtp_dsn_orcpt_parse("rfc822;Bob@Big-Company.COM", &type, &addr));
    g_assert_cmpstr(type, ==, "rfc822");
    g_assert_cmpstr(addr, ==, "Bob@Big-Company.COM");
    g_autofree char *t2 = NULL, *a2 = NULL;
    g_assert_true(smtp_dsn_orcpt_parse("rfc822;a+2Bb+3Dc@x.example", &t2, &a2));
    g_assert_cmpstr(a2, ==, "a+b=c@x.example");
    char *t3 = NULL, *a3 = NULL;
    g_assert_false(smtp_dsn_orcpt_parse("rfc822", &t3, &a3));
    g_assert_false(smtp_dsn_orcpt_parse(";a@b", &t3, &a3));
    g_assert_false(smtp_dsn_orcpt_parse("rfc822;", &t3, &a3));
    g_assert_false(smtp_dsn_orcpt_parse("rfc 822;a@b", &t3, &a3));
    g_assert_false(smtp_dsn_orcpt_parse("rfc822;a=b", &t3, &a3)); /* '=' must be +3D */
    g_assert_null(t3);
    g_assert_null(a3);
    g_autofree char *f = smtp_dsn_orcpt_format("rfc822", "a+b=c d@x.example");
    g_assert_cmpstr(f, ==, "rfc822;a+2Bb+3Dc+20d@x.example");
}

static void
test_xtext(void)
{
    /* RFC 3461 4: "+" and "=" and octets outside 33..126 are hexchar. */
    const char *samples[] = {"plain",     "a+b",          "k=v", "sp ace",
                             "tab\there", "\x7f\x80\xff", "",    NULL};
    for (guint i = 0; samples[i]; i++) {
        g_autofree char *x = smtp_xtext_encode(samples[i]);
        for (const char *p = x; *p; p++)
            g_assert_true(*p > 32 && *p < 127 && *p != '=');
        g_autofree char *back = smtp_xtext_decode(x);
        g_assert_cmpstr(back, ==, samples[i]);
    }
    g_autofree char *x = smtp_xtext_encode("a+b=c");
    g_assert_cmpstr(x, ==, "a+2Bb+3Dc");
}

/* Runs a client against a server until both are done; answers every query
 * with the default and keeps the DATA query's description. */
static char *
pair_run(SmtpClient *c, SmtpServer *s, GString *client_lines, SmtpClientOutcome **outcome)
{
    char *data_query = NULL;
    for (guint guard = 0; guard < 1000; guard++) {
        gboolean moved = FALSE;
        SmtpServerAct sa = {0};
        while (smtp_server_poll(s, &sa)) {
            moved = TRUE;
            if (sa.kind == SMTP_SERVER_ACT_SEND) {
                gsize n = 0;
                const guint8 *b = g_bytes_get_data(sa.bytes, &n);
                smtp_client_feed(c, b, n);
            } else if (sa.kind == SMTP_SERVER_ACT_QUERY) {
                if (sa.query.kind == SMTP_SERVER_QUERY_DATA) {
                    g_free(data_query);
                    data_query = smtp_server_act_to_string(&sa);
                }
                smtp_server_answer(s, sa.query.id, NULL);
            }
            smtp_server_act_clear(&sa);
        }
        SmtpClientAct ca = {0};
        while (smtp_client_poll(c, &ca)) {
            moved = TRUE;
            if (ca.kind == SMTP_CLIENT_ACT_SEND) {
                gsize n = 0;
                const guint8 *b = g_bytes_get_data(ca.bytes, &n);
                g_string_append_len(client_lines, (const char *)b, (gssize)n);
                smtp_server_feed(s, b, n);
            } else if (ca.kind == SMTP_CLIENT_ACT_DONE) {
                *outcome = g_steal_pointer(&ca.outcome);
            }
            smtp_client_act_clear(&ca);
        }
        if (!moved)
            break;
    }
    return data_query;
}

static void
test_pair(gconstpointer offered)
{
    SmtpServerConfig scfg = {.hostname = "mx.example", .dsn_offered = GPOINTER_TO_INT(offered)};
    g_autoptr(SmtpServer) s = smtp_server_new(&scfg);
    const char *rcpts[] = {"bob@mx.example", "carol@mx.example", NULL};
    const guint notify[] = {SMTP_DSN_NOTIFY_SUCCESS | SMTP_DSN_NOTIFY_FAILURE,
                            SMTP_DSN_NOTIFY_NEVER};
    const char *orcpt[] = {"rfc822;bob+old@x.example", NULL};
    g_autoptr(GBytes) msg = g_bytes_new_static("Subject: x\r\n\r\nhi\r\n", 18);
    SmtpClientConfig ccfg = {
        .helo_name = "c.example",
        .reverse_path = "alice@c.example",
        .recipients = rcpts,
        .message = msg,
        .dsn_ret = SMTP_DSN_RET_HDRS,
        .dsn_envid = "id=1",
        .rcpt_notify = notify,
        .rcpt_orcpt = orcpt,
    };
    g_autoptr(SmtpClient) c = smtp_client_new(&ccfg);
    g_autoptr(GString) lines = g_string_new(NULL);
    g_autoptr(SmtpClientOutcome) o = NULL;
    g_autofree char *q = pair_run(c, s, lines, &o);
    g_assert_nonnull(o);
    g_assert_cmpint(o->result, ==, SMTP_CLIENT_RESULT_DELIVERED);
    g_assert_nonnull(q);
    if (GPOINTER_TO_INT(offered)) {
        g_assert_true(o->dsn_offered);
        g_assert_nonnull(
            strstr(lines->str, "MAIL FROM:<alice@c.example> SIZE=18 RET=HDRS ENVID=id+3D1\r\n"));
        g_assert_nonnull(strstr(lines->str, "RCPT TO:<bob@mx.example> NOTIFY=SUCCESS,FAILURE "
                                            "ORCPT=rfc822;bob+2Bold@x.example\r\n"));
        g_assert_nonnull(strstr(lines->str, "RCPT TO:<carol@mx.example> NOTIFY=NEVER\r\n"));
        g_assert_nonnull(
            strstr(q, " ret=HDRS envid=id=1 dsn=SUCCESS,FAILURE/rfc822;bob+old@x.example|NEVER/ "));
    } else {
        /* RFC 3461 4: not offered, not sent; the MTA must then report itself. */
        g_assert_false(o->dsn_offered);
        g_assert_null(strstr(lines->str, "NOTIFY"));
        g_assert_null(strstr(lines->str, "RET="));
        g_assert_null(strstr(lines->str, "ENVID"));
        g_assert_null(strstr(q, "dsn="));
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/smtp-dsn/notify", test_notify);
    g_test_add_func("/proto/smtp-dsn/ret-envid-orcpt", test_ret_envid_orcpt);
    g_test_add_func("/proto/smtp-dsn/xtext", test_xtext);
    g_test_add_data_func("/proto/smtp-dsn/pair/offered", GINT_TO_POINTER(1), test_pair);
    g_test_add_data_func("/proto/smtp-dsn/pair/not-offered", GINT_TO_POINTER(0), test_pair);
    return g_test_run();
}
