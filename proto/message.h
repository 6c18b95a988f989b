/* SPDX-License-Identifier: MIT
 * message: an RFC 5322 message as an ordered list of header fields plus a
 * body, parsed from raw bytes (RFC 5322 2.1, 2.2, 2.2.3 folding) with every
 * field's bytes kept so that an unmodified message re-serialises
 * byte-for-byte. LF-only input (files on disk) is tolerated and recorded.
 * Limits (RFC 5322 2.1.1 line length, field count) are reported as defects.
 * It does not interpret field bodies: see address.h, mail_date.h,
 * received.h, message_id.h and message_mime.h for that.
 */
#ifndef PROTO_MESSAGE_H
#define PROTO_MESSAGE_H

#include <glib.h>

/* RFC 5322 2.1.1: each line MUST be no more than 998 characters excluding
 * CRLF; 78 is the SHOULD limit used when folding generated fields. */
#define MAIL_MESSAGE_LINE_MAX 998
#define MAIL_MESSAGE_FOLD_WIDTH 78
/* Not an RFC limit: a bound on fields kept, so hostile input stays small. */
#define MAIL_MESSAGE_FIELDS_MAX 1000

/* Defects found while parsing (a bit set). None of them stop parsing. */
typedef enum {
    MAIL_MESSAGE_DEFECT_NONE = 0,
    MAIL_MESSAGE_DEFECT_LF_ONLY = 1 << 0,           /* some line ended in a bare LF */
    MAIL_MESSAGE_DEFECT_LINE_TOO_LONG = 1 << 1,     /* a header line over 998 octets */
    MAIL_MESSAGE_DEFECT_TOO_MANY_FIELDS = 1 << 2,   /* fields beyond the limit were made body */
    MAIL_MESSAGE_DEFECT_MISSING_COLON = 1 << 3,     /* a header line with no ':' ended the header */
    MAIL_MESSAGE_DEFECT_NUL = 1 << 4,               /* a NUL octet in the header section */
    MAIL_MESSAGE_DEFECT_NO_BODY_SEPARATOR = 1 << 5, /* header not ended by an empty line */
    MAIL_MESSAGE_DEFECT_FIRST_LINE_FOLDED = 1 << 6, /* first header line began with WSP */
    MAIL_MESSAGE_DEFECT_WSP_BEFORE_COLON = 1 << 7,  /* obsolete "Name  :" (RFC 5322 4.5) */
    MAIL_MESSAGE_DEFECT_BARE_CR = 1 << 8,           /* a CR not followed by LF in the header */
} MailMessageDefect;

/* Zero-initialised means the defaults above. */
typedef struct {
    guint max_fields; /* 0: MAIL_MESSAGE_FIELDS_MAX */
    gsize max_line;   /* 0: MAIL_MESSAGE_LINE_MAX (excluding the line ending) */
} MailMessageLimits;

typedef struct MailMessage MailMessage;

/* An empty message (no fields, empty body) to build on. */
MailMessage *mail_message_new(void);
/* Parses a whole message. Never fails: malformed input gives defects, and
 * bytes that cannot be header fields become body. data is copied; it may
 * contain NUL bytes. limits is nullable (defaults). */
MailMessage *mail_message_parse(const guint8 *data, gsize len, const MailMessageLimits *limits);
MailMessage *mail_message_parse_bytes(GBytes *bytes, const MailMessageLimits *limits);
MailMessage *mail_message_copy(const MailMessage *msg);
void mail_message_free(MailMessage *msg);

/* A set of MailMessageDefect bits. */
guint mail_message_get_defects(const MailMessage *msg);
/* TRUE when every line ending seen in the header section was a bare LF. */
gboolean mail_message_is_lf_only(const MailMessage *msg);

/* The mbox envelope line ("From addr date" LF) found before the first
 * field, kept out of the fields and re-serialised as is; NULL if none. */
const guint8 *mail_message_get_unix_from(const MailMessage *msg, gsize *len);

/* Fields, in order. Indexes are valid until the next mutating call. */
guint mail_message_n_fields(const MailMessage *msg);
/* The name as written (transfer none). */
const char *mail_message_field_name(const MailMessage *msg, guint i);
/* The raw value: the bytes after the colon, folding preserved, without the
 * final line ending (transfer none; NUL-terminated; *len may be NULL). */
const char *mail_message_field_raw_value(const MailMessage *msg, guint i, gsize *len);
/* The whole field as stored, name and final line ending included. */
const char *mail_message_field_raw(const MailMessage *msg, guint i, gsize *len);
/* The unfolded value (RFC 5322 2.2.3: each CRLF before WSP deleted), with
 * leading and trailing WSP trimmed (transfer none, cached). */
const char *mail_message_field_value(const MailMessage *msg, guint i);

/* Index of the first field named name (ASCII case-insensitive) at or after
 * start, or -1. */
gint mail_message_find(const MailMessage *msg, const char *name, guint start);
/* Unfolded value of the first field named name, or NULL (transfer none). */
const char *mail_message_get(const MailMessage *msg, const char *name);
/* Unfolded values of every field named name, in order (transfer container:
 * free the array, not the strings). Never NULL. */
GPtrArray *mail_message_get_all(const MailMessage *msg, const char *name);
guint mail_message_count(const MailMessage *msg, const char *name);

/* New fields. value is the unfolded value; it is folded at
 * MAIL_MESSAGE_FOLD_WIDTH where it has whitespace (RFC 5322 2.2.3) and ends
 * with CRLF. name must be a valid field name (RFC 5322 3.6.8 ftext). */
void mail_message_prepend(MailMessage *msg, const char *name, const char *value);
void mail_message_append(MailMessage *msg, const char *name, const char *value);
/* Inserts before field index i (i == n_fields appends). */
void mail_message_insert(MailMessage *msg, guint i, const char *name, const char *value);
/* Removes field i; removes every field named name, returning how many. */
void mail_message_remove_at(MailMessage *msg, guint i);
guint mail_message_remove_all(MailMessage *msg, const char *name);
/* Replaces every field named name by one new field at the first one's place
 * (appended when there was none). */
void mail_message_set(MailMessage *msg, const char *name, const char *value);

/* The body (transfer none): the bytes after the empty line. */
const guint8 *mail_message_get_body(const MailMessage *msg, gsize *len);
GBytes *mail_message_get_body_bytes(const MailMessage *msg);
void mail_message_set_body(MailMessage *msg, const guint8 *data, gsize len);

/* The message as stored: an unmodified parsed message gives back its input
 * byte for byte (transfer full). */
GBytes *mail_message_serialize(const MailMessage *msg);
/* The same with every line ending (header and body) made CRLF, for the
 * wire (RFC 5322 2.1, RFC 5321 2.3.8). */
GBytes *mail_message_serialize_crlf(const MailMessage *msg);

/* Helpers also used by the other modules. */
/* "Name: value\r\n" folded at width (0: MAIL_MESSAGE_FOLD_WIDTH) at WSP
 * points; a word longer than the width is not split (transfer full). */
char *mail_header_fold(const char *name, const char *value, guint width);
/* A new message: the field "name: value" (folded) followed by the bytes of
 * msg, unparsed. The cheap way for a relay to prepend its trace fields
 * (Received, Return-Path) without parsing what it relays (transfer full). */
GBytes *mail_message_bytes_prepend(GBytes *msg, const char *name, const char *value);
/* The same with n fields at once, names[0] first: the bytes of msg copied
 * once (a store adds Return-Path and Received). Equal to prepending
 * names[n - 1] first, then each one before it (transfer full). */
GBytes *mail_message_bytes_prepend_fields(GBytes *msg, const char *const *names,
                                          const char *const *values, guint n);
/* RFC 5322 2.2.3 unfolding: deletes CR LF / LF before WSP (transfer full). */
char *mail_header_unfold(const char *raw, gsize len);
/* TRUE when name is 1*ftext (RFC 5322 3.6.8: printable US-ASCII but ':'). */
gboolean mail_header_name_is_valid(const char *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(MailMessage, mail_message_free)

#endif
