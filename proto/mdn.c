/* SPDX-License-Identifier: MIT
 * mdn: RFC 8098 disposition notifications: the request (2.1) and the report
 * (3: multipart/report, message/disposition-notification with
 * Reporting-UA 3.2.1, Final-Recipient 3.2.4, Original-Message-ID 3.2.5,
 * Disposition 3.2.6). No extension fields, no "Original-Recipient" (the
 * user agent does not know the envelope).
 */
#include "proto/mdn.h"

#include <string.h>

#include "proto/address.h"
#include "proto/dsn.h"
#include "proto/mail_date.h"

gboolean
mdn_is_report(const MailMessage *msg)
{
    const char *ct = msg ? mail_message_get(msg, "Content-Type") : NULL;
    return ct != NULL && g_ascii_strncasecmp(ct, "multipart/report", 16) == 0;
}

static char *
mdn_first_mailbox(const char *value)
{
    g_autoptr(GPtrArray) list = value ? mail_address_list_parse(value, NULL) : NULL;
    g_autoptr(GPtrArray) flat = list ? mail_address_list_flatten(list) : NULL;
    if (flat == NULL || flat->len == 0)
        return NULL;
    return g_strdup(((MailMailbox *)flat->pdata[0])->addr);
}

MdnRequestKind
mdn_request(const MailMessage *msg, char **addr)
{
    g_return_val_if_fail(msg != NULL && addr != NULL, MDN_REQUEST_NONE);
    *addr = NULL;
    if (mdn_is_report(msg))
        return MDN_REQUEST_NONE;
    const char *dnt = mail_message_get(msg, "Disposition-Notification-To");
    if (dnt != NULL) {
        *addr = mdn_first_mailbox(dnt);
        return MDN_REQUEST_DNT;
    }
    const char *rrt = mail_message_get(msg, "Return-Receipt-To");
    if (rrt != NULL) {
        *addr = mdn_first_mailbox(rrt);
        return MDN_REQUEST_LEGACY;
    }
    return MDN_REQUEST_NONE;
}

const char *
mdn_disposition(gboolean manual)
{
    /* RFC 8098 3.2.6: action-mode "/" sending-mode ";" disposition-type */
    return manual ? "manual-action/MDN-sent-manually; displayed"
                  : "automatic-action/MDN-sent-automatically; displayed";
}

GBytes *
mdn_build(const MdnInfo *info)
{
    g_return_val_if_fail(info != NULL && info->boundary && info->from && info->to, NULL);
    g_autofree char *date = mail_date_format(info->date_unix, 0);
    const char *subj = info->original_subject ? info->original_subject : "";
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "From: %s\r\n", info->from);
    g_string_append_printf(s, "To: %s\r\n", info->to);
    g_string_append_printf(s, "Subject: Read: %s\r\n", subj);
    g_string_append_printf(s, "Date: %s\r\n", date);
    g_string_append_printf(s, "Message-ID: %s\r\n", info->message_id);
    if (info->original_message_id)
        g_string_append_printf(s, "References: %s\r\n", info->original_message_id);
    if (!info->manual) /* RFC 3834 5 */
        g_string_append(s, "Auto-Submitted: auto-replied\r\n");
    g_string_append(s, "MIME-Version: 1.0\r\n");
    /* RFC 8098 3, RFC 6522 3 */
    g_string_append_printf(s,
                           "Content-Type: multipart/report; "
                           "report-type=disposition-notification;\r\n\tboundary=\"%s\"\r\n\r\n",
                           info->boundary);
    g_string_append_printf(s, "--%s\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n",
                           info->boundary);
    g_string_append_printf(s,
                           "The message with subject \"%s\" sent to %s\r\n"
                           "has been displayed. This is no guarantee that the message\r\n"
                           "has been read or understood.\r\n\r\n",
                           subj, info->final_recipient);
    g_string_append_printf(s, "--%s\r\nContent-Type: message/disposition-notification\r\n\r\n",
                           info->boundary);
    g_string_append_printf(s, "Reporting-UA: %s\r\n", info->reporting_ua);
    g_string_append_printf(s, "Final-Recipient: rfc822; %s\r\n", info->final_recipient);
    if (info->original_message_id)
        g_string_append_printf(s, "Original-Message-ID: %s\r\n", info->original_message_id);
    g_string_append_printf(s, "Disposition: %s\r\n\r\n", mdn_disposition(info->manual));
    g_string_append_printf(s, "--%s\r\nContent-Type: text/rfc822-headers\r\n\r\n", info->boundary);
    dsn_append_header_section(s, info->original);
    g_string_append_printf(s, "\r\n--%s--\r\n", info->boundary);
    gsize len = s->len;
    return g_bytes_new_take(g_string_free(s, FALSE), len);
}
