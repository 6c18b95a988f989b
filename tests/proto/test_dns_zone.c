/* SPDX-License-Identifier: MIT
 * Tests for proto/dns_zone: types, CNAME chains, wildcards, failures,
 * reverse names (RFC 3596 2.5, RFC 5782 2.4 example).
 */
#include <string.h>

#include <glib.h>

#include "proto/dns_zone.h"

static void
test_lookup_types(void)
{
    g_autoptr(DnsZone) z = dns_zone_new();
    g_assert_true(dns_zone_add(z, "Example.COM.", DNS_RR_MX, "10 mx.example.com", NULL));
    g_assert_true(dns_zone_add(z, "mx.example.com", DNS_RR_A, "198.51.100.1", NULL));
    DnsAnswer a;
    dns_zone_lookup(z, "example.com", DNS_RR_MX, &a);
    g_assert_cmpint(a.rcode, ==, DNS_RCODE_NOERROR);
    g_assert_cmpuint(a.records->len, ==, 1);
    DnsRecord *mx = a.records->pdata[0];
    g_assert_cmpuint(mx->pref, ==, 10);
    g_assert_cmpstr(mx->text, ==, "mx.example.com");
    dns_answer_clear(&a);
    /* NODATA: the name exists, no record of the type. */
    dns_zone_lookup(z, "example.com", DNS_RR_A, &a);
    g_assert_cmpint(a.rcode, ==, DNS_RCODE_NOERROR);
    g_assert_cmpuint(a.records->len, ==, 0);
    dns_answer_clear(&a);
    dns_zone_lookup(z, "nowhere.example.com", DNS_RR_A, &a);
    g_assert_cmpint(a.rcode, ==, DNS_RCODE_NXDOMAIN);
    dns_answer_clear(&a);
}

static void
test_bad_values(void)
{
    g_autoptr(DnsZone) z = dns_zone_new();
    g_autofree char *p1 = NULL, *p2 = NULL;
    g_assert_false(dns_zone_add(z, "a", DNS_RR_A, "300.1.1.1", &p1));
    g_assert_nonnull(strstr(p1, "300.1.1.1"));
    g_assert_false(dns_zone_add(z, "a", DNS_RR_MX, "mx.example.com", &p2));
    g_assert_false(dns_zone_add(z, "a", DNS_RR_AAAA, "1.2.3.4", NULL));
    g_assert_true(dns_zone_add(z, "a", DNS_RR_AAAA, "2001:db8::1", NULL));
}

static void
test_cname_and_loop(void)
{
    g_autoptr(DnsZone) z = dns_zone_new();
    dns_zone_add(z, "www.example.com", DNS_RR_CNAME, "host.example.com", NULL);
    dns_zone_add(z, "host.example.com", DNS_RR_A, "192.0.2.7", NULL);
    dns_zone_add(z, "loop1", DNS_RR_CNAME, "loop2", NULL);
    dns_zone_add(z, "loop2", DNS_RR_CNAME, "loop1", NULL);
    DnsAnswer a;
    dns_zone_lookup(z, "www.example.com", DNS_RR_A, &a);
    g_assert_cmpuint(a.records->len, ==, 1);
    g_assert_cmpstr(a.canonical, ==, "host.example.com");
    dns_answer_clear(&a);
    dns_zone_lookup(z, "loop1", DNS_RR_A, &a);
    g_assert_cmpint(a.rcode, ==, DNS_RCODE_SERVFAIL);
    dns_answer_clear(&a);
}

static void
test_wildcard_and_failure(void)
{
    g_autoptr(DnsZone) z = dns_zone_new();
    dns_zone_add(z, "*.bl.test", DNS_RR_A, "127.0.0.2", NULL);
    dns_zone_add(z, "slow.example", DNS_RR_TXT, "v=spf1 -all", NULL);
    dns_zone_set_failure(z, "slow.example", DNS_RCODE_TIMEOUT);
    DnsAnswer a;
    dns_zone_lookup(z, "2.0.0.127.bl.test", DNS_RR_A, &a);
    g_assert_cmpuint(a.records->len, ==, 1);
    dns_answer_clear(&a);
    /* A record added before the failure mark still answers; others time out. */
    dns_zone_lookup(z, "slow.example", DNS_RR_TXT, &a);
    g_assert_cmpint(a.rcode, ==, DNS_RCODE_NOERROR);
    dns_answer_clear(&a);
    dns_zone_lookup(z, "slow.example", DNS_RR_A, &a);
    g_assert_cmpint(a.rcode, ==, DNS_RCODE_TIMEOUT);
    dns_answer_clear(&a);
}

/* A copy answers as the original, failure marks included, and records
 * added to it do not appear in the original. */
static void
test_copy(void)
{
    g_autoptr(DnsZone) z = dns_zone_new();
    dns_zone_add(z, "*.bl.test", DNS_RR_A, "127.0.0.2", NULL);
    dns_zone_add(z, "polito.it", DNS_RR_MX, "10 mx.polito.it", NULL);
    const char *strings[] = {"v=spf1 ", "-all", NULL};
    dns_zone_add_txt(z, "polito.it", strings);
    dns_zone_add(z, "slow.example", DNS_RR_TXT, "v=spf1 -all", NULL);
    dns_zone_set_failure(z, "slow.example", DNS_RCODE_TIMEOUT);
    g_autoptr(DnsZone) c = dns_zone_copy(z);
    dns_zone_add(c, "sel._domainkey.polito.it", DNS_RR_TXT, "v=DKIM1; p=", NULL);
    g_assert_true(dns_zone_has_name(c, "sel._domainkey.polito.it"));
    g_assert_false(dns_zone_has_name(z, "sel._domainkey.polito.it"));
    DnsAnswer a;
    dns_zone_lookup(c, "9.2.0.192.bl.test", DNS_RR_A, &a);
    g_assert_cmpuint(a.records->len, ==, 1);
    dns_answer_clear(&a);
    dns_zone_lookup(c, "polito.it", DNS_RR_TXT, &a);
    g_assert_cmpuint(a.records->len, ==, 1);
    const DnsRecord *txt = a.records->pdata[0];
    g_assert_cmpstr(txt->text, ==, "v=spf1 -all");
    g_assert_cmpstr(txt->strings[0], ==, "v=spf1 ");
    dns_answer_clear(&a);
    dns_zone_lookup(c, "polito.it", DNS_RR_MX, &a);
    g_assert_cmpuint(a.records->len, ==, 1);
    g_assert_cmpuint(((const DnsRecord *)a.records->pdata[0])->pref, ==, 10);
    dns_answer_clear(&a);
    dns_zone_lookup(c, "slow.example", DNS_RR_TXT, &a);
    g_assert_cmpint(a.rcode, ==, DNS_RCODE_NOERROR);
    dns_answer_clear(&a);
    dns_zone_lookup(c, "slow.example", DNS_RR_A, &a);
    g_assert_cmpint(a.rcode, ==, DNS_RCODE_TIMEOUT);
    dns_answer_clear(&a);
    g_autoptr(GPtrArray) all = dns_zone_records(z);
    g_autoptr(GPtrArray) copied = dns_zone_records(c);
    g_assert_cmpuint(copied->len, ==, all->len + 1);
}

static void
test_reverse_names(void)
{
    g_autofree char *v4 = dns_reverse_name("192.0.2.99");
    g_assert_cmpstr(v4, ==, "99.2.0.192.in-addr.arpa");
    /* RFC 5782 2.4's example address. */
    g_autofree char *v6 = dns_reverse_name("2001:db8:1:2:3:4:567:89ab");
    g_assert_cmpstr(v6, ==, "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
    g_assert_null(dns_reverse_name("not-an-ip"));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/dns-zone/lookup-types", test_lookup_types);
    g_test_add_func("/proto/dns-zone/bad-values", test_bad_values);
    g_test_add_func("/proto/dns-zone/cname-and-loop", test_cname_and_loop);
    g_test_add_func("/proto/dns-zone/wildcard-and-failure", test_wildcard_and_failure);
    g_test_add_func("/proto/dns-zone/reverse-names", test_reverse_names);
    g_test_add_func("/proto/dns-zone/copy", test_copy);
    return g_test_run();
}
