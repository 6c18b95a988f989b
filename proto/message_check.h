/* SPDX-License-Identifier: MIT
 * message_check: the RFC 5322 3.6 field-count rules (Date and From exactly
 * once; Sender, Reply-To, To, Cc, Bcc, Message-ID, In-Reply-To, References,
 * Subject at most once; Sender required when From has several mailboxes,
 * 3.6.2) checked on a MailMessage. Policy (reject, repair) is the caller's.
 */
#ifndef PROTO_MESSAGE_CHECK_H
#define PROTO_MESSAGE_CHECK_H

#include <glib.h>

#include "proto/message.h"

typedef enum {
    MAIL_CHECK_OK = 0,
    MAIL_CHECK_MISSING_DATE = 1 << 0,    /* 3.6: orig-date min 1 */
    MAIL_CHECK_MISSING_FROM = 1 << 1,    /* 3.6: from min 1 */
    MAIL_CHECK_DUPLICATE_FROM = 1 << 2,  /* 3.6: from max 1 (also RFC 6376 8.15) */
    MAIL_CHECK_DUPLICATE_FIELD = 1 << 3, /* another max-1 field appears twice */
    MAIL_CHECK_MISSING_SENDER = 1 << 4,  /* 3.6.2: several From mailboxes, no Sender */
    MAIL_CHECK_BAD_FROM = 1 << 5,        /* From is not a mailbox-list */
    MAIL_CHECK_BAD_DATE = 1 << 6,        /* Date is not a date-time */
} MailCheckProblem;

/* A set of MailCheckProblem bits (0 when the origin fields are fine). */
guint mail_message_check(const MailMessage *msg);
/* "missing-date", "duplicate-from", ... for the lowest bit set in problems,
 * or "ok" (transfer none). */
const char *mail_check_problem_name(guint problems);

#endif
