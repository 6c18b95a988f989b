/* SPDX-License-Identifier: MIT
 * http_parse: an incremental, bounded HTTP/1.1 message reader (RFC 9112
 * 2-7; RFC 9110 5 fields, 8.6 Content-Length). One buffer of unconsumed
 * input, one state per part of the message; the result never depends on
 * how the input was split. Strict where the RFC allows a choice that
 * matters for request smuggling: a request with both Transfer-Encoding and
 * Content-Length, differing Content-Length values, whitespace before a
 * field's colon, obs-fold and bare CR are all refused with 400.
 */
#include "proto/http_parse.h"

#include <string.h>

typedef enum {
    HTTP_READER_STATE_START = 0,   /* before a start line (empty lines skipped) */
    HTTP_READER_STATE_FIELDS,      /* header field lines */
    HTTP_READER_STATE_BODY_LENGTH, /* Content-Length octets */
    HTTP_READER_STATE_CHUNK_SIZE,  /* chunk-size [chunk-ext] CRLF */
    HTTP_READER_STATE_CHUNK_DATA,  /* chunk-data */
    HTTP_READER_STATE_CHUNK_END,   /* the CRLF after chunk-data */
    HTTP_READER_STATE_TRAILERS,    /* trailer section (RFC 9112 7.1.2) */
    HTTP_READER_STATE_BODY_CLOSE,  /* response body up to the close */
    HTTP_READER_STATE_FAILED,
    HTTP_READER_STATE_EOF,
} HttpReaderState;

struct HttpReader {
    HttpRole role;
    HttpReaderState state;
    gsize max_body;
    GByteArray *buf;
    gsize pos; /* first unconsumed octet of buf */
    gboolean eof;
    gboolean head_next; /* the next response answers HEAD */
    HttpMessage *msg;   /* the message being read */
    GByteArray *body;
    gsize head_bytes;  /* octets of the head (or trailers) so far */
    guint64 remaining; /* BODY_LENGTH, CHUNK_DATA: octets still due */
    guint error;
    const char *why;
};

static void
http_field_free(HttpField *f)
{
    g_free(f->name);
    g_free(f->value);
    g_free(f);
}

HttpMessage *
http_message_new(HttpRole role)
{
    HttpMessage *m = g_new0(HttpMessage, 1);
    m->role = role;
    m->minor = 1;
    m->fields = g_ptr_array_new_with_free_func((GDestroyNotify)http_field_free);
    return m;
}

void
http_message_free(HttpMessage *m)
{
    if (m == NULL)
        return;
    g_free(m->method);
    g_free(m->target);
    g_free(m->reason);
    g_ptr_array_unref(m->fields);
    if (m->body)
        g_bytes_unref(m->body);
    g_free(m);
}

void
http_message_add(HttpMessage *m, const char *name, const char *value)
{
    HttpField *f = g_new0(HttpField, 1);
    f->name = g_strdup(name);
    f->value = g_strdup(value);
    g_ptr_array_add(m->fields, f);
}

const char *
http_message_get(const HttpMessage *m, const char *name)
{
    for (guint i = 0; i < m->fields->len; i++) {
        const HttpField *f = m->fields->pdata[i];
        if (g_ascii_strcasecmp(f->name, name) == 0)
            return f->value;
    }
    return NULL;
}

gboolean
http_message_has_token(const HttpMessage *m, const char *name, const char *token)
{
    for (guint i = 0; i < m->fields->len; i++) {
        const HttpField *f = m->fields->pdata[i];
        if (g_ascii_strcasecmp(f->name, name) != 0)
            continue;
        g_auto(GStrv) parts = g_strsplit(f->value, ",", -1);
        for (char **p = parts; *p; p++)
            if (g_ascii_strcasecmp(g_strstrip(*p), token) == 0)
                return TRUE;
    }
    return FALSE;
}

gboolean
http_message_keeps_alive(const HttpMessage *m)
{
    /* RFC 9112 9.3: close wins; 1.1 persists by default; 1.0 only with
     * keep-alive (RFC 9112 C.2.2). */
    if (http_message_has_token(m, "Connection", "close"))
        return FALSE;
    if (m->minor >= 1)
        return TRUE;
    return http_message_has_token(m, "Connection", "keep-alive");
}

gboolean
http_is_tchar(guchar c)
{
    /* RFC 9110 5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" /
     * "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA */
    return g_ascii_isalnum(c) || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

gboolean
http_field_value_ok(const char *value)
{
    for (const guchar *p = (const guchar *)value; *p; p++)
        if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
            return FALSE;
    return TRUE;
}

const char *
http_status_reason(guint status)
{
    static const struct {
        guint code;
        const char *text;
    } reasons[] = {
        {100, "Continue"},
        {200, "OK"},
        {201, "Created"},
        {204, "No Content"},
        {301, "Moved Permanently"},
        {302, "Found"},
        {303, "See Other"},
        {304, "Not Modified"},
        {400, "Bad Request"},
        {401, "Unauthorized"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {408, "Request Timeout"},
        {411, "Length Required"},
        {413, "Content Too Large"},
        {414, "URI Too Long"},
        {415, "Unsupported Media Type"},
        {431, "Request Header Fields Too Large"},
        {500, "Internal Server Error"},
        {501, "Not Implemented"},
        {502, "Bad Gateway"},
        {503, "Service Unavailable"},
        {505, "HTTP Version Not Supported"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(reasons); i++)
        if (reasons[i].code == status)
            return reasons[i].text;
    return "Unknown";
}

/* ------------------------------------------------------------------ */

HttpReader *
http_reader_new(HttpRole role, gsize max_body)
{
    HttpReader *r = g_new0(HttpReader, 1);
    r->role = role;
    r->max_body = max_body ? max_body : HTTP_BODY_MAX_DEFAULT;
    r->buf = g_byte_array_new();
    return r;
}

void
http_reader_free(HttpReader *r)
{
    if (r == NULL)
        return;
    g_byte_array_unref(r->buf);
    if (r->body)
        g_byte_array_unref(r->body);
    http_message_free(r->msg);
    g_free(r);
}

void
http_reader_feed(HttpReader *r, const guint8 *data, gsize len)
{
    g_return_if_fail(r != NULL && (data != NULL || len == 0));
    if (len == 0 || r->state == HTTP_READER_STATE_FAILED || r->state == HTTP_READER_STATE_EOF ||
        r->eof)
        return;
    /* Drop what was consumed before growing the buffer. */
    if (r->pos > 0 && r->pos * 2 >= r->buf->len) {
        g_byte_array_remove_range(r->buf, 0, (guint)r->pos);
        r->pos = 0;
    }
    g_byte_array_append(r->buf, data, (guint)len);
}

void
http_reader_feed_eof(HttpReader *r)
{
    g_return_if_fail(r != NULL);
    r->eof = TRUE;
}

void
http_reader_expect_head_response(HttpReader *r, gboolean head)
{
    g_return_if_fail(r != NULL && r->role == HTTP_ROLE_RESPONSE);
    r->head_next = head;
}

guint
http_reader_get_error(const HttpReader *r, const char **why)
{
    if (why)
        *why = r->why;
    return r->error;
}

gsize
http_reader_pending(const HttpReader *r)
{
    return r->buf->len - r->pos;
}

gboolean
http_reader_in_message(const HttpReader *r)
{
    return r->msg != NULL;
}

static HttpReaderResult
http_reader_fail(HttpReader *r, guint status, const char *why)
{
    r->state = HTTP_READER_STATE_FAILED;
    r->error = status;
    r->why = why;
    g_clear_pointer(&r->msg, http_message_free);
    g_clear_pointer(&r->body, g_byte_array_unref);
    return HTTP_READER_ERROR;
}

typedef enum {
    HTTP_LINE_NONE = 0, /* no complete line yet */
    HTTP_LINE_OK,
    HTTP_LINE_TOO_LONG,
    HTTP_LINE_BARE_CR,
} HttpLineResult;

/* The next line (without its CRLF or LF; RFC 9112 2.2 lets a recipient
 * accept a bare LF) of at most max octets, CRLF counted. */
static HttpLineResult
http_reader_line(HttpReader *r, gsize max, char **line, gsize *len)
{
    gsize avail = r->buf->len - r->pos;
    if (avail == 0) /* an empty GByteArray has no data pointer */
        return HTTP_LINE_NONE;
    const guint8 *start = r->buf->data + r->pos;
    const guint8 *lf = memchr(start, '\n', avail);
    if (lf == NULL)
        return avail > max ? HTTP_LINE_TOO_LONG : HTTP_LINE_NONE;
    gsize n = (gsize)(lf - start);
    if (n + 1 > max)
        return HTTP_LINE_TOO_LONG;
    gsize used = n + 1;
    if (n > 0 && start[n - 1] == '\r')
        n--;
    /* RFC 9112 2.2: a bare CR is invalid; 5.5 NUL likewise. */
    if (memchr(start, '\r', n) != NULL || memchr(start, '\0', n) != NULL)
        return HTTP_LINE_BARE_CR;
    *line = g_strndup((const char *)start, n);
    *len = n;
    r->pos += used;
    return HTTP_LINE_OK;
}

static gboolean
http_parse_version(const char *s, gsize n, guint *major, guint *minor)
{
    /* RFC 9112 2.3: HTTP-version = "HTTP" "/" DIGIT "." DIGIT (case-sensitive). */
    if (n != 8 || strncmp(s, "HTTP/", 5) != 0 || !g_ascii_isdigit(s[5]) || s[6] != '.' ||
        !g_ascii_isdigit(s[7]))
        return FALSE;
    *major = (guint)(s[5] - '0');
    *minor = (guint)(s[7] - '0');
    return TRUE;
}

/* RFC 9112 3: request-line = method SP request-target SP HTTP-version. */
static HttpReaderResult
http_reader_request_line(HttpReader *r, const char *line)
{
    const char *sp1 = strchr(line, ' ');
    const char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    if (sp1 == NULL || sp2 == NULL || sp1 == line || sp2 == sp1 + 1 || strchr(sp2 + 1, ' '))
        return http_reader_fail(r, 400, "malformed request line");
    for (const char *p = line; p < sp1; p++)
        if (!http_is_tchar((guchar)*p))
            return http_reader_fail(r, 400, "malformed method");
    for (const char *p = sp1 + 1; p < sp2; p++)
        if ((guchar)*p <= 0x20 || (guchar)*p >= 0x7f)
            return http_reader_fail(r, 400, "malformed request-target");
    guint major, minor;
    if (!http_parse_version(sp2 + 1, strlen(sp2 + 1), &major, &minor))
        return http_reader_fail(r, 400, "malformed HTTP-version");
    if (major != 1) /* RFC 9110 15.6.6 */
        return http_reader_fail(r, 505, "HTTP major version not supported");
    r->msg->method = g_strndup(line, sp1 - line);
    r->msg->target = g_strndup(sp1 + 1, sp2 - sp1 - 1);
    r->msg->minor = minor;
    return HTTP_READER_NONE;
}

/* RFC 9112 4: status-line = HTTP-version SP status-code SP [reason-phrase]. */
static HttpReaderResult
http_reader_status_line(HttpReader *r, const char *line, gsize n)
{
    guint major, minor;
    if (n < 12 || !http_parse_version(line, 8, &major, &minor) || major != 1 || line[8] != ' ' ||
        !g_ascii_isdigit(line[9]) || !g_ascii_isdigit(line[10]) || !g_ascii_isdigit(line[11]) ||
        (n > 12 && line[12] != ' '))
        return http_reader_fail(r, 400, "malformed status line");
    r->msg->status = (guint)((line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0'));
    if (r->msg->status < 100)
        return http_reader_fail(r, 400, "malformed status code");
    r->msg->reason = g_strdup(n > 12 ? line + 13 : "");
    r->msg->minor = minor;
    return HTTP_READER_NONE;
}

/* RFC 9112 5: field-line = field-name ":" OWS field-value OWS. */
static HttpReaderResult
http_reader_field_line(HttpReader *r, char *line, gboolean keep)
{
    if (line[0] == ' ' || line[0] == '\t') /* RFC 9112 5.2 obs-fold */
        return http_reader_fail(r, 400, "obsolete line folding");
    char *colon = strchr(line, ':');
    if (colon == NULL || colon == line)
        return http_reader_fail(r, 400, "malformed header field");
    for (const char *p = line; p < colon; p++)
        if (!http_is_tchar((guchar)*p)) /* 5.1: no whitespace before the colon */
            return http_reader_fail(r, 400, "malformed header field name");
    *colon = '\0';
    char *value = g_strstrip(colon + 1);
    if (!http_field_value_ok(value))
        return http_reader_fail(r, 400, "control character in a header field value");
    if (!keep)
        return HTTP_READER_NONE;
    if (r->msg->fields->len >= HTTP_FIELDS_MAX)
        return http_reader_fail(r, 431, "too many header fields");
    http_message_add(r->msg, line, value);
    return HTTP_READER_NONE;
}

/* RFC 9110 8.6: Content-Length = 1*DIGIT; a list of one repeated value
 * may be taken as that value. -1: invalid; -2: above max. */
static gint64
http_reader_content_length(const HttpMessage *m, gsize max)
{
    gint64 found = -3;
    for (guint i = 0; i < m->fields->len; i++) {
        const HttpField *f = m->fields->pdata[i];
        if (g_ascii_strcasecmp(f->name, "Content-Length") != 0)
            continue;
        g_auto(GStrv) parts = g_strsplit(f->value, ",", -1);
        for (char **p = parts; *p; p++) {
            const char *s = g_strstrip(*p);
            if (*s == '\0')
                return -1;
            guint64 v = 0;
            for (; *s; s++) {
                if (!g_ascii_isdigit(*s))
                    return -1;
                if (v > max) /* keep going only to check the syntax */
                    continue;
                v = v * 10 + (guint64)(*s - '0');
            }
            gint64 sv = v > max ? -2 : (gint64)v;
            if (found != -3 && found != sv)
                return -1;
            found = sv;
        }
    }
    return found;
}

/* Chooses the body framing once the head is read (RFC 9112 6.3). */
static HttpReaderResult
http_reader_framing(HttpReader *r)
{
    HttpMessage *m = r->msg;
    gboolean is_req = r->role == HTTP_ROLE_REQUEST;
    r->body = g_byte_array_new();
    /* 6.3 rule 1: HEAD responses, 1xx, 204, 304 have no body. */
    if (!is_req && (r->head_next || m->status < 200 || m->status == 204 || m->status == 304)) {
        r->state = HTTP_READER_STATE_START;
        return HTTP_READER_MESSAGE;
    }
    if (is_req && http_message_get(m, "Host") == NULL && m->minor >= 1)
        return http_reader_fail(r, 400, "missing Host header field"); /* RFC 9112 3.2 */
    if (is_req) {
        guint hosts = 0;
        for (guint i = 0; i < m->fields->len; i++)
            hosts += g_ascii_strcasecmp(((HttpField *)m->fields->pdata[i])->name, "Host") == 0;
        if (hosts > 1)
            return http_reader_fail(r, 400, "more than one Host header field");
    }
    const char *te = http_message_get(m, "Transfer-Encoding");
    gint64 cl = http_reader_content_length(m, r->max_body);
    if (te != NULL) {
        /* 6.1: the final coding must be chunked for a request; a server
         * may refuse TE with Content-Length (6.3 rule 3), and must treat
         * TE in HTTP/1.0 as faulty framing. */
        if (is_req && cl != -3)
            return http_reader_fail(r, 400, "both Transfer-Encoding and Content-Length");
        if (is_req && m->minor == 0)
            return http_reader_fail(r, 400, "Transfer-Encoding in an HTTP/1.0 request");
        g_auto(GStrv) codings = g_strsplit(te, ",", -1);
        guint n = g_strv_length(codings);
        gboolean last_chunked =
            n > 0 && g_ascii_strcasecmp(g_strstrip(codings[n - 1]), "chunked") == 0;
        if (is_req && n != 1)
            return http_reader_fail(r, last_chunked ? 501 : 400, "unsupported transfer coding");
        if (last_chunked) {
            m->chunked = TRUE;
            r->state = HTTP_READER_STATE_CHUNK_SIZE;
            return HTTP_READER_NONE;
        }
        if (is_req)
            return http_reader_fail(r, 501, "unsupported transfer coding");
        m->until_close = TRUE;
        r->state = HTTP_READER_STATE_BODY_CLOSE;
        return HTTP_READER_NONE;
    }
    if (cl == -1)
        return http_reader_fail(r, 400, "invalid Content-Length");
    if (cl == -2)
        return http_reader_fail(r, 413, "body larger than the limit");
    if (cl >= 0) {
        r->remaining = (guint64)cl;
        r->state = HTTP_READER_STATE_BODY_LENGTH;
        return HTTP_READER_NONE;
    }
    if (is_req) { /* 6.3 rule 7: no body */
        r->state = HTTP_READER_STATE_START;
        return HTTP_READER_MESSAGE;
    }
    m->until_close = TRUE; /* 6.3 rule 8 */
    r->state = HTTP_READER_STATE_BODY_CLOSE;
    return HTTP_READER_NONE;
}

/* START and FIELDS: one line of the head. */
static HttpReaderResult
http_reader_head_line(HttpReader *r)
{
    gboolean start = r->state == HTTP_READER_STATE_START;
    gboolean trailers = r->state == HTTP_READER_STATE_TRAILERS;
    gsize max = start && r->role == HTTP_ROLE_REQUEST ? HTTP_REQUEST_LINE_MAX : HTTP_FIELD_LINE_MAX;
    g_autofree char *line = NULL;
    gsize n = 0;
    switch (http_reader_line(r, max, &line, &n)) {
    case HTTP_LINE_NONE:
        return HTTP_READER_NONE;
    case HTTP_LINE_TOO_LONG:
        if (start && r->role == HTTP_ROLE_REQUEST)
            return http_reader_fail(r, 414, "request line too long");
        return http_reader_fail(r, 431, "header field line too long");
    case HTTP_LINE_BARE_CR:
        return http_reader_fail(r, 400, "bare CR or NUL in the head");
    case HTTP_LINE_OK:
        break;
    }
    if (start && n == 0 && r->msg == NULL)
        return HTTP_READER_NONE; /* RFC 9112 2.2: empty lines before a request */
    r->head_bytes += n + 2;
    if (r->head_bytes > HTTP_HEAD_MAX)
        return http_reader_fail(r, 431, "header section too large");
    if (start) {
        r->msg = http_message_new(r->role);
        r->state = HTTP_READER_STATE_FIELDS;
        return r->role == HTTP_ROLE_REQUEST ? http_reader_request_line(r, line)
                                            : http_reader_status_line(r, line, n);
    }
    if (n > 0)
        return http_reader_field_line(r, line, !trailers);
    if (trailers) {
        r->state = HTTP_READER_STATE_START;
        return HTTP_READER_MESSAGE;
    }
    return http_reader_framing(r);
}

static gboolean
http_reader_body_room(HttpReader *r, guint64 more)
{
    return r->body->len + more <= r->max_body;
}

/* RFC 9112 7.1: chunk-size = 1*HEXDIG, then chunk-ext (ignored). */
static HttpReaderResult
http_reader_chunk_size(HttpReader *r)
{
    g_autofree char *line = NULL;
    gsize n = 0;
    switch (http_reader_line(r, HTTP_FIELD_LINE_MAX, &line, &n)) {
    case HTTP_LINE_NONE:
        return HTTP_READER_NONE;
    case HTTP_LINE_TOO_LONG:
    case HTTP_LINE_BARE_CR:
        return http_reader_fail(r, 400, "malformed chunk-size line");
    case HTTP_LINE_OK:
        break;
    }
    guint64 size = 0;
    const char *p = line;
    for (; g_ascii_isxdigit(*p); p++) {
        if (size > r->max_body)
            continue;
        size = size * 16 + (guint64)g_ascii_xdigit_value(*p);
    }
    if (p == line)
        return http_reader_fail(r, 400, "malformed chunk-size");
    while (*p == ' ' || *p == '\t') /* BWS before chunk-ext */
        p++;
    if (*p != '\0' && *p != ';')
        return http_reader_fail(r, 400, "malformed chunk extension");
    if (!http_reader_body_room(r, size))
        return http_reader_fail(r, 413, "body larger than the limit");
    if (size == 0) {
        r->head_bytes = 0;
        r->state = HTTP_READER_STATE_TRAILERS;
        return HTTP_READER_NONE;
    }
    r->remaining = size;
    r->state = HTTP_READER_STATE_CHUNK_DATA;
    return HTTP_READER_NONE;
}

/* Moves up to r->remaining buffered octets into the body. */
static void
http_reader_take_body(HttpReader *r)
{
    gsize avail = r->buf->len - r->pos;
    gsize take = (gsize)MIN((guint64)avail, r->remaining);
    if (take == 0)
        return;
    g_byte_array_append(r->body, r->buf->data + r->pos, (guint)take);
    r->pos += take;
    r->remaining -= take;
}

static HttpReaderResult
http_reader_chunk_end(HttpReader *r)
{
    gsize avail = r->buf->len - r->pos;
    if (avail == 0)
        return HTTP_READER_NONE;
    const guint8 *p = r->buf->data + r->pos;
    if (p[0] == '\r' && avail == 1)
        return HTTP_READER_NONE;
    if (p[0] == '\n') {
        r->pos += 1;
    } else if (p[0] == '\r' && p[1] == '\n') {
        r->pos += 2;
    } else {
        return http_reader_fail(r, 400, "chunk-data not followed by CRLF");
    }
    r->state = HTTP_READER_STATE_CHUNK_SIZE;
    return HTTP_READER_NONE;
}

/* One step; NONE with progress FALSE means more input is needed. */
static HttpReaderResult
http_reader_step(HttpReader *r, gboolean *progress)
{
    gsize before = r->pos;
    HttpReaderState st = r->state;
    HttpReaderResult res = HTTP_READER_NONE;
    switch (r->state) {
    case HTTP_READER_STATE_START:
    case HTTP_READER_STATE_FIELDS:
    case HTTP_READER_STATE_TRAILERS:
        res = http_reader_head_line(r);
        break;
    case HTTP_READER_STATE_BODY_LENGTH:
        http_reader_take_body(r);
        if (r->remaining == 0) {
            r->state = HTTP_READER_STATE_START;
            res = HTTP_READER_MESSAGE;
        }
        break;
    case HTTP_READER_STATE_CHUNK_SIZE:
        res = http_reader_chunk_size(r);
        break;
    case HTTP_READER_STATE_CHUNK_DATA:
        http_reader_take_body(r);
        if (r->remaining == 0)
            r->state = HTTP_READER_STATE_CHUNK_END;
        break;
    case HTTP_READER_STATE_CHUNK_END:
        res = http_reader_chunk_end(r);
        break;
    case HTTP_READER_STATE_BODY_CLOSE: {
        gsize avail = r->buf->len - r->pos;
        if (!http_reader_body_room(r, avail))
            return http_reader_fail(r, 413, "body larger than the limit");
        r->remaining = avail;
        http_reader_take_body(r);
        if (r->eof) {
            r->state = HTTP_READER_STATE_START;
            res = HTTP_READER_MESSAGE;
        }
        break;
    }
    case HTTP_READER_STATE_FAILED:
        return HTTP_READER_ERROR;
    case HTTP_READER_STATE_EOF:
        return HTTP_READER_EOF;
    }
    *progress = r->pos != before || r->state != st || res != HTTP_READER_NONE;
    return res;
}

HttpReaderResult
http_reader_next(HttpReader *r, HttpMessage **msg)
{
    g_return_val_if_fail(r != NULL && msg != NULL, HTTP_READER_ERROR);
    *msg = NULL;
    for (;;) {
        gboolean progress = FALSE;
        HttpReaderResult res = http_reader_step(r, &progress);
        if (res == HTTP_READER_MESSAGE) {
            HttpMessage *m = g_steal_pointer(&r->msg);
            gsize len = r->body->len;
            m->body = g_bytes_new_take(g_byte_array_free(g_steal_pointer(&r->body), FALSE), len);
            r->head_bytes = 0;
            r->head_next = FALSE;
            *msg = m;
            return res;
        }
        if (res != HTTP_READER_NONE)
            return res;
        if (progress)
            continue;
        if (!r->eof)
            return HTTP_READER_NONE;
        if (r->msg != NULL || r->buf->len > r->pos)
            return http_reader_fail(r, 400, "connection closed inside a message");
        r->state = HTTP_READER_STATE_EOF;
        return HTTP_READER_EOF;
    }
}
