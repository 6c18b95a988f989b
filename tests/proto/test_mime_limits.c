/* SPDX-License-Identifier: MIT
 * Tests for the bound on MIME parts kept from hostile input
 * (MAIL_MIME_PARTS_MAX, proto/message_mime.h): a multipart body and a
 * message/delivery-status body (RFC 3464 2.1) with more parts than the
 * bound keep exactly the bound, stay well-formed, and the close delimiter
 * and epilogue after the dropped parts are still found (RFC 2046 5.1.1).
 */
#include <string.h>

#include <glib.h>

#include "proto/message.h"
#include "proto/message_mime.h"

static void
test_multipart_over_bound(void)
{
    const guint n = MAIL_MIME_PARTS_MAX + 500;
    GString *b = g_string_new("preamble\r\n");
    for (guint i = 0; i < n; i++)
        g_string_append_printf(b, "--B\r\nContent-Type: text/plain\r\n\r\npart %u\r\n", i);
    g_string_append(b, "--B--\r\nthe epilogue\r\n");
    MailMultipart *mp = mail_multipart_split((const guint8 *)b->str, b->len, "B");
    g_assert_nonnull(mp);
    g_assert_cmpuint(mp->parts->len, ==, MAIL_MIME_PARTS_MAX);
    g_assert_true(mp->is_closed);
    gsize elen;
    const char *ep = g_bytes_get_data(mp->epilogue, &elen);
    g_assert_cmpmem(ep, elen, "the epilogue\r\n", strlen("the epilogue\r\n"));
    /* The parts kept are the first ones, in order. */
    for (guint i = 0; i < mp->parts->len; i += 250) {
        gsize blen;
        const guint8 *body = mail_message_get_body(mp->parts->pdata[i], &blen);
        g_autofree char *want = g_strdup_printf("part %u", i);
        g_assert_cmpmem(body, blen, want, strlen(want));
    }
    mail_multipart_free(mp);

    /* Without a close delimiter as well. */
    g_string_truncate(b, b->len - strlen("--B--\r\nthe epilogue\r\n"));
    mp = mail_multipart_split((const guint8 *)b->str, b->len, "B");
    g_assert_nonnull(mp);
    g_assert_cmpuint(mp->parts->len, ==, MAIL_MIME_PARTS_MAX);
    g_assert_false(mp->is_closed);
    mail_multipart_free(mp);
    g_string_free(b, TRUE);
}

static void
test_multipart_at_bound(void)
{
    GString *b = g_string_new("");
    for (guint i = 0; i < MAIL_MIME_PARTS_MAX; i++)
        g_string_append_printf(b, "--B\r\n\r\n%u\r\n", i);
    g_string_append(b, "--B--\r\n");
    MailMultipart *mp = mail_multipart_split((const guint8 *)b->str, b->len, "B");
    g_assert_nonnull(mp);
    g_assert_cmpuint(mp->parts->len, ==, MAIL_MIME_PARTS_MAX);
    gsize blen;
    const guint8 *last = mail_message_get_body(mp->parts->pdata[MAIL_MIME_PARTS_MAX - 1], &blen);
    g_autofree char *want = g_strdup_printf("%u", MAIL_MIME_PARTS_MAX - 1);
    g_assert_cmpmem(last, blen, want, strlen(want));
    mail_multipart_free(mp);
    g_string_free(b, TRUE);
}

static void
test_delivery_status_over_bound(void)
{
    GString *b = g_string_new("Reporting-MTA: dns; mx.b.test\r\n");
    for (guint i = 0; i < MAIL_MIME_PARTS_MAX + 300; i++)
        g_string_append_printf(b, "\r\nFinal-Recipient: rfc822; u%u@b.test\r\nAction: failed\r\n"
                                  "Status: 5.1.1\r\n",
                               i);
    g_autoptr(GPtrArray) groups = mail_mime_delivery_status_split((const guint8 *)b->str, b->len);
    g_assert_cmpuint(groups->len, ==, MAIL_MIME_PARTS_MAX);
    g_assert_cmpstr(mail_message_get(groups->pdata[0], "Reporting-MTA"), ==,
                    "dns; mx.b.test");
    g_assert_cmpstr(mail_message_get(groups->pdata[1], "Final-Recipient"), ==,
                    "rfc822; u0@b.test");
    g_string_free(b, TRUE);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/mime-limits/multipart-over-bound", test_multipart_over_bound);
    g_test_add_func("/proto/mime-limits/multipart-at-bound", test_multipart_at_bound);
    g_test_add_func("/proto/mime-limits/delivery-status-over-bound",
                    test_delivery_status_over_bound);
    return g_test_run();
}
