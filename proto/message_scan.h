/* SPDX-License-Identifier: MIT
 * message_scan: questions about a message's header section (RFC 5322 2.2)
 * answered straight from its bytes, without building a MailMessage: a
 * relay that only counts its Received fields (RFC 5321 6.3) need not copy
 * every field at every hop. The answers are the ones mail_message_parse()
 * with default limits gives: same field boundaries, same folding (2.2.3),
 * same mbox "From " line, same end of the header section.
 */
#ifndef PROTO_MESSAGE_SCAN_H
#define PROTO_MESSAGE_SCAN_H

#include <glib.h>

/* How many header fields of data[0, len) are named name (ASCII
 * case-insensitive), as mail_message_count() would say after
 * mail_message_parse(data, len, NULL). data may hold NUL bytes. */
guint mail_message_scan_count(const guint8 *data, gsize len, const char *name);
/* The same for n names (n <= MAIL_MESSAGE_SCAN_NAMES_MAX) in one pass:
 * counts[i] for names[i]. */
#define MAIL_MESSAGE_SCAN_NAMES_MAX 8
void mail_message_scan_count_all(const guint8 *data, gsize len, const char *const *names, guint n,
                                 guint *counts);

/* TRUE when data begins with an mbox envelope line ("From " and no
 * colon), which mail_message_parse() keeps out of the fields
 * (mail_message_get_unix_from). */
gboolean mail_message_scan_has_unix_from(const guint8 *data, gsize len);

#endif
