/* SPDX-License-Identifier: MIT
 * Tests for smtp_data_scan: the run of ordinary lines at the start of
 * message text (each ended by CRLF, no other CR or LF: RFC 5321 2.3.8; no
 * NUL: 4.1.1.4; no leading ".": 4.5.2; a length limit: 4.5.3.1.6). Checked
 * against a line-by-line reference on fixed vectors, on CRLFs at every
 * offset around the 16- and 32-octet steps of the block search, and on
 * seeded random text; then the encoder and decoder that use it, on long
 * messages, whole against octet by octet.
 */
#include "proto/smtp_data_scan.h"

#include <string.h>

#include "proto/smtp_data.h"

/* The obvious definition, one line at a time. */
static gsize
scan_reference(const guint8 *b, gsize len, gsize max_content)
{
    gsize start = 0;
    while (start < len && b[start] != '.') {
        gsize j = start;
        while (j < len && b[j] != '\r' && b[j] != '\n' && b[j] != '\0')
            j++;
        if (j + 1 >= len || b[j] != '\r' || b[j + 1] != '\n' || j - start > max_content)
            break;
        start = j + 2;
    }
    return start;
}

static void
assert_scan(const char *in, gsize len, gsize max_content, gsize want)
{
    /* A copy of exactly len octets, so a read past the end is seen by
     * valgrind and the sanitizers. */
    g_autofree guint8 *copy = g_memdup2(in, len);
    g_assert_cmpuint(scan_reference(copy, len, max_content), ==, want);
    g_assert_cmpuint(smtp_data_scan_plain(copy, len, max_content), ==, want);
}

static void
test_scan_vectors(void)
{
    assert_scan("", 0, G_MAXSIZE, 0);
    assert_scan("ab\r\n", 4, G_MAXSIZE, 4);
    assert_scan(".ab\r\n", 5, G_MAXSIZE, 0);
    assert_scan("ab\r\n.\r\n", 7, G_MAXSIZE, 4);              /* the end line is the caller's */
    assert_scan("ab\r\n..x\r\n", 9, G_MAXSIZE, 4);            /* so is a stuffed dot */
    assert_scan("ab\r", 3, G_MAXSIZE, 0);                     /* CR at the end: LF may follow */
    assert_scan("ab\n", 3, G_MAXSIZE, 0);                     /* bare LF */
    assert_scan("a\rb\r\n", 5, G_MAXSIZE, 0);                 /* bare CR */
    assert_scan("ab\r\nc\0d\r\n", 9, G_MAXSIZE, 4);           /* NUL */
    assert_scan("a\tb\x0b\x0c\r\ncd\r\n", 11, G_MAXSIZE, 11); /* other controls go on */
    assert_scan("\r\n\r\n", 4, G_MAXSIZE, 4);                 /* empty lines */
    assert_scan("ab\r\ncd", 6, G_MAXSIZE, 4);                 /* an unfinished line */
    /* The limit is on the octets before CRLF. */
    assert_scan("abc\r\nabcd\r\n", 11, 3, 5);
    assert_scan("abc\r\nab\r\n", 9, 3, 9);
    assert_scan("\r\n", 2, 0, 2);
}

/* A CRLF (or a bare CR, bare LF, NUL, dot line) at every offset around the
 * block steps, in text long enough to take the block path. */
static void
test_scan_offsets(void)
{
    static const char *const ends[] = {"\r\n", "\r\n.", "\r", "\n", "\0", "\r\r\n", "\t\r\n"};
    for (gsize len = 1; len <= 100; len++) {
        for (gsize at = 0; at < len; at++) {
            for (guint e = 0; e < G_N_ELEMENTS(ends); e++) {
                char buf[128];
                memset(buf, 'x', sizeof buf);
                gsize el = e == 4 ? 1 : strlen(ends[e]);
                if (at + el > len)
                    continue;
                memcpy(buf + at, ends[e], el);
                /* And a last CRLF, so that most inputs are whole lines. */
                if (len >= 2 && at + el <= len - 2)
                    memcpy(buf + len - 2, "\r\n", 2);
                g_autofree guint8 *copy = g_memdup2(buf, len);
                for (gsize max = 0; max < 40; max += 13) {
                    gsize m = max == 39 ? G_MAXSIZE : max;
                    g_assert_cmpuint(smtp_data_scan_plain(copy, len, m), ==,
                                     scan_reference(copy, len, m));
                }
            }
        }
    }
}

static void
test_scan_random(void)
{
    /* Mostly text, some line ends, now and then what ends the run. */
    static const char alphabet[] = "abcdefghijklmnop \t\r\n\r\n\r\n\r\n.\0\r\n";
    g_autoptr(GRand) rng = g_rand_new_with_seed(53214);
    for (int k = 0; k < 4000; k++) {
        guint8 in[300];
        gsize len = (gsize)g_rand_int_range(rng, 0, (gint32)sizeof in);
        gboolean regular = k % 2 == 0; /* half of them: ordinary lines only */
        for (gsize i = 0; i < len; i++) {
            if (regular) {
                gint32 r = g_rand_int_range(rng, 0, 20);
                in[i] = r == 0 && i + 1 < len ? '\r' : (guint8)('a' + r);
                if (in[i] == '\r')
                    in[++i] = '\n';
            } else {
                in[i] = (guint8)alphabet[g_rand_int_range(rng, 0, (gint32)sizeof alphabet - 1)];
            }
        }
        g_autofree guint8 *copy = g_memdup2(in, len);
        gsize max = k % 3 == 0 ? G_MAXSIZE : (gsize)g_rand_int_range(rng, 0, 40);
        g_assert_cmpuint(smtp_data_scan_plain(copy, len, max), ==, scan_reference(copy, len, max));
    }
}

/* Decodes enc whole and octet by octet: the same end, message and faults;
 * with want, the end is the end of enc and the message is want. */
static void
assert_decodes_alike(GBytes *enc, GBytes *want)
{
    gsize n = 0;
    const guint8 *e = g_bytes_get_data(enc, &n);
    g_autoptr(SmtpDataDecoder) whole = smtp_data_decoder_new(SMTP_DATA_END_STRICT, 0, 0);
    g_autoptr(SmtpDataDecoder) bytes = smtp_data_decoder_new(SMTP_DATA_END_STRICT, 0, 0);
    gboolean done = FALSE;
    gsize used_whole = smtp_data_decoder_feed(whole, e, n, &done);
    g_assert_true(done);
    if (want != NULL)
        g_assert_cmpuint(used_whole, ==, n);
    done = FALSE;
    gsize used = 0;
    while (used < n && !done)
        used += smtp_data_decoder_feed(bytes, e + used, 1, &done);
    g_assert_true(done);
    g_assert_cmpuint(used, ==, used_whole);
    g_assert_cmpuint(smtp_data_decoder_faults(whole), ==, smtp_data_decoder_faults(bytes));
    g_autoptr(GBytes) a = smtp_data_decoder_steal(whole);
    g_autoptr(GBytes) b = smtp_data_decoder_steal(bytes);
    g_assert_true(g_bytes_equal(a, b));
    if (want != NULL)
        g_assert_true(g_bytes_equal(a, want));
}

/* Long messages of CRLF lines (some starting with "."): the encoder stuffs,
 * the decoder unstuffs, whole or octet by octet, back to the message. */
static void
test_round_trip_long(void)
{
    g_autoptr(GRand) rng = g_rand_new_with_seed(4552);
    for (int k = 0; k < 300; k++) {
        g_autoptr(GString) msg = g_string_new(NULL);
        gint32 lines = g_rand_int_range(rng, 0, 40);
        for (gint32 l = 0; l < lines; l++) {
            gint32 ll = g_rand_int_range(rng, 0, 90);
            for (gint32 c = 0; c < ll; c++) {
                gint32 r = g_rand_int_range(rng, 0, 30);
                g_string_append_c(msg, r == 0 ? '.' : r == 1 ? '\t' : (char)('a' + r % 26));
            }
            g_string_append(msg, "\r\n");
        }
        g_autoptr(GBytes) in = g_bytes_new(msg->str, msg->len);
        gsize stray = 99;
        g_autoptr(GBytes) enc = smtp_data_encode(in, &stray);
        g_assert_cmpuint(stray, ==, 0);
        assert_decodes_alike(enc, in);
    }
}

/* Any octets, as a client may send them: whole and octet by octet agree. */
static void
test_decode_long_random(void)
{
    static const char alphabet[] = "abcdefgh.\r\n\r\n\r\n\0\t";
    g_autoptr(GRand) rng = g_rand_new_with_seed(4553);
    for (int k = 0; k < 300; k++) {
        gsize len = (gsize)g_rand_int_range(rng, 0, 400);
        g_autofree char *in = g_malloc(len + 5);
        for (gsize i = 0; i < len; i++)
            in[i] = alphabet[g_rand_int_range(rng, 0, (gint32)sizeof alphabet - 1)];
        memcpy(in + len, "\r\n.\r\n", 5);
        g_autoptr(GBytes) enc = g_bytes_new(in, len + 5);
        assert_decodes_alike(enc, NULL);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/smtp-data-scan/vectors", test_scan_vectors);
    g_test_add_func("/proto/smtp-data-scan/offsets", test_scan_offsets);
    g_test_add_func("/proto/smtp-data-scan/random", test_scan_random);
    g_test_add_func("/proto/smtp-data-scan/round-trip-long", test_round_trip_long);
    g_test_add_func("/proto/smtp-data-scan/decode-long-random", test_decode_long_random);
    return g_test_run();
}
