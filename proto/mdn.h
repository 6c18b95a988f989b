/* SPDX-License-Identifier: MIT
 * mdn: message disposition notifications (RFC 8098): finding the request
 * in a message (Disposition-Notification-To, 2.1; the older, never
 * standardised Return-Receipt-To is recognised but is not a request) and
 * building the report, a multipart/report; report-type=
 * disposition-notification (RFC 6522) with a human-readable part, the
 * message/disposition-notification part (3.1, 3.2) and the original's
 * header section. Whether to answer is the user agent's decision (the
 * request is not a guarantee): this module only reads and formats.
 */
#ifndef PROTO_MDN_H
#define PROTO_MDN_H

#include <glib.h>

#include "proto/message.h"

typedef enum {
    MDN_REQUEST_NONE = 0,
    MDN_REQUEST_DNT,    /* Disposition-Notification-To (RFC 8098 2.1) */
    MDN_REQUEST_LEGACY, /* only Return-Receipt-To: no RFC defines it */
} MdnRequestKind;

/* What msg asks for. *addr gets the first mailbox of the field (transfer
 * full, NULL when none or unparsable). A message that is itself a report
 * (multipart/report: a DSN or an MDN) never asks: MDN_REQUEST_NONE. */
MdnRequestKind mdn_request(const MailMessage *msg, char **addr);

/* TRUE when msg is a multipart/report (RFC 6522): reports are not answered
 * (RFC 8098 2.1: an MDN MUST NOT be sent in response to an MDN). */
gboolean mdn_is_report(const MailMessage *msg);

typedef struct {
    const char *reporting_ua;        /* "bob-pc; mhs" (RFC 8098 3.2.1) */
    const char *from;                /* the user's address */
    const char *to;                  /* the requested address */
    const char *message_id;          /* "<...>" of the report */
    const char *boundary;            /* unique token for the multipart boundary */
    gint64 date_unix;                /* when the report is written */
    const char *final_recipient;     /* the user's address (3.2.4) */
    const char *original_message_id; /* nullable: "<...>" (3.2.5) */
    const char *original_subject;    /* nullable */
    gboolean manual;                 /* manual-action/MDN-sent-manually, else
                                        automatic-action/MDN-sent-automatically (3.2.6) */
    GBytes *original;                /* nullable: its header section is returned */
} MdnInfo;

/* The Disposition field value for these modes, disposition type
 * "displayed" (transfer none). */
const char *mdn_disposition(gboolean manual);
/* The whole report message, CRLF line ends (transfer full). */
GBytes *mdn_build(const MdnInfo *info);

#endif
