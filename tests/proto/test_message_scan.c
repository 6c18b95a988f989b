/* SPDX-License-Identifier: MIT
 * Tests for proto/message_scan: field counts on raw bytes agree with
 * mail_message_parse() + mail_message_count() on hand-made edge cases
 * (folding, obsolete WSP before the colon, mbox line, missing colon, no
 * separator, LF-only, NUL) and on generated header sections.
 */
#include <string.h>

#include <glib.h>

#include "proto/message.h"
#include "proto/message_scan.h"

static guint
count_parsed(const char *s, gsize len, const char *name)
{
    g_autoptr(MailMessage) m = mail_message_parse((const guint8 *)s, len, NULL);
    return mail_message_count(m, name);
}

static guint
count_scanned(const char *s, gsize len, const char *name)
{
    return mail_message_scan_count((const guint8 *)s, len, name);
}

static void
assert_same_unix_from(const char *s, gsize len)
{
    g_autoptr(MailMessage) m = mail_message_parse((const guint8 *)s, len, NULL);
    gsize n = 0;
    mail_message_get_unix_from(m, &n);
    g_assert_cmpint(mail_message_scan_has_unix_from((const guint8 *)s, len), ==, n > 0);
}

static void
assert_same(const char *s, gsize len, const char *name)
{
    assert_same_unix_from(s, len);
    guint want = count_parsed(s, len, name);
    guint got = count_scanned(s, len, name);
    if (want != got)
        g_test_message("input: %.*s", (int)len, s);
    g_assert_cmpuint(got, ==, want);
}

static void
test_counts(void)
{
    static const struct {
        const char *in;
        const char *name;
        guint count;
    } cases[] = {
        {"Received: a\r\nreceived: b\r\nRECEIVED : c\r\nFrom: x\r\n\r\nReceived: body\r\n",
         "Received", 3},
        {"Received: a\r\n folded\r\nReceived: b\r\n\r\n", "Received", 2},
        {"X-Received: a\r\nReceivedX: b\r\nReceive: c\r\n\r\n", "Received", 0},
        {"From MAILER-DAEMON Fri Apr 06 16:46:09 2001\nReceived: a\n\nb\n", "Received", 1},
        {"From: x\r\nnot a field\r\nReceived: after\r\n\r\n", "Received", 0},
        {"Received: a\r\nnot a field\r\nReceived: after\r\n\r\n", "Received", 1},
        {" Received: folded first\r\nReceived: b\r\n\r\n", "Received", 0},
        {"Received: no separator\r\nReceived: end", "Received", 2},
        {"Received: lf\nReceived: only\n\nReceived: body\n", "Received", 2},
        {"\r\nReceived: body only\r\n", "Received", 0},
        {"", "Received", 0},
        {"Subject: s\r\n\r\n", "subject", 1},
        {"Received: a\r\n\t\r\nReceived: b\r\n\r\n", "Received", 2},
        {"Received:a\r\nReceived\t:b\r\n\r\n", "Received", 2},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        gsize len = strlen(cases[i].in);
        g_assert_cmpuint(count_scanned(cases[i].in, len, cases[i].name), ==, cases[i].count);
        assert_same(cases[i].in, len, cases[i].name);
    }
}

static void
test_unix_from(void)
{
    static const char *const yes[] = {"From MAILER-DAEMON Fri Apr 06 16:46:09 2001\nX: y\n\n",
                                      "From a", "From  \r\n"};
    static const char *const no[] = {"From: a@b.example\r\n\r\n", "From : a\r\n", "From",
                                     "from x y\r\n", "", "X: From y\r\n"};
    for (guint i = 0; i < G_N_ELEMENTS(yes); i++)
        g_assert_true(mail_message_scan_has_unix_from((const guint8 *)yes[i], strlen(yes[i])));
    for (guint i = 0; i < G_N_ELEMENTS(no); i++)
        g_assert_false(mail_message_scan_has_unix_from((const guint8 *)no[i], strlen(no[i])));
    for (guint i = 0; i < G_N_ELEMENTS(yes); i++)
        assert_same_unix_from(yes[i], strlen(yes[i]));
    for (guint i = 0; i < G_N_ELEMENTS(no); i++)
        assert_same_unix_from(no[i], strlen(no[i]));
}

static void
test_nul(void)
{
    static const char in[] = "Received: a\0b\r\nRe\0ceived: c\r\nReceived: d\r\n\r\n";
    gsize len = sizeof in - 1;
    g_assert_cmpuint(count_scanned(in, len, "Received"), ==, 1);
    assert_same(in, len, "Received");
}

/* RFC 5321 6.3 loop detection counts past 100: the parser's field limit
 * (MAIL_MESSAGE_FIELDS_MAX) bounds the scan the same way. */
static void
test_many_fields(void)
{
    g_autoptr(GString) s = g_string_new(NULL);
    for (guint i = 0; i < MAIL_MESSAGE_FIELDS_MAX + 50; i++)
        g_string_append_printf(s, "%s: hop %u\r\n", i % 3 ? "Received" : "X-Other", i);
    g_string_append(s, "\r\nbody\r\n");
    guint n = count_scanned(s->str, s->len, "Received");
    g_assert_cmpuint(n, ==, count_parsed(s->str, s->len, "Received"));
    /* Only the first MAIL_MESSAGE_FIELDS_MAX lines are fields. */
    g_assert_cmpuint(n, ==, MAIL_MESSAGE_FIELDS_MAX - (MAIL_MESSAGE_FIELDS_MAX + 2) / 3);
}

/* Generated header sections from a small alphabet that makes field
 * names, colons, WSP, CR, LF, folding and mbox lines likely. */
static void
test_generated(void)
{
    static const char *const atoms[] = {
        "Received", "received", "From ", "From", ":", " ", "\t", "\r\n", "\n",
        "\r",       "x",        "Subject", ": v", "\r\n ", "\r\n\r\n", "\0",
    };
    g_autoptr(GRand) rng = g_rand_new_with_seed(5321);
    g_autoptr(GString) s = g_string_new(NULL);
    for (guint round = 0; round < 5000; round++) {
        g_string_truncate(s, 0);
        guint n = (guint)g_rand_int_range(rng, 0, 40);
        for (guint k = 0; k < n; k++) {
            const char *a = atoms[g_rand_int_range(rng, 0, G_N_ELEMENTS(atoms))];
            if (a[0] == '\0')
                g_string_append_c(s, '\0');
            else
                g_string_append(s, a);
        }
        assert_same(s->str, s->len, "Received");
        assert_same(s->str, s->len, "subject");
        /* One pass for several names gives each name's own count. */
        static const char *const names[] = {"Subject", "received", "From", "x"};
        guint counts[G_N_ELEMENTS(names)];
        mail_message_scan_count_all((const guint8 *)s->str, s->len, names, G_N_ELEMENTS(names),
                                    counts);
        for (guint k = 0; k < G_N_ELEMENTS(names); k++)
            g_assert_cmpuint(counts[k], ==, count_parsed(s->str, s->len, names[k]));
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/message-scan/counts", test_counts);
    g_test_add_func("/proto/message-scan/nul", test_nul);
    g_test_add_func("/proto/message-scan/unix-from", test_unix_from);
    g_test_add_func("/proto/message-scan/many-fields", test_many_fields);
    g_test_add_func("/proto/message-scan/generated", test_generated);
    return g_test_run();
}
