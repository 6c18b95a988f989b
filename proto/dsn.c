/* SPDX-License-Identifier: MIT
 * dsn: RFC 3464 delivery status notifications in RFC 6522 multipart/report.
 * Only the header section of the original is returned (RFC 3462 / 6522
 * text/rfc822-headers), which is what Postfix does by default.
 */
#include "proto/dsn.h"

#include <string.h>

#include "proto/mail_date.h"

void
dsn_append_header_section(GString *out, GBytes *msg)
{
    gsize len = 0;
    const char *p = msg ? g_bytes_get_data(msg, &len) : NULL;
    gsize end = len;
    for (gsize i = 0; p && i + 3 < len; i++) {
        if (memcmp(p + i, "\r\n\r\n", 4) == 0) {
            end = i + 2;
            break;
        }
    }
    if (p)
        g_string_append_len(out, p, (gssize)end);
    if (out->len < 2 || out->str[out->len - 1] != '\n')
        g_string_append(out, "\r\n");
}

GBytes *
dsn_build(const DsnInfo *info)
{
    g_return_val_if_fail(info != NULL && info->reporting_mta && info->boundary, NULL);
    g_autofree char *date = mail_date_format(info->date_unix, 0);
    g_autofree char *arrival = mail_date_format(info->arrival_unix, 0);
    /* The report is named for its worst news (RFC 3464 2.3.3 actions). */
    gboolean failed = FALSE, delayed = FALSE;
    for (guint i = 0; i < info->n_rcpts; i++) {
        failed |= g_strcmp0(info->rcpts[i].action, "failed") == 0;
        delayed |= g_strcmp0(info->rcpts[i].action, "delayed") == 0;
    }
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "From: Mail Delivery System <%s>\r\n", info->from);
    g_string_append_printf(s, "To: <%s>\r\n", info->to);
    g_string_append_printf(s, "Subject: %s\r\n",
                           failed    ? "Undelivered Mail Returned to Sender"
                           : delayed ? "Delayed Mail (still being retried)"
                                     : "Successful Mail Delivery Report");
    g_string_append_printf(s, "Date: %s\r\n", date);
    g_string_append_printf(s, "Message-ID: %s\r\n", info->message_id);
    g_string_append(s, "Auto-Submitted: auto-replied\r\n"); /* RFC 3834 5 */
    g_string_append(s, "MIME-Version: 1.0\r\n");
    /* RFC 6522 3: multipart/report; report-type=delivery-status */
    g_string_append_printf(s,
                           "Content-Type: multipart/report; report-type=delivery-status;\r\n"
                           "\tboundary=\"%s\"\r\n\r\n",
                           info->boundary);
    g_string_append(s, "This is a MIME-encapsulated message.\r\n\r\n");
    g_string_append_printf(s, "--%s\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n",
                           info->boundary);
    g_string_append_printf(s, "This is the mail system at host %s.\r\n\r\n", info->reporting_mta);
    g_string_append(s, failed ? "I'm sorry to have to inform you that your message could not\r\n"
                                "be delivered to one or more recipients.\r\n\r\n"
                       : delayed
                           ? "Your message could not be delivered yet; the mail system\r\n"
                             "will keep trying.\r\n\r\n"
                           : "Your message was successfully delivered to the destination(s)\r\n"
                             "listed below, as you asked (RFC 3461 NOTIFY=SUCCESS).\r\n\r\n");
    for (guint i = 0; i < info->n_rcpts; i++) {
        const DsnRecipient *r = &info->rcpts[i];
        g_string_append_printf(s, "<%s>: %s\r\n", r->address,
                               r->diagnostic ? r->diagnostic : r->status);
    }
    /* RFC 3464 2.2: per-message fields, then a blank line before each
     * recipient's block (2.3). */
    g_string_append_printf(s, "\r\n--%s\r\nContent-Type: message/delivery-status\r\n\r\n",
                           info->boundary);
    g_string_append_printf(s, "Reporting-MTA: dns; %s\r\n", info->reporting_mta);
    if (info->envid) /* RFC 3464 2.2.1 */
        g_string_append_printf(s, "Original-Envelope-Id: %s\r\n", info->envid);
    if (info->original_envelope_id)
        g_string_append_printf(s, "X-Queue-ID: %s\r\n", info->original_envelope_id);
    g_string_append_printf(s, "Arrival-Date: %s\r\n", arrival);
    for (guint i = 0; i < info->n_rcpts; i++) {
        const DsnRecipient *r = &info->rcpts[i];
        const char *semi = r->original_recipient ? strchr(r->original_recipient, ';') : NULL;
        g_string_append(s, "\r\n");
        if (semi != NULL) /* RFC 3464 2.3.1: from ORCPT */
            g_string_append_printf(s, "Original-Recipient: %.*s; %s\r\n",
                                   (int)(semi - r->original_recipient), r->original_recipient,
                                   semi + 1);
        g_string_append_printf(s, "Final-Recipient: rfc822; %s\r\n", r->address);
        g_string_append_printf(s, "Action: %s\r\n", r->action);
        g_string_append_printf(s, "Status: %s\r\n", r->status);
        if (r->remote_mta)
            g_string_append_printf(s, "Remote-MTA: dns; %s\r\n", r->remote_mta);
        if (r->diagnostic)
            g_string_append_printf(s, "Diagnostic-Code: smtp; %s\r\n", r->diagnostic);
        if (g_strcmp0(r->action, "delayed") == 0)
            g_string_append_printf(s, "Last-Attempt-Date: %s\r\n", date);
    }
    if (info->return_full && info->original) {
        /* RFC 3461 4.3 RET=FULL, RFC 3464 2.1: the whole message. */
        g_string_append_printf(s, "\r\n--%s\r\nContent-Type: message/rfc822\r\n\r\n",
                               info->boundary);
        gsize n = 0;
        const char *p = g_bytes_get_data(info->original, &n);
        g_string_append_len(s, p, (gssize)n);
        if (s->len < 2 || s->str[s->len - 1] != '\n')
            g_string_append(s, "\r\n");
    } else {
        g_string_append_printf(s, "\r\n--%s\r\nContent-Type: text/rfc822-headers\r\n\r\n",
                               info->boundary);
        dsn_append_header_section(s, info->original);
    }
    g_string_append_printf(s, "\r\n--%s--\r\n", info->boundary);
    gsize len = s->len;
    return g_bytes_new_take(g_string_free(s, FALSE), len);
}
