/* SPDX-License-Identifier: MIT
 * dsn: building a delivery status notification (RFC 3464) as a
 * multipart/report message (RFC 6522): a human-readable part, the
 * message/delivery-status part with per-message and per-recipient fields,
 * and the returned headers as text/rfc822-headers (or the whole message
 * as message/rfc822 for RET=FULL, RFC 3461 4.3). Actions "failed",
 * "delayed", "delivered", "relayed" (RFC 3464 2.3.3). Pure formatting: the
 * caller gives times, names and the boundary token.
 */
#ifndef PROTO_DSN_H
#define PROTO_DSN_H

#include <glib.h>

typedef struct {
    const char *address;    /* final recipient */
    const char *action;     /* "failed", "delayed", "delivered" (RFC 3464 2.3.3) */
    const char *status;     /* "5.1.1" (RFC 3463) */
    const char *remote_mta; /* nullable: the host that answered */
    const char *diagnostic; /* nullable: the SMTP reply, e.g. "550 5.1.1 User unknown" */
    const char *original_recipient; /* nullable: ORCPT "type;address" (RFC 3464 2.3.1) */
} DsnRecipient;

typedef struct {
    const char *reporting_mta; /* host name of the MTA writing the report */
    const char *from;          /* "MAILER-DAEMON@host" */
    const char *to;            /* the original reverse path */
    const char *message_id;    /* "<...>" of the report */
    const char *boundary;      /* unique token for the multipart boundary */
    gint64 date_unix;          /* when the report is written */
    gint64 arrival_unix;       /* when the original arrived */
    const char *original_envelope_id; /* nullable: the queue id */
    const DsnRecipient *rcpts;
    guint n_rcpts;
    GBytes *original;          /* the original message (its header section is returned) */
    const char *envid;         /* nullable: ENVID of the original (RFC 3464 2.2.1) */
    gboolean return_full;      /* return the whole message as message/rfc822 (RET=FULL,
                                  RFC 3461 4.3), not only its header section */
} DsnInfo;

/* The whole report message, CRLF line ends (transfer full). */
GBytes *dsn_build(const DsnInfo *info);

/* Appends the header section of msg (everything before the first empty
 * line, RFC 5322 2.1), ending in CRLF: the text/rfc822-headers part of a
 * report (RFC 6522 3; DSN and MDN alike). msg may be NULL. */
void dsn_append_header_section(GString *out, GBytes *msg);

#endif
