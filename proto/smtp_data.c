/* SPDX-License-Identifier: MIT
 * smtp_data: DATA transparency (RFC 5321 4.5.2), end-of-data detection
 * (4.1.1.4) with strict and lenient modes, and the client's dot-stuffing
 * encoder with stray CR/LF replacement (RFC 5322 2.3). The decoder is a byte
 * state machine, so results never depend on how the input is chunked.
 */
#include "proto/smtp_data.h"

#include <string.h>

#include "proto/smtp_data_scan.h"

typedef enum {
    SMTP_DATA_ST_BOL = 0, /* at the start of a line (after CRLF, or the DATA line) */
    SMTP_DATA_ST_DOT,     /* "." at the start of a line */
    SMTP_DATA_ST_DOT_CR,  /* "." CR at the start of a line */
    SMTP_DATA_ST_MID,     /* inside a line */
    SMTP_DATA_ST_CR,      /* CR inside a line: CRLF or bare CR? */
} SmtpDataState;

struct SmtpDataDecoder {
    SmtpDataEndMode mode;
    gsize max_size;
    gsize max_line;
    /* The message so far: a plain buffer, handed over whole by
     * smtp_data_decoder_steal() (every hop decodes every message). */
    guint8 *msg;
    gsize msg_len, msg_cap;
    guint64 size;
    gsize line_len; /* octets of the current line so far, ending excluded */
    SmtpDataFault faults;
    SmtpDataState st;
};

static const char *const smtp_data_mode_names[] = {
    [SMTP_DATA_END_STRICT] = "strict",
    [SMTP_DATA_END_NORMALIZE_LF] = "normalize-lf",
    [SMTP_DATA_END_LENIENT_LF] = "lenient-lf",
    [SMTP_DATA_END_LENIENT_CR_LF] = "lenient-cr-lf",
};

const char *
smtp_data_end_mode_name(SmtpDataEndMode mode)
{
    if ((guint)mode >= G_N_ELEMENTS(smtp_data_mode_names))
        return "?";
    return smtp_data_mode_names[mode];
}

gboolean
smtp_data_end_mode_from_string(const char *s, SmtpDataEndMode *mode)
{
    g_return_val_if_fail(s != NULL && mode != NULL, FALSE);
    for (guint i = 0; i < G_N_ELEMENTS(smtp_data_mode_names); i++) {
        if (g_ascii_strcasecmp(s, smtp_data_mode_names[i]) == 0) {
            *mode = (SmtpDataEndMode)i;
            return TRUE;
        }
    }
    return FALSE;
}

SmtpDataDecoder *
smtp_data_decoder_new(SmtpDataEndMode mode, gsize max_size, gsize max_line)
{
    SmtpDataDecoder *d = g_new0(SmtpDataDecoder, 1);
    d->mode = mode;
    d->max_size = max_size;
    d->max_line = max_line ? max_line : SMTP_DATA_LINE_MAX;
    return d;
}

void
smtp_data_decoder_setup(SmtpDataDecoder *d, SmtpDataEndMode mode, gsize max_size, gsize max_line)
{
    g_return_if_fail(d != NULL);
    d->mode = mode;
    d->max_size = max_size;
    d->max_line = max_line ? max_line : SMTP_DATA_LINE_MAX;
    smtp_data_decoder_reset(d);
}

void
smtp_data_decoder_free(SmtpDataDecoder *d)
{
    if (d == NULL)
        return;
    g_free(d->msg);
    g_free(d);
}

void
smtp_data_decoder_reset(SmtpDataDecoder *d)
{
    g_return_if_fail(d != NULL);
    d->msg_len = 0;
    d->size = 0;
    d->line_len = 0;
    d->faults = SMTP_DATA_FAULT_NONE;
    d->st = SMTP_DATA_ST_BOL;
}

void
smtp_data_decoder_reserve(SmtpDataDecoder *d, gsize n)
{
    g_return_if_fail(d != NULL);
    n = MIN(n, SMTP_DATA_RESERVE_MAX);
    if (d->max_size != 0)
        n = MIN(n, d->max_size);
    if (n <= d->msg_cap)
        return;
    d->msg = g_realloc(d->msg, n);
    d->msg_cap = n;
}

static void
smtp_data_emit(SmtpDataDecoder *d, const guint8 *p, gsize n)
{
    d->size += n;
    if (n == 0 || (d->faults & SMTP_DATA_FAULT_TOO_BIG))
        return;
    if (d->max_size != 0 && d->msg_len + n > d->max_size) {
        /* RFC 1870 6.3: keep reading, but do not keep what cannot be accepted. */
        d->faults |= SMTP_DATA_FAULT_TOO_BIG;
        d->msg_len = 0;
        return;
    }
    if (d->msg_len + n > d->msg_cap) {
        d->msg_cap = MAX(MAX(d->msg_cap * 2, d->msg_len + n), 256);
        d->msg = g_realloc(d->msg, d->msg_cap);
    }
    memcpy(d->msg + d->msg_len, p, n);
    d->msg_len += n;
}

/* Content octets of the current line (not its ending). */
static void
smtp_data_emit_text(SmtpDataDecoder *d, const guint8 *p, gsize n)
{
    d->line_len += n;
    /* RFC 5321 4.5.3.1.6: 1000 octets including CRLF. */
    if (d->line_len + 2 > d->max_line)
        d->faults |= SMTP_DATA_FAULT_LINE_LONG;
    smtp_data_emit(d, p, n);
}

static void
smtp_data_emit_crlf(SmtpDataDecoder *d, SmtpDataState next)
{
    smtp_data_emit(d, (const guint8 *)"\r\n", 2);
    d->line_len = 0;
    d->st = next;
}

/* A LF not preceded by CR (RFC 5321 2.3.8). */
static void
smtp_data_bare_lf(SmtpDataDecoder *d)
{
    switch (d->mode) {
    case SMTP_DATA_END_LENIENT_LF:
    case SMTP_DATA_END_LENIENT_CR_LF:
        smtp_data_emit_crlf(d, SMTP_DATA_ST_BOL);
        break;
    case SMTP_DATA_END_NORMALIZE_LF:
        /* A new line for content, but not one that can start <CRLF>.<CRLF>. */
        smtp_data_emit_crlf(d, SMTP_DATA_ST_MID);
        break;
    case SMTP_DATA_END_STRICT:
    default:
        d->faults |= SMTP_DATA_FAULT_BARE_LF;
        smtp_data_emit_text(d, (const guint8 *)"\n", 1);
        d->st = SMTP_DATA_ST_MID;
        break;
    }
}

/* A CR not followed by LF; the octet after it is not consumed here. */
static void
smtp_data_bare_cr(SmtpDataDecoder *d)
{
    if (d->mode == SMTP_DATA_END_LENIENT_CR_LF) {
        smtp_data_emit_crlf(d, SMTP_DATA_ST_BOL);
        return;
    }
    d->faults |= SMTP_DATA_FAULT_BARE_CR;
    smtp_data_emit_text(d, (const guint8 *)"\r", 1);
    d->st = SMTP_DATA_ST_MID;
}

/* Consumes a run of line content; returns the octets used. */
static gsize
smtp_data_scan_mid(SmtpDataDecoder *d, const guint8 *buf, gsize len)
{
    gsize j = 0;
    while (j < len && buf[j] != '\r' && buf[j] != '\n') {
        if (buf[j] == '\0')
            d->faults |= SMTP_DATA_FAULT_NUL;
        j++;
    }
    if (j > 0)
        smtp_data_emit_text(d, buf, j);
    if (j == len)
        return j;
    if (buf[j] == '\r')
        d->st = SMTP_DATA_ST_CR;
    else
        smtp_data_bare_lf(d);
    return j + 1;
}

/* The common case, taken at the start of a line: whole lines ended by CRLF
 * with no other CR or LF in them. They behave alike in every mode, so they
 * are emitted in spans (one copy for many lines) instead of octet by octet.
 * Consumes such lines up to the first that is incomplete or irregular, which
 * is left to the state machine; returns the octets used. *done is set when
 * the line was "." (RFC 5321 4.1.1.4). */
static gsize
smtp_data_feed_lines(SmtpDataDecoder *d, const guint8 *buf, gsize len, gboolean *done)
{
    /* Ordinary lines first, in one span (the common case: all of them). */
    gsize i = d->max_line >= 2 ? smtp_data_scan_plain(buf, len, d->max_line - 2) : 0, span = 0;
    /* One search for NUL over the rest, not one per line (ordinary mail
     * has none): nul is the first at or after i, or len. */
    const guint8 *z = memchr(buf + i, '\0', len - i);
    gsize nul = z ? (gsize)(z - buf) : len;
    while (i < len) {
        const guint8 *lf = memchr(buf + i, '\n', len - i);
        if (lf == NULL)
            break;
        gsize end = (gsize)(lf - buf); /* the LF */
        if (end == i || buf[end - 1] != '\r' || memchr(buf + i, '\r', end - 1 - i) != NULL)
            break; /* bare LF or bare CR: the state machine says what it means */
        gsize content = end - 1 - i;
        if (buf[i] == '.') {
            if (content == 1) {
                smtp_data_emit(d, buf + span, i - span);
                *done = TRUE;
                return end + 1;
            }
            /* RFC 5321 4.5.2: the leading "." is deleted. */
            smtp_data_emit(d, buf + span, i - span);
            span = i + 1;
        }
        /* RFC 5321 4.5.3.1.6: 1000 octets including CRLF. */
        if (content + 2 > d->max_line)
            d->faults |= SMTP_DATA_FAULT_LINE_LONG;
        /* RFC 5321 4.1.1.4, RFC 5322 3.5: no NUL in the content. */
        if (nul < i + content)
            d->faults |= SMTP_DATA_FAULT_NUL;
        i = end + 1;
        if (nul < i) { /* keep nul the first NUL at or after i */
            z = memchr(buf + i, '\0', len - i);
            nul = z ? (gsize)(z - buf) : len;
        }
    }
    smtp_data_emit(d, buf + span, i - span);
    return i;
}

gsize
smtp_data_decoder_feed(SmtpDataDecoder *d, const guint8 *buf, gsize len, gboolean *done)
{
    g_return_val_if_fail(d != NULL && done != NULL, 0);
    gboolean lf_ends = d->mode == SMTP_DATA_END_LENIENT_LF || d->mode == SMTP_DATA_END_LENIENT_CR_LF;
    gsize i = 0;
    *done = FALSE;
    while (i < len) {
        guint8 c = buf[i];
        switch (d->st) {
        case SMTP_DATA_ST_MID:
            i += smtp_data_scan_mid(d, buf + i, len - i);
            break;
        case SMTP_DATA_ST_CR:
            if (c == '\n') {
                smtp_data_emit_crlf(d, SMTP_DATA_ST_BOL);
                i++;
            } else {
                smtp_data_bare_cr(d);
            }
            break;
        case SMTP_DATA_ST_BOL: {
            gsize used = smtp_data_feed_lines(d, buf + i, len - i, done);
            i += used;
            if (*done)
                return i;
            if (used > 0)
                break;
            if (c == '.') {
                d->st = SMTP_DATA_ST_DOT;
                d->line_len = 1;
                i++;
            } else {
                d->st = SMTP_DATA_ST_MID;
            }
            break;
        }
        case SMTP_DATA_ST_DOT:
            if (c == '\r') {
                d->st = SMTP_DATA_ST_DOT_CR;
                i++;
            } else if (c == '\n' && lf_ends) {
                *done = TRUE;
                return i + 1;
            } else {
                /* RFC 5321 4.5.2: the leading "." is deleted. */
                d->st = SMTP_DATA_ST_MID;
            }
            break;
        case SMTP_DATA_ST_DOT_CR:
            if (c == '\n') {
                /* RFC 5321 4.1.1.4: <CRLF>.<CRLF> */
                *done = TRUE;
                return i + 1;
            }
            if (d->mode == SMTP_DATA_END_LENIENT_CR_LF) {
                *done = TRUE;
                return i;
            }
            smtp_data_bare_cr(d);
            break;
        }
    }
    return i;
}

SmtpDataFault
smtp_data_decoder_faults(const SmtpDataDecoder *d)
{
    g_return_val_if_fail(d != NULL, SMTP_DATA_FAULT_NONE);
    return d->faults;
}

guint64
smtp_data_decoder_size(const SmtpDataDecoder *d)
{
    g_return_val_if_fail(d != NULL, 0);
    return d->size;
}

GBytes *
smtp_data_decoder_steal(SmtpDataDecoder *d)
{
    g_return_val_if_fail(d != NULL, NULL);
    /* The storage moves out; the next message starts a new one. */
    gsize len = d->msg_len;
    guint8 *data = g_steal_pointer(&d->msg);
    d->msg_cap = 0;
    smtp_data_decoder_reset(d);
    return g_bytes_new_take(data, len);
}

guint
smtp_data_fault_reply(SmtpDataFault faults, const char **enhanced, const char **text)
{
    g_return_val_if_fail(enhanced != NULL && text != NULL, 0);
    /* RFC 1870 6.3 */
    if (faults & SMTP_DATA_FAULT_TOO_BIG) {
        *enhanced = "5.3.4";
        *text = "Error: message file too big";
        return 552;
    }
    /* Postfix smtpd_forbid_bare_newline=reject: reject code 550, 5.5.2. */
    if (faults & SMTP_DATA_FAULT_BARE_LF) {
        *enhanced = "5.5.2";
        *text = "Error: bare <LF> received";
        return 550;
    }
    if (faults & SMTP_DATA_FAULT_BARE_CR) {
        *enhanced = "5.5.2";
        *text = "Error: bare <CR> received";
        return 550;
    }
    if (faults & SMTP_DATA_FAULT_NUL) {
        *enhanced = "5.6.0";
        *text = "Error: NUL character in message";
        return 550;
    }
    if (faults & SMTP_DATA_FAULT_LINE_LONG) {
        *enhanced = "5.6.0";
        *text = "Error: message line too long";
        return 550;
    }
    *enhanced = "";
    *text = "";
    return 0;
}

/* Index of the first CR or LF in p[from, to), or to. */
static gsize
smtp_data_find_eol(const guint8 *p, gsize from, gsize to)
{
    const guint8 *lf = memchr(p + from, '\n', to - from);
    gsize end = lf ? (gsize)(lf - p) : to;
    const guint8 *cr = memchr(p + from, '\r', end - from);
    return cr ? (gsize)(cr - p) : end;
}

/* The encoder's output: a plain buffer, not a GByteArray (one allocation
 * and no call per append; every hop encodes every message). */
typedef struct {
    guint8 *data;
    gsize len, cap;
} SmtpDataOut;

static void
smtp_data_out_append(SmtpDataOut *o, const guint8 *p, gsize n)
{
    if (o->len + n > o->cap) {
        o->cap = MAX(o->cap * 2, o->len + n);
        o->data = g_realloc(o->data, o->cap);
    }
    if (n > 0)
        memcpy(o->data + o->len, p, n);
    o->len += n;
}

GBytes *
smtp_data_encode(GBytes *msg, gsize *stray)
{
    g_return_val_if_fail(msg != NULL, NULL);
    gsize len = 0;
    const guint8 *p = g_bytes_get_data(msg, &len);
    /* Room for the message, a few stuffed dots and the terminator. */
    SmtpDataOut out = {.len = 0, .cap = len + len / 64 + 8};
    out.data = g_malloc(out.cap);
    gboolean bol = TRUE;
    gsize nstray = 0;
    gsize i = 0;
    gsize span = 0; /* input from here on is still to be copied as is */
    while (i < len) {
        if (bol) {
            /* Ordinary lines stay in the span as they are. */
            i += smtp_data_scan_plain(p + i, len - i, G_MAXSIZE);
            if (i == len)
                break;
        }
        if (bol && p[i] == '.') {
            /* RFC 5321 4.5.2: double the leading "." (it stays in the span). */
            smtp_data_out_append(&out, p + span, i - span);
            smtp_data_out_append(&out, (const guint8 *)".", 1);
            span = i;
        }
        gsize j = smtp_data_find_eol(p, i, len);
        if (j == len) {
            bol = FALSE;
            break;
        }
        if (p[j] == '\r' && j + 1 < len && p[j + 1] == '\n') {
            bol = TRUE;
            i = j + 2;
        } else {
            /* RFC 5322 2.3: no stray CR or LF may leave this client. */
            smtp_data_out_append(&out, p + span, j - span);
            smtp_data_out_append(&out, (const guint8 *)" ", 1);
            span = j + 1;
            nstray++;
            bol = FALSE;
            i = j + 1;
        }
    }
    smtp_data_out_append(&out, p + span, len - span);
    if (!bol)
        smtp_data_out_append(&out, (const guint8 *)"\r\n", 2);
    smtp_data_out_append(&out, (const guint8 *)".\r\n", 3);
    if (stray != NULL)
        *stray = nstray;
    return g_bytes_new_take(out.data, out.len);
}
