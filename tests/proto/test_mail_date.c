/* SPDX-License-Identifier: MIT
 * Tests for proto/mail_date: RFC 5322 3.3 / 4.3 parsing, formatting, the
 * civil calendar, and the 22 date strings of the conformance extra folder.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "common/test_yaml.h"
#include "proto/mail_date.h"

/* "1997-11-21T15:55:06Z" -> unix seconds. */
static gint64
rfc3339_utc(const char *s)
{
    unsigned y, mo, d, h, mi, se;
    g_assert_cmpint(sscanf(s, "%u-%u-%uT%u:%u:%uZ", &y, &mo, &d, &h, &mi, &se), ==, 6);
    return mail_date_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
}

static void
test_parse_basic(void)
{
    MailDate d;
    g_assert_true(mail_date_parse("Fri, 21 Nov 1997 09:55:06 -0600", &d));
    g_assert_cmpint(d.unix_utc, ==, 880127706);
    g_assert_cmpint(d.offset_min, ==, -360);
    g_assert_cmpuint(d.flags, ==, 0);
    /* RFC 5322 A.1.3: before 1970, half-hour zone. */
    g_assert_true(mail_date_parse("Thu, 13 Feb 1969 23:32:54 -0330", &d));
    g_assert_cmpint(d.unix_utc, ==, rfc3339_utc("1969-02-14T03:02:54Z"));
    g_assert_cmpint(d.offset_min, ==, -210);
    /* A.5: no seconds, trailing comment. */
    g_assert_true(
        mail_date_parse("Thu,\r\n      13\r\n        Feb\r\n          1969\r\n      23:32\r\n"
                        "               -0330 (Newfoundland Time)",
                        &d));
    g_assert_cmpint(d.unix_utc, ==, rfc3339_utc("1969-02-14T03:02:00Z"));
    g_assert_true(d.flags & MAIL_DATE_FLAG_NO_SECONDS);
    /* A.6.2: obsolete year and zone. */
    g_assert_true(mail_date_parse("21 Nov 97 09:55:06 GMT", &d));
    g_assert_cmpint(d.unix_utc, ==, rfc3339_utc("1997-11-21T09:55:06Z"));
    g_assert_true(d.flags & MAIL_DATE_FLAG_OBSOLETE);
    g_assert_true(d.flags & MAIL_DATE_FLAG_NO_WEEKDAY);
    /* 3-digit year (4.3): add 1900. */
    g_assert_true(mail_date_parse("1 Jan 103 00:00:00 +0000", &d));
    g_assert_cmpint(d.unix_utc, ==, rfc3339_utc("2003-01-01T00:00:00Z"));
    /* -0000 (3.3). */
    g_assert_true(mail_date_parse("1 Jan 2000 00:00:00 -0000", &d));
    g_assert_true(d.flags & MAIL_DATE_FLAG_UNKNOWN_ZONE);
    /* Garbage, and out of range. */
    const char *bad[] = {"",
                         "yesterday",
                         "Fri, 21 Nov 1997",
                         "Fri, 21 Nov 1997 09:55:06 -0600 junk",
                         "Fri 21 Nov 1997 09:55:06 -0600",
                         "32 Jan 2000 00:00:00 +0000",
                         "29 Feb 1900 00:00:00 +0000",
                         "1 Jan 2000 00:60:00 +0000",
                         "1 Jan 2000 00:00:61 +0000",
                         "1 Jan 2000 00:00:00 +00000",
                         "1 Jan 12345678901 00:00:00 +0000",
                         "1 Jan 2000 00:00:00 (unclosed"};
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++)
        if (mail_date_parse(bad[i], &d))
            g_error("accepted \"%s\"", bad[i]);
    g_assert_true(mail_date_parse("29 Feb 2000 00:00:00 +0000", &d));
}

static void
test_format(void)
{
    g_autofree char *a = mail_date_format(161566350, 0);
    g_assert_cmpstr(a, ==, "Thu, 13 Feb 1975 23:32:30 +0000");
    g_autofree char *b = mail_date_format(880127706, -360);
    g_assert_cmpstr(b, ==, "Fri, 21 Nov 1997 09:55:06 -0600");
    g_autofree char *c = mail_date_format(rfc3339_utc("1969-02-14T03:02:54Z"), -210);
    g_assert_cmpstr(c, ==, "Thu, 13 Feb 1969 23:32:54 -0330");
    g_autofree char *d = mail_date_format(0, 330);
    g_assert_cmpstr(d, ==, "Thu, 1 Jan 1970 05:30:00 +0530");
    g_autofree char *e = mail_date_format(-1, 0);
    g_assert_cmpstr(e, ==, "Wed, 31 Dec 1969 23:59:59 +0000");
    /* "%04d" years: zero-padded below 1000, all digits past 9999. */
    g_autofree char *f = mail_date_format(-30627460793, 0);
    g_assert_cmpstr(f, ==, "Sat, 15 Jun 0999 12:00:07 +0000");
    g_autofree char *g = mail_date_format(253402300800, 0);
    g_assert_cmpstr(g, ==, "Sat, 1 Jan 10000 00:00:00 +0000");
    /* The widest zones (RFC 5322 3.3: 4 digits of hours and minutes). */
    g_autofree char *h = mail_date_format(0, -5999);
    g_assert_cmpstr(h, ==, "Sat, 27 Dec 1969 20:01:00 -9959");
    g_autofree char *i = mail_date_format(1700000000, 5999);
    g_assert_cmpstr(i, ==, "Sun, 19 Nov 2023 02:12:20 +9959");
    g_autoptr(GString) out = g_string_new("Date: ");
    mail_date_append(out, 161566350, 60);
    g_assert_cmpstr(out->str, ==, "Date: Fri, 14 Feb 1975 00:32:30 +0100");
    /* Round trip over a range of instants and zones. */
    for (gint64 t = -2000000000; t < 4000000000; t += 86399 * 97 + 13) {
        for (gint off = -720; off <= 840; off += 345) {
            g_autofree char *s = mail_date_format(t, off);
            MailDate md;
            g_assert_true(mail_date_parse(s, &md));
            g_assert_cmpint(md.unix_utc, ==, t);
            g_assert_cmpint(md.offset_min, ==, off);
        }
    }
}

static void
test_civil(void)
{
    g_assert_cmpint(mail_date_days_from_civil(1970, 1, 1), ==, 0);
    g_assert_cmpint(mail_date_days_from_civil(2000, 3, 1), ==, 11017);
    g_assert_cmpint(mail_date_days_from_civil(1969, 12, 31), ==, -1);
    gint64 y;
    guint m, d;
    mail_date_civil_from_days(11016, &y, &m, &d);
    g_assert_cmpint(y, ==, 2000);
    g_assert_cmpuint(m, ==, 2);
    g_assert_cmpuint(d, ==, 29);
}

static void
test_extra_dates(void)
{
    g_autofree char *path = test_conformance_path("rfc5322/extra/expected.yaml");
    if (path == NULL) {
        g_test_message("conformance folder absent: skipping the extra date strings");
        g_test_skip("conformance folder absent");
        return;
    }
    g_autoptr(GError) err = NULL;
    g_autoptr(TestYaml) doc = test_yaml_load_one(path, &err);
    g_assert_no_error(err);
    TestYaml *dates = test_yaml_get(doc, "dates");
    guint n = test_yaml_len(dates), pass = 0;
    for (guint i = 0; i < n; i++) {
        TestYaml *t = test_yaml_at(dates, i);
        const char *input = test_yaml_str(t, "input");
        gboolean valid = g_str_equal(test_yaml_str(t, "valid"), "true");
        const char *utc = test_yaml_str(t, "utc");
        const char *obs = test_yaml_str(t, "obsolete");
        MailDate d = {0};
        gboolean ok = mail_date_parse(input, &d);
        gboolean good = ok == valid;
        if (good && ok && utc != NULL)
            good = d.unix_utc == rfc3339_utc(utc);
        if (good && ok && obs != NULL)
            good = ((d.flags & MAIL_DATE_FLAG_OBSOLETE) != 0) == g_str_equal(obs, "true");
        if (good)
            pass++;
        else
            g_test_message("date \"%s\": expected valid=%d utc=%s, got %d %" G_GINT64_FORMAT, input,
                           valid, utc, ok, d.unix_utc);
    }
    g_test_message("extra dates: %u/%u pass", pass, n);
    g_assert_cmpuint(n, ==, 22);
    g_assert_cmpuint(pass, ==, n);
}

/* mail_date_write() writes what mail_date_format() returns, NUL-terminated,
 * in and out of the four-digit year range (the latter through printf). */
static void
test_write(void)
{
    char buf[MAIL_DATE_MAX];
    /* RFC 5322 A.1.1's date. */
    gsize n = mail_date_write(buf, 880127706, -360);
    g_assert_cmpstr(buf, ==, "Fri, 21 Nov 1997 09:55:06 -0600");
    g_assert_cmpuint(n, ==, strlen(buf));
    const gint64 times[] = {0, 880127709, -1, 253402300799 /* 9999-12-31 */, 253402300800,
                            -62167219201 /* before year 0 */, G_GINT64_CONSTANT(4102444800000)};
    const gint offsets[] = {0, -360, 5999, -5999, 330};
    for (guint i = 0; i < G_N_ELEMENTS(times); i++) {
        for (guint j = 0; j < G_N_ELEMENTS(offsets); j++) {
            g_autofree char *want = mail_date_format(times[i], offsets[j]);
            memset(buf, 'x', sizeof buf);
            n = mail_date_write(buf, times[i], offsets[j]);
            g_assert_cmpstr(buf, ==, want);
            g_assert_cmpuint(n, ==, strlen(want));
            g_assert_cmpuint(n, <, MAIL_DATE_MAX);
        }
    }
    mail_date_write(buf, 253402300800, 0);
    g_assert_cmpstr(buf, ==, "Sat, 1 Jan 10000 00:00:00 +0000");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/mail-date/parse", test_parse_basic);
    g_test_add_func("/proto/mail-date/format", test_format);
    g_test_add_func("/proto/mail-date/civil", test_civil);
    g_test_add_func("/proto/mail-date/write", test_write);
    g_test_add_func("/proto/mail-date/extra-dates", test_extra_dates);
    return g_test_run();
}
