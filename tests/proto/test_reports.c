/* SPDX-License-Identifier: MIT
 * Tests for the report formats: proto/dsn (RFC 3464 delivery status
 * notifications, with the RFC 3461 additions: Original-Envelope-Id,
 * Original-Recipient, RET=FULL) and proto/mdn (RFC 8098 disposition
 * notifications and the request fields).
 */
#include <string.h>

#include <glib.h>

#include "proto/dsn.h"
#include "proto/mdn.h"
#include "proto/message.h"

static const char original[] =
    "From: alice@polito.it\r\nTo: bob@example.com\r\n"
    "Subject: Track me\r\nMessage-ID: <1@polito.it>\r\n\r\nSecret body.\r\n";

static char *
bytes_str(GBytes *b)
{
    gsize n = 0;
    const char *p = g_bytes_get_data(b, &n);
    return g_strndup(p, n);
}

static GBytes *
dsn_with(const char *action, gboolean full, const char *orcpt)
{
    g_autoptr(GBytes) orig = g_bytes_new_static(original, sizeof original - 1);
    DsnRecipient r = {
        .address = "bob@example.com",
        .action = action,
        .status = strcmp(action, "failed") == 0 ? "5.1.1" : "2.0.0",
        .remote_mta = "ms.example.com",
        .diagnostic = "250 2.0.0 Ok",
        .original_recipient = orcpt,
    };
    DsnInfo info = {
        .reporting_mta = "mx.example.com",
        .from = "MAILER-DAEMON@mx.example.com",
        .to = "alice@polito.it",
        .message_id = "<r1@mx.example.com>",
        .boundary = "B1",
        .date_unix = 1767225601,
        .arrival_unix = 1767225600,
        .rcpts = &r,
        .n_rcpts = 1,
        .original = orig,
        .envid = "QQ314159",
        .return_full = full,
    };
    return dsn_build(&info);
}

static void
test_dsn_success(void)
{
    g_autoptr(GBytes) d = dsn_with("delivered", FALSE, "rfc822;Bob@Old.example");
    g_autofree char *s = bytes_str(d);
    g_assert_nonnull(strstr(s, "Subject: Successful Mail Delivery Report\r\n"));
    g_assert_nonnull(strstr(s, "report-type=delivery-status"));
    /* RFC 3464 2.2.1, 2.3.1: per-message then per-recipient fields. */
    g_assert_nonnull(strstr(s, "\r\nOriginal-Envelope-Id: QQ314159\r\n"));
    g_assert_nonnull(strstr(s, "\r\n\r\nOriginal-Recipient: rfc822; Bob@Old.example\r\n"
                               "Final-Recipient: rfc822; bob@example.com\r\nAction: delivered\r\n"
                               "Status: 2.0.0\r\n"));
    /* Headers only, never the body, in a success report. */
    g_assert_nonnull(strstr(s, "Content-Type: text/rfc822-headers"));
    g_assert_null(strstr(s, "Secret body."));
    /* It parses as a message whose report has three parts. */
    g_autoptr(MailMessage) m = mail_message_parse_bytes(d, NULL);
    g_assert_cmpstr(mail_message_get(m, "To"), ==, "<alice@polito.it>");
    g_autoptr(GBytes) r = dsn_with("relayed", FALSE, NULL);
    g_autofree char *rs = bytes_str(r);
    g_assert_nonnull(strstr(rs, "Action: relayed\r\n"));
    g_assert_null(strstr(rs, "Original-Recipient"));
}

static void
test_dsn_ret_full(void)
{
    /* RFC 3461 4.3: RET=FULL returns the whole message. */
    g_autoptr(GBytes) d = dsn_with("failed", TRUE, NULL);
    g_autofree char *s = bytes_str(d);
    g_assert_nonnull(strstr(s, "Subject: Undelivered Mail Returned to Sender\r\n"));
    g_assert_nonnull(strstr(s, "Content-Type: message/rfc822\r\n\r\nFrom: alice@polito.it"));
    g_assert_nonnull(strstr(s, "Secret body.\r\n\r\n--B1--\r\n"));
    g_autoptr(GBytes) h = dsn_with("failed", FALSE, NULL);
    g_autofree char *hs = bytes_str(h);
    g_assert_null(strstr(hs, "Secret body."));
}

static void
test_mdn_request(void)
{
    const char *dnt = "From: a@x.example\r\nDisposition-Notification-To: \"A\" <r@x.example>\r\n"
                      "Return-Receipt-To: old@x.example\r\n\r\n";
    g_autoptr(MailMessage) m = mail_message_parse((const guint8 *)dnt, strlen(dnt), NULL);
    g_autofree char *addr = NULL;
    g_assert_cmpint(mdn_request(m, &addr), ==, MDN_REQUEST_DNT);
    g_assert_cmpstr(addr, ==, "r@x.example");
    const char *rrt = "From: a@x.example\r\nReturn-Receipt-To: old@x.example\r\n\r\n";
    g_autoptr(MailMessage) m2 = mail_message_parse((const guint8 *)rrt, strlen(rrt), NULL);
    g_autofree char *a2 = NULL;
    g_assert_cmpint(mdn_request(m2, &a2), ==, MDN_REQUEST_LEGACY);
    g_assert_cmpstr(a2, ==, "old@x.example");
    /* A report never asks for a report (RFC 8098 2.1). */
    const char *rep = "From: a@x.example\r\nDisposition-Notification-To: r@x.example\r\n"
                      "Content-Type: multipart/report; report-type=disposition-notification;"
                      " boundary=x\r\n\r\n";
    g_autoptr(MailMessage) m3 = mail_message_parse((const guint8 *)rep, strlen(rep), NULL);
    g_autofree char *a3 = NULL;
    g_assert_true(mdn_is_report(m3));
    g_assert_cmpint(mdn_request(m3, &a3), ==, MDN_REQUEST_NONE);
    g_assert_null(a3);
    g_autoptr(MailMessage) m4 = mail_message_parse((const guint8 *)"From: a@b\r\n\r\n", 13, NULL);
    g_autofree char *a4 = NULL;
    g_assert_cmpint(mdn_request(m4, &a4), ==, MDN_REQUEST_NONE);
}

static void
test_mdn_build(gconstpointer manual)
{
    g_autoptr(GBytes) orig = g_bytes_new_static(original, sizeof original - 1);
    MdnInfo info = {
        .reporting_ua = "bob-pc; mhs",
        .from = "bob@example.com",
        .to = "alice@polito.it",
        .message_id = "<m1@example.com>",
        .boundary = "Q1",
        .date_unix = 1767225630,
        .final_recipient = "bob@example.com",
        .original_message_id = "<1@polito.it>",
        .original_subject = "Track me",
        .manual = GPOINTER_TO_INT(manual),
        .original = orig,
    };
    g_autoptr(GBytes) b = mdn_build(&info);
    g_autofree char *s = bytes_str(b);
    /* RFC 8098 3: multipart/report with the three parts. */
    g_assert_nonnull(strstr(s, "Content-Type: multipart/report; "
                               "report-type=disposition-notification;\r\n\tboundary=\"Q1\"\r\n"));
    g_assert_nonnull(strstr(s, "--Q1\r\nContent-Type: message/disposition-notification\r\n\r\n"
                               "Reporting-UA: bob-pc; mhs\r\n"
                               "Final-Recipient: rfc822; bob@example.com\r\n"
                               "Original-Message-ID: <1@polito.it>\r\n"));
    const char *disp = GPOINTER_TO_INT(manual)
                           ? "Disposition: manual-action/MDN-sent-manually; displayed\r\n"
                           : "Disposition: automatic-action/MDN-sent-automatically; displayed\r\n";
    g_assert_nonnull(strstr(s, disp));
    g_assert_cmpint(strstr(s, "Auto-Submitted: auto-replied") != NULL, ==,
                    !GPOINTER_TO_INT(manual));
    g_assert_nonnull(strstr(s, "Content-Type: text/rfc822-headers\r\n\r\nFrom: alice@polito.it"));
    g_assert_null(strstr(s, "Secret body."));
    g_assert_true(g_str_has_suffix(s, "\r\n--Q1--\r\n"));
    g_autoptr(MailMessage) m = mail_message_parse_bytes(b, NULL);
    g_assert_true(mdn_is_report(m));
    g_assert_cmpstr(mail_message_get(m, "References"), ==, "<1@polito.it>");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/reports/dsn/success", test_dsn_success);
    g_test_add_func("/proto/reports/dsn/ret-full", test_dsn_ret_full);
    g_test_add_func("/proto/reports/mdn/request", test_mdn_request);
    g_test_add_data_func("/proto/reports/mdn/automatic", GINT_TO_POINTER(0), test_mdn_build);
    g_test_add_data_func("/proto/reports/mdn/manual", GINT_TO_POINTER(1), test_mdn_build);
    return g_test_run();
}
