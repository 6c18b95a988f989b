/* SPDX-License-Identifier: MIT
 * Tests for proto/relay_addr: Postfix defaults (tricks stay local parts,
 * source routes ignored per RFC 5321 3.6.1) and each misconfiguration
 * switch (percent hack, bang path, source route, dequote).
 */
#include <string.h>

#include <glib.h>

#include "proto/relay_addr.h"

typedef struct {
    const char *path;
    RelayAddrOptions opt;
    const char *judged;
    const char *next;
    RelayAddrTrick trick;
} Case;

static const RelayAddrOptions OFF = {0};
static const RelayAddrOptions PCT = {.percent_hack = TRUE};
static const RelayAddrOptions BANG = {.bang_path = TRUE};
static const RelayAddrOptions ROUTE = {.source_routes = TRUE};
static const RelayAddrOptions DEQ = {.dequote = TRUE};
static const RelayAddrOptions ALL = {TRUE, TRUE, TRUE, TRUE};

static void
check(const char *path, const RelayAddrOptions *opt, const char *judged, const char *next,
      RelayAddrTrick trick)
{
    SmtpPath p = {0};
    gsize used = 0;
    g_assert_cmpint(smtp_path_parse(path, strlen(path), FALSE, TRUE, &p, &used), ==, SMTP_PATH_OK);
    RelayAddr a;
    g_assert_true(relay_addr_resolve(&p, opt, &a));
    g_assert_cmpstr(a.judged_domain, ==, judged);
    g_autofree char *n = relay_addr_next(&a);
    g_assert_cmpstr(n, ==, next);
    g_assert_cmpstr(relay_addr_trick_name(a.trick), ==, relay_addr_trick_name(trick));
    relay_addr_clear(&a);
    smtp_path_clear(&p);
}

static void
test_defaults(void)
{
    /* Postfix defaults: nothing but the written domain matters. */
    check("<u%remote.example@local.example>", &OFF, "local.example",
          "u%remote.example@local.example", RELAY_ADDR_TRICK_NONE);
    check("<remote.example!u@local.example>", &OFF, "local.example",
          "remote.example!u@local.example", RELAY_ADDR_TRICK_NONE);
    check("<\"u@remote.example\"@local.example>", &OFF, "local.example",
          "\"u@remote.example\"@local.example", RELAY_ADDR_TRICK_NONE);
    /* RFC 5321 3.6.1: the route is ignored, the final destination judged. */
    check("<@local.example:u@remote.example>", &OFF, "remote.example", "u@remote.example",
          RELAY_ADDR_TRICK_NONE);
    /* RFC 5321 2.4: domains are case-insensitive; trailing dot stripped. */
    check("<u@Local.EXAMPLE>", &OFF, "local.example", "u@local.example", RELAY_ADDR_TRICK_NONE);
}

static void
test_switches(void)
{
    check("<u%remote.example@local.example>", &PCT, "local.example", "u@remote.example",
          RELAY_ADDR_TRICK_PERCENT);
    /* Rightmost % wins (Sendmail/Postfix). */
    check("<u%a.example%b.example@local.example>", &PCT, "local.example", "u%a.example@b.example",
          RELAY_ADDR_TRICK_PERCENT);
    check("<remote.example!u@local.example>", &BANG, "local.example", "u@remote.example",
          RELAY_ADDR_TRICK_BANG);
    check("<@local.example:u@remote.example>", &ROUTE, "local.example", "u@remote.example",
          RELAY_ADDR_TRICK_ROUTE);
    check("<@a.example,@b.example:u@remote.example>", &ROUTE, "a.example", "u@remote.example",
          RELAY_ADDR_TRICK_ROUTE);
    check("<\"u@remote.example\"@local.example>", &DEQ, "local.example", "u@remote.example",
          RELAY_ADDR_TRICK_DEQUOTE);
    /* A switch does nothing to an address without its trick. */
    check("<plain@local.example>", &ALL, "local.example", "plain@local.example",
          RELAY_ADDR_TRICK_NONE);
    /* Percent is not applied inside quotes (Postfix). */
    check("<\"u%remote.example\"@local.example>", &PCT, "local.example",
          "\"u%remote.example\"@local.example", RELAY_ADDR_TRICK_NONE);
    /* A trick with nothing after the separator is no trick. */
    check("<u%@local.example>", &PCT, "local.example", "u%@local.example", RELAY_ADDR_TRICK_NONE);
}

static void
test_literals(void)
{
    check("<u@[192.0.2.1]>", &OFF, "[192.0.2.1]", "u@[192.0.2.1]", RELAY_ADDR_TRICK_NONE);
    g_autofree char *ip = relay_addr_literal_ip("[192.0.2.1]");
    g_assert_cmpstr(ip, ==, "192.0.2.1");
    g_autofree char *ip2 = relay_addr_literal_ip("[IPv4:192.0.2.1]");
    g_assert_cmpstr(ip2, ==, "192.0.2.1");
    g_assert_null(relay_addr_literal_ip("example.com"));
    g_autofree char *d = relay_addr_normalize_domain("Example.COM.");
    g_assert_cmpstr(d, ==, "example.com");
    /* One trailing dot only; only ASCII letters lowered; NULL reads as "". */
    g_autofree char *d2 = relay_addr_normalize_domain("A-Z.Mx9..");
    g_assert_cmpstr(d2, ==, "a-z.mx9.");
    g_autofree char *d3 = relay_addr_normalize_domain(".");
    g_assert_cmpstr(d3, ==, "");
    g_autofree char *d4 = relay_addr_normalize_domain(NULL);
    g_assert_cmpstr(d4, ==, "");
    g_autofree char *d5 = relay_addr_normalize_domain("[IPv6:FE80::1]");
    g_assert_cmpstr(d5, ==, "[ipv6:fe80::1]");
    g_autofree char *d6 = relay_addr_normalize_domain("\xc3\x89.example");
    g_assert_cmpstr(d6, ==, "\xc3\x89.example");
}

static void
test_no_domain(void)
{
    SmtpPath p = {0};
    gsize used = 0;
    g_assert_cmpint(smtp_path_parse("<Postmaster>", 12, FALSE, TRUE, &p, &used), ==, SMTP_PATH_OK);
    RelayAddr a;
    g_assert_false(relay_addr_resolve(&p, NULL, &a));
    g_assert_null(a.judged_domain);
    smtp_path_clear(&p);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/relay-addr/defaults", test_defaults);
    g_test_add_func("/proto/relay-addr/switches", test_switches);
    g_test_add_func("/proto/relay-addr/literals", test_literals);
    g_test_add_func("/proto/relay-addr/no-domain", test_no_domain);
    return g_test_run();
}
