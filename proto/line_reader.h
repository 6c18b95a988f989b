/* SPDX-License-Identifier: MIT
 * line_reader: a bounded line splitter shared by every line-oriented engine
 * (SMTP client and server, POP3, HTTP). It reports how each line ended so
 * that callers can apply RFC 5321 2.3.8 (only CRLF ends a line) strictly:
 * a bare LF or a bare CR is reported, never silently accepted. Lines longer
 * than the limit are reported once and the rest of the line is skipped up to
 * the next line ending, so memory stays bounded.
 */
#ifndef PROTO_LINE_READER_H
#define PROTO_LINE_READER_H

#include <glib.h>

typedef enum {
    LINE_END_CRLF = 0, /* the line ended with CR LF */
    LINE_END_LF,       /* bare LF (no CR before it) */
    LINE_END_CR,       /* bare CR followed by something other than LF */
} LineEnd;

typedef enum {
    LINE_READER_NONE = 0, /* no complete line buffered */
    LINE_READER_LINE,     /* a line: text/len (without its ending), end */
    LINE_READER_TOO_LONG, /* a line exceeded the limit; it was dropped up to its end */
} LineReaderResult;

typedef struct LineReader LineReader;

/* max: the longest line accepted, counting the two octets of CRLF (RFC 5321
 * 4.5.3.1.4 counts them). */
LineReader *line_reader_new(gsize max);
void line_reader_free(LineReader *lr);
void line_reader_set_max(LineReader *lr, gsize max);

/* Appends bytes (copied). */
void line_reader_feed(LineReader *lr, const guint8 *data, gsize len);

/* Takes the next complete line. On LINE_READER_LINE, *text points to the
 * line without its ending (NUL-terminated, may contain NUL bytes: use *len),
 * valid until the next call on lr. */
LineReaderResult line_reader_next(LineReader *lr, const char **text, gsize *len, LineEnd *end);

/* Bytes buffered and not yet returned as a line. */
gsize line_reader_pending(const LineReader *lr);
/* Drops everything buffered; returns how many bytes were dropped (used after
 * STARTTLS: RFC 3207 4.2 says pipelined plaintext must be discarded). */
gsize line_reader_discard(LineReader *lr);
/* Takes up to max buffered raw bytes (for engines that switch to a raw mode). */
GBytes *line_reader_take_raw(LineReader *lr);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(LineReader, line_reader_free)

#endif
