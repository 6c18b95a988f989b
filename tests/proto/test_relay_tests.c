/* SPDX-License-Identifier: MIT
 * Tests for proto/relay_tests: the C table matches relay/relay-tests.yaml
 * test by test (ids, order, HELO, paths, expectations), placeholders are
 * substituted, and the mixed-case transform keeps the domain's meaning.
 */
#include <string.h>

#include <glib.h>

#include "common/test_yaml.h"
#include "proto/relay_tests.h"

static RelayTestExpect
expect_from(const char *s)
{
    if (g_strcmp0(s, "reject-rcpt") == 0)
        return RELAY_TEST_EXPECT_REJECT_RCPT;
    if (g_strcmp0(s, "not-relayed") == 0)
        return RELAY_TEST_EXPECT_NOT_RELAYED;
    if (g_strcmp0(s, "accept") == 0)
        return RELAY_TEST_EXPECT_ACCEPT;
    return RELAY_TEST_EXPECT_HELO_REPLY;
}

static void
test_matches_file(void)
{
    g_autofree char *path = test_conformance_path("relay/relay-tests.yaml");
    if (path == NULL) {
        g_test_message("conformance folder absent: relay/relay-tests.yaml not checked");
        g_test_skip("conformance folder absent");
        return;
    }
    g_autoptr(GError) err = NULL;
    g_autoptr(TestYaml) doc = test_yaml_load_one(path, &err);
    g_assert_no_error(err);
    TestYaml *tests = test_yaml_get(doc, "tests");
    guint n = 0;
    const RelayTest *table = relay_tests_table(&n);
    g_assert_cmpuint(test_yaml_len(tests), ==, n);
    for (guint i = 0; i < n; i++) {
        TestYaml *t = test_yaml_at(tests, i);
        const RelayTest *r = &table[i];
        g_test_message("%s", r->id);
        g_assert_cmpstr(test_yaml_str(t, "id"), ==, r->id);
        TestYaml *helo = test_yaml_get(t, "helo");
        g_assert_cmpint(helo != NULL && test_yaml_is_null(helo), ==, r->no_helo);
        g_assert_cmpstr(helo && !test_yaml_is_null(helo) ? helo->value : NULL, ==, r->helo);
        g_assert_cmpstr(test_yaml_str(t, "mail_from"), ==, r->mail_from);
        g_assert_cmpstr(test_yaml_str(t, "rcpt_to"), ==, r->rcpt_to);
        g_assert_cmpstr(test_yaml_str(t, "rcpt_to_raw"), ==, r->rcpt_to_raw);
        g_assert_cmpint(test_yaml_get(t, "transform") != NULL, ==, r->mixed_case);
        g_assert_cmpint(test_yaml_get(t, "auth") != NULL, ==, r->auth != RELAY_TEST_AUTH_NONE);
        g_assert_cmpint(expect_from(test_yaml_str(t, "expect")), ==, r->expect);
        const char *hr = test_yaml_str(t, "expect_helo_reply");
        g_assert_cmpuint(hr ? (guint)g_ascii_strtoull(hr, NULL, 10) : 0, ==, r->expect_helo_reply);
    }
}

/* The file's key facts, restated so the suite stands on its own. */
static void
test_facts(void)
{
    guint n = 0;
    relay_tests_table(&n);
    g_assert_cmpuint(n, ==, 45);
    const RelayTest *t = relay_tests_find("nmap-06");
    g_assert_nonnull(t);
    g_assert_cmpstr(t->rcpt_to, ==, "<relaytest%REMOTE_DOMAIN@RELAY_HOST>");
    g_assert_cmpint(t->expect, ==, RELAY_TEST_EXPECT_NOT_RELAYED);
    t = relay_tests_find("control-postmaster-unqualified");
    g_assert_cmpstr(t->rcpt_to, ==, "<Postmaster>");
    g_assert_cmpint(t->expect, ==, RELAY_TEST_EXPECT_ACCEPT);
    t = relay_tests_find("helo-empty");
    g_assert_cmpstr(t->helo, ==, "EHLO");
    g_assert_cmpuint(t->expect_helo_reply, ==, 501);
    t = relay_tests_find("no-helo-at-all");
    g_assert_true(t->no_helo);
    g_assert_null(relay_tests_find("nmap-17"));
}

static void
test_expand(void)
{
    RelayTestPlaceholders ph = {
        .relay_host = "mx.example.com",
        .relay_ip = "198.51.100.1",
        .local_domain = "example.com",
        .local_user = "bob",
        .remote_domain = "relay-victim.example",
        .other_ip = "192.0.2.99",
    };
    g_autofree char *a = relay_test_expand("<relaytest%REMOTE_DOMAIN@[RELAY_IP]>", &ph);
    g_assert_cmpstr(a, ==, "<relaytest%relay-victim.example@[198.51.100.1]>");
    g_autofree char *b = relay_test_expand("<LOCAL_USER@LOCAL_DOMAIN>", &ph);
    g_assert_cmpstr(b, ==, "<bob@example.com>");
    g_autofree char *c = relay_test_expand("EHLO RELAY_HOST", &ph);
    g_assert_cmpstr(c, ==, "EHLO mx.example.com");
    g_autofree char *d = relay_test_mixed_case("<relaytest@relay-victim.example>");
    g_assert_cmpstr(d, ==, "<relaytest@Relay-Victim.EXAMPLE>");
    g_assert_cmpint(g_ascii_strcasecmp(d, "<relaytest@relay-victim.example>"), ==, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/relay-tests/matches-file", test_matches_file);
    g_test_add_func("/proto/relay-tests/facts", test_facts);
    g_test_add_func("/proto/relay-tests/expand", test_expand);
    return g_test_run();
}
