/* SPDX-License-Identifier: MIT
 * http_parse: the HTTP/1.1 message grammar shared by the client and the
 * server engines and the passive sniffer (RFC 9112; h11's role-agnostic
 * reader). An HttpReader takes bytes and yields whole messages: the
 * request line (RFC 9112 3) or status line (4), the header fields (5),
 * and a body framed by Content-Length or the chunked transfer coding
 * (6, 7.1), or by the close of the connection for a response (6.3 rule 8).
 * Every buffer is bounded; what breaks a limit or the grammar is reported
 * once with the status code a server answers it with (400, 413, 414, 431,
 * 501, 505) and the reader stays failed. Not supported: obs-fold (5.2,
 * rejected), transfer codings other than chunked, trailers (read and
 * dropped), upgrades, CONNECT.
 */
#ifndef PROTO_HTTP_PARSE_H
#define PROTO_HTTP_PARSE_H

#include <glib.h>

/* RFC 9112 3: "at a minimum, request-line lengths of 8000 octets" should
 * be supported; longer ones get 414 (RFC 9110 15.5.15). */
#define HTTP_REQUEST_LINE_MAX 8000
/* One header field line (and a status line or chunk line) at most. */
#define HTTP_FIELD_LINE_MAX 8000
/* The whole head (start line and fields): larger gets 431 (RFC 6585 5). */
#define HTTP_HEAD_MAX 16384
#define HTTP_FIELDS_MAX 100
/* Default body limit: larger gets 413 (RFC 9110 15.5.14). */
#define HTTP_BODY_MAX_DEFAULT (1024 * 1024)

typedef enum {
    HTTP_ROLE_REQUEST = 0, /* the reader parses requests (a server) */
    HTTP_ROLE_RESPONSE,    /* the reader parses responses (a client) */
} HttpRole;

typedef struct {
    char *name;  /* as received */
    char *value; /* leading and trailing whitespace removed (RFC 9112 5) */
} HttpField;

/* One parsed message. */
typedef struct {
    HttpRole role;
    char *method;         /* request: "GET" */
    char *target;         /* request: "/inbox" (request-target, RFC 9112 3.2) */
    guint status;         /* response: 100-999 */
    char *reason;         /* response: reason-phrase (may be "") */
    guint minor;          /* HTTP/1.minor: 0 or 1 */
    GPtrArray *fields;    /* HttpField*, in order */
    GBytes *body;         /* never NULL (may be empty); chunks joined */
    gboolean chunked;     /* the body came chunked (RFC 9112 7.1) */
    gboolean until_close; /* response body delimited by the close (6.3 rule 8) */
} HttpMessage;

typedef enum {
    HTTP_READER_NONE = 0, /* more input needed */
    HTTP_READER_MESSAGE,  /* *msg (transfer full) */
    HTTP_READER_ERROR,    /* the input broke the grammar or a limit: see get_error */
    HTTP_READER_EOF,      /* the peer closed between messages */
} HttpReaderResult;

typedef struct HttpReader HttpReader;

/* max_body: 0 means HTTP_BODY_MAX_DEFAULT. */
HttpReader *http_reader_new(HttpRole role, gsize max_body);
void http_reader_free(HttpReader *r);
/* Bytes from the peer (copied). Ignored once failed. */
void http_reader_feed(HttpReader *r, const guint8 *data, gsize len);
/* The peer closed its side. */
void http_reader_feed_eof(HttpReader *r);
/* Responses only: the next response answers a HEAD request, so it has no
 * body whatever its fields say (RFC 9112 6.3 rule 1). Call before the
 * response is parsed. */
void http_reader_expect_head_response(HttpReader *r, gboolean head);
/* The next message, an error, EOF, or NONE. After ERROR or EOF the reader
 * returns the same result forever. */
HttpReaderResult http_reader_next(HttpReader *r, HttpMessage **msg);
/* Status a server answers the error with (400, 413, 414, 431, 501, 505)
 * and why (transfer none); 0 and NULL when not failed. */
guint http_reader_get_error(const HttpReader *r, const char **why);
/* Octets fed and not yet consumed. */
gsize http_reader_pending(const HttpReader *r);
/* TRUE once the reader has seen part of a message that is not complete. */
gboolean http_reader_in_message(const HttpReader *r);

HttpMessage *http_message_new(HttpRole role);
void http_message_free(HttpMessage *m);
/* The value of the first field called name (case-insensitive, RFC 9110
 * 5.1), or NULL (transfer none). */
const char *http_message_get(const HttpMessage *m, const char *name);
/* Adds a field (copied). */
void http_message_add(HttpMessage *m, const char *name, const char *value);
/* TRUE when a comma-separated field name lists token (case-insensitive):
 * "Connection: keep-alive, close" has "close" (RFC 9110 5.6.1). */
gboolean http_message_has_token(const HttpMessage *m, const char *name, const char *token);
/* RFC 9112 9.3: does the connection persist after this message? HTTP/1.1
 * unless "close"; HTTP/1.0 only with "keep-alive". */
gboolean http_message_keeps_alive(const HttpMessage *m);

/* The standard reason phrase for status ("Not Found"), or "Unknown". */
const char *http_status_reason(guint status);
/* RFC 9110 5.1 and 5.6.2: token characters (tchar). */
gboolean http_is_tchar(guchar c);
/* RFC 9110 5.5: a field value has no CR, LF or NUL. */
gboolean http_field_value_ok(const char *value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(HttpReader, http_reader_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HttpMessage, http_message_free)

#endif
