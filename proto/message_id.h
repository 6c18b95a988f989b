/* SPDX-License-Identifier: MIT
 * message_id: RFC 5322 3.6.4 msg-id: making one from a unique token and a
 * domain, and parsing one or a list of them (Message-ID, In-Reply-To,
 * References), with CFWS and the obsolete forms of 4.5.4.
 */
#ifndef PROTO_MESSAGE_ID_H
#define PROTO_MESSAGE_ID_H

#include <glib.h>

/* "<token@domain>" (transfer full). token must be a dot-atom-text; the
 * caller supplies uniqueness (queue id, counter, seeded random). */
char *mail_message_id_make(const char *token, const char *domain);
/* The first msg-id in text, without angle brackets and CFWS, or NULL. */
char *mail_message_id_parse(const char *text);
/* Every msg-id in text (char* without angle brackets), in order; phrases
 * between them (obsolete In-Reply-To) are skipped (transfer full; never NULL). */
GPtrArray *mail_message_id_parse_list(const char *text);

#endif
