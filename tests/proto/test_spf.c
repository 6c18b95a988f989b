/* SPDX-License-Identifier: MIT
 * Tests for proto/spf: the openspf RFC 7208 suite (conformance/spf), driven
 * from a DnsZone built per scenario, plus the RFC 7208 appendix A examples
 * restated as literal facts, the limits of 4.6.4, and hostile records
 * (include loops, macro bombs, huge TXT) that must end in permerror fast.
 */
#include <string.h>

#include <glib.h>

#include "common/test_yaml.h"
#include "proto/dns_zone.h"
#include "proto/spf-private.h"
#include "proto/spf.h"

/* DnsZone stores C strings; the driver keeps a NUL octet of the suite's
 * zonedata as the two octets C0 80 ("modified UTF-8") and restores it when
 * answering, so that the engine sees the NUL. */
#define NUL_MARK "\xc0\x80"

typedef struct {
    SpfResult result;
    char *explanation;
    char *mechanism;
    guint queries;
    GString *log;
} SpfRun;

static void
spf_run_clear(SpfRun *r)
{
    g_free(r->explanation);
    g_free(r->mechanism);
    if (r->log)
        g_string_free(r->log, TRUE);
}

static char *
unmark(const char *s, gsize *len)
{
    GString *o = g_string_new(NULL);
    for (const char *p = s; *p; p++) {
        if (p[0] == NUL_MARK[0] && p[1] == NUL_MARK[1]) {
            g_string_append_c(o, '\0');
            p++;
        } else {
            g_string_append_c(o, *p);
        }
    }
    *len = o->len;
    return g_string_free(o, FALSE);
}

static void
answer_from_zone(SpfCheck *c, const DnsZone *z, const SpfAct *act)
{
    DnsAnswer da;
    dns_zone_lookup(z, act->name, act->type, &da);
    guint n = da.records->len;
    SpfAnswerRecord *recs = g_new0(SpfAnswerRecord, n + 1);
    GPtrArray *keep = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < n; i++) {
        DnsRecord *r = da.records->pdata[i];
        recs[i].text = r->text;
        recs[i].pref = r->pref;
        if (r->type == DNS_RR_TXT && r->strings) {
            guint k = g_strv_length(r->strings);
            char **strs = g_new0(char *, k + 1);
            gsize *lens = g_new0(gsize, k + 1);
            for (guint j = 0; j < k; j++) {
                strs[j] = unmark(r->strings[j], &lens[j]);
                g_ptr_array_add(keep, strs[j]);
            }
            g_ptr_array_add(keep, strs);
            g_ptr_array_add(keep, lens);
            recs[i].strings = (const char *const *)strs;
            recs[i].lengths = lens;
        }
    }
    SpfAnswer ans = {.rcode = da.rcode, .records = recs, .n_records = n};
    spf_check_answer(c, act->query_id, &ans);
    g_ptr_array_unref(keep);
    g_free(recs);
    dns_answer_clear(&da);
}

/* Runs check_host() to the end against zone; asserts it ends within a
 * bounded number of queries (the limits of RFC 7208 4.6.4). */
static void
spf_run(const DnsZone *z, const SpfRequest *req, SpfRun *out)
{
    memset(out, 0, sizeof *out);
    out->log = g_string_new(NULL);
    g_autoptr(SpfCheck) c = spf_check_new(req);
    SpfAct act;
    gboolean done = FALSE;
    while (!done) {
        g_assert_true(spf_check_poll(c, &act));
        g_autofree char *line = spf_act_to_string(&act);
        g_string_append_printf(out->log, "%s\n", line);
        switch (act.kind) {
        case SPF_ACT_QUERY:
            g_assert_cmpuint(++out->queries, <, 100);
            answer_from_zone(c, z, &act);
            break;
        case SPF_ACT_DONE:
            out->result = act.result;
            out->explanation = g_strdup(act.explanation);
            out->mechanism = g_strdup(act.mechanism);
            done = TRUE;
            break;
        default:
            break;
        }
        spf_act_clear(&act);
    }
    g_assert_false(spf_check_poll(c, &act));
    g_assert_true(spf_check_is_done(c));
    g_assert_cmpint(spf_check_get_result(c), ==, out->result);
}

/* ---- the conformance suite ---- */

static char *
yaml_text(const TestYaml *y)
{
    /* Keep NUL octets through DnsZone (see NUL_MARK). */
    GString *s = g_string_new(NULL);
    for (gsize i = 0; i < y->len; i++) {
        if (y->value[i] == '\0')
            g_string_append(s, NUL_MARK);
        else
            g_string_append_c(s, y->value[i]);
    }
    return g_string_free(s, FALSE);
}

static void
zone_add_txt(DnsZone *z, const char *name, const TestYaml *v)
{
    g_autoptr(GPtrArray) strs = g_ptr_array_new_with_free_func(g_free);
    if (v->kind == TEST_YAML_SCALAR) {
        g_ptr_array_add(strs, yaml_text(v));
    } else {
        for (guint i = 0; i < test_yaml_len(v); i++)
            g_ptr_array_add(strs, yaml_text(test_yaml_at(v, i)));
    }
    g_ptr_array_add(strs, NULL);
    dns_zone_add_txt(z, name, (const char *const *)strs->pdata);
}

static void
zone_add_item(DnsZone *z, const char *name, const TestYaml *item, gboolean has_txt)
{
    if (item->kind == TEST_YAML_SCALAR) {
        g_assert_cmpstr(item->value, ==, "TIMEOUT");
        dns_zone_set_failure(z, name, DNS_RCODE_TIMEOUT);
        return;
    }
    g_assert_cmpint(item->kind, ==, TEST_YAML_MAP);
    const char *type = item->keys->pdata[0];
    const TestYaml *v = item->items->pdata[0];
    if (strcmp(type, "SPF") == 0) {
        /* "auto-magic duplication": SPF is served as TXT unless TXT exists. */
        if (has_txt || (v->kind == TEST_YAML_SCALAR && strcmp(v->value, "NONE") == 0))
            return;
        zone_add_txt(z, name, v);
    } else if (strcmp(type, "TXT") == 0) {
        if (v->kind == TEST_YAML_SCALAR && strcmp(v->value, "NONE") == 0)
            return;
        zone_add_txt(z, name, v);
    } else if (strcmp(type, "MX") == 0) {
        /* An empty exchange is the root name (a null MX, RFC 7505). */
        const char *host = test_yaml_at(v, 1)->value;
        g_autofree char *mx =
            g_strdup_printf("%s %s", test_yaml_at(v, 0)->value, *host ? host : ".");
        g_assert_true(dns_zone_add(z, name, DNS_RR_MX, mx, NULL));
    } else {
        DnsRrType t = dns_rr_type_from_name(type);
        g_assert_cmpint(t, !=, 0);
        /* Malformed addresses in the suite stand for records a resolver
         * would not return: skip them. */
        dns_zone_add(z, name, t, v->value, NULL);
    }
}

static DnsZone *
zone_from_yaml(const TestYaml *zd)
{
    DnsZone *z = dns_zone_new();
    for (guint i = 0; zd && i < zd->keys->len; i++) {
        const char *name = zd->keys->pdata[i];
        const TestYaml *items = zd->items->pdata[i];
        gboolean has_txt = FALSE;
        for (guint j = 0; j < test_yaml_len(items); j++) {
            const TestYaml *it = test_yaml_at(items, j);
            if (it->kind == TEST_YAML_MAP && strcmp(it->keys->pdata[0], "TXT") == 0)
                has_txt = TRUE;
        }
        for (guint j = 0; j < test_yaml_len(items); j++)
            zone_add_item(z, name, test_yaml_at(items, j), has_txt);
    }
    return z;
}

static gboolean
result_accepted(const TestYaml *want, SpfResult got)
{
    SpfResult r;
    if (want->kind == TEST_YAML_SCALAR)
        return spf_result_from_name(want->value, &r) && r == got;
    for (guint i = 0; i < test_yaml_len(want); i++)
        if (spf_result_from_name(test_yaml_at(want, i)->value, &r) && r == got)
            return TRUE;
    return FALSE;
}

/* Runs one test of a scenario; returns TRUE when it passes. */
static gboolean
suite_case(const DnsZone *z, const char *name, const TestYaml *t, GString *report)
{
    const char *exp = test_yaml_str(t, "explanation");
    SpfRequest req = {
        .ip = test_yaml_str(t, "host"),
        .sender = test_yaml_str(t, "mailfrom"),
        .helo = test_yaml_str(t, "helo"),
        .receiver = test_yaml_str(t, "receiver"),
    };
    SpfRun run;
    spf_run(z, &req, &run);
    gboolean ok = result_accepted(test_yaml_get(t, "result"), run.result);
    if (ok && run.result == SPF_RESULT_FAIL && exp != NULL) {
        /* "DEFAULT" stands for the receiver's own text: no exp= applied. */
        if (strcmp(exp, "DEFAULT") == 0)
            ok = run.explanation == NULL;
        else
            ok = g_strcmp0(exp, run.explanation) == 0;
    }
    if (!ok)
        g_string_append_printf(report, "FAIL %s: got %s exp=%s\n%s", name,
                               spf_result_name(run.result),
                               run.explanation ? run.explanation : "(none)", run.log->str);
    spf_run_clear(&run);
    return ok;
}

static void
test_conformance_rfc7208(void)
{
    g_autofree char *path = test_conformance_path("spf/rfc7208-tests.yml");
    if (path == NULL) {
        g_test_message("the conformance folder is absent: RFC 7208 suite not run");
        g_test_skip("conformance folder absent");
        return;
    }
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) docs = test_yaml_load_file(path, &error);
    g_assert_no_error(error);
    guint total = 0, passed = 0;
    g_autoptr(GString) report = g_string_new(NULL);
    for (guint d = 0; d < docs->len; d++) {
        const TestYaml *doc = docs->pdata[d];
        const TestYaml *tests = test_yaml_get(doc, "tests");
        if (tests == NULL)
            continue;
        g_autoptr(DnsZone) z = zone_from_yaml(test_yaml_get(doc, "zonedata"));
        for (guint i = 0; i < tests->keys->len; i++) {
            total++;
            if (suite_case(z, tests->keys->pdata[i], tests->items->pdata[i], report))
                passed++;
        }
    }
    g_test_message("RFC 7208 suite: %u/%u passed", passed, total);
    if (passed != total)
        g_printerr("%s", report->str);
    g_assert_cmpuint(total, ==, 203);
    g_assert_cmpuint(passed, ==, total);
}

/* ---- RFC 7208 appendix A, restated ---- */

static DnsZone *
appendix_a_zone(void)
{
    /* RFC 7208 A: the example.com zone and its SPF records. */
    DnsZone *z = dns_zone_new();
    dns_zone_add(z, "example.com", DNS_RR_MX, "10 mail-a.example.com", NULL);
    dns_zone_add(z, "example.com", DNS_RR_MX, "20 mail-b.example.com", NULL);
    dns_zone_add(z, "example.com", DNS_RR_A, "192.0.2.10", NULL);
    dns_zone_add(z, "example.com", DNS_RR_A, "192.0.2.11", NULL);
    dns_zone_add(z, "amy.example.com", DNS_RR_A, "192.0.2.65", NULL);
    dns_zone_add(z, "bob.example.com", DNS_RR_A, "192.0.2.66", NULL);
    dns_zone_add(z, "mail-a.example.com", DNS_RR_A, "192.0.2.129", NULL);
    dns_zone_add(z, "mail-b.example.com", DNS_RR_A, "192.0.2.130", NULL);
    dns_zone_add(z, "www.example.com", DNS_RR_CNAME, "example.com", NULL);
    dns_zone_add(z, "example.org", DNS_RR_MX, "10 mail-c.example.org", NULL);
    dns_zone_add(z, "mail-c.example.org", DNS_RR_A, "192.0.2.140", NULL);
    dns_zone_add(z, "10.2.0.192.in-addr.arpa", DNS_RR_PTR, "example.com", NULL);
    dns_zone_add(z, "11.2.0.192.in-addr.arpa", DNS_RR_PTR, "example.com", NULL);
    dns_zone_add(z, "65.2.0.192.in-addr.arpa", DNS_RR_PTR, "amy.example.com", NULL);
    dns_zone_add(z, "66.2.0.192.in-addr.arpa", DNS_RR_PTR, "bob.example.com", NULL);
    dns_zone_add(z, "129.2.0.192.in-addr.arpa", DNS_RR_PTR, "mail-a.example.com", NULL);
    dns_zone_add(z, "130.2.0.192.in-addr.arpa", DNS_RR_PTR, "mail-b.example.com", NULL);
    dns_zone_add(z, "140.2.0.192.in-addr.arpa", DNS_RR_PTR, "mail-c.example.org", NULL);
    dns_zone_add(z, "10.0.0.10.in-addr.arpa", DNS_RR_PTR, "bob.example.com", NULL);
    return z;
}

static SpfResult
appendix_a_check(const char *record, const char *ip)
{
    g_autoptr(DnsZone) z = appendix_a_zone();
    dns_zone_add(z, "example.com", DNS_RR_TXT, record, NULL);
    dns_zone_add(z, "example.net", DNS_RR_TXT, "v=spf1 include:example.com -all", NULL);
    SpfRequest req = {.ip = ip, .sender = "user@example.com", .helo = "mx.example.org"};
    SpfRun run;
    spf_run(z, &req, &run);
    SpfResult r = run.result;
    spf_run_clear(&run);
    return r;
}

static void
test_appendix_a(void)
{
    static const struct {
        const char *record, *ip;
        SpfResult want;
    } cases[] = {
        /* RFC 7208 A.1 */
        {"v=spf1 +all", "198.51.100.1", SPF_RESULT_PASS},
        {"v=spf1 a -all", "192.0.2.10", SPF_RESULT_PASS},
        {"v=spf1 a -all", "192.0.2.11", SPF_RESULT_PASS},
        {"v=spf1 a -all", "192.0.2.65", SPF_RESULT_FAIL},
        {"v=spf1 a:example.org -all", "192.0.2.10", SPF_RESULT_FAIL},
        {"v=spf1 mx -all", "192.0.2.129", SPF_RESULT_PASS},
        {"v=spf1 mx -all", "192.0.2.130", SPF_RESULT_PASS},
        {"v=spf1 mx -all", "192.0.2.10", SPF_RESULT_FAIL},
        {"v=spf1 mx:example.org -all", "192.0.2.140", SPF_RESULT_PASS},
        {"v=spf1 mx mx:example.org -all", "192.0.2.140", SPF_RESULT_PASS},
        {"v=spf1 mx/30 mx:example.org/30 -all", "192.0.2.131", SPF_RESULT_PASS},
        {"v=spf1 mx/30 mx:example.org/30 -all", "192.0.2.141", SPF_RESULT_PASS},
        {"v=spf1 mx/30 mx:example.org/30 -all", "192.0.2.133", SPF_RESULT_FAIL},
        {"v=spf1 ptr -all", "192.0.2.65", SPF_RESULT_PASS},
        {"v=spf1 ptr -all", "192.0.2.140", SPF_RESULT_FAIL},
        {"v=spf1 ptr -all", "10.0.0.10", SPF_RESULT_FAIL}, /* not validated */
        {"v=spf1 ip4:192.0.2.128/28 -all", "192.0.2.65", SPF_RESULT_FAIL},
        {"v=spf1 ip4:192.0.2.128/28 -all", "192.0.2.129", SPF_RESULT_PASS},
        {"v=spf1 -ip4:192.0.2.129 ~all", "192.0.2.129", SPF_RESULT_FAIL},
        {"v=spf1 -ip4:192.0.2.129 ~all", "192.0.2.1", SPF_RESULT_SOFTFAIL},
        {"v=spf1 ?all", "192.0.2.1", SPF_RESULT_NEUTRAL},
        {"v=spf1 ip6:2001:db8::/32 -all", "2001:db8::1", SPF_RESULT_PASS},
        {"v=spf1 ip4:192.0.2.0/24 -all", "::ffff:192.0.2.7", SPF_RESULT_PASS},
        {"v=spf1 ip6:2001:db8::/32", "192.0.2.1", SPF_RESULT_NEUTRAL},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        SpfResult got = appendix_a_check(cases[i].record, cases[i].ip);
        if (got != cases[i].want)
            g_error("'%s' from %s: got %s, want %s", cases[i].record, cases[i].ip,
                    spf_result_name(got), spf_result_name(cases[i].want));
    }
}

/* ---- limits and hostile records ---- */

static SpfRun
check_zone(DnsZone *z, const char *ip, const char *sender)
{
    SpfRequest req = {.ip = ip, .sender = sender, .helo = "helo.example.org"};
    SpfRun run;
    spf_run(z, &req, &run);
    return run;
}

static void
test_include_loop(void)
{
    g_autoptr(DnsZone) z = dns_zone_new();
    dns_zone_add(z, "loop.example", DNS_RR_TXT, "v=spf1 include:loop.example -all", NULL);
    SpfRun r = check_zone(z, "192.0.2.1", "a@loop.example");
    g_assert_cmpint(r.result, ==, SPF_RESULT_PERMERROR);
    g_assert_cmpuint(r.queries, <=, 11);
    spf_run_clear(&r);
    /* A chain of 12 distinct includes passes the 10-term limit. */
    for (int i = 0; i < 12; i++) {
        g_autofree char *n = g_strdup_printf("c%d.example", i);
        g_autofree char *v = g_strdup_printf("v=spf1 include:c%d.example -all", i + 1);
        dns_zone_add(z, n, DNS_RR_TXT, v, NULL);
    }
    r = check_zone(z, "192.0.2.1", "a@c0.example");
    g_assert_cmpint(r.result, ==, SPF_RESULT_PERMERROR);
    g_assert_nonnull(strstr(r.log->str, "more than 10"));
    spf_run_clear(&r);
    /* redirect to itself, likewise. */
    dns_zone_add(z, "self.example", DNS_RR_TXT, "v=spf1 redirect=self.example", NULL);
    r = check_zone(z, "192.0.2.1", "a@self.example");
    g_assert_cmpint(r.result, ==, SPF_RESULT_PERMERROR);
    spf_run_clear(&r);
}

static void
test_limits(void)
{
    g_autoptr(DnsZone) z = dns_zone_new();
    /* RFC 7208 4.6.4: exactly 10 DNS terms is fine, the 11th is permerror. */
    GString *rec = g_string_new("v=spf1");
    for (int i = 0; i < 10; i++)
        g_string_append_printf(rec, " a:h%d.example", i);
    dns_zone_add(z, "ten.example", DNS_RR_TXT, rec->str, NULL);
    g_string_append(rec, " a:h10.example");
    dns_zone_add(z, "eleven.example", DNS_RR_TXT, rec->str, NULL);
    g_string_free(rec, TRUE);
    for (int i = 0; i <= 10; i++) {
        g_autofree char *n = g_strdup_printf("h%d.example", i);
        dns_zone_add(z, n, DNS_RR_A, "198.51.100.1", NULL);
    }
    SpfRun r = check_zone(z, "192.0.2.1", "a@ten.example");
    g_assert_cmpint(r.result, ==, SPF_RESULT_NEUTRAL);
    spf_run_clear(&r);
    r = check_zone(z, "192.0.2.1", "a@eleven.example");
    g_assert_cmpint(r.result, ==, SPF_RESULT_PERMERROR);
    spf_run_clear(&r);
    /* Void lookups: two are tolerated, the third is permerror. */
    dns_zone_add(z, "void2.example", DNS_RR_TXT, "v=spf1 a:n1.example a:n2.example ?all", NULL);
    dns_zone_add(z, "void3.example", DNS_RR_TXT,
                 "v=spf1 a:n1.example a:n2.example a:n3.example ?all", NULL);
    r = check_zone(z, "192.0.2.1", "a@void2.example");
    g_assert_cmpint(r.result, ==, SPF_RESULT_NEUTRAL);
    spf_run_clear(&r);
    r = check_zone(z, "192.0.2.1", "a@void3.example");
    g_assert_cmpint(r.result, ==, SPF_RESULT_PERMERROR);
    spf_run_clear(&r);
    /* More than 10 MX hosts: permerror. */
    dns_zone_add(z, "manymx.example", DNS_RR_TXT, "v=spf1 mx -all", NULL);
    for (int i = 0; i < 11; i++) {
        g_autofree char *v = g_strdup_printf("%d mx%d.example", i, i);
        dns_zone_add(z, "manymx.example", DNS_RR_MX, v, NULL);
    }
    r = check_zone(z, "192.0.2.1", "a@manymx.example");
    g_assert_cmpint(r.result, ==, SPF_RESULT_PERMERROR);
    spf_run_clear(&r);
    /* SERVFAIL and TIMEOUT are temperror. */
    dns_zone_add(z, "tmp.example", DNS_RR_TXT, "v=spf1 a:broken.example -all", NULL);
    dns_zone_set_failure(z, "broken.example", DNS_RCODE_SERVFAIL);
    r = check_zone(z, "192.0.2.1", "a@tmp.example");
    g_assert_cmpint(r.result, ==, SPF_RESULT_TEMPERROR);
    spf_run_clear(&r);
}

static void
test_hostile(void)
{
    g_autoptr(DnsZone) z = dns_zone_new();
    /* A macro bomb: each %{s} is long; the expansion passes the bound. */
    GString *bomb = g_string_new("v=spf1 exists:");
    for (int i = 0; i < 200; i++)
        g_string_append(bomb, "%{s}");
    g_string_append(bomb, ".example -all");
    dns_zone_add(z, "bomb.example", DNS_RR_TXT, bomb->str, NULL);
    g_string_free(bomb, TRUE);
    g_autofree char *local = g_strnfill(60, 'x');
    g_autofree char *sender = g_strconcat(local, "@bomb.example", NULL);
    SpfRun r = check_zone(z, "192.0.2.1", sender);
    g_assert_cmpint(r.result, ==, SPF_RESULT_PERMERROR);
    g_assert_cmpuint(r.queries, ==, 1);
    spf_run_clear(&r);
    /* A huge TXT record (many strings). */
    GPtrArray *parts = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(parts, g_strdup("v=spf1"));
    for (int i = 0; i < 2000; i++)
        g_ptr_array_add(parts, g_strdup(" ip4:192.0.2.1"));
    g_ptr_array_add(parts, NULL);
    dns_zone_add_txt(z, "huge.example", (const char *const *)parts->pdata);
    g_ptr_array_unref(parts);
    r = check_zone(z, "192.0.2.1", "a@huge.example");
    g_assert_cmpint(r.result, ==, SPF_RESULT_PERMERROR);
    spf_run_clear(&r);
    /* Two SPF records: permerror; none at all: none. */
    dns_zone_add(z, "two.example", DNS_RR_TXT, "v=spf1 +all", NULL);
    dns_zone_add(z, "two.example", DNS_RR_TXT, "v=spf1 -all", NULL);
    r = check_zone(z, "192.0.2.1", "a@two.example");
    g_assert_cmpint(r.result, ==, SPF_RESULT_PERMERROR);
    spf_run_clear(&r);
    r = check_zone(z, "192.0.2.1", "a@nowhere.example");
    g_assert_cmpint(r.result, ==, SPF_RESULT_NONE);
    spf_run_clear(&r);
}

static void
test_explanation(void)
{
    g_autoptr(DnsZone) z = dns_zone_new();
    dns_zone_add(z, "example.com", DNS_RR_TXT, "v=spf1 mx -all exp=explain._spf.%{d}", NULL);
    dns_zone_add(z, "explain._spf.example.com", DNS_RR_TXT,
                 "%{i} is not one of %{d}'s designated mail servers.", NULL);
    SpfRun r = check_zone(z, "192.0.2.3", "strong-bad@example.com");
    g_assert_cmpint(r.result, ==, SPF_RESULT_FAIL);
    g_assert_cmpstr(r.mechanism, ==, "-all");
    /* RFC 7208 7.4 example explanation. */
    g_assert_cmpstr(r.explanation, ==,
                    "192.0.2.3 is not one of example.com's designated mail servers.");
    g_assert_nonnull(strstr(r.log->str, "QUERY 1 TXT example.com"));
    spf_run_clear(&r);
}

static void
test_act_strings(void)
{
    g_assert_cmpstr(spf_result_name(SPF_RESULT_SOFTFAIL), ==, "softfail");
    SpfResult r;
    g_assert_true(spf_result_from_name("TempError", &r));
    g_assert_cmpint(r, ==, SPF_RESULT_TEMPERROR);
    g_assert_false(spf_result_from_name("maybe", &r));
    /* Malformed request: not an address -> permerror with no query. */
    SpfRequest req = {.ip = "not-an-ip", .sender = "a@b.example"};
    g_autoptr(SpfCheck) c = spf_check_new(&req);
    SpfAct act;
    gboolean saw_done = FALSE;
    while (spf_check_poll(c, &act)) {
        g_assert_cmpint(act.kind, !=, SPF_ACT_QUERY);
        if (act.kind == SPF_ACT_DONE) {
            g_autofree char *s = spf_act_to_string(&act);
            g_assert_cmpstr(s, ==, "DONE permerror");
            saw_done = TRUE;
        }
        spf_act_clear(&act);
    }
    g_assert_true(saw_done);
}

/* ---- record parser (RFC 7208 4.6, 5, 6, 12) ---- */

static void
test_record_parse(void)
{
    g_autofree char *problem = NULL;
    SpfRecord *rec = spf_record_parse(
        "V=SPF1  a/24//64 mx:foo.example/30 -ip4:192.0.2.0/24 ~ip6:2001:db8::/32 "
        "?exists:%{i}.x.example include:a.example ptr moo.cow=x redirect=b.example "
        "exp=c.example +all ",
        &problem);
    g_assert_null(problem);
    g_assert_nonnull(rec);
    g_assert_cmpuint(rec->mechs->len, ==, 8);
    SpfMech *m = rec->mechs->pdata[0];
    g_assert_cmpint(m->kind, ==, SPF_MECH_A);
    g_assert_null(m->domain);
    g_assert_cmpint(m->cidr4, ==, 24);
    g_assert_cmpint(m->cidr6, ==, 64);
    m = rec->mechs->pdata[1];
    g_assert_cmpint(m->kind, ==, SPF_MECH_MX);
    g_assert_cmpstr(m->domain, ==, "foo.example");
    g_assert_cmpint(m->cidr4, ==, 30);
    g_assert_cmpint(m->cidr6, ==, 128);
    m = rec->mechs->pdata[2];
    g_assert_cmpint(m->qualifier, ==, SPF_RESULT_FAIL);
    g_assert_cmpint(m->kind, ==, SPF_MECH_IP4);
    m = rec->mechs->pdata[3];
    g_assert_cmpint(m->qualifier, ==, SPF_RESULT_SOFTFAIL);
    g_assert_cmpint(m->cidr6, ==, 32);
    m = rec->mechs->pdata[4];
    g_assert_cmpint(m->qualifier, ==, SPF_RESULT_NEUTRAL);
    g_assert_cmpstr(m->domain, ==, "%{i}.x.example");
    g_assert_cmpstr(rec->redirect, ==, "b.example");
    g_assert_cmpstr(rec->exp, ==, "c.example");
    g_assert_cmpint(((SpfMech *)rec->mechs->pdata[7])->kind, ==, SPF_MECH_ALL);
    spf_record_free(rec);

    static const char *const bad[] = {
        "v=spf1 ip4:192.0.2.0/33",
        "v=spf1 ip6:::1/129",
        "v=spf1 a/024",
        "v=spf1 all:foo.example",
        "v=spf1 include",
        "v=spf1 exists:",
        "v=spf1 redirect=a.example redirect=b.example",
        "v=spf1 exp=",
        "v=spf1 1up=foo",
        "v=spf1 =all",
        "v=spf1 foo=%x",
        "v=spf1 a:museum",
        "v=spf1 ip4:1.2.3.4\t-all",
        "v=spf1 redirect:a.example",
        "v=spf1 -a:%{c}.example",
        "v=spf1 ip4:1.2.3",
        "v=spf1 mx//",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *why = NULL;
        rec = spf_record_parse(bad[i], &why);
        if (rec != NULL)
            g_error("'%s' parsed", bad[i]);
        g_assert_nonnull(why);
    }
    g_assert_true(spf_record_is_spf("v=spf1"));
    g_assert_false(spf_record_is_spf("v=spf10 -all"));
    g_assert_false(spf_record_is_spf("v=spf3 -all"));
}

/* ---- the engine's protocol: actions, ids, requests ---- */

static void
test_transcript(void)
{
    g_autoptr(DnsZone) z = dns_zone_new();
    dns_zone_add(z, "example.com", DNS_RR_TXT, "v=spf1 mx -all", NULL);
    dns_zone_add(z, "example.com", DNS_RR_MX, "10 mx.example.com", NULL);
    dns_zone_add(z, "mx.example.com", DNS_RR_A, "192.0.2.1", NULL);
    SpfRun r = check_zone(z, "192.0.2.1", "user@example.com");
    static const char want[] = "STEP check_host(ip4, example.com, user@example.com)\n"
                               "STEP DNS query TXT example.com\n"
                               "QUERY 1 TXT example.com\n"
                               "STEP DNS answer NOERROR, 1 record\n"
                               "STEP record of example.com: v=spf1 mx -all\n"
                               "STEP mx: DNS lookup 1 of 10\n"
                               "STEP DNS query MX example.com\n"
                               "QUERY 2 MX example.com\n"
                               "STEP DNS answer NOERROR, 1 record\n"
                               "STEP DNS query A mx.example.com\n"
                               "QUERY 3 A mx.example.com\n"
                               "STEP DNS answer NOERROR, 1 record\n"
                               "STEP MX host mx.example.com has the client's address\n"
                               "STEP mx matches: pass\n"
                               "DONE pass mx\n";
    g_assert_cmpstr(r.log->str, ==, want);
    spf_run_clear(&r);
}

static void
test_wrong_answer_id(void)
{
    SpfRequest req = {.ip = "192.0.2.1", .sender = "a@example.com"};
    g_autoptr(SpfCheck) c = spf_check_new(&req);
    SpfAct act;
    guint32 id = 0;
    while (spf_check_poll(c, &act)) {
        if (act.kind == SPF_ACT_QUERY)
            id = act.query_id;
        spf_act_clear(&act);
    }
    g_assert_cmpuint(id, ==, 1);
    SpfAnswer nx = {.rcode = DNS_RCODE_NXDOMAIN};
    g_test_expect_message("proto", G_LOG_LEVEL_CRITICAL, "*query_id*");
    spf_check_answer(c, id + 1, &nx);
    g_test_assert_expected_messages();
    g_assert_false(spf_check_is_done(c));
    /* TXT given as whole text rather than character-strings. */
    SpfAnswerRecord rec = {.text = "v=spf1 ip4:192.0.2.0/24 -all"};
    SpfAnswer ok = {.rcode = DNS_RCODE_NOERROR, .records = &rec, .n_records = 1};
    spf_check_answer(c, id, &ok);
    while (spf_check_poll(c, &act))
        spf_act_clear(&act);
    g_assert_true(spf_check_is_done(c));
    g_assert_cmpint(spf_check_get_result(c), ==, SPF_RESULT_PASS);
    g_assert_cmpuint(spf_check_get_lookups(c), ==, 0);
}

static void
test_identities(void)
{
    g_autoptr(DnsZone) z = dns_zone_new();
    dns_zone_add(z, "helo.example.org", DNS_RR_TXT,
                 "v=spf1 -exists:%{l}.%{o}.chk.example ip4:192.0.2.7 -all exp=why.example", NULL);
    dns_zone_add(z, "postmaster.helo.example.org.chk.example", DNS_RR_A, "127.0.0.2", NULL);
    dns_zone_add(z, "why.example", DNS_RR_TXT, "%{s} via %{h} is not allowed", NULL);
    /* RFC 7208 2.4: an empty MAIL FROM is checked as postmaster@HELO. */
    SpfRun r = check_zone(z, "192.0.2.7", "");
    g_assert_cmpint(r.result, ==, SPF_RESULT_FAIL);
    g_assert_cmpstr(r.mechanism, ==, "-exists:%{l}.%{o}.chk.example");
    g_assert_cmpstr(r.explanation, ==,
                    "postmaster@helo.example.org via helo.example.org is not allowed");
    spf_run_clear(&r);
    /* The HELO identity (RFC 7208 2.3) ignores the sender. */
    SpfRequest req = {.ip = "192.0.2.7",
                      .sender = "x@elsewhere.example",
                      .helo = "helo.example.org",
                      .identity = SPF_IDENTITY_HELO};
    spf_run(z, &req, &r);
    g_assert_cmpint(r.result, ==, SPF_RESULT_FAIL);
    spf_run_clear(&r);
    /* A HELO that is not a FQDN: none without any query (RFC 7208 4.3). */
    req.helo = "localhost";
    spf_run(z, &req, &r);
    g_assert_cmpint(r.result, ==, SPF_RESULT_NONE);
    g_assert_cmpuint(r.queries, ==, 0);
    spf_run_clear(&r);
}

static void
test_validated_p(void)
{
    g_autoptr(DnsZone) z = dns_zone_new();
    dns_zone_add(z, "example.com", DNS_RR_TXT, "v=spf1 -all exp=e.example.com", NULL);
    dns_zone_add(z, "e.example.com", DNS_RR_TXT, "from %{p}", NULL);
    /* Two PTR names: only the one whose address matches is validated, and
     * one under <domain> is preferred (RFC 7208 7.3). */
    dns_zone_add(z, "3.2.0.192.in-addr.arpa", DNS_RR_PTR, "liar.example.net", NULL);
    dns_zone_add(z, "3.2.0.192.in-addr.arpa", DNS_RR_PTR, "other.example.org", NULL);
    dns_zone_add(z, "3.2.0.192.in-addr.arpa", DNS_RR_PTR, "mx.example.com", NULL);
    dns_zone_add(z, "liar.example.net", DNS_RR_A, "198.51.100.9", NULL);
    dns_zone_add(z, "other.example.org", DNS_RR_A, "192.0.2.3", NULL);
    dns_zone_add(z, "mx.example.com", DNS_RR_A, "192.0.2.3", NULL);
    SpfRun r = check_zone(z, "192.0.2.3", "u@example.com");
    g_assert_cmpstr(r.explanation, ==, "from mx.example.com");
    spf_run_clear(&r);
    r = check_zone(z, "192.0.2.4", "u@example.com");
    g_assert_cmpstr(r.explanation, ==, "from unknown");
    spf_run_clear(&r);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/spf/conformance/rfc7208", test_conformance_rfc7208);
    g_test_add_func("/proto/spf/appendix-a", test_appendix_a);
    g_test_add_func("/proto/spf/limits/include-loop", test_include_loop);
    g_test_add_func("/proto/spf/limits/lookups", test_limits);
    g_test_add_func("/proto/spf/limits/hostile", test_hostile);
    g_test_add_func("/proto/spf/explanation", test_explanation);
    g_test_add_func("/proto/spf/act-strings", test_act_strings);
    g_test_add_func("/proto/spf/record/parse", test_record_parse);
    g_test_add_func("/proto/spf/transcript", test_transcript);
    g_test_add_func("/proto/spf/answer-id", test_wrong_answer_id);
    g_test_add_func("/proto/spf/identities", test_identities);
    g_test_add_func("/proto/spf/validated-p", test_validated_p);
    return g_test_run();
}
