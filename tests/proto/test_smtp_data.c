/* SPDX-License-Identifier: MIT
 * Tests for smtp_data: DATA transparency (RFC 5321 4.5.2), end-of-data
 * detection (4.1.1.4) in every mode, and the client's dot-stuffing encoder
 * with stray CR/LF replacement (RFC 5322 2.3). The decoder is checked whole,
 * byte by byte and split at every point, on fixed vectors and on seeded
 * random inputs made of the octets that matter (".", CR, LF, NUL).
 */
#include "proto/smtp_data.h"

#include <string.h>

typedef struct {
    GBytes *msg;
    SmtpDataFault faults;
    guint64 size;
    gsize used;
    gboolean done;
} DecodeResult;

static void
decode_result_clear(DecodeResult *r)
{
    g_clear_pointer(&r->msg, g_bytes_unref);
}

/* Feeds in[0..len) cut at the points in cuts (sorted, 0 terminated); split 1
 * means byte by byte. Stops at the end of data like the server does. */
static void
decode(SmtpDataEndMode mode, gsize max_size, gsize max_line, const char *in, gsize len, gsize split,
       DecodeResult *out)
{
    g_autoptr(SmtpDataDecoder) d = smtp_data_decoder_new(mode, max_size, max_line);
    smtp_data_decoder_reset(d);
    gsize pos = 0;
    gboolean done = FALSE;
    while (pos < len && !done) {
        gsize n = len - pos;
        if (split == 1)
            n = 1;
        else if (split >= 2 && pos < split - 1)
            n = split - 1 - pos;
        gsize used = smtp_data_decoder_feed(d, (const guint8 *)in + pos, n, &done);
        g_assert_cmpuint(used, <=, n);
        if (!done)
            g_assert_cmpuint(used, ==, n);
        pos += used;
    }
    out->faults = smtp_data_decoder_faults(d);
    out->size = smtp_data_decoder_size(d);
    out->used = pos;
    out->done = done;
    out->msg = smtp_data_decoder_steal(d);
}

static void
assert_same(const DecodeResult *a, const DecodeResult *b, const char *what, gsize split)
{
    if (!g_bytes_equal(a->msg, b->msg) || a->faults != b->faults || a->size != b->size ||
        a->used != b->used || a->done != b->done) {
        g_printerr("%s: split %" G_GSIZE_FORMAT " differs from byte by byte\n", what, split);
        g_assert_not_reached();
    }
}

/* Whole and every split point must agree with byte-by-byte feeding. */
static void
check_split_invariance(SmtpDataEndMode mode, gsize max_size, gsize max_line, const char *in,
                       gsize len)
{
    DecodeResult ref = {0};
    decode(mode, max_size, max_line, in, len, 1, &ref);
    for (gsize split = 0; split <= len + 1; split++) {
        if (split == 1)
            continue;
        DecodeResult got = {0};
        decode(mode, max_size, max_line, in, len, split, &got);
        assert_same(&got, &ref, smtp_data_end_mode_name(mode), split);
        decode_result_clear(&got);
    }
    decode_result_clear(&ref);
}

static void
assert_decodes_len(SmtpDataEndMode mode, const char *in, gsize len, const char *want,
                   gsize want_len, SmtpDataFault faults, gsize used)
{
    DecodeResult r = {0};
    decode(mode, 0, 0, in, len, 0, &r);
    gsize n = 0;
    const char *m = g_bytes_get_data(r.msg, &n);
    g_assert_cmpmem(m, n, want, want_len);
    g_assert_cmpuint(r.faults, ==, faults);
    g_assert_cmpuint(r.used, ==, used);
    g_assert_true(r.done);
    decode_result_clear(&r);
    check_split_invariance(mode, 0, 0, in, len);
}

/* String literals that may hold NUL octets. */
#define assert_decodes(mode, in, want, faults, used)                                               \
    assert_decodes_len(mode, in, sizeof in - 1, want, sizeof want - 1, faults, used)

static void
test_decode_vectors(void)
{
    /* RFC 5321 4.5.2: a leading "." is removed; 4.1.1.4: <CRLF>.<CRLF> ends. */
    assert_decodes(SMTP_DATA_END_STRICT, "Subject: x\r\n\r\nbody\r\n.\r\n",
                   "Subject: x\r\n\r\nbody\r\n", 0, 23);
    assert_decodes(SMTP_DATA_END_STRICT, "..dot\r\n...\r\n.\r\nQUIT\r\n", ".dot\r\n..\r\n", 0, 15);
    /* The CRLF of the DATA line counts: "." first ends an empty message. */
    assert_decodes(SMTP_DATA_END_STRICT, ".\r\n", "", 0, 3);
    /* Strict: <LF>.<LF> is content and taints the message (RFC 5321 2.3.8). */
    assert_decodes(SMTP_DATA_END_STRICT, "a\n.\nb\r\n.\r\n", "a\n.\nb\r\n", SMTP_DATA_FAULT_BARE_LF,
                   10);
    assert_decodes(SMTP_DATA_END_STRICT, "a\rb\r\n.\r\n", "a\rb\r\n", SMTP_DATA_FAULT_BARE_CR, 8);
    assert_decodes(SMTP_DATA_END_STRICT, "a\0b\r\n.\r\n", "a\0b\r\n", SMTP_DATA_FAULT_NUL, 8);
    /* A NUL in a later line of the same chunk, in a leading-dot line, in the
     * last octet before CRLF; none after the end of data counts. */
    assert_decodes(SMTP_DATA_END_STRICT, "ok\r\nfine\r\nb\0\r\n.\r\n", "ok\r\nfine\r\nb\0\r\n",
                   SMTP_DATA_FAULT_NUL, 17);
    assert_decodes(SMTP_DATA_END_STRICT, "a\r\n.\0\r\nc\r\n.\r\n", "a\r\n\0\r\nc\r\n",
                   SMTP_DATA_FAULT_NUL, 13);
    assert_decodes(SMTP_DATA_END_STRICT, "a\r\nb\r\n.\r\n\0\0\r\n", "a\r\nb\r\n", 0, 9);
    assert_decodes(SMTP_DATA_END_STRICT, "\0\r\n\r\nx\r\n.\r\n", "\0\r\n\r\nx\r\n",
                   SMTP_DATA_FAULT_NUL, 11);
    /* Lenient LF: <LF>.<LF> ends the data (the smuggling vector). */
    assert_decodes(SMTP_DATA_END_LENIENT_LF, "a\n.\nMAIL", "a\r\n", 0, 4);
    assert_decodes(SMTP_DATA_END_LENIENT_CR_LF, "a\r.\rMAIL", "a\r\n", 0, 4);
    assert_decodes(SMTP_DATA_END_NORMALIZE_LF, "a\nb\r\n.\r\n", "a\r\nb\r\n", 0, 8);
}

static void
test_decode_line_limit(void)
{
    /* RFC 5321 4.5.3.1.6: 1000 octets including CRLF. */
    GString *in = g_string_new(NULL);
    g_string_append_c(in, '.');
    for (int i = 0; i < 998; i++)
        g_string_append_c(in, 'x');
    g_string_append(in, "\r\n.\r\n");
    DecodeResult r = {0};
    decode(SMTP_DATA_END_STRICT, 0, 0, in->str, in->len, 0, &r);
    g_assert_cmpuint(r.faults, ==, SMTP_DATA_FAULT_LINE_LONG); /* 999 + CRLF, stuffed dot counted */
    g_assert_cmpuint(g_bytes_get_size(r.msg), ==, 1000);
    decode_result_clear(&r);
    g_string_erase(in, 0, 1);
    decode(SMTP_DATA_END_STRICT, 0, 0, in->str, in->len, 0, &r);
    g_assert_cmpuint(r.faults, ==, 0); /* 998 + CRLF */
    decode_result_clear(&r);
    g_string_free(in, TRUE);
}

static void
test_decode_size_limit(void)
{
    const char *in = "0123456789\r\n0123456789\r\n.\r\n";
    DecodeResult r = {0};
    decode(SMTP_DATA_END_STRICT, 20, 0, in, strlen(in), 0, &r);
    g_assert_cmpuint(r.faults, ==, SMTP_DATA_FAULT_TOO_BIG); /* RFC 1870 6.3 */
    g_assert_cmpuint(g_bytes_get_size(r.msg), ==, 0);
    g_assert_cmpuint(r.size, ==, 24);
    decode_result_clear(&r);
    check_split_invariance(SMTP_DATA_END_STRICT, 20, 0, in, strlen(in));
    check_split_invariance(SMTP_DATA_END_STRICT, 24, 0, in, strlen(in));
}

static void
test_decode_random(void)
{
    static const char alphabet[] = "ab.\r\n\r\n\r\n..\0";
    g_autoptr(GRand) rng = g_rand_new_with_seed(5321);
    for (int k = 0; k < 300; k++) {
        char in[48];
        gsize len = (gsize)g_rand_int_range(rng, 1, (gint32)sizeof in);
        for (gsize i = 0; i < len; i++)
            in[i] = alphabet[g_rand_int_range(rng, 0, (gint32)sizeof alphabet - 1)];
        for (SmtpDataEndMode m = SMTP_DATA_END_STRICT; m <= SMTP_DATA_END_LENIENT_CR_LF; m++)
            check_split_invariance(m, k % 3 == 0 ? 16 : 0, k % 5 == 0 ? 6 : 0, in, len);
    }
}

/* The encoder as the RFCs state it, one octet at a time. */
static GString *
encode_reference(const char *p, gsize len, gsize *stray)
{
    GString *out = g_string_new(NULL);
    gboolean bol = TRUE;
    *stray = 0;
    for (gsize i = 0; i < len; i++) {
        if (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n') {
            g_string_append(out, "\r\n");
            i++;
            bol = TRUE;
            continue;
        }
        if (p[i] == '\r' || p[i] == '\n') {
            g_string_append_c(out, ' ');
            (*stray)++;
            bol = FALSE;
            continue;
        }
        if (bol && p[i] == '.')
            g_string_append_c(out, '.');
        g_string_append_c(out, p[i]);
        bol = FALSE;
    }
    if (!bol)
        g_string_append(out, "\r\n");
    g_string_append(out, ".\r\n");
    return out;
}

static void
assert_encodes(const char *in, gsize len, const char *want, gsize want_stray)
{
    g_autoptr(GBytes) msg = g_bytes_new(in, len);
    gsize stray = 99;
    g_autoptr(GBytes) enc = smtp_data_encode(msg, &stray);
    gsize n = 0;
    const char *e = g_bytes_get_data(enc, &n);
    g_assert_cmpmem(e, n, want, strlen(want));
    g_assert_cmpuint(stray, ==, want_stray);
}

static void
test_encode_vectors(void)
{
    assert_encodes("", 0, ".\r\n", 0);
    assert_encodes("a\r\n", 3, "a\r\n.\r\n", 0);
    assert_encodes("a", 1, "a\r\n.\r\n", 0);
    /* RFC 5321 4.5.2: every line starting with "." gets one more. */
    assert_encodes(".\r\n..x\r\nb.\r\n.", 13, "..\r\n...x\r\nb.\r\n..\r\n.\r\n", 0);
    /* RFC 5322 2.3: stray CR and LF become spaces; no stuffing after them. */
    assert_encodes("a\n.b\rc\r", 7, "a .b c \r\n.\r\n", 3);
    /* Far more stuffed dots than the first allocation has room for. */
    g_autoptr(GString) dots = g_string_new(NULL), want = g_string_new(NULL);
    for (int i = 0; i < 1000; i++) {
        g_string_append(dots, ".\r\n");
        g_string_append(want, "..\r\n");
    }
    g_string_append(want, ".\r\n");
    assert_encodes(dots->str, dots->len, want->str, 0);
}

static void
test_encode_random(void)
{
    static const char alphabet[] = "ab.\r\n\r\n..";
    g_autoptr(GRand) rng = g_rand_new_with_seed(5322);
    for (int k = 0; k < 2000; k++) {
        char in[40];
        gsize len = (gsize)g_rand_int_range(rng, 0, (gint32)sizeof in);
        for (gsize i = 0; i < len; i++)
            in[i] = alphabet[g_rand_int_range(rng, 0, (gint32)sizeof alphabet - 1)];
        gsize want_stray = 0;
        g_autoptr(GString) want = encode_reference(in, len, &want_stray);
        assert_encodes(in, len, want->str, want_stray);
        /* What the encoder sends, the strict decoder gives back unchanged. */
        g_autoptr(GBytes) msg = g_bytes_new(in, len);
        g_autoptr(GBytes) enc = smtp_data_encode(msg, NULL);
        DecodeResult r = {0};
        gsize n = 0;
        const char *e = g_bytes_get_data(enc, &n);
        decode(SMTP_DATA_END_STRICT, 0, 0, e, n, 0, &r);
        g_assert_true(r.done);
        g_assert_cmpuint(r.used, ==, n);
        g_assert_cmpuint(r.faults, ==, 0);
        decode_result_clear(&r);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/smtp-data/decode/vectors", test_decode_vectors);
    g_test_add_func("/proto/smtp-data/decode/line-limit", test_decode_line_limit);
    g_test_add_func("/proto/smtp-data/decode/size-limit", test_decode_size_limit);
    g_test_add_func("/proto/smtp-data/decode/random-splits", test_decode_random);
    g_test_add_func("/proto/smtp-data/encode/vectors", test_encode_vectors);
    g_test_add_func("/proto/smtp-data/encode/random", test_encode_random);
    return g_test_run();
}
