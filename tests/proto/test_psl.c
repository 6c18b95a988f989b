/* SPDX-License-Identifier: MIT
 * Tests for proto/psl: the Mozilla list format, wildcard and exception
 * rules, the Organizational Domain of RFC 7489 3.2, and the shipped
 * data/public_suffix_list.dat.
 */
#include <string.h>

#include <glib.h>

#include "common/test_yaml.h"
#include "proto/psl.h"

/* Rules from the publicsuffix.org test list (checkPublicSuffix cases). */
static const char *const sample_list = "// comment line\n"
                                       "com\n"
                                       "uk\n"
                                       "co.uk\n"
                                       "jp\n"
                                       "ac.jp\n"
                                       "*.kobe.jp\n"
                                       "!city.kobe.jp\n"
                                       "*.ck\n"
                                       "!www.ck\n"
                                       "  \n"
                                       "us\n"
                                       "ak.us\n"
                                       "k12.ak.us  trailing words are ignored\r\n"
                                       "// ===BEGIN PRIVATE DOMAINS===\n"
                                       "blogspot.com\n";

static void
test_format(void)
{
    g_autoptr(Psl) psl = psl_new();
    guint n = psl_add_list(psl, sample_list, strlen(sample_list));
    g_assert_cmpuint(n, ==, 13);
    g_assert_cmpuint(psl_n_rules(psl), ==, 13);
    g_assert_false(psl_add_rule(psl, ""));
    g_assert_false(psl_add_rule(psl, "a..b"));
    g_assert_false(psl_add_rule(psl, "a.*.b"));
    g_assert_true(psl_add_rule(psl, "Example."));
    g_assert_cmpuint(psl_n_rules(psl), ==, 14);
}

static void
test_org_domains(void)
{
    g_autoptr(Psl) psl = psl_new();
    psl_add_list(psl, sample_list, strlen(sample_list));
    static const struct {
        const char *in, *suffix, *org;
    } cases[] = {
        {"example.com", "com", "example.com"},
        {"a.b.example.com", "com", "example.com"},
        {"WWW.Example.COM.", "com", "example.com"},
        {"com", "com", "com"}, /* a public suffix is its own org domain */
        {"a.b.co.uk", "co.uk", "b.co.uk"},
        {"co.uk", "co.uk", "co.uk"},
        {"example.uk", "uk", "example.uk"},
        {"test.ac.jp", "ac.jp", "test.ac.jp"},
        {"c.kobe.jp", "c.kobe.jp", "c.kobe.jp"},     /* wildcard: a suffix */
        {"b.c.kobe.jp", "c.kobe.jp", "b.c.kobe.jp"}, /* wildcard */
        {"a.b.c.kobe.jp", "c.kobe.jp", "b.c.kobe.jp"},
        {"city.kobe.jp", "kobe.jp", "city.kobe.jp"}, /* exception */
        {"www.city.kobe.jp", "kobe.jp", "city.kobe.jp"},
        {"www.ck", "ck", "www.ck"}, /* exception */
        {"a.www.ck", "ck", "www.ck"},
        {"test.ck", "test.ck", "test.ck"},
        {"b.test.ck", "test.ck", "b.test.ck"},
        {"test.k12.ak.us", "k12.ak.us", "test.k12.ak.us"},
        {"foo.blogspot.com", "blogspot.com", "foo.blogspot.com"},
        {"example.unlisted", "unlisted", "example.unlisted"}, /* implicit "*" */
        {"a.b.example.unlisted", "unlisted", "example.unlisted"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *s = psl_public_suffix(psl, cases[i].in);
        g_autofree char *o = psl_org_domain(psl, cases[i].in);
        g_assert_cmpstr(s, ==, cases[i].suffix);
        g_assert_cmpstr(o, ==, cases[i].org);
    }
    g_assert_null(psl_org_domain(psl, ""));
    g_assert_null(psl_org_domain(psl, "a..com"));
    g_assert_null(psl_org_domain(psl, ".com"));
}

static void
test_shipped_list(void)
{
    g_autofree char *path = test_source_path("data/public_suffix_list.dat");
    g_autofree char *text = NULL;
    gsize len = 0;
    g_assert_true(g_file_get_contents(path, &text, &len, NULL));
    g_autoptr(Psl) psl = psl_new();
    g_assert_cmpuint(psl_add_list(psl, text, len), >, 150);
    static const struct {
        const char *in, *org;
    } cases[] = {
        {"mail.polito.it", "polito.it"},
        {"a.b.example.co.uk", "example.co.uk"},
        {"shop.example.com.au", "example.com.au"},
        {"mx.example.com", "example.com"},
        {"lists.example.org", "example.org"},
        {"cs.berkeley.edu", "berkeley.edu"},
        {"mail.example", "mail.example"},
        {"a.b.test", "b.test"},
        {"www.ck", "www.ck"},
        {"a.b.ck", "a.b.ck"},
        {"x.example.net", "example.net"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *o = psl_org_domain(psl, cases[i].in);
        g_assert_cmpstr(o, ==, cases[i].org);
    }
    /* a scenario can add its own suffixes */
    g_assert_true(psl_add_rule(psl, "campus.example"));
    g_autofree char *o = psl_org_domain(psl, "mx.dept.campus.example");
    g_assert_cmpstr(o, ==, "dept.campus.example");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/psl/format", test_format);
    g_test_add_func("/proto/psl/org-domains", test_org_domains);
    g_test_add_func("/proto/psl/shipped-list", test_shipped_list);
    return g_test_run();
}
