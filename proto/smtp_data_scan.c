/* SPDX-License-Identifier: MIT
 * smtp_data_scan: the run of ordinary lines (RFC 5321 2.3.8, 4.1.1.4,
 * 4.5.2, 4.5.3.1.6) at the start of message text, for the DATA encoder and
 * decoder. Every hop of every message goes through both, so the search for
 * CR, LF and NUL looks at 16 octets per step where SSE2 is available (every
 * x86-64), instead of two or three memchr() calls per line; elsewhere a
 * plain loop gives the same answer.
 */
#include "proto/smtp_data_scan.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* The scan's state: the lines before line_start are accepted. */
typedef struct {
    const guint8 *buf;
    gsize len;
    gsize max_content;
    gsize line_start;
} SmtpDataScan;

/* The octets that can end the run: CR, LF and NUL. The block search also
 * stops at the other C0 controls below CR (TAB...), which go on. */
#define SMTP_DATA_SCAN_LOW 0x0d

/* An octet at index at, at or below SMTP_DATA_SCAN_LOW: TRUE to go on (past
 * the CRLF it starts, if it is one), FALSE when the run ends at
 * sc->line_start. */
static inline gboolean
smtp_data_scan_at(SmtpDataScan *sc, gsize at)
{
    const guint8 *b = sc->buf;
    guint8 c = b[at];
    if (c != '\r' && c != '\n' && c != '\0')
        return TRUE;
    if (c != '\r' || at + 1 >= sc->len || b[at + 1] != '\n')
        return FALSE; /* NUL, bare LF, bare CR, or a CR that may be one */
    if (at - sc->line_start > sc->max_content)
        return FALSE;
    sc->line_start = at + 2;
    /* RFC 5321 4.5.2: a line starting with "." is the caller's. */
    return !(sc->line_start < sc->len && b[sc->line_start] == '.');
}

#if defined(__SSE2__)
/* Bit k set when v[k] <= SMTP_DATA_SCAN_LOW (unsigned): min(v, LOW) == v. */
static inline guint
smtp_data_scan_low16(const guint8 *p)
{
    const __m128i low = _mm_set1_epi8(SMTP_DATA_SCAN_LOW);
    __m128i v = _mm_loadu_si128((const __m128i *)p);
    return (guint)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(v, low), v));
}
#endif

gsize
smtp_data_scan_plain(const guint8 *buf, gsize len, gsize max_content)
{
    g_return_val_if_fail(buf != NULL || len == 0, 0);
    if (len == 0 || buf[0] == '.')
        return 0;
    SmtpDataScan sc = {.buf = buf, .len = len, .max_content = max_content, .line_start = 0};
    gsize i = 0;
#if defined(__SSE2__)
    for (; i + 32 <= len; i += 32) {
        guint32 mask = smtp_data_scan_low16(buf + i) | smtp_data_scan_low16(buf + i + 16) << 16;
        /* The LF of a CRLF that ended the block before was seen already. */
        if (sc.line_start > i)
            mask &= mask - 1;
        while (mask != 0) {
            guint k = (guint)__builtin_ctz(mask);
            if (!smtp_data_scan_at(&sc, i + k))
                return sc.line_start;
            /* Past this octet, and past the LF of a CRLF. */
            gsize past = sc.line_start > i + k ? sc.line_start - i : k + 1;
            mask = past < 32 ? mask & (~(guint32)0 << past) : 0;
        }
    }
#endif
    for (; i < len; i++) {
        if (i < sc.line_start || buf[i] > SMTP_DATA_SCAN_LOW)
            continue;
        if (!smtp_data_scan_at(&sc, i))
            return sc.line_start;
    }
    return sc.line_start;
}
