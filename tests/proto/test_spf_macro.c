/* SPDX-License-Identifier: MIT
 * Tests for proto/spf_macro: the RFC 7208 7.4 examples restated literally
 * (strong-bad@email.example.com from 192.0.2.3 and 2001:db8::cb01),
 * escapes, URL escaping, transformers, syntax errors, the 253-octet
 * truncation of 7.3 and the output bound.
 */
#include <string.h>

#include <glib.h>

#include "proto/spf-private.h"

static void
ctx_init(SpfMacroContext *ctx, guint8 ip[16], const char *ip_text)
{
    gboolean v6 = FALSE;
    g_assert_true(spf_ip_parse(ip_text, ip, &v6));
    memset(ctx, 0, sizeof *ctx);
    ctx->sender = "strong-bad@email.example.com";
    ctx->local = "strong-bad";
    ctx->sender_domain = "email.example.com";
    ctx->domain = "email.example.com";
    ctx->ip = ip;
    ctx->is_v6 = v6;
    ctx->helo = "mx.example.org";
    ctx->now_unix = 1234567890;
}

static char *
expand(const SpfMacroContext *ctx, const char *s, gboolean is_exp)
{
    char *out = NULL;
    SpfMacroStatus st = spf_macro_expand(s, ctx, is_exp, !is_exp, &out);
    if (st != SPF_MACRO_OK)
        g_error("'%s' did not expand (status %d)", s, st);
    return out;
}

static void
test_rfc7208_7_4(void)
{
    static const struct {
        const char *in, *out;
    } v4[] = {
        /* RFC 7208 7.4, verbatim */
        {"%{s}", "strong-bad@email.example.com"},
        {"%{o}", "email.example.com"},
        {"%{d}", "email.example.com"},
        {"%{d4}", "email.example.com"},
        {"%{d3}", "email.example.com"},
        {"%{d2}", "example.com"},
        {"%{d1}", "com"},
        {"%{dr}", "com.example.email"},
        {"%{d2r}", "example.email"},
        {"%{l}", "strong-bad"},
        {"%{l-}", "strong.bad"},
        {"%{lr}", "strong-bad"},
        {"%{lr-}", "bad.strong"},
        {"%{l1r-}", "strong"},
        {"%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
        {"%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
        {"%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
        {"%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"},
        {"%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"},
    };
    guint8 ip[16];
    SpfMacroContext ctx;
    ctx_init(&ctx, ip, "192.0.2.3");
    for (gsize i = 0; i < G_N_ELEMENTS(v4); i++) {
        g_autofree char *got = expand(&ctx, v4[i].in, FALSE);
        g_assert_cmpstr(got, ==, v4[i].out);
    }
    /* RFC 7208 7.4, the IPv6 example. */
    ctx_init(&ctx, ip, "2001:db8::cb01");
    g_autofree char *got = expand(&ctx, "%{ir}.%{v}._spf.%{d2}", FALSE);
    g_assert_cmpstr(got, ==,
                    "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf."
                    "example.com");
}

static void
test_escapes_and_exp_letters(void)
{
    guint8 ip[16];
    SpfMacroContext ctx;
    ctx_init(&ctx, ip, "192.0.2.3");
    /* RFC 7208 7.1: %% %_ %- */
    g_autofree char *a = expand(&ctx, "a%%b%_c%-d", TRUE);
    g_assert_cmpstr(a, ==, "a%b c%20d");
    /* RFC 7208 7.3: upper-case letters are URL-escaped. */
    ctx.local = "a b/c";
    g_autofree char *b = expand(&ctx, "%{L}", TRUE);
    g_assert_cmpstr(b, ==, "a%20b%2Fc");
    g_autofree char *b2 = expand(&ctx, "%{l}", TRUE);
    g_assert_cmpstr(b2, ==, "a b/c");
    /* c, r, t only in explanations (7.1, 7.2). */
    g_autofree char *c = expand(&ctx, "%{c} %{r} %{t}", TRUE);
    g_assert_cmpstr(c, ==, "192.0.2.3 unknown 1234567890");
    ctx.receiver = "mx.example.net";
    g_autofree char *r = expand(&ctx, "%{r}", TRUE);
    g_assert_cmpstr(r, ==, "mx.example.net");
    g_assert_false(spf_macro_is_valid("%{c}.example.com", FALSE));
    g_assert_false(spf_macro_is_valid("%{t}", FALSE));
    /* %{p} without a validated name, %{h}, %{v} */
    g_autofree char *p = expand(&ctx, "%{p}.%{h}.%{v}", TRUE);
    g_assert_cmpstr(p, ==, "unknown.mx.example.org.in-addr");
    ctx_init(&ctx, ip, "2001:db8::cb01");
    g_autofree char *c6 = expand(&ctx, "%{c} %{v}", TRUE);
    g_assert_cmpstr(c6, ==, "2001:db8::cb01 ip6");
    /* An IPv4-mapped address is IPv4 throughout. */
    ctx_init(&ctx, ip, "::ffff:192.0.2.3");
    g_autofree char *m = expand(&ctx, "%{i} %{v}", TRUE);
    g_assert_cmpstr(m, ==, "192.0.2.3 in-addr");
    g_assert_true(spf_macro_uses_p("x.%{p}.example"));
    g_assert_true(spf_macro_uses_p("%{P2}"));
    g_assert_false(spf_macro_uses_p("%%{p}"));
}

static void
test_transformers(void)
{
    guint8 ip[16];
    SpfMacroContext ctx;
    ctx_init(&ctx, ip, "192.0.2.3");
    ctx.local = "a.b-c+d,e/f_g=h";
    g_autofree char *all = expand(&ctx, "%{l.-+,/_=}", TRUE);
    g_assert_cmpstr(all, ==, "a.b.c.d.e.f.g.h");
    g_autofree char *two = expand(&ctx, "%{l2r-+}", TRUE);
    g_assert_cmpstr(two, ==, "c.a.b");
    /* A count above the number of parts keeps them all (RFC 7208 7.3). */
    g_autofree char *big = expand(&ctx, "%{d99999999999}", TRUE);
    g_assert_cmpstr(big, ==, "email.example.com");
    /* Macro letters are case-insensitive; only the escaping differs. */
    g_autofree char *up = expand(&ctx, "%{D2}", TRUE);
    g_assert_cmpstr(up, ==, "example.com");
}

static void
test_syntax_errors(void)
{
    static const char *const bad[] = {
        "%{x}", "%{d0}", "%a", "%{d", "%{}", "%", "%{d2q}", "%{lrr}", "foo\x01",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_false(spf_macro_is_valid(bad[i], TRUE));
        guint8 ip[16];
        SpfMacroContext ctx;
        ctx_init(&ctx, ip, "192.0.2.3");
        char *out = NULL;
        g_assert_cmpint(spf_macro_expand(bad[i], &ctx, TRUE, FALSE, &out), ==, SPF_MACRO_SYNTAX);
        g_assert_null(out);
    }
    /* Spaces only in explanation text (RFC 7208 6.2 explain-string). */
    g_assert_true(spf_macro_is_valid("a b", TRUE));
    g_assert_false(spf_macro_is_valid("a b", FALSE));
    /* Domain-spec endings (RFC 7208 12). */
    g_assert_true(spf_domain_spec_is_valid("example.com"));
    g_assert_true(spf_domain_spec_is_valid("example.com."));
    g_assert_true(spf_domain_spec_is_valid("%{d}"));
    g_assert_true(spf_domain_spec_is_valid("x.%%"));
    g_assert_true(spf_domain_spec_is_valid("foo.example.xn--zckzah"));
    g_assert_false(spf_domain_spec_is_valid("museum"));
    g_assert_false(spf_domain_spec_is_valid("museum."));
    g_assert_false(spf_domain_spec_is_valid("abc.123"));
    g_assert_false(spf_domain_spec_is_valid("example.-com"));
    g_assert_false(spf_domain_spec_is_valid(""));
    g_assert_false(spf_domain_spec_is_valid("%%%.com%"));
}

static void
test_truncation_and_bound(void)
{
    guint8 ip[16];
    SpfMacroContext ctx;
    ctx_init(&ctx, ip, "192.0.2.3");
    /* RFC 7208 7.3: labels are dropped from the left until <= 253 octets. */
    g_autofree char *label = g_strnfill(60, 'a');
    g_autofree char *local = g_strjoin(".", label, label, label, label, label, NULL);
    ctx.local = local;
    g_autofree char *d = expand(&ctx, "%{l}.example.com", FALSE);
    g_assert_cmpuint(strlen(d), <=, 253);
    g_autofree char *want = g_strjoin(".", label, label, label, "example.com", NULL);
    g_assert_cmpstr(d, ==, want);
    /* Not truncated in explanation text. */
    g_autofree char *e = expand(&ctx, "%{l}.example.com", TRUE);
    g_assert_cmpuint(strlen(e), ==, 5 * 60 + 4 + 12);
    /* A macro bomb stops at the bound. */
    GString *bomb = g_string_new(NULL);
    for (int i = 0; i < 100; i++)
        g_string_append(bomb, "%{l}");
    char *out = NULL;
    g_assert_cmpint(spf_macro_expand(bomb->str, &ctx, TRUE, FALSE, &out), ==, SPF_MACRO_TOO_LONG);
    g_assert_null(out);
    g_string_free(bomb, TRUE);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/spf-macro/rfc7208-7.4", test_rfc7208_7_4);
    g_test_add_func("/proto/spf-macro/escapes", test_escapes_and_exp_letters);
    g_test_add_func("/proto/spf-macro/transformers", test_transformers);
    g_test_add_func("/proto/spf-macro/syntax-errors", test_syntax_errors);
    g_test_add_func("/proto/spf-macro/truncation", test_truncation_and_bound);
    return g_test_run();
}
