/* SPDX-License-Identifier: MIT
 * Tests for proto/message, proto/message_mime and proto/message_check:
 * byte-exact round trips, folding and unfolding (RFC 5322 2.2.3),
 * duplicates and case-insensitive names, edits, limits and malformed input,
 * Content-Type and multipart split/build.
 */
#include <string.h>

#include <glib.h>

#include "proto/message.h"
#include "proto/message_check.h"
#include "proto/message_mime.h"

static MailMessage *
parse_str(const char *s)
{
    return mail_message_parse((const guint8 *)s, strlen(s), NULL);
}

static void
assert_round_trip(const guint8 *data, gsize len)
{
    g_autoptr(MailMessage) m = mail_message_parse(data, len, NULL);
    g_autoptr(GBytes) out = mail_message_serialize(m);
    g_assert_cmpmem(g_bytes_get_data(out, NULL), g_bytes_get_size(out), data, len);
}

static void
test_round_trip(void)
{
    const char *cases[] = {
        "From: a@b.example\r\nSubject: hi\r\n\r\nbody\r\n",
        "From: a@b.example\nSubject: folded\n  line\n\nbody\n", /* LF only */
        "From: a@b.example\r\nX: y\n\r\nbody\r\n",              /* mixed */
        "Subject: no body\r\n",                                 /* no separator */
        "Subject: no newline at all",
        "\r\nbody only\r\n",
        "",
        "From MAILER-DAEMON Fri Apr 06 16:46:09 2001\nFrom: x@y\n\nb\n", /* mbox line */
        "From  : obsolete\r\nTo    : Mary\r\n  \r\n   <m@x>\r\n\r\n",    /* A.6.3 shapes */
        "Bad line\r\nFrom: x\r\n\r\n",                                   /* not a field */
        " leading continuation\r\nFrom: x\r\n\r\n",
        "A: 1\r\nB:2\r\nC:\r\n\r\n\r\n\r\n",
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++)
        assert_round_trip((const guint8 *)cases[i], strlen(cases[i]));
    /* NUL bytes are data, not terminators. */
    const guint8 nul[] = "X-A: a\0b\r\nY: c\r\n\r\nbo\0dy";
    assert_round_trip(nul, sizeof nul - 1);
}

static void
test_fields(void)
{
    g_autoptr(MailMessage) m = parse_str("Received: from a by b; 1 Jan 2000 00:00:00 +0000\r\n"
                                         "received: from c\r\n by d; 2 Jan 2000 00:00:00 +0000\r\n"
                                         "Subject:  Hello\r\n\tworld  \r\n"
                                         "X-Empty:\r\n"
                                         "\r\nThe body\r\n");
    g_assert_cmpuint(mail_message_n_fields(m), ==, 4);
    g_assert_cmpstr(mail_message_field_name(m, 1), ==, "received");
    /* Raw value keeps folding; the unfolded value drops only CRLF (2.2.3). */
    gsize len;
    g_assert_cmpstr(mail_message_field_raw_value(m, 2, &len), ==, "  Hello\r\n\tworld  ");
    g_assert_cmpuint(len, ==, 17);
    g_assert_cmpstr(mail_message_get(m, "SUBJECT"), ==, "Hello\tworld");
    g_assert_cmpstr(mail_message_get(m, "x-empty"), ==, "");
    g_assert_null(mail_message_get(m, "Subj"));
    g_autoptr(GPtrArray) rec = mail_message_get_all(m, "RECEIVED");
    g_assert_cmpuint(rec->len, ==, 2);
    g_assert_cmpstr(rec->pdata[0], ==, "from a by b; 1 Jan 2000 00:00:00 +0000");
    g_assert_cmpstr(rec->pdata[1], ==, "from c by d; 2 Jan 2000 00:00:00 +0000");
    g_assert_cmpuint(mail_message_count(m, "Received"), ==, 2);
    g_assert_cmpint(mail_message_find(m, "received", 1), ==, 1);
    g_assert_cmpint(mail_message_find(m, "received", 2), ==, -1);
    const guint8 *body = mail_message_get_body(m, &len);
    g_assert_cmpmem(body, len, "The body\r\n", 10);
    g_assert_cmpuint(mail_message_get_defects(m), ==, 0);
    g_assert_false(mail_message_is_lf_only(m));
    /* The raw field is exact. */
    const char *raw = mail_message_field_raw(m, 1, &len);
    const char *want_raw = "received: from c\r\n by d; 2 Jan 2000 00:00:00 +0000\r\n";
    g_assert_cmpmem(raw, len, want_raw, strlen(want_raw));
}

/* An empty message: no fields, no body; both serialisations are empty
 * (serialize_crlf passed NULL to memchr, found by fuzz_message). */
static void
test_empty(void)
{
    g_autoptr(MailMessage) m = mail_message_parse((const guint8 *)"", 0, NULL);
    g_assert_cmpuint(mail_message_n_fields(m), ==, 0);
    g_autoptr(GBytes) raw = mail_message_serialize(m);
    g_assert_cmpuint(g_bytes_get_size(raw), ==, 0);
    g_autoptr(GBytes) wire = mail_message_serialize_crlf(m);
    g_assert_cmpuint(g_bytes_get_size(wire), ==, 0);
    /* A new message has the empty line that ends its (empty) header. */
    g_autoptr(MailMessage) n = mail_message_new();
    g_autoptr(GBytes) wire2 = mail_message_serialize_crlf(n);
    g_assert_cmpmem(g_bytes_get_data(wire2, NULL), g_bytes_get_size(wire2), "\r\n", 2);
}

/* Values are unfolded on first use and kept: check the cases that need a
 * copy (folded, trailing WSP, bare CR, NUL) and those that do not, before
 * and after edits and copies. */
static void
test_values(void)
{
    const guint8 in[] = "A:plain\r\nB: \t lead\r\nC: trail \t\r\nD: x\r\n  y\r\n"
                        "E: a\0b\r\nF: bare\rcr\r\nG:\r\n \r\n\r\nbody";
    g_autoptr(GBytes) bytes = g_bytes_new(in, sizeof in - 1);
    g_autoptr(MailMessage) m = mail_message_parse_bytes(bytes, NULL);
    const char *want[] = {"plain", "lead", "trail", "x  y", "a", "bare\rcr", ""};
    g_assert_cmpuint(mail_message_n_fields(m), ==, G_N_ELEMENTS(want));
    for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
        g_assert_cmpstr(mail_message_field_value(m, i), ==, want[i]);
        /* Asked again: the same string. */
        g_assert_true(mail_message_field_value(m, i) == mail_message_field_value(m, i));
    }
    gsize len = 0;
    g_assert_cmpmem(mail_message_field_raw_value(m, 4, &len), len, " a\0b", 4);
    g_assert_cmpstr(mail_message_field_raw(m, 0, &len), ==, "A:plain\r\n");
    g_assert_cmpmem(mail_message_get_body(m, &len), len, "body", 4);
    mail_message_prepend(m, "New", "  v  ");
    g_assert_cmpstr(mail_message_field_value(m, 0), ==, "v");
    g_assert_cmpstr(mail_message_field_value(m, 4), ==, "x  y");
    g_autoptr(MailMessage) c = mail_message_copy(m);
    mail_message_remove_all(m, "D");
    for (guint i = 0; i < G_N_ELEMENTS(want); i++)
        g_assert_cmpstr(mail_message_field_value(c, i + 1), ==, want[i]);
    g_assert_cmpstr(mail_message_field_name(c, 4), ==, "D");
    g_autoptr(GBytes) out = mail_message_serialize(c);
    g_assert_cmpmem(g_bytes_get_data(out, NULL), g_bytes_get_size(out),
                    "New:  v  \r\n" "A:plain\r\nB: \t lead\r\nC: trail \t\r\nD: x\r\n  y\r\n"
                    "E: a\0b\r\nF: bare\rcr\r\nG:\r\n \r\n\r\nbody", sizeof in - 1 + 11);
}

static void
test_lf_only(void)
{
    g_autoptr(MailMessage) m = parse_str("From: a@b\nSubject: x\n y\n\nline1\nline2\n");
    g_assert_true(mail_message_is_lf_only(m));
    g_assert_true(mail_message_get_defects(m) & MAIL_MESSAGE_DEFECT_LF_ONLY);
    g_assert_cmpstr(mail_message_get(m, "Subject"), ==, "x y");
    g_autoptr(GBytes) crlf = mail_message_serialize_crlf(m);
    const char *want = "From: a@b\r\nSubject: x\r\n y\r\n\r\nline1\r\nline2\r\n";
    g_assert_cmpmem(g_bytes_get_data(crlf, NULL), g_bytes_get_size(crlf), want, strlen(want));
}

static void
test_edit(void)
{
    const char *in = "From: a@b.example\r\nBcc: secret@x.example\r\nTo: c@d.example\r\n"
                     "bcc: other@x.example\r\n\r\nHi\r\n";
    g_autoptr(MailMessage) m = parse_str(in);
    /* RFC 5322 3.6.3: remove Bcc before sending to To/Cc recipients. */
    g_assert_cmpuint(mail_message_remove_all(m, "BCC"), ==, 2);
    mail_message_prepend(m, "Received", "from x by y; 1 Jan 2000 00:00:00 +0000");
    mail_message_prepend(m, "Authentication-Results", "mx.example; spf=pass");
    mail_message_append(m, "Message-ID", "<1@b.example>");
    g_autoptr(GBytes) out = mail_message_serialize(m);
    const char *want =
        "Authentication-Results: mx.example; spf=pass\r\n"
        "Received: from x by y; 1 Jan 2000 00:00:00 +0000\r\n"
        "From: a@b.example\r\nTo: c@d.example\r\nMessage-ID: <1@b.example>\r\n\r\nHi\r\n";
    g_assert_cmpmem(g_bytes_get_data(out, NULL), g_bytes_get_size(out), want, strlen(want));
    mail_message_set(m, "to", "e@f.example");
    g_assert_cmpstr(mail_message_get(m, "To"), ==, "e@f.example");
    g_assert_cmpstr(mail_message_field_name(m, 3), ==, "to");
    mail_message_remove_at(m, 0);
    g_assert_cmpstr(mail_message_field_name(m, 0), ==, "Received");
    mail_message_insert(m, 1, "X-Mid", "m");
    g_assert_cmpstr(mail_message_field_name(m, 1), ==, "X-Mid");
    /* Copies are independent. */
    g_autoptr(MailMessage) c = mail_message_copy(m);
    mail_message_remove_all(c, "X-Mid");
    g_assert_cmpuint(mail_message_count(m, "X-Mid"), ==, 1);
    g_autoptr(GBytes) b1 = mail_message_serialize(c);
    mail_message_remove_all(m, "X-Mid");
    g_autoptr(GBytes) b2 = mail_message_serialize(m);
    g_assert_true(g_bytes_equal(b1, b2));
    /* Building from nothing. */
    g_autoptr(MailMessage) n = mail_message_new();
    mail_message_append(n, "Subject", "new");
    mail_message_set_body(n, (const guint8 *)"b\r\n", 3);
    g_autoptr(GBytes) nb = mail_message_serialize(n);
    g_assert_cmpmem(g_bytes_get_data(nb, NULL), g_bytes_get_size(nb), "Subject: new\r\n\r\nb\r\n",
                    19);
    /* A header-only parse gains a separator when a body is set. */
    g_autoptr(MailMessage) h = parse_str("Subject: x");
    mail_message_set_body(h, (const guint8 *)"b", 1);
    g_autoptr(GBytes) hb = mail_message_serialize(h);
    g_assert_cmpmem(g_bytes_get_data(hb, NULL), g_bytes_get_size(hb), "Subject: x\r\n\r\nb", 15);
}

/* Folding as RFC 5322 2.2.3 describes it, one segment at a time. */
static char *
fold_reference(const char *name, const char *value, guint width)
{
    g_autofree char *v = g_strdup(value);
    for (char *p = v; *p; p++)
        if (*p == '\r' || *p == '\n')
            *p = ' ';
    GString *out = g_string_new(name);
    g_string_append_c(out, ':');
    gsize line_len = out->len;
    gboolean has_word = FALSE;
    const char *p = v;
    if (*p && *p != ' ' && *p != '\t') {
        g_string_append_c(out, ' ');
        line_len++;
    }
    while (*p) {
        const char *s = p;
        while (*p == ' ' || *p == '\t')
            p++;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        gsize seg = (gsize)(p - s);
        if (has_word && (*s == ' ' || *s == '\t') && line_len + seg > width) {
            g_string_append(out, "\r\n");
            line_len = 0;
        }
        g_string_append_len(out, s, (gssize)seg);
        line_len += seg;
        has_word = TRUE;
    }
    g_string_append(out, "\r\n");
    return g_string_free(out, FALSE);
}

static void
test_fold_random(void)
{
    static const char alphabet[] = "abcdefgh  \t\r\n";
    g_autoptr(GRand) rng = g_rand_new_with_seed(5322);
    for (int k = 0; k < 2000; k++) {
        char v[200];
        gsize len = (gsize)g_rand_int_range(rng, 0, (gint32)sizeof v);
        for (gsize i = 0; i < len; i++)
            v[i] = alphabet[g_rand_int_range(rng, 0, (gint32)sizeof alphabet - 1)];
        v[len] = '\0';
        guint width = (guint)g_rand_int_range(rng, 0, 40);
        g_autofree char *want = fold_reference("X-Test", v, width ? width : 78);
        g_autofree char *got = mail_header_fold("X-Test", v, width);
        g_assert_cmpstr(got, ==, want);
    }
    /* Without CR or LF, around the width: values that just fit on one line
     * and those one octet too long. */
    static const char words[] = "abcdefgh  \t";
    for (int k = 0; k < 4000; k++) {
        char v[120];
        gsize len = (gsize)g_rand_int_range(rng, 0, (gint32)sizeof v);
        for (gsize i = 0; i < len; i++)
            v[i] = words[g_rand_int_range(rng, 0, (gint32)sizeof words - 1)];
        v[len] = '\0';
        guint width = (guint)g_rand_int_range(rng, 0, 130);
        g_autofree char *want = fold_reference("X-Test", v, width ? width : 78);
        g_autofree char *got = mail_header_fold("X-Test", v, width);
        g_assert_cmpstr(got, ==, want);
    }
}

static void
test_fold(void)
{
    /* Short values stay on one line. */
    g_autofree char *s = mail_header_fold("Subject", "short", 0);
    g_assert_cmpstr(s, ==, "Subject: short\r\n");
    /* Long ones fold before WSP at <= 78 columns and unfold back exactly. */
    const char *v =
        "from client.example (host.client.example [192.0.2.1]) by mx.example.net with ESMTPS "
        "id 4A1B2C3D4E for <mary@example.net>; Fri, 21 Nov 1997 09:55:09 -0600";
    g_autofree char *f = mail_header_fold("Received", v, 0);
    g_auto(GStrv) lines = g_strsplit(f, "\r\n", -1);
    g_assert_cmpuint(g_strv_length(lines), ==, 4); /* 3 lines + "" after the last CRLF */
    for (guint i = 0; lines[i]; i++) {
        g_assert_cmpuint(strlen(lines[i]), <=, 78);
        if (i > 0 && lines[i][0])
            g_assert_true(lines[i][0] == ' ');
    }
    g_autofree char *u = mail_header_unfold(f, strlen(f) - 2);
    g_autofree char *expect = g_strconcat("Received: ", v, NULL);
    g_assert_cmpstr(u, ==, expect);
    /* A word longer than the width is never split. */
    g_autofree char *longword = g_strnfill(120, 'x');
    g_autofree char *lw = mail_header_fold("X", longword, 0);
    g_assert_cmpuint(strlen(lw), ==, 3 + 120 + 2);
    /* CR/LF in a value cannot inject a field. */
    g_autofree char *inj = mail_header_fold("Subject", "hi\r\nBcc: x@y", 0);
    g_assert_cmpstr(inj, ==, "Subject: hi  Bcc: x@y\r\n");
    /* Extra folding white space from 2.2.3 survives unfolding. */
    g_autofree char *un = mail_header_unfold("This subject\r\n is folded\r\n  twice", 34);
    g_assert_cmpstr(un, ==, "This subject is folded  twice");
    g_assert_true(mail_header_name_is_valid("X-Foo"));
    g_assert_false(mail_header_name_is_valid("X Foo"));
    g_assert_false(mail_header_name_is_valid("X:Foo"));
    g_assert_false(mail_header_name_is_valid(""));
}

static void
test_defects_and_limits(void)
{
    /* No colon: the header ends there; the line is body (CPython agrees). */
    g_autoptr(MailMessage) a = parse_str("From: x\r\nthis is not a header\r\nTo: y\r\n\r\nbody");
    g_assert_cmpuint(mail_message_n_fields(a), ==, 1);
    g_assert_true(mail_message_get_defects(a) & MAIL_MESSAGE_DEFECT_MISSING_COLON);
    gsize len;
    const guint8 *b = mail_message_get_body(a, &len);
    g_assert_true(len >= 20 && memcmp(b, "this is not a header", 20) == 0);
    /* RFC 5322 2.1.1: a 998-octet line is fine, 999 is a defect. */
    g_autofree char *ok_line = g_strnfill(998 - 3, 'a');
    g_autofree char *ok_msg = g_strdup_printf("X: %s\r\n\r\n", ok_line);
    g_autoptr(MailMessage) c = parse_str(ok_msg);
    g_assert_cmpuint(mail_message_get_defects(c) & MAIL_MESSAGE_DEFECT_LINE_TOO_LONG, ==, 0);
    g_autofree char *long_msg = g_strdup_printf("X: %sa\r\n\r\n", ok_line);
    g_autoptr(MailMessage) d = parse_str(long_msg);
    g_assert_true(mail_message_get_defects(d) & MAIL_MESSAGE_DEFECT_LINE_TOO_LONG);
    g_assert_cmpuint(mail_message_n_fields(d), ==, 1);
    /* A huge line (1 MiB) with no newline at all. */
    gsize huge = 1 << 20;
    guint8 *h = g_malloc(huge);
    memset(h, 'A', huge);
    memcpy(h, "X-Huge: ", 8);
    g_autoptr(MailMessage) e = mail_message_parse(h, huge, NULL);
    g_assert_true(mail_message_get_defects(e) & MAIL_MESSAGE_DEFECT_LINE_TOO_LONG);
    assert_round_trip(h, huge);
    g_free(h);
    /* Field count limit: the rest becomes body, bytes preserved. */
    GString *many = g_string_new(NULL);
    for (int i = 0; i < 30; i++)
        g_string_append_printf(many, "X-%d: v\r\n", i);
    g_string_append(many, "\r\nbody");
    MailMessageLimits lim = {.max_fields = 10};
    g_autoptr(MailMessage) f = mail_message_parse((const guint8 *)many->str, many->len, &lim);
    g_assert_cmpuint(mail_message_n_fields(f), ==, 10);
    g_assert_true(mail_message_get_defects(f) & MAIL_MESSAGE_DEFECT_TOO_MANY_FIELDS);
    g_autoptr(GBytes) fo = mail_message_serialize(f);
    g_assert_cmpmem(g_bytes_get_data(fo, NULL), g_bytes_get_size(fo), many->str, many->len);
    g_string_free(many, TRUE);
    /* NUL and bare CR in the header, WSP before colon, folded first line. */
    const guint8 nul[] = "X: a\0b\r\nY: c\rd\r\nZ  : obs\r\n\r\n";
    g_autoptr(MailMessage) n = mail_message_parse(nul, sizeof nul - 1, NULL);
    guint def = mail_message_get_defects(n);
    g_assert_true(def & MAIL_MESSAGE_DEFECT_NUL);
    g_assert_true(def & MAIL_MESSAGE_DEFECT_BARE_CR);
    g_assert_true(def & MAIL_MESSAGE_DEFECT_WSP_BEFORE_COLON);
    g_assert_cmpstr(mail_message_field_name(n, 2), ==, "Z");
    g_assert_cmpstr(mail_message_get(n, "z"), ==, "obs");
    g_autoptr(MailMessage) l = parse_str(" folded first\r\nX: y\r\n\r\n");
    g_assert_cmpuint(mail_message_n_fields(l), ==, 0);
    g_assert_true(mail_message_get_defects(l) & MAIL_MESSAGE_DEFECT_FIRST_LINE_FOLDED);
    /* Every prefix of a message parses and round-trips (no crash, no loss). */
    const char *msg = "From x\nA: 1\r\n  2\r\nB:\n\r\n--b\r\nC: 3\r\n\r\nbody";
    for (gsize k = 0; k <= strlen(msg); k++)
        assert_round_trip((const guint8 *)msg, k);
    /* Pseudo-random bytes never crash. */
    GRand *r = g_rand_new_with_seed(5322);
    for (int round = 0; round < 200; round++) {
        guint8 buf[256];
        gsize n_bytes = (gsize)g_rand_int_range(r, 0, sizeof buf);
        for (gsize k = 0; k < n_bytes; k++)
            buf[k] = (guint8) "A:\r\n \t(<>@\"x\0"[g_rand_int_range(r, 0, 13)];
        assert_round_trip(buf, n_bytes);
        g_autoptr(MailMessage) rm = mail_message_parse(buf, n_bytes, NULL);
        g_autoptr(MailMultipart) mp = mail_multipart_split(buf, n_bytes, "x");
        g_autoptr(MailContentType) ct = mail_message_get_content_type(rm);
        g_assert_nonnull(ct);
    }
    g_rand_free(r);
}

static void
test_check(void)
{
    g_autoptr(MailMessage) ok =
        parse_str("From: a@b.example\r\nDate: Fri, 21 Nov 1997 09:55:06 -0600\r\n\r\n");
    g_assert_cmpuint(mail_message_check(ok), ==, 0);
    g_assert_cmpstr(mail_check_problem_name(0), ==, "ok");
    g_autoptr(MailMessage) nd = parse_str("From: a@b.example\r\n\r\n");
    g_assert_cmpuint(mail_message_check(nd), ==, MAIL_CHECK_MISSING_DATE);
    g_autoptr(MailMessage) df = parse_str("From: a@b.example\r\nFrom: c@d.example\r\n"
                                          "Date: 1 Jan 2000 00:00:00 +0000\r\n\r\n");
    g_assert_cmpstr(mail_check_problem_name(mail_message_check(df)), ==, "duplicate-from");
    g_autoptr(MailMessage) ms = parse_str("From: a@b.example, c@d.example\r\n"
                                          "Date: 1 Jan 2000 00:00:00 +0000\r\n\r\n");
    g_assert_cmpuint(mail_message_check(ms), ==, MAIL_CHECK_MISSING_SENDER);
    g_autoptr(MailMessage) bad =
        parse_str("From: <<<\r\nDate: tomorrow\r\nSubject: a\r\nSubject: b\r\n\r\n");
    g_assert_cmpuint(mail_message_check(bad), ==,
                     MAIL_CHECK_BAD_FROM | MAIL_CHECK_BAD_DATE | MAIL_CHECK_DUPLICATE_FIELD);
}

static void
test_content_type(void)
{
    g_autoptr(MailContentType) a = mail_content_type_parse(
        "Multipart/Report; "
        "report-type=delivery-status;\r\n\tboundary=\"D1690A7AC1.996856090/mail.example.com\"");
    g_assert_nonnull(a);
    g_assert_cmpstr(a->type, ==, "multipart");
    g_assert_cmpstr(a->subtype, ==, "report");
    g_assert_true(mail_content_type_is(a, "MULTIPART", "report"));
    g_assert_cmpstr(mail_content_type_get_param(a, "Report-Type"), ==, "delivery-status");
    g_assert_cmpstr(mail_content_type_get_param(a, "boundary"), ==,
                    "D1690A7AC1.996856090/mail.example.com");
    g_autoptr(MailContentType) b =
        mail_content_type_parse("text/plain (comment); charset = \"us\\\"ascii\" ;");
    g_assert_cmpstr(mail_content_type_get_param(b, "charset"), ==, "us\"ascii");
    g_autofree char *bs = mail_content_type_to_string(b);
    g_assert_cmpstr(bs, ==, "text/plain; charset=\"us\\\"ascii\"");
    /* RFC 2231: extended and continued parameters. */
    g_autoptr(MailContentType) c = mail_content_type_parse(
        "multipart/signed; boundary*=\"ansi-x3.4-1968''EeQf%41\"; title*0=\"ab\"; title*1=cd");
    g_assert_cmpstr(mail_content_type_get_param(c, "boundary"), ==, "EeQfA");
    g_assert_cmpstr(mail_content_type_get_param(c, "title"), ==, "abcd");
    g_assert_null(mail_content_type_parse("text"));
    g_assert_null(mail_content_type_parse(""));
    g_assert_null(mail_content_type_parse("/plain"));
    /* Absent: RFC 2045 5.2 default. */
    g_autoptr(MailMessage) m = parse_str("Subject: x\r\n\r\n");
    g_autoptr(MailContentType) d = mail_message_get_content_type(m);
    g_assert_true(mail_content_type_is(d, "text", "plain"));
    g_assert_cmpstr(mail_content_type_get_param(d, "charset"), ==, "us-ascii");
}

static void
test_multipart(void)
{
    const char *msg = "Content-Type: multipart/mixed; boundary=\"simple boundary\"\r\n\r\n"
                      "This is the preamble.\r\n"
                      "--simple boundary\r\n"
                      "\r\n"
                      "implicitly typed plain US-ASCII text.\r\n"
                      "--simple boundary  \r\n"
                      "Content-type: text/plain; charset=us-ascii\r\n"
                      "\r\n"
                      "explicitly typed, ends with a line break.\r\n\r\n"
                      "--simple boundary--\r\n"
                      "This is the epilogue.\r\n"; /* RFC 2046 5.1.1's example */
    g_autoptr(MailMessage) m = parse_str(msg);
    g_autoptr(MailMultipart) mp = mail_message_split_multipart(m);
    g_assert_nonnull(mp);
    g_assert_true(mp->is_closed);
    g_assert_cmpmem(g_bytes_get_data(mp->preamble, NULL), g_bytes_get_size(mp->preamble),
                    "This is the preamble.", 21);
    g_assert_cmpmem(g_bytes_get_data(mp->epilogue, NULL), g_bytes_get_size(mp->epilogue),
                    "This is the epilogue.\r\n", 23);
    g_assert_cmpuint(mp->parts->len, ==, 2);
    MailMessage *p0 = mp->parts->pdata[0], *p1 = mp->parts->pdata[1];
    gsize len;
    g_assert_cmpuint(mail_message_n_fields(p0), ==, 0);
    const guint8 *b0 = mail_message_get_body(p0, &len);
    g_assert_cmpmem(b0, len, "implicitly typed plain US-ASCII text.", 37);
    g_assert_cmpstr(mail_message_get(p1, "content-type"), ==, "text/plain; charset=us-ascii");
    const guint8 *b1 = mail_message_get_body(p1, &len);
    g_assert_cmpmem(b1, len, "explicitly typed, ends with a line break.\r\n", 43);
    /* Not a delimiter: the boundary followed by other text. */
    g_autoptr(MailMultipart) none = mail_multipart_split((const guint8 *)"--bx\r\n", 6, "b");
    g_assert_null(none);
    /* Unclosed: the last part runs to the end. */
    const char *open = "--b\r\nA: 1\r\n\r\nx\r\n--b\r\n\r\ny";
    g_autoptr(MailMultipart) o = mail_multipart_split((const guint8 *)open, strlen(open), "b");
    g_assert_false(o->is_closed);
    g_assert_cmpuint(o->parts->len, ==, 2);
    /* Not multipart / no boundary. */
    g_autoptr(MailMessage) t = parse_str("Content-Type: multipart/mixed\r\n\r\n--x\r\n");
    g_assert_null(mail_message_split_multipart(t));
}

static void
test_multipart_build(void)
{
    g_autoptr(MailMessage) text = mail_message_new();
    mail_message_append(text, "Content-Type", "text/plain; charset=us-ascii");
    mail_message_set_body(text, (const guint8 *)"Your message could not be delivered.\r\n", 38);
    g_autoptr(MailMessage) status = mail_message_new();
    mail_message_append(status, "Content-Type", "message/delivery-status");
    const char *ds =
        "Reporting-MTA: dns; mx.example\r\n\r\nFinal-Recipient: rfc822; a@b.example\r\n"
        "Action: failed\r\nStatus: 5.1.1\r\n\r\nFinal-Recipient: rfc822; c@d.example\r\n"
        "Action: failed\r\nStatus: 5.2.2\r\n";
    mail_message_set_body(status, (const guint8 *)ds, strlen(ds));
    MailMessage *parts[] = {text, status};
    g_autoptr(GBytes) body = mail_multipart_build("=_b1", NULL, parts, 2);
    gsize len;
    const guint8 *d = g_bytes_get_data(body, &len);
    g_autofree char *ds_text = g_strndup((const char *)d, len);
    g_assert_true(g_str_has_prefix(ds_text, "--=_b1\r\nContent-Type: text/plain"));
    g_assert_true(g_str_has_suffix(ds_text, "\r\n--=_b1--\r\n"));
    /* Build a multipart/report message and split it back. */
    g_autoptr(MailContentType) ct = mail_content_type_new("multipart", "report");
    mail_content_type_add_param(ct, "report-type", "delivery-status");
    mail_content_type_add_param(ct, "boundary", "=_b1");
    g_autofree char *cts = mail_content_type_to_string(ct);
    g_assert_cmpstr(cts, ==, "multipart/report; report-type=delivery-status; boundary=\"=_b1\"");
    g_autoptr(MailMessage) dsn = mail_message_new();
    mail_message_append(dsn, "Content-Type", cts);
    mail_message_set_body(dsn, d, len);
    g_autoptr(MailMultipart) mp = mail_message_split_multipart(dsn);
    g_assert_nonnull(mp);
    g_assert_cmpuint(mp->parts->len, ==, 2);
    g_autoptr(GBytes) p0 = mail_message_serialize(mp->parts->pdata[0]);
    g_autoptr(GBytes) t0 = mail_message_serialize(text);
    g_assert_true(g_bytes_equal(p0, t0));
    gsize blen;
    const guint8 *sb = mail_message_get_body(mp->parts->pdata[1], &blen);
    g_autoptr(GPtrArray) groups = mail_mime_delivery_status_split(sb, blen);
    g_assert_cmpuint(groups->len, ==, 3);
    g_assert_cmpstr(mail_message_get(groups->pdata[0], "Reporting-MTA"), ==, "dns; mx.example");
    g_assert_cmpstr(mail_message_get(groups->pdata[2], "Status"), ==, "5.2.2");
}

/* Prepending without parsing gives the same bytes as parse + prepend. */
static void
test_bytes_prepend(void)
{
    const char *raw = "From: a@b\r\nSubject: x\r\n\r\nbody\r\n";
    g_autoptr(GBytes) in = g_bytes_new_static(raw, strlen(raw));
    g_autoptr(GBytes) fast = mail_message_bytes_prepend(in, "Received", "from x by y; Thu, 1 Jan 2026 00:00:00 +0000");
    g_autoptr(MailMessage) m = mail_message_parse_bytes(in, NULL);
    mail_message_prepend(m, "Received", "from x by y; Thu, 1 Jan 2026 00:00:00 +0000");
    g_autoptr(GBytes) slow = mail_message_serialize(m);
    g_assert_true(g_bytes_equal(fast, slow));
    g_autoptr(MailMessage) back = mail_message_parse_bytes(fast, NULL);
    g_assert_cmpstr(mail_message_field_name(back, 0), ==, "Received");
    g_assert_cmpuint(mail_message_n_fields(back), ==, 3);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/message/round-trip", test_round_trip);
    g_test_add_func("/proto/message/empty", test_empty);
    g_test_add_func("/proto/message/bytes-prepend", test_bytes_prepend);
    g_test_add_func("/proto/message/fields", test_fields);
    g_test_add_func("/proto/message/values", test_values);
    g_test_add_func("/proto/message/lf-only", test_lf_only);
    g_test_add_func("/proto/message/edit", test_edit);
    g_test_add_func("/proto/message/fold", test_fold);
    g_test_add_func("/proto/message/fold-random", test_fold_random);
    g_test_add_func("/proto/message/defects-and-limits", test_defects_and_limits);
    g_test_add_func("/proto/message/check", test_check);
    g_test_add_func("/proto/message/content-type", test_content_type);
    g_test_add_func("/proto/message/multipart", test_multipart);
    g_test_add_func("/proto/message/multipart-build", test_multipart_build);
    return g_test_run();
}
