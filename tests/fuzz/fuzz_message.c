/* SPDX-License-Identifier: MIT
 * fuzz_message: hostile messages through the RFC 5322 parser and every
 * field reader built on it: address lists and mailboxes (3.4), msg-ids
 * (3.6.4), the 3.6 field-count check, Content-Type and multipart splitting
 * (RFC 2045, 2046). An unmodified parsed message must re-serialise to its
 * input byte for byte (message.h's promise). The first byte sets limits.
 */
#include <string.h>

#include "proto/address.h"
#include "proto/message.h"
#include "proto/message_check.h"
#include "proto/message_id.h"
#include "proto/message_mime.h"

#include "fuzz_common.h"

static void
fuzz_message_addresses(const char *value)
{
    MailAddressInfo info = {0};
    g_autoptr(GPtrArray) list = mail_address_list_parse(value, &info);
    mail_address_info_clear(&info);
    if (list != NULL) {
        g_autoptr(GPtrArray) flat = mail_address_list_flatten(list);
        for (guint i = 0; i < flat->len; i++)
            g_free(mail_mailbox_to_string(g_ptr_array_index(flat, i)));
    }
    g_autoptr(GPtrArray) mboxes = mail_mailbox_list_parse(value, NULL);
    for (guint i = 0; mboxes != NULL && i < mboxes->len; i++)
        g_assert_nonnull(((const MailMailbox *)g_ptr_array_index(mboxes, i))->local_part);
    g_autoptr(MailMailbox) mb = mail_mailbox_parse(value, NULL);
    if (mb != NULL && mb->addr != NULL)
        (void)mail_addr_spec_classify(mb->addr, strlen(mb->addr), NULL);
    (void)mail_addr_spec_classify(value, strlen(value), NULL);
}

static void
fuzz_message_fields(const MailMessage *msg)
{
    for (guint i = 0; i < mail_message_n_fields(msg); i++) {
        const char *value = mail_message_field_value(msg, i);
        gsize raw_len = 0;
        const char *raw = mail_message_field_raw_value(msg, i, &raw_len);
        g_free(mail_header_unfold(raw, raw_len));
        fuzz_message_addresses(value);
        g_free(mail_message_id_parse(value));
        g_ptr_array_unref(mail_message_id_parse_list(value));
        g_autoptr(MailContentType) ct = mail_content_type_parse(value);
        if (ct != NULL)
            g_free(mail_content_type_to_string(ct));
    }
}

static void
fuzz_message_mime(const MailMessage *msg, guint depth)
{
    g_autoptr(MailContentType) ct = mail_message_get_content_type(msg);
    g_assert_nonnull(ct);
    g_autoptr(MailMultipart) mp = mail_message_split_multipart(msg);
    if (mp == NULL || depth >= 3)
        return;
    for (guint i = 0; i < mp->parts->len; i++)
        fuzz_message_mime(g_ptr_array_index(mp->parts, i), depth + 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    FuzzInput in = {data, size};
    guint8 flags = fuzz_take_u8(&in);
    MailMessageLimits limits = {0};
    if (flags & 0x01)
        limits.max_fields = 4;
    if (flags & 0x02)
        limits.max_line = 40;

    g_autoptr(MailMessage) msg = mail_message_parse(in.p, in.n, &limits);
    g_autoptr(GBytes) out = mail_message_serialize(msg);
    g_autoptr(GBytes) orig = g_bytes_new_static(in.p, in.n);
    g_assert_true(g_bytes_equal(out, orig));
    g_bytes_unref(mail_message_serialize_crlf(msg));
    (void)mail_message_check(msg);
    fuzz_message_fields(msg);
    fuzz_message_mime(msg, 0);

    g_autoptr(GBytes) body = mail_message_get_body_bytes(msg);
    g_ptr_array_unref(
        mail_mime_delivery_status_split(g_bytes_get_data(body, NULL), g_bytes_get_size(body)));
    /* Edits must keep the message serialisable. */
    g_autoptr(MailMessage) copy = mail_message_copy(msg);
    mail_message_prepend(copy, "Received", "from x by y; Thu, 1 Jan 1970 00:00:00 +0000");
    mail_message_set(copy, "Subject", "edited");
    mail_message_remove_all(copy, "To");
    g_bytes_unref(mail_message_serialize(copy));
    return 0;
}
