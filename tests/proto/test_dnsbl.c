/* SPDX-License-Identifier: MIT
 * Tests for proto/dnsbl: RFC 5782 query names (2.1, 2.3, 2.4) and answer
 * meaning (5; 127.255.255.x error codes) against the conformance vectors
 * dnsbl/rfc5782-cases.yaml, with dnsbl/bl.test.zone and dbl.test.zone
 * loaded into a DnsZone by the small master-file reader below (tests only).
 */
#include <string.h>

#include <glib.h>

#include "common/test_yaml.h"
#include "proto/dnsbl.h"

/* Just enough of RFC 1035 5.1 for the two test zones: $ORIGIN, "@",
 * relative names, "IN", A and TXT (one quoted string); SOA/NS skipped. */
static void
zone_load(DnsZone *z, const char *path)
{
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    g_autofree char *origin = g_strdup("");
    for (char **l = lines; *l; l++) {
        char *semi = strchr(*l, ';');
        if (semi && strchr(*l, '"') == NULL)
            *semi = '\0';
        g_strstrip(*l);
        if (**l == '\0')
            continue;
        g_auto(GStrv) f = g_strsplit_set(*l, " \t", -1);
        GPtrArray *w = g_ptr_array_new();
        for (char **p = f; *p; p++)
            if (**p)
                g_ptr_array_add(w, *p);
        if (strcmp(w->pdata[0], "$ORIGIN") == 0) {
            g_free(origin);
            origin = g_strdup(w->pdata[1]);
        } else if (w->len >= 4 && strcmp(w->pdata[1], "IN") == 0) {
            const char *name = w->pdata[0];
            g_autofree char *owner = strcmp(name, "@") == 0 ? g_strdup(origin)
                                     : g_str_has_suffix(name, ".")
                                         ? g_strdup(name)
                                         : g_strdup_printf("%s.%s", name, origin);
            const char *type = w->pdata[2];
            if (strcmp(type, "A") == 0) {
                g_assert_true(dns_zone_add(z, owner, DNS_RR_A, w->pdata[3], NULL));
            } else if (strcmp(type, "TXT") == 0) {
                const char *q1 = strchr(*l, '"'), *q2 = strrchr(*l, '"');
                g_autofree char *txt = g_strndup(q1 + 1, (gsize)(q2 - q1 - 1));
                g_assert_true(dns_zone_add(z, owner, DNS_RR_TXT, txt, NULL));
            }
        }
        g_ptr_array_unref(w);
    }
}

static void
test_query_names(void)
{
    g_autofree char *path = test_conformance_path("dnsbl/rfc5782-cases.yaml");
    if (path == NULL) {
        g_test_message("conformance folder absent: dnsbl vectors not checked");
        g_test_skip("conformance folder absent");
        return;
    }
    g_autoptr(GError) err = NULL;
    g_autoptr(TestYaml) doc = test_yaml_load_one(path, &err);
    g_assert_no_error(err);
    TestYaml *qn = test_yaml_get(doc, "query_names");
    g_assert_cmpuint(test_yaml_len(qn), ==, 11);
    for (guint i = 0; i < test_yaml_len(qn); i++) {
        TestYaml *c = test_yaml_at(qn, i);
        const char *ip = test_yaml_str(c, "ip");
        const char *zone = test_yaml_str(c, "zone");
        g_autofree char *want = dns_name_normalize(test_yaml_str(c, "qname"));
        g_autofree char *got = ip ? dnsbl_query_name(ip, zone)
                                  : dnsbl_domain_query_name(test_yaml_str(c, "domain"), zone);
        g_assert_cmpstr(got, ==, want);
    }
}

static void
test_lookups(void)
{
    g_autofree char *path = test_conformance_path("dnsbl/rfc5782-cases.yaml");
    g_autofree char *blz = test_conformance_path("dnsbl/bl.test.zone");
    g_autofree char *dblz = test_conformance_path("dnsbl/dbl.test.zone");
    if (path == NULL || blz == NULL || dblz == NULL) {
        g_test_message("conformance folder absent: dnsbl lookups not checked");
        g_test_skip("conformance folder absent");
        return;
    }
    g_autoptr(DnsZone) z = dns_zone_new();
    zone_load(z, blz);
    zone_load(z, dblz);
    g_autoptr(TestYaml) doc = test_yaml_load_one(path, NULL);
    TestYaml *lk = test_yaml_get(doc, "lookups");
    g_assert_cmpuint(test_yaml_len(lk), ==, 14);
    for (guint i = 0; i < test_yaml_len(lk); i++) {
        TestYaml *c = test_yaml_at(lk, i);
        const char *qname = test_yaml_str(c, "qname");
        DnsRrType type = dns_rr_type_from_name(test_yaml_str(c, "type"));
        g_test_message("%s %s", qname, test_yaml_str(c, "type"));
        DnsAnswer a;
        dns_zone_lookup(z, qname, type, &a);
        TestYaml *ans = test_yaml_get(c, "answer");
        if (ans->kind == TEST_YAML_SCALAR) {
            g_assert_cmpstr(ans->value, ==, "NXDOMAIN");
            g_assert_cmpint(a.rcode, ==, DNS_RCODE_NXDOMAIN);
        } else {
            g_assert_cmpuint(a.records->len, ==, test_yaml_len(ans));
            for (guint k = 0; k < test_yaml_len(ans); k++)
                g_assert_cmpstr(((DnsRecord *)a.records->pdata[k])->text, ==,
                                test_yaml_at(ans, k)->value);
        }
        if (type == DNS_RR_A) {
            gboolean listed = g_strcmp0(test_yaml_str(c, "listed"), "true") == 0;
            g_assert_cmpint(dnsbl_classify(&a, NULL) == DNSBL_LISTED, ==, listed);
        }
        dns_answer_clear(&a);
    }
}

/* RFC 5782 facts restated: 2.1 octet reversal, 2.4 nibbles, 5 test entries. */
static void
test_facts(void)
{
    g_autofree char *a = dnsbl_query_name("192.0.2.99", "bl.test.");
    g_assert_cmpstr(a, ==, "99.2.0.192.bl.test");
    g_autofree char *b = dnsbl_query_name("2001:db8:1:2:3:4:567:89ab", "bl.test");
    g_assert_cmpstr(b, ==,
                    "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.bl.test");
    g_assert_null(dnsbl_query_name("not-an-ip", "bl.test"));
    g_autoptr(DnsZone) z = dns_zone_new();
    dns_zone_add(z, "2.0.0.127.bl.test", DNS_RR_A, "127.0.0.2", NULL);
    dns_zone_add(z, "1.0.0.127.bl.test", DNS_RR_A, "127.0.0.1", NULL);
    dns_zone_add(z, "10.2.0.192.bl.test", DNS_RR_A, "127.0.0.2", NULL);
    dns_zone_add(z, "10.2.0.192.bl.test", DNS_RR_A, "127.0.0.4", NULL);
    dns_zone_add(z, "20.2.0.192.bl.test", DNS_RR_A, "127.255.255.254", NULL);
    dns_zone_set_failure(z, "40.2.0.192.bl.test", DNS_RCODE_TIMEOUT);
    DnsAnswer ans;
    char **codes = NULL;
    dns_zone_lookup(z, "2.0.0.127.bl.test", DNS_RR_A, &ans);
    g_assert_cmpint(dnsbl_classify(&ans, &codes), ==, DNSBL_LISTED);
    g_assert_cmpstr(codes[0], ==, "127.0.0.2");
    g_strfreev(codes);
    dns_answer_clear(&ans);
    dns_zone_lookup(z, "1.0.0.127.bl.test", DNS_RR_A, &ans);
    g_assert_cmpint(dnsbl_classify(&ans, NULL), ==, DNSBL_NOT_LISTED);
    dns_answer_clear(&ans);
    dns_zone_lookup(z, "10.2.0.192.bl.test", DNS_RR_A, &ans);
    g_assert_cmpint(dnsbl_classify(&ans, &codes), ==, DNSBL_LISTED);
    g_assert_cmpuint(g_strv_length(codes), ==, 2); /* report all of them */
    g_strfreev(codes);
    dns_answer_clear(&ans);
    dns_zone_lookup(z, "20.2.0.192.bl.test", DNS_RR_A, &ans);
    g_assert_cmpint(dnsbl_classify(&ans, NULL), ==, DNSBL_LIST_ERROR);
    dns_answer_clear(&ans);
    dns_zone_lookup(z, "40.2.0.192.bl.test", DNS_RR_A, &ans);
    g_assert_cmpint(dnsbl_classify(&ans, NULL), ==, DNSBL_TEMPFAIL);
    dns_answer_clear(&ans);
    g_autofree char *t = dnsbl_reject_text("192.0.2.99", "bl.test", NULL);
    g_assert_cmpstr(t, ==, "Service unavailable; client [192.0.2.99] blocked using bl.test");
    /* RFC 5782 2.1: the TXT record's text follows; an empty one adds nothing. */
    g_autofree char *x = dnsbl_reject_text("192.0.2.99", "bl.test", "Listed: see x");
    g_assert_cmpstr(x, ==,
                    "Service unavailable; client [192.0.2.99] blocked using bl.test; Listed: see x");
    g_autofree char *e = dnsbl_reject_text("192.0.2.99", "bl.test", "");
    g_assert_cmpstr(e, ==, "Service unavailable; client [192.0.2.99] blocked using bl.test");
    /* The zone's text never breaks the reply line (RFC 5321 4.2: no CR or
     * LF inside a reply line): controls and non-ASCII bytes become '?'. */
    g_autofree char *c = dnsbl_reject_text("192.0.2.99", "bl.test", "a\r\n250 ok\t\xc3\xa9");
    g_assert_cmpstr(c, ==,
                    "Service unavailable; client [192.0.2.99] blocked using bl.test; a??250 ok???");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/dnsbl/query-names", test_query_names);
    g_test_add_func("/proto/dnsbl/lookups", test_lookups);
    g_test_add_func("/proto/dnsbl/facts", test_facts);
    return g_test_run();
}
