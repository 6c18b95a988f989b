/* SPDX-License-Identifier: MIT
 * relay_tests: the battery of relay/relay-tests.yaml (written for this
 * project, 45 tests; sources per test in that file) as a C table, so that
 * nodes/ never reads YAML. tests/proto/test_relay_tests.c checks that this
 * table still matches the file.
 */
#include "proto/relay_tests.h"

#include <string.h>

/* id, helo, no_helo, mail_from, rcpt_to, rcpt_to_raw, mixed_case, auth,
 * expect, expect_helo_reply */
static const RelayTest relay_tests[RELAY_TEST_COUNT] = {
    {"nmap-01", NULL, FALSE, "<>", "<relaytest@REMOTE_DOMAIN>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_REJECT_RCPT, 0},
    {"nmap-02", NULL, FALSE, "<antispam@REMOTE_DOMAIN>", "<relaytest@REMOTE_DOMAIN>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_REJECT_RCPT, 0},
    {"nmap-03", NULL, FALSE, "<antispam@RELAY_HOST>", "<relaytest@REMOTE_DOMAIN>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_REJECT_RCPT, 0},
    {"nmap-04", NULL, FALSE, "<antispam@[RELAY_IP]>", "<relaytest@REMOTE_DOMAIN>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_REJECT_RCPT, 0},
    {"nmap-05", NULL, FALSE, "<antispam@[RELAY_IP]>", "<relaytest%REMOTE_DOMAIN@[RELAY_IP]>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_NOT_RELAYED, 0},
    {"nmap-06", NULL, FALSE, "<antispam@[RELAY_IP]>", "<relaytest%REMOTE_DOMAIN@RELAY_HOST>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_NOT_RELAYED, 0},
    {"nmap-07", NULL, FALSE, "<antispam@[RELAY_IP]>", "<\"relaytest@REMOTE_DOMAIN\">", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_NOT_RELAYED, 0},
    {"nmap-08", NULL, FALSE, "<antispam@[RELAY_IP]>", "<\"relaytest%REMOTE_DOMAIN\">", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_NOT_RELAYED, 0},
    {"nmap-09", NULL, FALSE, "<antispam@[RELAY_IP]>", "<relaytest@REMOTE_DOMAIN@[RELAY_IP]>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_REJECT_RCPT, 0},
    {"nmap-10", NULL, FALSE, "<antispam@[RELAY_IP]>", "<\"relaytest@REMOTE_DOMAIN\"@[RELAY_IP]>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_NOT_RELAYED, 0},
    {"nmap-11", NULL, FALSE, "<antispam@[RELAY_IP]>", "<relaytest@REMOTE_DOMAIN@RELAY_HOST>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_REJECT_RCPT, 0},
    {"nmap-12", NULL, FALSE, "<antispam@[RELAY_IP]>", "<@[RELAY_IP]:relaytest@REMOTE_DOMAIN>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_REJECT_RCPT, 0},
    {"nmap-13", NULL, FALSE, "<antispam@[RELAY_IP]>", "<@RELAY_HOST:relaytest@REMOTE_DOMAIN>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_REJECT_RCPT, 0},
    {"nmap-14", NULL, FALSE, "<antispam@[RELAY_IP]>", "<REMOTE_DOMAIN!relaytest>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_NOT_RELAYED, 0},
    {"nmap-15", NULL, FALSE, "<antispam@[RELAY_IP]>", "<REMOTE_DOMAIN!relaytest@[RELAY_IP]>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_NOT_RELAYED, 0},
    {"nmap-16", NULL, FALSE, "<antispam@[RELAY_IP]>", "<REMOTE_DOMAIN!relaytest@RELAY_HOST>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_NOT_RELAYED, 0},
    {"maps-03-localhost-sender", NULL, FALSE, "<spamtest@localhost>", "<relaytest@REMOTE_DOMAIN>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_REJECT_RCPT, 0},
    {"maps-04-unqualified-sender", NULL, FALSE, "<spamtest>", "<relaytest@REMOTE_DOMAIN>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_REJECT_RCPT, 0},
    {"maps-06-sender-in-local-domain", NULL, FALSE, "<spamtest@LOCAL_DOMAIN>", "<relaytest@REMOTE_DOMAIN>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_REJECT_RCPT, 0},
    {"ext-ip-literal-other", NULL, FALSE, "<antispam@client.example>", "<relaytest@[OTHER_IP]>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_REJECT_RCPT, 0},
    {"ext-ip-literal-self", NULL, FALSE, "<antispam@client.example>", "<LOCAL_USER@[RELAY_IP]>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_ACCEPT, 0},
    {"ext-bare-ip-domain", NULL, FALSE, "<antispam@client.example>", "<relaytest@OTHER_IP>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_REJECT_RCPT, 0},
    {"ext-null-domain", NULL, FALSE, "<antispam@client.example>", "<relaytest@>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_REJECT_RCPT, 0},
    {"ext-percent-then-at-local", NULL, FALSE, "<antispam@client.example>", "<relaytest%REMOTE_DOMAIN@LOCAL_DOMAIN>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_NOT_RELAYED, 0},
    {"ext-multi-hop-route", NULL, FALSE, "<antispam@client.example>", "<@RELAY_HOST,@REMOTE_DOMAIN:relaytest@REMOTE_DOMAIN>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_REJECT_RCPT, 0},
    {"ext-trailing-dot", NULL, FALSE, "<antispam@client.example>", "<relaytest@REMOTE_DOMAIN.>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_REJECT_RCPT, 0},
    {"ext-case", NULL, FALSE, "<antispam@client.example>", "<relaytest@REMOTE_DOMAIN>", NULL, TRUE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_REJECT_RCPT, 0},
    {"ext-local-domain-mixed-case", NULL, FALSE, "<antispam@client.example>", "<LOCAL_USER@LOCAL_DOMAIN>", NULL, TRUE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_ACCEPT, 0},
    {"ext-no-angle-brackets", NULL, FALSE, "<antispam@client.example>", NULL, "RCPT TO: relaytest@REMOTE_DOMAIN", FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_REJECT_RCPT, 0},
    {"ext-comment-in-path", NULL, FALSE, "<antispam@client.example>", NULL, "RCPT TO:<relaytest@REMOTE_DOMAIN> (comment)", FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_REJECT_RCPT, 0},
    {"ext-quoted-domain-in-localpart-to-local", NULL, FALSE, "<antispam@client.example>", "<\"relaytest@REMOTE_DOMAIN\"@LOCAL_DOMAIN>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_NOT_RELAYED, 0},
    {"helo-own-name", "EHLO RELAY_HOST", FALSE, "<antispam@client.example>", "<relaytest@REMOTE_DOMAIN>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_REJECT_RCPT, 0},
    {"helo-localhost", "EHLO localhost", FALSE, "<antispam@client.example>", "<relaytest@REMOTE_DOMAIN>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_REJECT_RCPT, 0},
    {"helo-own-ip-literal", "EHLO [RELAY_IP]", FALSE, "<antispam@client.example>", "<relaytest@REMOTE_DOMAIN>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_REJECT_RCPT, 0},
    {"helo-loopback-literal", "EHLO [127.0.0.1]", FALSE, "<antispam@client.example>", "<relaytest@REMOTE_DOMAIN>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_REJECT_RCPT, 0},
    {"helo-empty", "EHLO", FALSE, NULL, NULL, NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_HELO_REPLY, 501},
    {"helo-garbage", "HELO @#$%^&*()", FALSE, NULL, NULL, NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_HELO_REPLY, 501},
    {"no-helo-at-all", NULL, TRUE, "<antispam@client.example>", "<relaytest@REMOTE_DOMAIN>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_REJECT_RCPT, 0},
    {"control-local-user", NULL, FALSE, "<antispam@client.example>", "<LOCAL_USER@LOCAL_DOMAIN>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_ACCEPT, 0},
    {"control-postmaster-unqualified", NULL, FALSE, "<antispam@client.example>", "<Postmaster>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_ACCEPT, 0},
    {"control-postmaster-domain", NULL, FALSE, "<>", "<postmaster@LOCAL_DOMAIN>", NULL, FALSE, RELAY_TEST_AUTH_NONE, RELAY_TEST_EXPECT_ACCEPT, 0},
    {"control-authenticated-relay", NULL, FALSE, "<LOCAL_USER@LOCAL_DOMAIN>", "<relaytest@REMOTE_DOMAIN>", NULL, FALSE, RELAY_TEST_AUTH_OK, RELAY_TEST_EXPECT_ACCEPT, 0},
    {"control-auth-failed-no-relay", NULL, FALSE, "<LOCAL_USER@LOCAL_DOMAIN>", "<relaytest@REMOTE_DOMAIN>", NULL, FALSE, RELAY_TEST_AUTH_BAD, RELAY_TEST_EXPECT_REJECT_RCPT, 0},
    {"control-rset-after-auth", NULL, FALSE, "<LOCAL_USER@LOCAL_DOMAIN>", "<relaytest@REMOTE_DOMAIN>", NULL, FALSE, RELAY_TEST_AUTH_RSET, RELAY_TEST_EXPECT_ACCEPT, 0},
    {"control-starttls-resets-auth", NULL, FALSE, "<LOCAL_USER@LOCAL_DOMAIN>", "<relaytest@REMOTE_DOMAIN>", NULL, FALSE, RELAY_TEST_AUTH_STARTTLS, RELAY_TEST_EXPECT_REJECT_RCPT, 0},
};

const RelayTest *
relay_tests_table(guint *n)
{
    if (n)
        *n = G_N_ELEMENTS(relay_tests);
    return relay_tests;
}

const RelayTest *
relay_tests_find(const char *id)
{
    for (guint i = 0; i < G_N_ELEMENTS(relay_tests); i++)
        if (strcmp(relay_tests[i].id, id) == 0)
            return &relay_tests[i];
    return NULL;
}

const char *
relay_test_expect_name(RelayTestExpect e)
{
    switch (e) {
    case RELAY_TEST_EXPECT_REJECT_RCPT:
        return "reject-rcpt";
    case RELAY_TEST_EXPECT_NOT_RELAYED:
        return "not-relayed";
    case RELAY_TEST_EXPECT_ACCEPT:
        return "accept";
    case RELAY_TEST_EXPECT_HELO_REPLY:
        return "helo-reply";
    }
    return "unknown";
}

char *
relay_test_expand(const char *tmpl, const RelayTestPlaceholders *ph)
{
    /* Longest names first: LOCAL_USER must not be read as LOCAL_... */
    const struct {
        const char *name;
        const char *value;
    } subs[] = {
        {"RELAY_HOST", ph->relay_host},       {"RELAY_IP", ph->relay_ip},
        {"LOCAL_DOMAIN", ph->local_domain},   {"LOCAL_USER", ph->local_user},
        {"REMOTE_DOMAIN", ph->remote_domain}, {"OTHER_IP", ph->other_ip},
    };
    GString *out = g_string_new(NULL);
    for (const char *p = tmpl; *p;) {
        gboolean done = FALSE;
        for (guint i = 0; i < G_N_ELEMENTS(subs) && !done; i++) {
            gsize n = strlen(subs[i].name);
            if (strncmp(p, subs[i].name, n) == 0) {
                g_string_append(out, subs[i].value ? subs[i].value : "");
                p += n;
                done = TRUE;
            }
        }
        if (!done)
            g_string_append_c(out, *p++);
    }
    return g_string_free(out, FALSE);
}

char *
relay_test_mixed_case(const char *path)
{
    char *s = g_strdup(path);
    char *at = strrchr(s, '@');
    char *dom = at ? at + 1 : s;
    char *last = strrchr(dom, '.');
    /* Each word capitalised, the last label upper case: Relay-Victim.EXAMPLE */
    for (char *p = dom; *p; p++) {
        gboolean start = p == dom || p[-1] == '.' || p[-1] == '-';
        if (last && p > last)
            *p = g_ascii_toupper(*p);
        else
            *p = start ? g_ascii_toupper(*p) : g_ascii_tolower(*p);
    }
    return s;
}

const char *
relay_test_auth_name(RelayTestAuth a)
{
    static const char *const names[] = {
        [RELAY_TEST_AUTH_NONE] = "none",         [RELAY_TEST_AUTH_OK] = "ok",
        [RELAY_TEST_AUTH_BAD] = "bad",           [RELAY_TEST_AUTH_RSET] = "rset",
        [RELAY_TEST_AUTH_STARTTLS] = "starttls",
    };
    return (guint)a < G_N_ELEMENTS(names) ? names[a] : "?";
}
