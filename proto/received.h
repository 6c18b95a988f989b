/* SPDX-License-Identifier: MIT
 * received: the Received trace field of RFC 5321 4.4 (Stamp, From-domain,
 * By-domain, Opt-info with via/with/id/for, ';' date-time) and RFC 5322
 * 3.6.7: building one for a hop, and parsing one into its clauses for
 * forgery analysis. Parsing is lenient (real fields break the grammar).
 */
#ifndef PROTO_RECEIVED_H
#define PROTO_RECEIVED_H

#include <glib.h>

#include "proto/mail_date.h"

/* What a receiving host knows about a hop. Zero-initialisable. */
typedef struct {
    const char *helo;        /* the EHLO/HELO argument (nullable: omitted) */
    const char *client_name; /* verified reverse-DNS name of the client (nullable: "unknown") */
    const char *client_ip;   /* client address without brackets, "192.0.2.1" or "IPv6:..." */
    const char *by;          /* the receiving host's name (required) */
    const char *via;         /* nullable: link type */
    const char *with;        /* nullable: protocol; NULL derives it from the flags below */
    gboolean is_esmtp;       /* EHLO was used: ESMTP (RFC 3848) */
    gboolean is_tls;         /* STARTTLS done: ESMTPS */
    gboolean is_auth;        /* AUTH done: ESMTPA / ESMTPSA */
    const char *id;          /* nullable: queue id */
    const char *for_rcpt;    /* nullable: one recipient, without angle brackets */
    gint64 time_unix;        /* when the message was received */
    gint offset_min;         /* the zone to show the time in */
} MailReceivedInfo;

/* "from HELO (NAME [IP]) by BY with ESMTPS id ID for <RCPT>; DATE" as an
 * unfolded value (the caller prepends it; mail_message_prepend folds)
 * (transfer full). */
char *mail_received_build(const MailReceivedInfo *info);

/* The "with" keyword for these flags (RFC 3848): SMTP, ESMTP, ESMTPS,
 * ESMTPA, ESMTPSA (transfer none). */
const char *mail_received_protocol(gboolean is_esmtp, gboolean is_tls, gboolean is_auth);

/* A parsed Received value. Transparent; owned fields, all nullable. */
typedef struct {
    char *from;      /* the From-domain name (the HELO as recorded) */
    char *from_info; /* the TCP-info comment after it, without parentheses */
    char *from_ip;   /* the address literal found in from/from_info, without brackets */
    char *from_rdns; /* the domain in the TCP-info comment, if any */
    char *by;
    char *by_info; /* the comment after the by domain */
    char *via;
    char *with;
    char *id;
    char *for_addr;    /* as written, angle brackets kept */
    char *date_text;   /* the text after the last ';' */
    gboolean has_date; /* date_text parsed as a date-time */
    MailDate date;
    gboolean is_well_formed; /* every clause came in RFC 5321 4.4 order and form */
} MailReceived;

/* Parses a Received value (folded or not). Never NULL; unknown words are
 * skipped and make is_well_formed FALSE (transfer full). */
MailReceived *mail_received_parse(const char *value);
void mail_received_free(MailReceived *r);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(MailReceived, mail_received_free)

#endif
