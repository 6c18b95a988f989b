/* SPDX-License-Identifier: MIT
 * Tests for sender authentication in a run (nodes/sender_auth*.c,
 * nodes/dkim_signer.c) through the scenario loader (app/scenario_auth.c):
 * the scenarios of tests/scenarios/sender run in-process, then the
 * delivered copies' Authentication-Results (RFC 8601), Received-SPF (RFC
 * 7208 9.1) and DKIM-Signature fields, the trace records, reproducibility
 * of derived keys, forged Authentication-Results removal (RFC 8601 5), a
 * PEM key named by the scenario, and the loader's error messages.
 */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "app/scenario.h"
#include "common/test_yaml.h"
#include "nodes/world_private.h"
#include "proto/message.h"

typedef struct {
    WorldSpec *spec;
    World *world;
    GString *trace; /* JSON Lines */
    guint failed;   /* expectations that did not hold */
} Run;

static void
run_clear(Run *r)
{
    world_free(r->world);
    world_spec_free(r->spec);
    g_string_free(r->trace, TRUE);
}

static void
run_spec(Run *r, WorldSpec *spec, gboolean has_seed, guint64 seed)
{
    g_autoptr(GError) error = NULL;
    r->spec = spec;
    r->trace = g_string_new(NULL);
    SimTrace *trace = sim_trace_new();
    sim_trace_add_jsonl_string(trace, r->trace);
    r->world = world_new(spec, trace, has_seed, seed, &error);
    g_assert_no_error(error);
    world_run(r->world, G_MAXINT64, NULL, NULL);
    g_autoptr(GPtrArray) res = world_check_expectations(r->world);
    for (guint i = 0; i < res->len; i++) {
        const ExpectResult *x = res->pdata[i];
        if (!x->held) {
            g_test_message("expectation failed: %s; got %s", x->what, x->actual);
            r->failed++;
        }
    }
}

static void
run_file(Run *r, const char *name, gboolean has_seed, guint64 seed)
{
    g_autofree char *rel = g_strdup_printf("tests/scenarios/sender/%s", name);
    g_autofree char *path = test_source_path(rel);
    g_autoptr(GError) error = NULL;
    WorldSpec *spec = scenario_load(path, &error);
    g_assert_no_error(error);
    run_spec(r, spec, has_seed, seed);
}

/* The value of the first field name in the copy of msg delivered to rcpt. */
static char *
run_header(Run *r, const char *msg, const char *rcpt, const char *name)
{
    g_autoptr(GBytes) copy = world_copy_read(r->world, msg, rcpt, NULL);
    g_assert_nonnull(copy);
    g_autoptr(MailMessage) m = mail_message_parse_bytes(copy, NULL);
    const char *v = mail_message_get(m, name);
    return v ? g_strdup(v) : NULL;
}

static guint
run_count(Run *r, const char *msg, const char *rcpt, const char *name)
{
    g_autoptr(GBytes) copy = world_copy_read(r->world, msg, rcpt, NULL);
    g_assert_nonnull(copy);
    g_autoptr(MailMessage) m = mail_message_parse_bytes(copy, NULL);
    return mail_message_count(m, name);
}

static void
test_spf_forged(void)
{
    Run r = {0};
    run_file(&r, "spf-forged.yaml", FALSE, 0);
    g_assert_cmpuint(r.failed, ==, 0);
    g_autofree char *ar = run_header(&r, "real", "bob@example.com", "Authentication-Results");
    g_assert_cmpstr(ar, ==, "mx.example.com; spf=pass smtp.mailfrom=polito.it");
    g_autofree char *rs = run_header(&r, "real", "bob@example.com", "Received-SPF");
    g_assert_cmpstr(rs, ==,
                    "pass (mx.example.com: domain of alice@polito.it designates 130.192.1.2 as "
                    "permitted sender) client-ip=130.192.1.2; envelope-from=\"alice@polito.it\"; "
                    "helo=msa.polito.it; receiver=mx.example.com; "
                    "mechanism=\"ip4:130.192.0.0/16\"; identity=mailfrom");
    g_autofree char *soft = run_header(&r, "soft", "bob@example.com", "Received-SPF");
    g_assert_true(g_str_has_prefix(soft, "softfail (mx.example.com: domain of transitioning "
                                         "billing@soft.example does not designate"));
    /* RFC 7372 3.2: the refusal at MAIL. */
    g_assert_nonnull(strstr(r.trace->str, "\"code\":550,\"text\":\"5.7.23 SPF fail: 203.0.113.25 "
                                          "is not permitted to send mail for polito.it\""));
    g_assert_nonnull(strstr(r.trace->str, "\"ev\":\"spf.result\",\"node\":\"mx.example.com\","
                                          "\"msg\":\"hard\",\"identity\":\"mailfrom\""));
    run_clear(&r);
}

static void
test_spf_other(void)
{
    Run r = {0};
    run_file(&r, "spf-ptr.yaml", FALSE, 0);
    g_assert_cmpuint(r.failed, ==, 0);
    /* RFC 7208 2.3: MAIL FROM <> is checked on the HELO name. */
    g_autofree char *ar = run_header(&r, "nullsender", "bob@example.com", "Authentication-Results");
    g_assert_cmpstr(ar, ==, "mx.example.com; spf=pass smtp.helo=out.polito.it");
    run_clear(&r);
    Run r2 = {0};
    run_file(&r2, "spf-include.yaml", FALSE, 0);
    g_assert_cmpuint(r2.failed, ==, 0);
    g_assert_nonnull(strstr(r2.trace->str, "\"result\":\"permerror\",\"mechanism\":"
                                           "\"include:l11.loops.example\",\"reason\":\"permerror: "
                                           "more than 10 DNS-querying terms"));
    run_clear(&r2);
}

static void
test_dkim(void)
{
    Run r = {0};
    run_file(&r, "dkim.yaml", FALSE, 0);
    g_assert_cmpuint(r.failed, ==, 0);
    g_autofree char *sig = run_header(&r, "plain", "bob@example.com", "DKIM-Signature");
    g_assert_nonnull(strstr(sig, "a=ed25519-sha256"));
    g_assert_nonnull(strstr(sig, "d=polito.it"));
    g_assert_nonnull(strstr(sig, "s=sa"));
    g_autofree char *ar = run_header(&r, "plain", "bob@example.com", "Authentication-Results");
    g_assert_cmpstr(ar, ==,
                    "mx.example.com; dkim=pass header.d=polito.it header.s=sa "
                    "header.a=ed25519-sha256");
    g_autofree char *bad = run_header(&r, "footer", "bob@example.com", "Authentication-Results");
    g_assert_cmpstr(bad, ==,
                    "mx.example.com; dkim=fail reason=\"body hash mismatch\" header.d=polito.it "
                    "header.s=sb header.a=ed25519-sha256");
    g_autofree char *simple = run_header(&r, "simple", "bob@example.com", "Authentication-Results");
    g_assert_nonnull(strstr(simple, "dkim=fail reason=\"signature mismatch\""));
    /* The key records were published before the run, in the run's zone;
     * the scenario's zone stays as written. */
    g_assert_true(dns_zone_has_name(world_zone(r.world), "sc._domainkey.polito.it"));
    g_assert_false(dns_zone_has_name(r.spec->zone, "sc._domainkey.polito.it"));
    g_assert_nonnull(strstr(r.trace->str, "\"ev\":\"dkim.sign\",\"node\":\"msa-c\",\"msg\":"
                                          "\"simple\",\"d\":\"polito.it\",\"s\":\"sc\",\"a\":"
                                          "\"rsa-sha256\",\"c\":\"simple/simple\""));
    run_clear(&r);
}

/* One loaded scenario, worlds built one after the other with different
 * seeds (as the grader does): each derives and publishes its own keys, so
 * every signature verifies on every seed. */
static void
test_dkim_one_spec_many_seeds(void)
{
    g_autofree char *path = test_source_path("tests/scenarios/sender/dkim.yaml");
    g_autoptr(GError) error = NULL;
    WorldSpec *spec = scenario_load(path, &error);
    g_assert_no_error(error);
    for (guint64 seed = 1; seed <= 3; seed++) {
        World *w = world_new(spec, NULL, TRUE, seed, &error);
        g_assert_no_error(error);
        world_run(w, G_MAXINT64, NULL, NULL);
        g_autoptr(GPtrArray) res = world_check_expectations(w);
        for (guint i = 0; i < res->len; i++) {
            const ExpectResult *x = res->pdata[i];
            if (!x->held)
                g_test_message("seed %" G_GUINT64_FORMAT ": %s; got %s", seed, x->what, x->actual);
            g_assert_true(x->held);
        }
        world_free(w);
        g_assert_false(dns_zone_has_name(spec->zone, "sa._domainkey.polito.it"));
    }
    world_spec_free(spec);
}

static void
test_dkim_reproducible(void)
{
    Run a = {0}, b = {0}, c = {0};
    run_file(&a, "dkim.yaml", FALSE, 0);
    run_file(&b, "dkim.yaml", FALSE, 0);
    run_file(&c, "dkim.yaml", TRUE, 99);
    /* Same seed: the same keys, signatures and trace. */
    g_assert_cmpstr(a.trace->str, ==, b.trace->str);
    g_autofree char *sa = run_header(&a, "plain", "bob@example.com", "DKIM-Signature");
    g_autofree char *sb = run_header(&b, "plain", "bob@example.com", "DKIM-Signature");
    g_autofree char *sc = run_header(&c, "plain", "bob@example.com", "DKIM-Signature");
    g_assert_cmpstr(sa, ==, sb);
    /* Another seed: other keys, still verified. */
    g_assert_cmpstr(sa, !=, sc);
    g_assert_cmpuint(c.failed, ==, 0);
    run_clear(&a);
    run_clear(&b);
    run_clear(&c);
}

static void
test_dmarc(void)
{
    Run r = {0};
    run_file(&r, "dmarc.yaml", FALSE, 0);
    g_assert_cmpuint(r.failed, ==, 0);
    g_autofree char *ar = run_header(&r, "real", "bob@example.com", "Authentication-Results");
    g_assert_cmpstr(ar, ==,
                    "mx.example.com; spf=pass smtp.mailfrom=polito.it; dkim=pass "
                    "header.d=polito.it header.s=s2026 header.a=ed25519-sha256; dmarc=pass "
                    "(p=reject dis=none) header.from=polito.it");
    g_autofree char *q = run_header(&r, "phish", "bob@example.com", "X-Quarantine");
    g_assert_cmpstr(q, ==, "DMARC policy quarantine for shop.example");
    g_autofree char *qar = run_header(&r, "phish", "bob@example.com", "Authentication-Results");
    g_assert_nonnull(strstr(qar, "dkim=none; dmarc=fail (p=quarantine dis=quarantine) "
                                 "header.from=shop.example"));
    g_assert_nonnull(strstr(r.trace->str, "\"text\":\"5.7.1 Email rejected per DMARC policy for "
                                          "polito.it\""));
    run_clear(&r);
}

#define SMALL_WORLD                                                                                \
    "dns:\n"                                                                                       \
    "  a.test: {TXT: [\"v=spf1 ip4:10.0.0.0/8 -all\"]}\n"                                          \
    "  _dmarc.a.test: {TXT: [\"v=DMARC1; p=none\"]}\n"                                             \
    "nodes:\n"                                                                                     \
    "  - {name: a-pc, role: mua, ip: 10.0.0.1, user: a@a.test, msa: msa}\n"                        \
    "  - {name: mx, role: mta, ip: 10.0.0.4, relay: {domains: [b.test]}, local_domains: "          \
    "[b.test], deliver_to: ms, checks: {spf: true, dkim: true, dmarc: true}}\n"                    \
    "  - {name: ms, role: ms, ip: 10.0.0.3, domains: [b.test]}\n"
#define SMALL_USERS "users: [{address: b@b.test, password: x}]\n"

static void
test_forged_results_removed(void)
{
    static const char text[] = SMALL_WORLD
        "  - {name: msa, role: msa, ip: 10.0.0.2, relayhost: mx}\n" SMALL_USERS "events:\n"
        "  - at: 1s\n"
        "    send:\n"
        "      from: a-pc\n"
        "      to: [b@b.test]\n"
        "      id: m1\n"
        "      headers:\n"
        "        - {Authentication-Results: \"mx; dkim=pass header.d=bank.test\"}\n"
        "        - {X-Note: kept}\n"
        "  - at: 2s\n"
        "    send:\n"
        "      from: a-pc\n"
        "      to: [b@b.test]\n"
        "      id: m2\n"
        "      headers:\n"
        "        - {Authentication-Results: \"elsewhere.test; dkim=pass\"}\n"
        "expect:\n"
        "  - {message: m1, dmarc: pass, at: mx}\n"
        "  - {message: m1, spf: pass}\n"
        "  - {message: m1, dkim: pass, at: mx}\n"
        "  - {message: m1, spf: pass, at: a-pc}\n";
    g_autoptr(GError) error = NULL;
    WorldSpec *spec = scenario_load_string(text, "t.yaml", &error);
    g_assert_no_error(error);
    Run r = {0};
    run_spec(&r, spec, FALSE, 0);
    /* The last two cannot hold: no signature (dkim=none), and the client
     * records nothing. p=none is a policy; SPF aligned, so DMARC passes. */
    g_assert_cmpuint(r.failed, ==, 2);
    g_assert_nonnull(strstr(r.trace->str, "\"msg\":\"m1\",\"from_domain\":\"a.test\","
                                          "\"result\":\"pass\",\"policy\":\"none\""));
    /* RFC 8601 5: the forged field with our authserv-id is gone, ours is on top. */
    g_assert_cmpuint(run_count(&r, "m1", "b@b.test", "Authentication-Results"), ==, 1);
    g_autofree char *ar = run_header(&r, "m1", "b@b.test", "Authentication-Results");
    g_assert_true(g_str_has_prefix(ar, "mx; spf=pass smtp.mailfrom=a.test; dkim=none; dmarc=pass"));
    /* Another server's results are not ours to remove. */
    g_assert_cmpuint(run_count(&r, "m2", "b@b.test", "Authentication-Results"), ==, 2);
    run_clear(&r);
}

static void
test_pem_key(void)
{
    EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    g_assert_nonnull(pkey);
    g_autofree char *dir = g_dir_make_tmp("mhs-sender-XXXXXX", NULL);
    g_autofree char *pem_path = g_build_filename(dir, "k.pem", NULL);
    FILE *fp = g_fopen(pem_path, "w");
    g_assert_nonnull(fp);
    g_assert_true(PEM_write_PrivateKey(fp, pkey, NULL, NULL, 0, NULL, NULL));
    fclose(fp);
    EVP_PKEY_free(pkey);
    g_autofree char *yaml = g_strdup_printf(
        SMALL_WORLD
        "  - {name: msa, role: msa, ip: 10.0.0.2, relayhost: mx,\n"
        "     dkim: {domain: a.test, selector: k1, key: k.pem, algo: rsa-sha256}}\n" SMALL_USERS
        "events: [{at: 1s, send: {from: a-pc, to: [b@b.test], id: m1}}]\n"
        "expect: [{message: m1, dkim: pass, at: mx}, {message: m1, dmarc: pass}]\n");
    g_autofree char *path = g_build_filename(dir, "t.yaml", NULL);
    g_assert_true(g_file_set_contents(path, yaml, -1, NULL));
    g_autoptr(GError) error = NULL;
    WorldSpec *spec = scenario_load(path, &error);
    g_assert_no_error(error);
    const NodeSpec *msa = world_spec_find_node(spec, "msa");
    /* The key decides the algorithm. */
    g_assert_cmpint(msa->dkim.alg, ==, DKIM_ALG_ED25519_SHA256);
    g_assert_true(g_str_has_prefix(msa->dkim.key_pem, "-----BEGIN PRIVATE KEY-----"));
    Run r = {0};
    run_spec(&r, spec, FALSE, 0);
    g_assert_cmpuint(r.failed, ==, 0);
    run_clear(&r);
    g_assert_cmpint(g_unlink(path), ==, 0);
    g_assert_cmpint(g_unlink(pem_path), ==, 0);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
}

static void
expect_error(const char *text, int code, const char *message)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(WorldSpec) spec = scenario_load_string(text, "t.yaml", &error);
    g_assert_null(spec);
    g_assert_error(error, SCENARIO_ERROR, code);
    if (strcmp(error->message, message) != 0)
        g_printerr("got:  %s\nwant: %s\n", error->message, message);
    g_assert_cmpstr(error->message, ==, message);
}

#define ERR_BASE                                                                                   \
    "nodes:\n"                                                                                     \
    "  - {name: a-pc, role: mua, ip: 10.0.0.1, user: a@a.test, msa: msa}\n"

static void
test_loader_errors(void)
{
    expect_error(ERR_BASE "  - {name: msa, role: msa, ip: 10.0.0.2, dkim: {domain: a.test, "
                          "algo: rsa-sha1}}\n",
                 SCENARIO_ERROR_VALUE,
                 "t.yaml:3:71: 'algo' must be 'ed25519-sha256' or 'rsa-sha256', not 'rsa-sha1' "
                 "(rsa-sha1 is not for signing, RFC 8301)");
    expect_error(ERR_BASE "  - {name: msa, role: msa, ip: 10.0.0.2, dkim: {selector: s}}\n",
                 SCENARIO_ERROR_MISSING,
                 "t.yaml:3:48: missing required key 'domain' in 'dkim' of node 'msa'");
    expect_error(ERR_BASE "  - {name: msa, role: msa, ip: 10.0.0.2, dkim: {domain: a.test, "
                          "canon: loose}}\n",
                 SCENARIO_ERROR_VALUE,
                 "t.yaml:3:72: bad canonicalization 'loose' (write e.g. relaxed/relaxed, "
                 "relaxed/simple, simple/simple)");
    {
        g_autoptr(GError) error = NULL;
        g_autoptr(WorldSpec) spec = scenario_load_string(
            ERR_BASE "  - {name: msa, role: msa, ip: 10.0.0.2, dkim: {domain: a.test, "
                     "key: /nonexistent/k.pem}}\n",
            "t.yaml", &error);
        g_assert_error(error, SCENARIO_ERROR, SCENARIO_ERROR_VALUE);
        g_assert_true(g_str_has_prefix(error->message, "t.yaml:3:70: cannot read DKIM key: "));
    }
    expect_error(ERR_BASE "  - {name: msa, role: msa, ip: 10.0.0.2, checks: {spf: true}}\n",
                 SCENARIO_ERROR_UNKNOWN_KEY,
                 "t.yaml:3:42: unknown key 'checks' in node 'msa' ('checks' is a key of role "
                 "mta, not of msa)");
    expect_error(ERR_BASE "  - {name: msa, role: msa, ip: 10.0.0.2}\n"
                          "  - {name: mx, role: mta, ip: 10.0.0.4, checks: {spf: true, "
                          "spf_policy: {fail: drop}}}\n",
                 SCENARIO_ERROR_VALUE, "t.yaml:4:80: 'fail' must be 'reject' or 'tag', not 'drop'");
    expect_error(ERR_BASE "  - {name: msa, role: msa, ip: 10.0.0.2}\n"
                          "  - {name: mx, role: mta, ip: 10.0.0.4, checks: {spff: true}}\n",
                 SCENARIO_ERROR_UNKNOWN_KEY,
                 "t.yaml:4:50: unknown key 'spff' in 'checks' of node 'mx' (did you mean 'spf'?)");
    expect_error(ERR_BASE "  - {name: msa, role: msa, ip: 10.0.0.2}\n"
                          "events: [{at: 1s, send: {from: a-pc, to: [b@b.test], id: m1}}]\n"
                          "expect: [{message: m1, spf: passed}]\n",
                 SCENARIO_ERROR_VALUE,
                 "t.yaml:5:29: unknown spf result 'passed' (none, neutral, pass, fail, softfail, "
                 "temperror, permerror)");
    expect_error(ERR_BASE "  - {name: msa, role: msa, ip: 10.0.0.2}\n"
                          "psl: [\"!\"]\n",
                 SCENARIO_ERROR_VALUE,
                 "t.yaml:4:6: '!' is not a public suffix rule (write e.g. co.uk, *.ck, !www.ck)");
}

static void
test_loader_values(void)
{
    static const char text[] =
        ERR_BASE "  - {name: msa, role: msa, ip: 10.0.0.2, dkim: {domain: a.test, selector: s1,\n"
                 "     algo: rsa-sha256, bits: 1024, canon: simple, headers: [from, subject]}}\n"
                 "  - {name: mx, role: mta, ip: 10.0.0.4, rewrite: {body_append: x, "
                 "rewrap_headers: yes},\n"
                 "     checks: {spf: on, dkim: on, dmarc: on, dmarc_enforce: on,\n"
                 "              spf_policy: {fail: tag, softfail: reject}}}\n"
                 "psl: [lab.test, \"*.ck\"]\n";
    g_autoptr(GError) error = NULL;
    g_autoptr(WorldSpec) spec = scenario_load_string(text, "t.yaml", &error);
    g_assert_no_error(error);
    const NodeSpec *msa = world_spec_find_node(spec, "msa");
    g_assert_cmpstr(msa->dkim.domain, ==, "a.test");
    g_assert_cmpstr(msa->dkim.selector, ==, "s1");
    g_assert_cmpint(msa->dkim.alg, ==, DKIM_ALG_RSA_SHA256);
    g_assert_cmpuint(msa->dkim.rsa_bits, ==, 1024);
    /* RFC 6376 3.5: a lone c= word is the header's; the body is simple. */
    g_assert_cmpint(msa->dkim.header_canon, ==, DKIM_CANON_SIMPLE);
    g_assert_cmpint(msa->dkim.body_canon, ==, DKIM_CANON_SIMPLE);
    g_assert_cmpstr(msa->dkim.headers[1], ==, "subject");
    const NodeSpec *mx = world_spec_find_node(spec, "mx");
    g_assert_true(mx->checks.spf && mx->checks.dkim && mx->checks.dmarc);
    g_assert_true(mx->checks.dmarc_enforce);
    g_assert_cmpint(mx->checks.spf_fail, ==, SPEC_SPF_TAG);
    g_assert_cmpint(mx->checks.spf_softfail, ==, SPEC_SPF_REJECT);
    g_assert_cmpstr(mx->rewrite.body_append, ==, "x");
    g_assert_true(mx->rewrite.rewrap_headers);
    g_assert_cmpstr(spec->psl_rules[1], ==, "*.ck");
    /* Defaults: ed25519, relaxed/relaxed, selector "mhs", fail rejected. */
    g_autoptr(WorldSpec) d = scenario_load_string(
        ERR_BASE "  - {name: msa, role: msa, ip: 10.0.0.2, dkim: {domain: a.test}}\n", "t.yaml",
        &error);
    g_assert_no_error(error);
    const NodeSpec *dm = world_spec_find_node(d, "msa");
    g_assert_cmpint(dm->dkim.alg, ==, DKIM_ALG_ED25519_SHA256);
    g_assert_cmpint(dm->dkim.header_canon, ==, DKIM_CANON_RELAXED);
    g_assert_cmpint(dm->dkim.body_canon, ==, DKIM_CANON_RELAXED);
    g_assert_cmpstr(dm->dkim.selector, ==, "mhs");
    g_assert_cmpint(dm->checks.spf_fail, ==, SPEC_SPF_REJECT);
    g_assert_cmpint(dm->checks.spf_softfail, ==, SPEC_SPF_TAG);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/app/sender-auth/spf/forged", test_spf_forged);
    g_test_add_func("/app/sender-auth/spf/ptr-include-limit", test_spf_other);
    g_test_add_func("/app/sender-auth/dkim/paths", test_dkim);
    g_test_add_func("/app/sender-auth/dkim/reproducible", test_dkim_reproducible);
    g_test_add_func("/app/sender-auth/dkim/one-spec-many-seeds", test_dkim_one_spec_many_seeds);
    g_test_add_func("/app/sender-auth/dmarc/enforce", test_dmarc);
    g_test_add_func("/app/sender-auth/results/forged-removed", test_forged_results_removed);
    g_test_add_func("/app/sender-auth/dkim/pem-key", test_pem_key);
    g_test_add_func("/app/sender-auth/loader/errors", test_loader_errors);
    g_test_add_func("/app/sender-auth/loader/values", test_loader_values);
    return g_test_run();
}
