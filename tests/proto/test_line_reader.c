/* SPDX-License-Identifier: MIT
 * Tests for proto/line_reader: endings, limits, every split point.
 */
#include <string.h>

#include <glib.h>

#include "proto/line_reader.h"

/* Collects "TEXT|END" strings for every line, "!LONG" for over-long ones. */
static char *
collect(const char *input, gsize inlen, gsize max, gsize chunk)
{
    g_autoptr(LineReader) lr = line_reader_new(max);
    GString *out = g_string_new(NULL);
    for (gsize off = 0; off < inlen; off += chunk) {
        gsize n = MIN(chunk, inlen - off);
        line_reader_feed(lr, (const guint8 *)input + off, n);
        for (;;) {
            const char *t;
            gsize len;
            LineEnd end;
            LineReaderResult r = line_reader_next(lr, &t, &len, &end);
            if (r == LINE_READER_NONE)
                break;
            if (r == LINE_READER_TOO_LONG) {
                g_string_append(out, "!LONG;");
                continue;
            }
            g_string_append_len(out, t, (gssize)len);
            g_string_append(out, end == LINE_END_CRLF ? "|crlf;" : end == LINE_END_LF ? "|lf;" : "|cr;");
        }
    }
    return g_string_free(out, FALSE);
}

static void
test_endings(void)
{
    const char *in = "HELO a\r\nMAIL\nRCPT\rX\r\n";
    g_autofree char *got = collect(in, strlen(in), 512, strlen(in));
    g_assert_cmpstr(got, ==, "HELO a|crlf;MAIL|lf;RCPT|cr;X|crlf;");
}

static void
test_split_invariance(void)
{
    const char *in = "EHLO x\r\nMAIL FROM:<a@b>\r\n\r\nbare\nlast\r\n"
                     "0123456789012345678901234567890123456789\r\nok\r\n";
    gsize n = strlen(in);
    g_autofree char *whole = collect(in, n, 32, n);
    g_assert_cmpstr(whole, ==, "EHLO x|crlf;MAIL FROM:<a@b>|crlf;|crlf;bare|lf;last|crlf;!LONG;ok|crlf;");
    for (gsize chunk = 1; chunk < n; chunk++) {
        g_autofree char *got = collect(in, n, 32, chunk);
        g_assert_cmpstr(got, ==, whole);
    }
}

static void
test_limit_counts_crlf(void)
{
    /* max 10: 8 octets of text + CRLF fit, 9 do not (RFC 5321 4.5.3.1.4). */
    g_autofree char *ok = collect("12345678\r\n", 10, 10, 10);
    g_assert_cmpstr(ok, ==, "12345678|crlf;");
    g_autofree char *bad = collect("123456789\r\nx\r\n", 14, 10, 14);
    g_assert_cmpstr(bad, ==, "!LONG;x|crlf;");
}

/* A line of exactly the limit must be accepted however it is chunked: a CR
 * still waiting for its LF is part of the ending, not of the text. */
static void
test_limit_exact_bytewise(void)
{
    const char *in = "12345678\r\n";
    for (gsize chunk = 1; chunk <= 10; chunk++) {
        g_autofree char *got = collect(in, 10, 10, chunk);
        g_assert_cmpstr(got, ==, "12345678|crlf;");
    }
}

static void
test_bounded_memory(void)
{
    g_autoptr(LineReader) lr = line_reader_new(100);
    char junk[4096];
    memset(junk, 'a', sizeof junk);
    int longs = 0;
    for (int i = 0; i < 1000; i++) {
        line_reader_feed(lr, (const guint8 *)junk, sizeof junk);
        const char *t;
        gsize len;
        LineEnd end;
        while (line_reader_next(lr, &t, &len, &end) != LINE_READER_NONE)
            longs++;
        g_assert_cmpuint(line_reader_pending(lr), <=, 100);
    }
    g_assert_cmpint(longs, ==, 1);
}

static void
test_discard(void)
{
    g_autoptr(LineReader) lr = line_reader_new(100);
    line_reader_feed(lr, (const guint8 *)"STARTTLS\r\nMAIL FROM:<x@y>\r\n", 27);
    const char *t;
    gsize len;
    LineEnd end;
    g_assert_cmpint(line_reader_next(lr, &t, &len, &end), ==, LINE_READER_LINE);
    g_assert_cmpstr(t, ==, "STARTTLS");
    g_assert_cmpuint(line_reader_discard(lr), ==, 17);
    g_assert_cmpint(line_reader_next(lr, &t, &len, &end), ==, LINE_READER_NONE);
}

/* Input far larger than the first buffer, fed whole or in odd chunks and
 * read only after several feeds, so the buffer grows, moves and compacts
 * with lines still unread: every line comes out once, in order. */
static void
test_growth(void)
{
    g_autoptr(GString) in = g_string_new(NULL), want = g_string_new(NULL);
    for (guint i = 0; i < 3000; i++) {
        g_string_append_printf(in, "line %u\r\n", i);
        g_string_append_printf(want, "line %u|crlf;", i);
    }
    const gsize chunks[] = {in->len, 1, 7, 255, 256, 257, 4097};
    for (guint c = 0; c < G_N_ELEMENTS(chunks); c++) {
        g_autofree char *got = collect(in->str, in->len, 100000, chunks[c]);
        g_assert_cmpstr(got, ==, want->str);
    }
    /* Several feeds before a read. */
    g_autoptr(LineReader) lr = line_reader_new(100000);
    GString *out = g_string_new(NULL);
    for (gsize off = 0; off < in->len; off += 1000) {
        line_reader_feed(lr, (const guint8 *)in->str + off, MIN(1000, in->len - off));
        if ((off / 1000) % 3 != 2)
            continue;
        const char *t;
        gsize len;
        LineEnd end;
        while (line_reader_next(lr, &t, &len, &end) == LINE_READER_LINE) {
            g_string_append_len(out, t, (gssize)len);
            g_string_append(out, "|crlf;");
        }
    }
    const char *t;
    gsize len;
    LineEnd end;
    while (line_reader_next(lr, &t, &len, &end) == LINE_READER_LINE) {
        g_string_append_len(out, t, (gssize)len);
        g_string_append(out, "|crlf;");
    }
    g_assert_cmpuint(line_reader_pending(lr), ==, 0);
    g_autofree char *got = g_string_free(out, FALSE);
    g_assert_cmpstr(got, ==, want->str);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/line-reader/endings", test_endings);
    g_test_add_func("/proto/line-reader/split-invariance", test_split_invariance);
    g_test_add_func("/proto/line-reader/limit-counts-crlf", test_limit_counts_crlf);
    g_test_add_func("/proto/line-reader/limit-exact-bytewise", test_limit_exact_bytewise);
    g_test_add_func("/proto/line-reader/bounded-memory", test_bounded_memory);
    g_test_add_func("/proto/line-reader/discard", test_discard);
    g_test_add_func("/proto/line-reader/growth", test_growth);
    return g_test_run();
}
