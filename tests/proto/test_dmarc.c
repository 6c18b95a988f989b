/* SPDX-License-Identifier: MIT
 * Tests for proto/dmarc: record parsing (RFC 7489 6.3, 6.6.3), alignment
 * tables (3.1), the sans-I/O discovery flow (6.6.3) and pct sampling
 * (6.6.4).
 */
#include <string.h>

#include <glib.h>

#include "proto/dmarc.h"

static Psl *
test_psl(void)
{
    Psl *psl = psl_new();
    static const char *const rules[] = {"com",     "org",  "net",     "uk", "co.uk",
                                        "example", "*.ck", "!www.ck", NULL};
    for (guint i = 0; rules[i]; i++)
        g_assert_true(psl_add_rule(psl, rules[i]));
    return psl;
}

static void
test_record_valid(void)
{
    DmarcRecord r;
    const char *why = "unset";
    g_assert_true(dmarc_record_parse("v=DMARC1; p=reject", &r, &why));
    g_assert_null(why);
    g_assert_cmpint(r.p, ==, DMARC_POLICY_REJECT);
    g_assert_false(r.has_sp);
    g_assert_cmpint(r.adkim, ==, DMARC_ALIGN_RELAXED);
    g_assert_cmpint(r.aspf, ==, DMARC_ALIGN_RELAXED);
    g_assert_cmpuint(r.pct, ==, 100);
    g_assert_cmpuint(r.ri, ==, 86400);
    g_assert_cmpstr(r.fo, ==, "0");
    g_assert_cmpstr(r.rf, ==, "afrf");
    g_assert_null(r.rua);
    dmarc_record_clear(&r);

    g_assert_true(dmarc_record_parse(
        "v=DMARC1;p=quarantine; sp=none ;adkim=s; aspf=S; pct=20; "
        "rua=mailto:agg@example.com,mailto:x@example.net!10m; ruf=mailto:f@example.com; "
        "fo=1:d; rf=afrf; ri=3600; future=tag;",
        &r, NULL));
    g_assert_cmpint(r.p, ==, DMARC_POLICY_QUARANTINE);
    g_assert_true(r.has_sp);
    g_assert_cmpint(r.sp, ==, DMARC_POLICY_NONE);
    g_assert_cmpint(r.adkim, ==, DMARC_ALIGN_STRICT);
    g_assert_cmpint(r.aspf, ==, DMARC_ALIGN_STRICT);
    g_assert_cmpuint(r.pct, ==, 20);
    g_assert_cmpstr(r.rua, ==, "mailto:agg@example.com,mailto:x@example.net!10m");
    g_assert_cmpstr(r.ruf, ==, "mailto:f@example.com");
    g_assert_cmpstr(r.fo, ==, "1:d");
    g_assert_cmpuint(r.ri, ==, 3600);
    dmarc_record_clear(&r);

    /* 6.6.3 step 6: bad or missing p= with a valid rua acts as p=none */
    g_assert_true(dmarc_record_parse("v=DMARC1; p=bogus; rua=mailto:a@example.com", &r, NULL));
    g_assert_cmpint(r.p, ==, DMARC_POLICY_NONE);
    dmarc_record_clear(&r);
    g_assert_true(dmarc_record_parse("v=DMARC1; rua=mailto:a@example.com", &r, NULL));
    g_assert_cmpint(r.p, ==, DMARC_POLICY_NONE);
    dmarc_record_clear(&r);
    g_assert_true(dmarc_record_parse("v=DMARC1; p=none; pct=0", &r, NULL));
    g_assert_cmpuint(r.pct, ==, 0);
    dmarc_record_clear(&r);
}

static void
test_record_invalid(void)
{
    static const struct {
        const char *txt, *why;
    } cases[] = {
        {"", "not a DMARC1 record"},
        {"v=spf1 -all", "not a DMARC1 record"},
        {"v=DMARC2; p=none", "not a DMARC1 record"},
        {"v=dmarc1; p=none", "not a DMARC1 record"},
        {"p=none; v=DMARC1", "not a DMARC1 record"},
        {"v=DMARC1x; p=none", "not a DMARC1 record"},
        {"v=DMARC1", "missing or invalid p="},
        {"v=DMARC1; p=bogus", "missing or invalid p="},
        {"v=DMARC1; p=none; sp=maybe", "invalid sp="},
        {"v=DMARC1; p=none; adkim=x", "invalid adkim="},
        {"v=DMARC1; p=none; aspf=relaxed", "invalid aspf="},
        {"v=DMARC1; p=none; pct=101", "pct= is not 0..100"},
        {"v=DMARC1; p=none; pct=-1", "pct= is not 0..100"},
        {"v=DMARC1; p=none; pct=", "pct= is not 0..100"},
        {"v=DMARC1; p=none; fo=2", "invalid fo="},
        {"v=DMARC1; p=none; rf=xml", "invalid rf="},
        {"v=DMARC1; p=none; ri=soon", "invalid ri="},
        {"v=DMARC1; p=none; rua=agg@example.com", "invalid report URI"},
        {"v=DMARC1; p=none; p=reject", "duplicate tag"},
        {"v=DMARC1; p=none; junk", "tag without '='"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        DmarcRecord r;
        const char *why = NULL;
        g_assert_false(dmarc_record_parse(cases[i].txt, &r, &why));
        g_assert_cmpstr(why, ==, cases[i].why);
        g_assert_null(r.rua);
    }
}

static void
test_alignment_table(void)
{
    g_autoptr(Psl) psl = test_psl();
    static const struct {
        const char *auth, *from;
        gboolean relaxed, strict;
    } cases[] = {
        {"example.com", "example.com", TRUE, TRUE},
        {"EXAMPLE.com", "example.COM.", TRUE, TRUE},
        {"mail.example.com", "example.com", TRUE, FALSE},
        {"example.com", "news.example.com", TRUE, FALSE},
        {"a.example.com", "b.example.com", TRUE, FALSE},
        {"example.net", "example.com", FALSE, FALSE},
        {"badexample.com", "example.com", FALSE, FALSE},
        {"example.co.uk", "other.co.uk", FALSE, FALSE},
        {"mx.example.co.uk", "example.co.uk", TRUE, FALSE},
        {"co.uk", "example.co.uk", FALSE, FALSE},
        {"a.foo.ck", "b.foo.ck", FALSE, FALSE}, /* *.ck: foo.ck is a suffix */
        {"a.www.ck", "www.ck", TRUE, FALSE},    /* !www.ck: www.ck is an org */
        {"lab.example", "mx.lab.example", TRUE, FALSE},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_assert_cmpint(dmarc_is_aligned(psl, cases[i].auth, cases[i].from, DMARC_ALIGN_RELAXED),
                        ==, cases[i].relaxed);
        g_assert_cmpint(dmarc_is_aligned(psl, cases[i].auth, cases[i].from, DMARC_ALIGN_STRICT), ==,
                        cases[i].strict);
    }
    g_assert_false(dmarc_is_aligned(psl, NULL, "example.com", DMARC_ALIGN_RELAXED));
}

static void
test_pct_boundaries(void)
{
    /* roll < pct: sampled; otherwise the next weaker policy (6.6.4) */
    g_assert_cmpint(dmarc_policy_sample(DMARC_POLICY_REJECT, 100, 99), ==, DMARC_POLICY_REJECT);
    g_assert_cmpint(dmarc_policy_sample(DMARC_POLICY_REJECT, 100, 0), ==, DMARC_POLICY_REJECT);
    g_assert_cmpint(dmarc_policy_sample(DMARC_POLICY_REJECT, 0, 0), ==, DMARC_POLICY_QUARANTINE);
    g_assert_cmpint(dmarc_policy_sample(DMARC_POLICY_QUARANTINE, 0, 0), ==, DMARC_POLICY_NONE);
    g_assert_cmpint(dmarc_policy_sample(DMARC_POLICY_REJECT, 1, 0), ==, DMARC_POLICY_REJECT);
    g_assert_cmpint(dmarc_policy_sample(DMARC_POLICY_REJECT, 1, 1), ==, DMARC_POLICY_QUARANTINE);
    g_assert_cmpint(dmarc_policy_sample(DMARC_POLICY_QUARANTINE, 50, 49), ==,
                    DMARC_POLICY_QUARANTINE);
    g_assert_cmpint(dmarc_policy_sample(DMARC_POLICY_QUARANTINE, 50, 50), ==, DMARC_POLICY_NONE);
    g_assert_cmpint(dmarc_policy_sample(DMARC_POLICY_NONE, 100, 0), ==, DMARC_POLICY_NONE);
    g_assert_cmpint(dmarc_policy_sample(DMARC_POLICY_REJECT, 99, 99), ==, DMARC_POLICY_QUARANTINE);
    /* a seeded generator gives rolls in 0..99, about pct% sampled */
    g_autoptr(GRand) rand = g_rand_new_with_seed(42);
    guint sampled = 0;
    for (guint i = 0; i < 1000; i++) {
        guint roll = dmarc_roll(rand);
        g_assert_cmpuint(roll, <, 100);
        sampled += dmarc_policy_sample(DMARC_POLICY_REJECT, 30, roll) == DMARC_POLICY_REJECT;
    }
    g_assert_cmpuint(sampled, >, 230);
    g_assert_cmpuint(sampled, <, 370);
}

/* Runs a check against a zone: name -> record ("!SERVFAIL", "!TIMEOUT"
 * stage failures; "a|b" gives two records). Returns
 * "result policy disposition queries". */
static char *
run_check(const DmarcCheckInput *in, GHashTable *zone)
{
    g_autoptr(DmarcCheck) c = dmarc_check_new(in);
    DmarcCheckAct act;
    GString *queries = g_string_new(NULL);
    gboolean done = FALSE;
    while (dmarc_check_poll(c, &act)) {
        g_assert_false(done);
        if (act.kind == DMARC_CHECK_ACT_DONE) {
            done = TRUE;
            continue;
        }
        g_string_append_printf(queries, " %s", act.qname);
        const char *txt = g_hash_table_lookup(zone, act.qname);
        if (txt == NULL) {
            dmarc_check_answer(c, act.query_id, DMARC_DNS_NXDOMAIN, NULL);
        } else if (strcmp(txt, "!SERVFAIL") == 0) {
            dmarc_check_answer(c, act.query_id, DMARC_DNS_SERVFAIL, NULL);
        } else if (strcmp(txt, "!TIMEOUT") == 0) {
            dmarc_check_answer(c, act.query_id, DMARC_DNS_TIMEOUT, NULL);
        } else {
            g_auto(GStrv) recs = g_strsplit(txt, "|", -1);
            dmarc_check_answer(c, act.query_id, DMARC_DNS_FOUND, (const char *const *)recs);
        }
        dmarc_check_act_clear(&act);
    }
    g_assert_true(done);
    g_assert_true(dmarc_check_is_done(c));
    const DmarcOutcome *o = dmarc_check_outcome(c);
    char *s =
        g_strdup_printf("%s %s %s%s", dmarc_result_name(o->result), dmarc_policy_name(o->policy),
                        dmarc_policy_name(o->disposition), queries->str);
    g_string_free(queries, TRUE);
    return s;
}

static void
test_check_flow(void)
{
    g_autoptr(Psl) psl = test_psl();
    g_autoptr(GHashTable) zone = g_hash_table_new(g_str_hash, g_str_equal);
    g_hash_table_insert(zone, "_dmarc.example.com", "v=DMARC1; p=reject; sp=quarantine; aspf=s");
    g_hash_table_insert(zone, "_dmarc.example.net", "v=DMARC1; p=quarantine; pct=50");
    g_hash_table_insert(zone, "_dmarc.fail.org", "!SERVFAIL");
    g_hash_table_insert(zone, "_dmarc.slow.org", "!TIMEOUT");
    g_hash_table_insert(zone, "_dmarc.two.org", "v=DMARC1; p=none|v=DMARC1; p=reject");
    g_hash_table_insert(zone, "_dmarc.bad.org", "v=DMARC1; p=reject; pct=200");
    g_hash_table_insert(zone, "_dmarc.other.org", "v=spf1 -all|v=DMARC1; p=quarantine");
    g_hash_table_insert(zone, "_dmarc.sub.example.org", "v=DMARC1; p=reject");
    g_hash_table_insert(zone, "_dmarc.example.org", "v=DMARC1; p=none; sp=reject");
    const char *dk_com[] = {"mail.example.com", NULL};
    const char *dk_net[] = {"example.net", NULL};
    const char *dk_other[] = {"evil.com", NULL};
    static const struct {
        const char *from, *spf;
        guint dk; /* 0 none, 1 com, 2 net, 3 other */
        guint roll;
        const char *want;
    } cases[] = {
        {"example.com", "example.com", 0, 99, "pass reject none _dmarc.example.com"},
        {"example.com", "mx.example.com", 0, 0, "fail reject reject _dmarc.example.com"},
        {"example.com", "mx.example.com", 1, 0, "pass reject none _dmarc.example.com"},
        {"example.com", NULL, 3, 0, "fail reject reject _dmarc.example.com"},
        {"news.example.com", NULL, 3, 0,
         "fail quarantine quarantine _dmarc.news.example.com _dmarc.example.com"},
        {"news.example.com", NULL, 1, 0,
         "pass quarantine none _dmarc.news.example.com _dmarc.example.com"},
        {"example.net", NULL, 2, 0, "pass quarantine none _dmarc.example.net"},
        {"example.net", NULL, 3, 49, "fail quarantine quarantine _dmarc.example.net"},
        {"example.net", NULL, 3, 50, "fail quarantine none _dmarc.example.net"},
        {"nodmarc.com", "nodmarc.com", 0, 0, "none none none _dmarc.nodmarc.com"},
        {"a.nodmarc.com", NULL, 0, 0, "none none none _dmarc.a.nodmarc.com _dmarc.nodmarc.com"},
        {"fail.org", NULL, 0, 0, "temperror none none _dmarc.fail.org"},
        {"slow.org", NULL, 0, 0, "temperror none none _dmarc.slow.org"},
        {"x.fail.org", NULL, 0, 0, "temperror none none _dmarc.x.fail.org _dmarc.fail.org"},
        {"two.org", NULL, 0, 0, "permerror none none _dmarc.two.org"},
        {"bad.org", NULL, 0, 0, "permerror none none _dmarc.bad.org"},
        {"other.org", NULL, 0, 0, "fail quarantine quarantine _dmarc.other.org"},
        /* record at the From domain itself: p applies, not the org's sp */
        {"sub.example.org", NULL, 0, 0, "fail reject reject _dmarc.sub.example.org"},
        {"x.example.org", NULL, 0, 0, "fail reject reject _dmarc.x.example.org _dmarc.example.org"},
        {"example.org", NULL, 0, 0, "fail none none _dmarc.example.org"},
    };
    const char *const *dks[] = {NULL, dk_com, dk_net, dk_other};
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        DmarcCheckInput in = {.from_domain = cases[i].from,
                              .spf_domain = cases[i].spf,
                              .dkim_domains = dks[cases[i].dk],
                              .psl = psl,
                              .roll = cases[i].roll};
        g_autofree char *got = run_check(&in, zone);
        g_assert_cmpstr(got, ==, cases[i].want);
    }
}

static void
test_check_outcome_fields(void)
{
    g_autoptr(Psl) psl = test_psl();
    const char *dk[] = {"example.com", NULL};
    DmarcCheckInput in = {.from_domain = "Mail.Example.COM",
                          .spf_domain = "bounce.example.com",
                          .dkim_domains = dk,
                          .psl = psl};
    g_autoptr(DmarcCheck) c = dmarc_check_new(&in);
    DmarcCheckAct act;
    g_assert_true(dmarc_check_poll(c, &act));
    g_assert_cmpint(act.kind, ==, DMARC_CHECK_ACT_NEED_TXT);
    g_assert_cmpstr(act.qname, ==, "_dmarc.mail.example.com");
    g_autofree char *as_text = dmarc_check_act_to_string(&act);
    g_assert_cmpstr(as_text, ==, "NEED_TXT 1 _dmarc.mail.example.com");
    dmarc_check_act_clear(&act);
    g_assert_false(dmarc_check_poll(c, &act)); /* waiting for the answer */
    dmarc_check_answer(c, 1, DMARC_DNS_FOUND, NULL);
    g_assert_true(dmarc_check_poll(c, &act));
    g_assert_cmpstr(act.qname, ==, "_dmarc.example.com");
    const char *recs[] = {"v=DMARC1; p=reject; adkim=s", NULL};
    dmarc_check_answer(c, act.query_id, DMARC_DNS_FOUND, recs);
    dmarc_check_act_clear(&act);
    const DmarcOutcome *o = dmarc_check_outcome(c);
    g_assert_cmpint(o->result, ==, DMARC_RESULT_PASS);
    g_assert_true(o->spf_aligned);   /* relaxed SPF */
    g_assert_false(o->dkim_aligned); /* strict DKIM: example.com != mail.example.com */
    g_assert_cmpstr(o->record_domain, ==, "example.com");
    g_assert_cmpstr(o->org_domain, ==, "example.com");
    g_assert_nonnull(o->record);
    g_assert_cmpint(o->record->adkim, ==, DMARC_ALIGN_STRICT);
    g_assert_nonnull(o->detail);
    g_assert_true(dmarc_check_poll(c, &act));
    g_assert_cmpint(act.kind, ==, DMARC_CHECK_ACT_DONE);
    g_assert_false(dmarc_check_poll(c, &act));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/dmarc/record/valid", test_record_valid);
    g_test_add_func("/proto/dmarc/record/invalid", test_record_invalid);
    g_test_add_func("/proto/dmarc/alignment", test_alignment_table);
    g_test_add_func("/proto/dmarc/pct", test_pct_boundaries);
    g_test_add_func("/proto/dmarc/check/flow", test_check_flow);
    g_test_add_func("/proto/dmarc/check/outcome", test_check_outcome_fields);
    return g_test_run();
}
