/* SPDX-License-Identifier: MIT
 * line_reader: bounded CRLF line splitting with bare-LF/bare-CR detection.
 * RFC 5321 2.3.8: lines end with CRLF only; 4.5.3.1.4-6: line length limits.
 */
#include "proto/line_reader.h"

#include <string.h>

#define LINE_READER_RESERVE 256

/* The input buffer: a plain array, starting in the reader's own allocation
 * (every session has a reader; most never outgrow LINE_READER_RESERVE). */
typedef struct {
    guint8 *data;
    gsize len, cap;
} LineReaderBuf;

struct LineReader {
    LineReaderBuf buf; /* unconsumed input */
    gsize start;       /* first unconsumed byte in buf */
    gsize max;         /* longest line, CRLF included */
    gboolean skipping; /* inside an over-long line: drop until its end */
    guint8 first[]; /* the first buf.data */
};

LineReader *
line_reader_new(gsize max)
{
    g_return_val_if_fail(max >= 2, NULL);
    /* Room for a few command or reply lines at once, so the buffer does not
     * grow step by step in every session. */
    gsize reserve = MIN(max, LINE_READER_RESERVE);
    /* The buffer is not zeroed: only buf.len octets of it are ever read. */
    LineReader *lr = g_malloc(sizeof *lr + reserve);
    *lr = (LineReader){0};
    lr->buf.data = lr->first;
    lr->buf.cap = reserve;
    lr->max = max;
    return lr;
}

void
line_reader_free(LineReader *lr)
{
    if (lr == NULL)
        return;
    if (lr->buf.data != lr->first)
        g_free(lr->buf.data);
    g_free(lr);
}

void
line_reader_set_max(LineReader *lr, gsize max)
{
    g_return_if_fail(lr != NULL && max >= 2);
    lr->max = max;
}

static void
line_reader_compact(LineReader *lr)
{
    if (lr->start == 0)
        return;
    memmove(lr->buf.data, lr->buf.data + lr->start, lr->buf.len - lr->start);
    lr->buf.len -= lr->start;
    lr->start = 0;
}

static void
line_reader_buf_append(LineReader *lr, const guint8 *data, gsize len)
{
    LineReaderBuf *b = &lr->buf;
    if (b->len + len > b->cap) {
        gsize cap = MAX(b->cap * 2, b->len + len);
        if (b->data == lr->first) {
            b->data = g_malloc(cap);
            memcpy(b->data, lr->first, b->len);
        } else {
            b->data = g_realloc(b->data, cap);
        }
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
}

void
line_reader_feed(LineReader *lr, const guint8 *data, gsize len)
{
    g_return_if_fail(lr != NULL);
    if (lr->start == lr->buf.len) {
        /* Everything was consumed: start over without moving anything. */
        lr->buf.len = 0;
        lr->start = 0;
    } else if (lr->start > 4096 && lr->start * 2 > lr->buf.len) {
        line_reader_compact(lr);
    }
    if (len > 0)
        line_reader_buf_append(lr, data, len);
}

/* Finds the end of the line starting at lr->start. Returns the index of the
 * first byte of the ending and sets *elen and *end; FALSE when no ending is
 * buffered yet (a CR at the very end may still be followed by LF). */
static gboolean
line_reader_find_end(const LineReader *lr, gsize *pos, gsize *elen, LineEnd *end)
{
    const guint8 *p = lr->buf.data;
    gsize n = lr->buf.len;
    if (lr->start == n)
        return FALSE; /* nothing buffered (and p may be NULL) */
    const guint8 *lf = memchr(p + lr->start, '\n', n - lr->start);
    gsize stop = lf ? (gsize)(lf - p) : n;
    const guint8 *cr = memchr(p + lr->start, '\r', stop - lr->start);
    if (cr != NULL) {
        gsize i = (gsize)(cr - p);
        if (i + 1 >= n)
            return FALSE;
        *pos = i;
        if (p[i + 1] == '\n') {
            *elen = 2;
            *end = LINE_END_CRLF;
        } else {
            *elen = 1;
            *end = LINE_END_CR;
        }
        return TRUE;
    }
    if (lf == NULL)
        return FALSE;
    *pos = stop;
    *elen = 1;
    *end = LINE_END_LF;
    return TRUE;
}

LineReaderResult
line_reader_next(LineReader *lr, const char **text, gsize *len, LineEnd *end)
{
    g_return_val_if_fail(lr != NULL && text != NULL && len != NULL, LINE_READER_NONE);
    gsize pos = 0, elen = 0;
    LineEnd e = LINE_END_CRLF;
    gboolean found = line_reader_find_end(lr, &pos, &elen, &e);

    if (!found) {
        gsize have = lr->buf.len - lr->start;
        /* A trailing CR may be the start of the CRLF ending: not text. */
        if (have > 0 && lr->buf.data[lr->buf.len - 1] == '\r')
            have--;
        /* A partial line already longer than the limit can never become
         * valid: report it now and skip the rest, so memory stays bounded. */
        if (have + 2 > lr->max && !lr->skipping) {
            lr->skipping = TRUE;
            gsize keep = lr->buf.len > 0 && lr->buf.data[lr->buf.len - 1] == '\r' ? 1 : 0;
            lr->start = lr->buf.len - keep;
            line_reader_compact(lr);
            return LINE_READER_TOO_LONG;
        }
        if (lr->skipping) {
            gsize keep = lr->buf.len > lr->start && lr->buf.data[lr->buf.len - 1] == '\r';
            lr->start = lr->buf.len - keep;
            line_reader_compact(lr);
        }
        return LINE_READER_NONE;
    }
    gsize linelen = pos - lr->start;
    if (lr->skipping) {
        lr->skipping = FALSE;
        lr->start = pos + elen;
        return line_reader_next(lr, text, len, end);
    }
    if (linelen + 2 > lr->max) {
        lr->start = pos + elen;
        return LINE_READER_TOO_LONG;
    }
    /* The line is handed out in place: its ending is consumed, so its first
     * octet can hold the terminating NUL. */
    char *line = (char *)lr->buf.data + lr->start;
    line[linelen] = '\0';
    lr->start = pos + elen;
    *text = line;
    *len = linelen;
    if (end)
        *end = e;
    return LINE_READER_LINE;
}

gsize
line_reader_pending(const LineReader *lr)
{
    g_return_val_if_fail(lr != NULL, 0);
    return lr->buf.len - lr->start;
}

gsize
line_reader_discard(LineReader *lr)
{
    g_return_val_if_fail(lr != NULL, 0);
    gsize n = lr->buf.len - lr->start;
    lr->buf.len = 0;
    lr->start = 0;
    lr->skipping = FALSE;
    return n;
}

GBytes *
line_reader_take_raw(LineReader *lr)
{
    g_return_val_if_fail(lr != NULL, NULL);
    GBytes *b = g_bytes_new(lr->buf.data + lr->start, lr->buf.len - lr->start);
    line_reader_discard(lr);
    return b;
}
