/* SPDX-License-Identifier: MIT
 * smtp_reply: SMTP replies shared by client and server (RFC 5321 4.2, 4.2.1;
 * enhanced status codes RFC 2034 / RFC 3463). A formatter for the server and
 * an incremental, bounded multi-line reply parser for the client. Replies
 * longer than the limits are reported as protocol errors, never truncated.
 */
#ifndef PROTO_SMTP_REPLY_H
#define PROTO_SMTP_REPLY_H

#include <glib.h>

/* RFC 5321 4.5.3.1.5: a reply line is at most 512 octets including CRLF. */
#define SMTP_REPLY_LINE_MAX 512
/* Not bounded by the RFC; ours, so a hostile server cannot make us buffer
 * an endless multi-line reply (an EHLO list is well under this). */
#define SMTP_REPLY_LINES_MAX 100
/* Longest enhanced status code "c.sss.ddd" (RFC 3463 2) plus NUL. */
#define SMTP_REPLY_ENHANCED_MAX 12

/* A reply's lines, laid out like the readable part of a GPtrArray (pdata,
 * len), so g_ptr_array_index(r->lines, i) reads line i. Not a GPtrArray: no
 * g_ptr_array_*() function may be called on it. */
typedef struct {
    gpointer *pdata; /* char*: pdata[i] is line i */
    guint len;
} SmtpReplyLines;

typedef struct {
    guint code;                             /* 200..599 */
    char enhanced[SMTP_REPLY_ENHANCED_MAX]; /* "5.7.1", or "" when absent */
    SmtpReplyLines *lines; /* at least one: each line's text after the code, the
                              separator and (if any) the enhanced code; may be "" (read
                              only: the reply owns them; add with smtp_reply_add_line()) */
} SmtpReply;

/* New single-line reply. enhanced: (nullable) "2.1.0" style code; text: printf
 * format for the line text. */
SmtpReply *smtp_reply_new(guint code, const char *enhanced, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
/* New single-line reply whose text is the concatenation of prefix and
 * suffix (nullable), taken as is: no printf conversion ("Ok: queued as "
 * and a queue id, on every message). */
SmtpReply *smtp_reply_new_text(guint code, const char *enhanced, const char *prefix,
                               const char *suffix);
/* Appends one more line of text (multi-line reply). */
void smtp_reply_add_line(SmtpReply *r, const char *text);
SmtpReply *smtp_reply_copy(const SmtpReply *r);
/* Shares r instead of copying it (engines hand one reply to several acts):
 * returns r with one more reference. A shared reply is read only; each
 * holder releases its reference with smtp_reply_free(). */
SmtpReply *smtp_reply_ref(SmtpReply *r);
/* Releases one reference; the last one frees the reply. NULL is a no-op. */
void smtp_reply_free(SmtpReply *r);

/* First line's text, never NULL. */
const char *smtp_reply_text(const SmtpReply *r);
/* Number of lines (at least one for a reply made here or parsed). */
static inline guint
smtp_reply_n_lines(const SmtpReply *r)
{
    return r->lines->len;
}
/* (transfer none) Line i's text, i < smtp_reply_n_lines(r). */
static inline const char *
smtp_reply_line(const SmtpReply *r, guint i)
{
    return (const char *)r->lines->pdata[i];
}

/* RFC 5321 4.2.1 classes. */
static inline gboolean
smtp_reply_is_positive(const SmtpReply *r) /* 2xx */
{
    return r->code >= 200 && r->code < 300;
}
static inline gboolean
smtp_reply_is_intermediate(const SmtpReply *r) /* 3xx */
{
    return r->code >= 300 && r->code < 400;
}
static inline gboolean
smtp_reply_is_transient(const SmtpReply *r) /* 4xx */
{
    return r->code >= 400 && r->code < 500;
}
static inline gboolean
smtp_reply_is_permanent(const SmtpReply *r) /* 5xx */
{
    return r->code >= 500 && r->code < 600;
}

/* Wire form: "CODE-ENH text\r\n" for every line but the last, "CODE ENH
 * text\r\n" for the last. with_enhanced FALSE omits the enhanced code (peer
 * did not get ENHANCEDSTATUSCODES advertised, RFC 2034 3). Appends to out. */
void smtp_reply_format(const SmtpReply *r, gboolean with_enhanced, GByteArray *out);
/* (transfer full) The same wire form as new bytes, in one allocation. */
GBytes *smtp_reply_format_bytes(const SmtpReply *r, gboolean with_enhanced);
/* Same, as a newly allocated string (tests, traces). */
char *smtp_reply_to_string(const SmtpReply *r);

/* Incremental reply parser (client side). */
typedef struct SmtpReplyParser SmtpReplyParser;

typedef enum {
    SMTP_REPLY_PARSE_NONE = 0, /* need more bytes */
    SMTP_REPLY_PARSE_REPLY,    /* *reply is set (transfer full, read only: shared with
                                  the parser, which reuses its storage for a later reply
                                  once every other reference is released) */
    SMTP_REPLY_PARSE_ERROR,    /* malformed or over-long reply: the connection is unusable
                                  (sticky; smtp_reply_parser_error() says why) */
} SmtpReplyParseResult;

SmtpReplyParser *smtp_reply_parser_new(void);
void smtp_reply_parser_free(SmtpReplyParser *p);
/* Back to the state of a new parser (no input, no error), keeping its
 * buffers. */
void smtp_reply_parser_reset(SmtpReplyParser *p);
void smtp_reply_parser_feed(SmtpReplyParser *p, const guint8 *data, gsize len);
/* Takes the next complete reply. Every line must end with CRLF (RFC 5321
 * 2.3.8), start with the same three digits, and use "-" on all lines but the
 * last (4.2.1). */
SmtpReplyParseResult smtp_reply_parser_next(SmtpReplyParser *p, SmtpReply **reply);
/* (transfer none) Description of the sticky error, or NULL. */
const char *smtp_reply_parser_error(const SmtpReplyParser *p);
/* Drops buffered bytes, returns how many (client side of RFC 3207 4.2:
 * nothing the server sent after "220" to STARTTLS may be trusted). */
gsize smtp_reply_parser_discard(SmtpReplyParser *p);
/* Bytes buffered, not yet part of a reply. */
gsize smtp_reply_parser_pending(const SmtpReplyParser *p);

/* Parses one complete reply held in a string (tests; transcript answers such
 * as "250 2.0.0 queued as X" or "334 "). Lines may end with CRLF or not.
 * Returns NULL when malformed. */
SmtpReply *smtp_reply_parse_string(const char *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SmtpReply, smtp_reply_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SmtpReplyParser, smtp_reply_parser_free)

#endif
