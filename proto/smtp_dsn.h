/* SPDX-License-Identifier: MIT
 * smtp_dsn: the ESMTP DSN extension's parameters (RFC 3461 4): RET=FULL|HDRS
 * and ENVID=xtext on MAIL, NOTIFY=NEVER|SUCCESS,FAILURE,DELAY and
 * ORCPT=addr-type;xtext on RCPT, parsed and formatted, with the xtext
 * encoding of RFC 3461 4. Pure syntax: what an MTA does with them (relay
 * them, issue "delivered", "relayed", "delayed" or "failed" reports) is
 * the node's business.
 */
#ifndef PROTO_SMTP_DSN_H
#define PROTO_SMTP_DSN_H

#include <glib.h>

/* RFC 3461 4.4: ENVID is at most 100 characters (of the xtext). */
#define SMTP_DSN_ENVID_MAX 100
/* RFC 3461 4.2: ORCPT is at most 500 characters (of the xtext). */
#define SMTP_DSN_ORCPT_MAX 500

typedef enum {
    SMTP_DSN_RET_NONE = 0, /* not given */
    SMTP_DSN_RET_FULL,     /* return the whole message in a failure report */
    SMTP_DSN_RET_HDRS,     /* return the header section only */
} SmtpDsnRet;

/* NOTIFY bits; 0 means the parameter was not given (the MTA's default:
 * failure reports, RFC 3461 4.1). NEVER is never combined with another. */
typedef enum {
    SMTP_DSN_NOTIFY_NEVER = 1 << 0,
    SMTP_DSN_NOTIFY_SUCCESS = 1 << 1,
    SMTP_DSN_NOTIFY_FAILURE = 1 << 2,
    SMTP_DSN_NOTIFY_DELAY = 1 << 3,
} SmtpDsnNotify;

/* "FULL", "HDRS" (transfer none); from_name: FALSE when not one of them
 * (case-insensitive). */
const char *smtp_dsn_ret_name(SmtpDsnRet ret);
gboolean smtp_dsn_ret_parse(const char *value, SmtpDsnRet *out);

/* RFC 3461 4.1: "NEVER" or a comma list of SUCCESS, FAILURE, DELAY
 * (case-insensitive). FALSE on an unknown word, an empty item, a repeat
 * or NEVER combined with another word. */
gboolean smtp_dsn_notify_parse(const char *value, guint *out);
/* The canonical form, "NEVER" or "SUCCESS,FAILURE,DELAY" in that order;
 * "" for 0 (transfer full). */
char *smtp_dsn_notify_format(guint notify);

/* RFC 3461 4.2: ORCPT=addr-type ";" xtext. *type gets the atom (e.g.
 * "rfc822"), *addr the decoded address. FALSE on bad syntax or over
 * SMTP_DSN_ORCPT_MAX (transfer full outputs, set only on success). */
gboolean smtp_dsn_orcpt_parse(const char *value, char **type, char **addr);
/* "rfc822;" + xtext of addr (transfer full). */
char *smtp_dsn_orcpt_format(const char *type, const char *addr);

/* RFC 3461 4.4: ENVID is xtext, at most SMTP_DSN_ENVID_MAX characters, and
 * decodes to printable US-ASCII. NULL when not so (transfer full). */
char *smtp_dsn_envid_parse(const char *value);

/* RFC 3461 4: xtext encoding: "+", "=" and octets outside 33..126 as "+XX"
 * (upper-case hex) (transfer full). The decoder is smtp_xtext_decode(). */
char *smtp_xtext_encode(const char *s);

#endif
