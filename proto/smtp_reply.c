/* SPDX-License-Identifier: MIT
 * smtp_reply: reply values, wire formatting and the client's incremental
 * reply parser. RFC 5321 4.2 (Reply-line grammar), 4.2.1 (classes), 4.5.3.1.5
 * (line length); RFC 2034 / RFC 3463 (enhanced status codes).
 */
#include "proto/smtp_reply.h"

#include <string.h>

#include "proto/line_reader.h"

static void
smtp_reply_set_enhanced(SmtpReply *r, const char *enhanced)
{
    /* As g_strlcpy() (truncated to fit), without a call and a full strlen
     * for every line a client reads. */
    gsize n = 0;
    if (enhanced != NULL)
        while (n + 1 < sizeof r->enhanced && enhanced[n] != '\0') {
            r->enhanced[n] = enhanced[n];
            n++;
        }
    r->enhanced[n] = '\0';
}

/* Every SmtpReply is one of these, in one allocation (replies are made for
 * every line a client reads): the struct, its line table (slot[], cap
 * entries), then the texts of the lines it was made with, NUL-terminated
 * one after another. Lines added later with smtp_reply_add_line() are
 * allocated on their own, and a table that outgrows slot[] moves to the
 * heap. */
typedef struct {
    SmtpReply pub;
    SmtpReplyLines lines;
    guint refs; /* smtp_reply_ref(): engines share one reply between acts */
    guint cap;  /* entries lines.pdata has room for */
    char *text; /* the texts, after slot[cap] */
    gsize text_size;
    gsize text_room; /* octets at text (a parser's spare block has more) */
    gpointer slot[];
} SmtpReplyBlock;

/* Points the reply's lines at the first n strings of its text. */
static void
smtp_reply_index_lines(SmtpReplyBlock *b, guint n)
{
    for (gsize off = 0; n > 0; n--) {
        b->lines.pdata[b->lines.len++] = b->text + off;
        off += strlen(b->text + off) + 1;
    }
}

/* A reply whose n lines are in text: n strings one after another, each
 * NUL-terminated (text_size octets in all); text NULL leaves them to the
 * caller, who then calls smtp_reply_index_lines(). */
static SmtpReplyBlock *
smtp_reply_alloc_room(guint code, const char *enhanced, const char *text, gsize text_size, guint n,
                      gsize text_room)
{
    guint cap = MAX(n, 1);
    text_room = MAX(text_room, text_size);
    SmtpReplyBlock *b = g_malloc(sizeof *b + cap * sizeof(gpointer) + text_room);
    memset(&b->pub, 0, sizeof b->pub);
    b->pub.code = code;
    b->pub.lines = &b->lines;
    b->lines.pdata = b->slot;
    b->lines.len = 0;
    b->refs = 1;
    b->cap = cap;
    smtp_reply_set_enhanced(&b->pub, enhanced);
    b->text = (char *)(b->slot + cap);
    b->text_size = text_size;
    b->text_room = text_room;
    if (text != NULL) {
        memcpy(b->text, text, text_size);
        smtp_reply_index_lines(b, n);
    }
    return b;
}

static SmtpReplyBlock *
smtp_reply_alloc(guint code, const char *enhanced, const char *text, gsize text_size, guint n)
{
    return smtp_reply_alloc_room(code, enhanced, text, text_size, n, text_size);
}

/* TRUE when line lives in r's own block (not separately allocated). */
static gboolean
smtp_reply_owns_line(const SmtpReply *r, const char *line)
{
    const SmtpReplyBlock *b = (const SmtpReplyBlock *)r;
    guintptr p = (guintptr)line, start = (guintptr)b->text;
    return p >= start && p < start + b->text_size;
}

SmtpReply *
smtp_reply_new(guint code, const char *enhanced, const char *fmt, ...)
{
    g_return_val_if_fail(code >= 200 && code <= 599, NULL);
    if (fmt == NULL)
        fmt = "";
    /* Nodes answer every command with a reply made here: a text without
     * conversions, or one that fits the stack buffer, needs no heap copy. */
    if (strchr(fmt, '%') == NULL)
        return &smtp_reply_alloc(code, enhanced, fmt, strlen(fmt) + 1, 1)->pub;
    char buf[SMTP_REPLY_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    gint n = g_vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n >= 0 && (gsize)n < sizeof buf)
        return &smtp_reply_alloc(code, enhanced, buf, (gsize)n + 1, 1)->pub;
    va_start(ap, fmt);
    g_autofree char *text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return &smtp_reply_alloc(code, enhanced, text, strlen(text) + 1, 1)->pub;
}

SmtpReply *
smtp_reply_new_text(guint code, const char *enhanced, const char *prefix, const char *suffix)
{
    g_return_val_if_fail(code >= 200 && code <= 599 && prefix != NULL, NULL);
    gsize pl = strlen(prefix), sl = suffix ? strlen(suffix) : 0;
    SmtpReplyBlock *b = smtp_reply_alloc(code, enhanced, NULL, pl + sl + 1, 1);
    memcpy(b->text, prefix, pl);
    if (sl > 0)
        memcpy(b->text + pl, suffix, sl);
    b->text[pl + sl] = '\0';
    smtp_reply_index_lines(b, 1);
    return &b->pub;
}

void
smtp_reply_add_line(SmtpReply *r, const char *text)
{
    g_return_if_fail(r != NULL);
    /* A shared reply is read only (smtp_reply_ref()). */
    g_return_if_fail(((SmtpReplyBlock *)r)->refs == 1);
    SmtpReplyBlock *b = (SmtpReplyBlock *)r;
    if (b->lines.len == b->cap) {
        guint cap = MAX(b->cap * 2, 8);
        if (b->lines.pdata == b->slot)
            b->lines.pdata = g_memdup2(b->slot, b->cap * sizeof(gpointer));
        b->lines.pdata = g_renew(gpointer, b->lines.pdata, cap);
        b->cap = cap;
    }
    b->lines.pdata[b->lines.len++] = g_strdup(text ? text : "");
}

SmtpReply *
smtp_reply_ref(SmtpReply *r)
{
    g_return_val_if_fail(r != NULL, NULL);
    ((SmtpReplyBlock *)r)->refs++;
    return r;
}

SmtpReply *
smtp_reply_copy(const SmtpReply *r)
{
    g_return_val_if_fail(r != NULL, NULL);
    gsize size = 0;
    for (guint i = 0; i < r->lines->len; i++)
        size += strlen(g_ptr_array_index(r->lines, i)) + 1;
    SmtpReplyBlock *c = smtp_reply_alloc(r->code, r->enhanced, NULL, size, r->lines->len);
    gsize off = 0;
    for (guint i = 0; i < r->lines->len; i++) {
        const char *line = g_ptr_array_index(r->lines, i);
        gsize n = strlen(line) + 1;
        memcpy(c->text + off, line, n);
        off += n;
    }
    smtp_reply_index_lines(c, r->lines->len);
    return &c->pub;
}

void
smtp_reply_free(SmtpReply *r)
{
    if (r == NULL)
        return;
    SmtpReplyBlock *b = (SmtpReplyBlock *)r;
    g_assert(b->refs > 0);
    if (--b->refs > 0)
        return;
    for (guint i = 0; i < r->lines->len; i++) {
        char *line = g_ptr_array_index(r->lines, i);
        if (!smtp_reply_owns_line(r, line))
            g_free(line);
    }
    if (b->lines.pdata != b->slot)
        g_free(b->lines.pdata);
    g_free(r);
}

const char *
smtp_reply_text(const SmtpReply *r)
{
    g_return_val_if_fail(r != NULL, "");
    return r->lines->len > 0 ? g_ptr_array_index(r->lines, 0) : "";
}

/* Writes line i's "CODE-ENH " head (n lines in all) to head; returns its
 * length. "%03u" without printf: replies are on every hot path. */
static gsize
smtp_reply_line_head(const SmtpReply *r, guint i, guint n, gboolean enh, gsize elen, gsize tlen,
                     guint8 *head)
{
    gsize hl = 0;
    head[hl++] = (guint8)('0' + r->code / 100);
    head[hl++] = (guint8)('0' + r->code / 10 % 10);
    head[hl++] = (guint8)('0' + r->code % 10);
    head[hl++] = i + 1 < n ? '-' : ' ';
    /* RFC 2034 3: the enhanced code follows the reply code on every line. */
    if (enh) {
        memcpy(head + hl, r->enhanced, elen);
        hl += elen;
        if (tlen > 0)
            head[hl++] = ' ';
    }
    return hl;
}

void
smtp_reply_format(const SmtpReply *r, gboolean with_enhanced, GByteArray *out)
{
    g_return_if_fail(r != NULL && out != NULL);
    g_return_if_fail(r->code <= 999);
    guint n = MAX(r->lines->len, 1);
    gboolean enh = with_enhanced && r->enhanced[0] != '\0';
    gsize elen = enh ? strlen(r->enhanced) : 0;
    for (guint i = 0; i < n; i++) {
        const char *text = i < r->lines->len ? g_ptr_array_index(r->lines, i) : "";
        gsize tlen = strlen(text);
        guint8 head[5 + SMTP_REPLY_ENHANCED_MAX];
        gsize hl = smtp_reply_line_head(r, i, n, enh, elen, tlen, head);
        g_byte_array_append(out, head, (guint)hl);
        g_byte_array_append(out, (const guint8 *)text, (guint)tlen);
        g_byte_array_append(out, (const guint8 *)"\r\n", 2);
    }
}

/* The wire form's size with room to spare (at most one enhanced code and
 * separator per line), for smtp_reply_write(). */
static gsize
smtp_reply_wire_size(const SmtpReply *r, gsize elen)
{
    guint n = MAX(r->lines->len, 1);
    gsize size = 0;
    for (guint i = 0; i < r->lines->len; i++)
        size += strlen(g_ptr_array_index(r->lines, i));
    return size + n * (4 + elen + 1 + 2);
}

/* Writes the wire form at buf (smtp_reply_wire_size() octets at least);
 * returns its length. */
static gsize
smtp_reply_write(const SmtpReply *r, gboolean enh, gsize elen, guint8 *buf)
{
    guint n = MAX(r->lines->len, 1);
    guint8 *p = buf;
    for (guint i = 0; i < n; i++) {
        const char *text = i < r->lines->len ? g_ptr_array_index(r->lines, i) : "";
        gsize tlen = strlen(text);
        p += smtp_reply_line_head(r, i, n, enh, elen, tlen, p);
        memcpy(p, text, tlen);
        p += tlen;
        memcpy(p, "\r\n", 2);
        p += 2;
    }
    return (gsize)(p - buf);
}

GBytes *
smtp_reply_format_bytes(const SmtpReply *r, gboolean with_enhanced)
{
    g_return_val_if_fail(r != NULL && r->code <= 999, NULL);
    gboolean enh = with_enhanced && r->enhanced[0] != '\0';
    gsize elen = enh ? strlen(r->enhanced) : 0;
    /* Measured first, so the wire form is one exact allocation. */
    gsize size = smtp_reply_wire_size(r, elen);
    guint8 *buf = g_malloc(size);
    gsize len = smtp_reply_write(r, enh, elen, buf);
    g_assert(len <= size);
    return g_bytes_new_take(buf, len);
}

char *
smtp_reply_to_string(const SmtpReply *r)
{
    g_return_val_if_fail(r != NULL && r->code <= 999, NULL);
    gboolean enh = r->enhanced[0] != '\0';
    gsize elen = enh ? strlen(r->enhanced) : 0;
    /* One allocation: queues keep the last reply of every recipient. */
    gsize size = smtp_reply_wire_size(r, elen) + 1;
    char *buf = g_malloc(size);
    gsize len = smtp_reply_write(r, enh, elen, (guint8 *)buf);
    g_assert(len < size);
    buf[len] = '\0';
    return buf;
}

/* RFC 3463 2: class "." subject "." detail, class 2/4/5, subject 1-3 digits,
 * detail 1-3 digits; it must agree with the reply code's class. Returns its
 * length, 0 when the text does not start with one. */
static gsize
smtp_reply_scan_enhanced(const char *t, gsize len, guint code)
{
    if (len < 5 || t[0] != (char)('0' + code / 100) || t[1] != '.')
        return 0;
    if (t[0] != '2' && t[0] != '4' && t[0] != '5')
        return 0;
    gsize i = 2;
    for (int part = 0; part < 2; part++) {
        gsize start = i;
        while (i < len && g_ascii_isdigit(t[i]) && i - start < 3)
            i++;
        if (i == start)
            return 0;
        if (part == 0) {
            if (i >= len || t[i] != '.')
                return 0;
            i++;
        }
    }
    if (i < len && t[i] != ' ')
        return 0;
    return i;
}

/* Splits one reply line. Returns FALSE when it is not a Reply-line. */
static gboolean
smtp_reply_split_line(const char *t, gsize len, guint *code, gboolean *more, const char **text,
                      gsize *tlen)
{
    if (len < 3 || !g_ascii_isdigit(t[0]) || !g_ascii_isdigit(t[1]) || !g_ascii_isdigit(t[2]))
        return FALSE;
    /* RFC 5321 4.2: first digit 2-5, second 0-5. */
    if (t[0] < '2' || t[0] > '5' || t[1] > '5')
        return FALSE;
    *code = (guint)((t[0] - '0') * 100 + (t[1] - '0') * 10 + (t[2] - '0'));
    if (len == 3) {
        *more = FALSE;
        *text = t + 3;
        *tlen = 0;
        return TRUE;
    }
    if (t[3] != ' ' && t[3] != '-')
        return FALSE;
    *more = t[3] == '-';
    *text = t + 4;
    *tlen = len - 4;
    return TRUE;
}

/* Octets of reply text a parser holds before it allocates: a greeting or
 * an EHLO answer fits. */
#define SMTP_REPLY_PARSER_FIRST 256

struct SmtpReplyParser {
    LineReader *lr;
    /* the reply being assembled (cur_n lines so far) */
    guint cur_n;
    guint cur_code;
    char cur_enhanced[SMTP_REPLY_ENHANCED_MAX];
    gsize cur_enhanced_len;
    /* its lines, each NUL-terminated: cur_size octets at cur_text, which
     * starts as first[] (a plain buffer: a client parses every reply) */
    char *cur_text;
    gsize cur_size, cur_cap;
    char *error; /* sticky */
    /* (nullable) the block of the last reply returned, one reference
     * ours: once its taker has released it, the next reply is written into
     * it (a client parses every reply; no allocation per reply then) */
    SmtpReplyBlock *spare;
    char first[SMTP_REPLY_PARSER_FIRST];
};

SmtpReplyParser *
smtp_reply_parser_new(void)
{
    /* first[] is not zeroed: only cur_size octets of it are ever read. */
    SmtpReplyParser *p = g_malloc(sizeof *p);
    memset(p, 0, G_STRUCT_OFFSET(SmtpReplyParser, first));
    /* +1: see smtp_reply_parser_next() on the exact limit. */
    p->lr = line_reader_new(SMTP_REPLY_LINE_MAX);
    p->cur_text = p->first;
    p->cur_cap = sizeof p->first;
    return p;
}

void
smtp_reply_parser_reset(SmtpReplyParser *p)
{
    g_return_if_fail(p != NULL);
    line_reader_discard(p->lr);
    line_reader_set_max(p->lr, SMTP_REPLY_LINE_MAX);
    g_clear_pointer(&p->error, g_free);
    p->cur_n = 0;
    p->cur_code = 0;
    memset(p->cur_enhanced, 0, sizeof p->cur_enhanced);
    p->cur_enhanced_len = 0;
    p->cur_size = 0;
}

void
smtp_reply_parser_free(SmtpReplyParser *p)
{
    if (p == NULL)
        return;
    line_reader_free(p->lr);
    if (p->cur_text != p->first)
        g_free(p->cur_text);
    g_free(p->error);
    smtp_reply_free(p->spare ? &p->spare->pub : NULL);
    g_free(p);
}

void
smtp_reply_parser_feed(SmtpReplyParser *p, const guint8 *data, gsize len)
{
    g_return_if_fail(p != NULL);
    if (p->error == NULL)
        line_reader_feed(p->lr, data, len);
}

static SmtpReplyParseResult
smtp_reply_parser_fail(SmtpReplyParser *p, const char *why)
{
    p->error = g_strdup(why);
    p->cur_n = 0;
    line_reader_discard(p->lr);
    return SMTP_REPLY_PARSE_ERROR;
}

/* Appends n octets to the reply text being assembled. */
static void
smtp_reply_parser_put(SmtpReplyParser *p, const char *text, gsize n)
{
    if (p->cur_size + n > p->cur_cap) {
        gsize cap = MAX(p->cur_cap * 2, p->cur_size + n);
        if (p->cur_text == p->first) {
            p->cur_text = g_malloc(cap);
            memcpy(p->cur_text, p->first, p->cur_size);
        } else {
            p->cur_text = g_realloc(p->cur_text, cap);
        }
        p->cur_cap = cap;
    }
    memcpy(p->cur_text + p->cur_size, text, n);
    p->cur_size += n;
}

/* Adds one line to p->cur; TRUE when the reply is complete. */
static gboolean
smtp_reply_parser_add(SmtpReplyParser *p, guint code, gboolean more, const char *text, gsize tlen)
{
    if (p->cur_n == 0) {
        p->cur_code = code;
        p->cur_size = 0;
        gsize el = MIN(smtp_reply_scan_enhanced(text, tlen, code), sizeof p->cur_enhanced - 1);
        memcpy(p->cur_enhanced, text, el);
        p->cur_enhanced[el] = '\0';
        p->cur_enhanced_len = el;
    }
    gsize el = p->cur_enhanced_len;
    if (el > 0 && tlen >= el && memcmp(text, p->cur_enhanced, el) == 0 &&
        (tlen == el || text[el] == ' ')) {
        text += el;
        tlen -= el;
        if (tlen > 0) {
            text++;
            tlen--;
        }
    }
    /* As a C string: a NUL in the line ends it. The line reader ends each
     * line with a NUL, so the text and its terminator go in one copy. */
    g_assert(text[tlen] == '\0');
    const char *nul = memchr(text, '\0', tlen + 1);
    smtp_reply_parser_put(p, text, (gsize)(nul - text) + 1);
    p->cur_n++;
    return !more;
}

/* The assembled reply in a block with a reference for the caller: the spare
 * block when nobody else holds it any more and it has room, else a new one
 * that becomes the spare. A reply still held is never written to. */
static SmtpReplyBlock *
smtp_reply_parser_take(SmtpReplyParser *p)
{
    SmtpReplyBlock *b = p->spare;
    if (b != NULL && b->refs == 1 && b->cap >= p->cur_n && b->text_room >= p->cur_size) {
        g_assert(b->lines.pdata == b->slot); /* no line was added: it was shared */
        b->pub.code = p->cur_code;
        smtp_reply_set_enhanced(&b->pub, p->cur_enhanced);
        b->lines.len = 0;
        b->text_size = p->cur_size;
        memcpy(b->text, p->cur_text, p->cur_size);
        smtp_reply_index_lines(b, p->cur_n);
    } else {
        if (b != NULL)
            smtp_reply_free(&b->pub);
        b = smtp_reply_alloc_room(p->cur_code, p->cur_enhanced, p->cur_text, p->cur_size, p->cur_n,
                                  SMTP_REPLY_PARSER_FIRST);
        p->spare = b;
    }
    b->refs++;
    return b;
}

SmtpReplyParseResult
smtp_reply_parser_next(SmtpReplyParser *p, SmtpReply **reply)
{
    g_return_val_if_fail(p != NULL && reply != NULL, SMTP_REPLY_PARSE_ERROR);
    if (p->error != NULL)
        return SMTP_REPLY_PARSE_ERROR;
    for (;;) {
        const char *t;
        gsize len;
        LineEnd end;
        LineReaderResult lrr = line_reader_next(p->lr, &t, &len, &end);
        if (lrr == LINE_READER_NONE)
            return SMTP_REPLY_PARSE_NONE;
        /* RFC 5321 4.5.3.1.5: 512 octets, CRLF included. */
        if (lrr == LINE_READER_TOO_LONG)
            return smtp_reply_parser_fail(p, "reply line too long");
        /* RFC 5321 2.3.8: only CRLF ends a line. */
        if (end != LINE_END_CRLF)
            return smtp_reply_parser_fail(p, "reply line not ended by CRLF");
        guint code;
        gboolean more;
        const char *text;
        gsize tlen;
        if (!smtp_reply_split_line(t, len, &code, &more, &text, &tlen))
            return smtp_reply_parser_fail(p, "malformed reply line");
        /* RFC 5321 4.2.1: every line of a multi-line reply has the same code. */
        if (p->cur_n > 0 && p->cur_code != code)
            return smtp_reply_parser_fail(p, "reply code changed inside a multi-line reply");
        if (p->cur_n >= SMTP_REPLY_LINES_MAX)
            return smtp_reply_parser_fail(p, "too many reply lines");
        if (smtp_reply_parser_add(p, code, more, text, tlen)) {
            *reply = &smtp_reply_parser_take(p)->pub;
            p->cur_n = 0;
            return SMTP_REPLY_PARSE_REPLY;
        }
    }
}

const char *
smtp_reply_parser_error(const SmtpReplyParser *p)
{
    g_return_val_if_fail(p != NULL, NULL);
    return p->error;
}

gsize
smtp_reply_parser_discard(SmtpReplyParser *p)
{
    g_return_val_if_fail(p != NULL, 0);
    p->cur_n = 0;
    return line_reader_discard(p->lr);
}

gsize
smtp_reply_parser_pending(const SmtpReplyParser *p)
{
    g_return_val_if_fail(p != NULL, 0);
    return line_reader_pending(p->lr);
}

SmtpReply *
smtp_reply_parse_string(const char *text)
{
    g_return_val_if_fail(text != NULL, NULL);
    g_autoptr(SmtpReplyParser) p = smtp_reply_parser_new();
    gsize n = strlen(text);
    smtp_reply_parser_feed(p, (const guint8 *)text, n);
    if (n < 2 || text[n - 2] != '\r' || text[n - 1] != '\n')
        smtp_reply_parser_feed(p, (const guint8 *)"\r\n", 2);
    SmtpReply *r = NULL;
    if (smtp_reply_parser_next(p, &r) != SMTP_REPLY_PARSE_REPLY)
        return NULL;
    if (smtp_reply_parser_pending(p) != 0) {
        smtp_reply_free(r);
        return NULL;
    }
    return r;
}
