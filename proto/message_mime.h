/* SPDX-License-Identifier: MIT
 * message_mime: a minimal MIME view of a MailMessage: Content-Type parsing
 * (RFC 2045 5.1, quoted-string parameters, RFC 5322 comments), multipart
 * splitting into parts that are themselves MailMessages (RFC 2046 5.1.1),
 * and building multipart bodies (DSN multipart/report, S/MIME). RFC 2231
 * extended parameters (name*=charset'lang'value, name*0=...) are joined and
 * percent-decoded, the charset ignored. No transfer decoding.
 */
#ifndef PROTO_MESSAGE_MIME_H
#define PROTO_MESSAGE_MIME_H

#include <glib.h>

#include "proto/message.h"

/* RFC 2046 5.1.1: a boundary is 1 to 70 characters. */
#define MAIL_MIME_BOUNDARY_MAX 70
/* Not an RFC limit: parts kept per multipart, so hostile input stays small. */
#define MAIL_MIME_PARTS_MAX 1000

/* A parsed Content-Type. type and subtype are lower-cased; parameter names
 * are lower-cased, values are unquoted. Transparent; owned fields. */
typedef struct {
    char *type;
    char *subtype;
    GPtrArray *param_names;  /* char*, in order */
    GPtrArray *param_values; /* char*, parallel */
} MailContentType;

/* Parses a Content-Type field value; NULL when there is no type/subtype. */
MailContentType *mail_content_type_parse(const char *value);
/* A Content-Type from its parts (parameters added after). */
MailContentType *mail_content_type_new(const char *type, const char *subtype);
void mail_content_type_add_param(MailContentType *ct, const char *name, const char *value);
/* Value of parameter name (case-insensitive), or NULL (transfer none). */
const char *mail_content_type_get_param(const MailContentType *ct, const char *name);
/* TRUE when the type is type/subtype (case-insensitive; subtype NULL: any). */
gboolean mail_content_type_is(const MailContentType *ct, const char *type, const char *subtype);
/* "type/subtype; name=value; ..." with values quoted when needed (transfer full). */
char *mail_content_type_to_string(const MailContentType *ct);
void mail_content_type_free(MailContentType *ct);

/* The message's Content-Type; text/plain when absent or unparsable
 * (RFC 2045 5.2). Never NULL (transfer full). */
MailContentType *mail_message_get_content_type(const MailMessage *msg);

/* A split multipart body. */
typedef struct {
    GBytes *preamble;   /* bytes before the first delimiter (may be empty) */
    GPtrArray *parts;   /* MailMessage*, each part's headers and body */
    GBytes *epilogue;   /* bytes after the close delimiter (may be empty) */
    gboolean is_closed; /* the close delimiter "--boundary--" was found */
} MailMultipart;

/* Splits body by boundary (RFC 2046 5.1.1: the CRLF before a delimiter
 * belongs to it). A delimiter line straight after another (no bytes in
 * between) adds no part, as CPython does. NULL when no delimiter line is
 * found. */
MailMultipart *mail_multipart_split(const guint8 *body, gsize len, const char *boundary);
/* Splits msg's body when it is multipart/ with a boundary; NULL otherwise. */
MailMultipart *mail_message_split_multipart(const MailMessage *msg);
void mail_multipart_free(MailMultipart *mp);

/* Splits a message/delivery-status body (RFC 3464 2.1: per-message
 * fields, then one group of per-recipient fields each, separated by empty
 * lines) into one MailMessage of fields per group; empty groups are
 * skipped (transfer full; never NULL). */
GPtrArray *mail_mime_delivery_status_split(const guint8 *body, gsize len);

/* Builds a multipart body: an optional preamble, each part serialised with
 * CRLF endings between "--boundary" lines, then "--boundary--" CRLF. The
 * boundary is chosen by the caller (no randomness here) and must not occur
 * in the parts (transfer full). */
GBytes *mail_multipart_build(const char *boundary, const char *preamble, MailMessage *const *parts,
                             guint n_parts);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(MailContentType, mail_content_type_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MailMultipart, mail_multipart_free)

#endif
