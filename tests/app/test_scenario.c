/* SPDX-License-Identifier: MIT
 * Tests for app/scenario: the quickstart scenario read into a WorldSpec,
 * the value syntaxes (durations, bandwidths, sizes, IPv4, RFC 3339 dates),
 * one test per error class with its exact "FILE:LINE:COL: message", the
 * DNS zone loader, and robustness on garbage, empty, huge and nested input.
 */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>

#include "app/scenario.h"
#include "app/scenario_value.h"
#include "common/test_yaml.h"

/* ---- quickstart ---- */

static WorldSpec *
load_quickstart(void)
{
    g_autofree char *path = test_source_path("scenarios/quickstart.yaml");
    g_autoptr(GError) error = NULL;
    WorldSpec *spec = scenario_load(path, &error);
    g_assert_no_error(error);
    g_assert_nonnull(spec);
    return spec;
}

static void
test_quickstart_top(void)
{
    g_autoptr(WorldSpec) s = load_quickstart();
    g_assert_cmpstr(s->name, ==, "Forward and reply paths");
    g_assert_cmpuint(s->seed, ==, 1);
    g_assert_cmpint(s->epoch_unix, ==, 1767225600);
    g_assert_cmpint(s->network.latency, ==, 5000);
    g_assert_cmpuint(s->network.bandwidth, ==, 100000000);
    g_assert_cmpint(s->network.connect_timeout, ==, 30 * G_USEC_PER_SEC);
    g_assert_cmpuint(s->nodes->len, ==, 11);
    g_assert_cmpuint(s->users->len, ==, 2);
    g_assert_cmpuint(s->events->len, ==, 3);
    g_assert_cmpuint(s->expects->len, ==, 6);
    g_assert_cmpuint(s->links->len, ==, 0);
}

static void
test_quickstart_nodes(void)
{
    g_autoptr(WorldSpec) s = load_quickstart();
    NodeSpec *alice = world_spec_find_node(s, "alice-pc");
    g_assert_nonnull(alice);
    g_assert_cmpint(alice->role, ==, SPEC_ROLE_MUA);
    g_assert_cmpstr(alice->ips[0], ==, "130.192.5.5");
    g_assert_null(alice->ips[1]);
    g_assert_cmpstr(alice->user, ==, "alice@polito.it");
    g_assert_cmpstr(alice->msa, ==, "msa.polito.it");
    g_assert_cmpstr(alice->ms, ==, "ms.polito.it");
    g_assert_true(alice->keep);
    g_assert_cmpstr(alice->loc.file + strlen(alice->loc.file) - 15, ==, "quickstart.yaml");
    g_assert_cmpuint(alice->loc.line, ==, 38);
    g_assert_cmpuint(alice->loc.col, ==, 5);

    NodeSpec *msa = world_spec_find_node(s, "msa.polito.it");
    g_assert_cmpint(msa->role, ==, SPEC_ROLE_MSA);
    g_assert_cmpstr(msa->relayhost, ==, "out.polito.it");
    g_assert_false(msa->auth.required);
    g_assert_cmpuint(msa->submission_port, ==, 587);

    NodeSpec *out = world_spec_find_node(s, "out.polito.it");
    g_assert_cmpint(out->role, ==, SPEC_ROLE_MTA);
    g_assert_null(out->relayhost);
    g_assert_cmpstr(out->relay.networks[0], ==, "130.192.0.0/16");
    g_assert_null(out->relay.domains[0]);
    g_assert_null(out->local_domains[0]);
    g_assert_cmpint(out->retry.first, ==, 60 * G_USEC_PER_SEC);
    g_assert_cmpuint(out->retry.backoff, ==, 2);
    g_assert_cmpuint(out->retry.max_attempts, ==, 4);

    NodeSpec *mx = world_spec_find_node(s, "mx.polito.it");
    g_assert_cmpstr(mx->local_domains[0], ==, "polito.it");
    g_assert_cmpstr(mx->deliver_to, ==, "ms.polito.it");
    g_assert_cmpstr(mx->relay.domains[0], ==, "polito.it");

    NodeSpec *ms = world_spec_find_node(s, "ms.example.com");
    g_assert_cmpint(ms->role, ==, SPEC_ROLE_MS);
    g_assert_cmpstr(ms->domains[0], ==, "example.com");

    NodeSpec *dns = world_spec_find_node(s, "ns.example.net");
    g_assert_cmpint(dns->role, ==, SPEC_ROLE_DNS);
    g_assert_cmpint(dns->answer_latency, ==, 1000);

    g_assert_cmpstr(world_spec_mailbox_node(s, "bob@example.com"), ==, "ms.example.com");
    g_assert_cmpstr(world_spec_mailbox_node(s, "carol@polito.it"), ==, "ms.polito.it");
    g_assert_null(world_spec_mailbox_node(s, "x@nowhere.test"));
    g_assert_cmpstr(world_spec_user_password(s, "Alice@polito.it"), ==, "alice-secret");
}

static void
test_quickstart_events(void)
{
    g_autoptr(WorldSpec) s = load_quickstart();
    EventSpec *e = s->events->pdata[0];
    g_assert_cmpint(e->kind, ==, SPEC_EVENT_SEND);
    g_assert_cmpint(e->at, ==, 1000000);
    g_assert_cmpstr(e->send.from, ==, "alice-pc");
    g_assert_cmpstr(e->send.to[0], ==, "bob@example.com");
    g_assert_null(e->send.to[1]);
    g_assert_null(e->send.cc[0]);
    g_assert_cmpstr(e->send.subject, ==, "Hello from Turin");
    g_assert_cmpstr(e->send.id, ==, "m1");
    g_assert_null(e->send.envelope_from);
    e = s->events->pdata[1];
    g_assert_cmpint(e->kind, ==, SPEC_EVENT_FETCH);
    g_assert_cmpint(e->at, ==, 50000000);
    g_assert_cmpstr(e->fetch.by, ==, "bob-pc");
    g_assert_true(e->fetch.has_keep);
    g_assert_false(e->fetch.keep);
    e = s->events->pdata[2];
    g_assert_cmpint(e->kind, ==, SPEC_EVENT_REPLY);
    g_assert_cmpint(e->at, ==, 60000000);
    g_assert_cmpstr(e->reply.by, ==, "bob-pc");
    g_assert_cmpstr(e->reply.to, ==, "m1");
    g_assert_cmpstr(e->reply.id, ==, "r1");

    ExpectSpec *x = s->expects->pdata[0];
    g_assert_cmpint(x->kind, ==, SPEC_EXPECT_STATUS);
    g_assert_cmpint(x->status, ==, SPEC_STATUS_DELIVERED);
    g_assert_cmpstr(x->to, ==, "bob@example.com");
    x = s->expects->pdata[1];
    g_assert_cmpint(x->kind, ==, SPEC_EXPECT_PATH);
    const char *m1_path[] = {
        "alice-pc", "msa.polito.it", "out.polito.it", "mx.example.com", "ms.example.com", "bob-pc",
        NULL};
    g_assert_true(g_strv_equal((const char *const *)x->path, m1_path));
    x = s->expects->pdata[3];
    const char *r1_path[] = {"bob-pc",       "msa.example.com", "out.example.com",
                             "mx.polito.it", "ms.polito.it",    NULL};
    g_assert_true(g_strv_equal((const char *const *)x->path, r1_path));
    x = s->expects->pdata[4];
    g_assert_cmpint(x->kind, ==, SPEC_EXPECT_PATH_DIFFERS);
    g_assert_cmpstr(x->message, ==, "r1");
    g_assert_cmpstr(x->other, ==, "m1");
    x = s->expects->pdata[5];
    g_assert_cmpint(x->kind, ==, SPEC_EXPECT_FETCHED);
    g_assert_cmpstr(x->message, ==, "m1");
    g_assert_cmpstr(x->fetched_by, ==, "bob-pc");
}

static void
test_quickstart_zone(void)
{
    g_autoptr(WorldSpec) s = load_quickstart();
    DnsAnswer a;
    dns_zone_lookup(s->zone, "polito.it", DNS_RR_MX, &a);
    g_assert_cmpuint(a.records->len, ==, 1);
    DnsRecord *mx = a.records->pdata[0];
    g_assert_cmpuint(mx->pref, ==, 10);
    g_assert_cmpstr(mx->text, ==, "mx.polito.it");
    dns_answer_clear(&a);
    /* Every host has an A record. */
    for (guint i = 0; i < s->nodes->len; i++) {
        NodeSpec *n = s->nodes->pdata[i];
        if (n->role == SPEC_ROLE_MUA)
            continue;
        dns_zone_lookup(s->zone, n->name, DNS_RR_A, &a);
        g_assert_cmpuint(a.records->len, ==, 1);
        g_assert_cmpstr(((DnsRecord *)a.records->pdata[0])->text, ==, n->ips[0]);
        dns_answer_clear(&a);
    }
    /* The same zone from the file through the zone loader. */
    g_autofree char *path = test_source_path("scenarios/quickstart.yaml");
    g_autoptr(GError) error = NULL;
    g_autoptr(DnsZone) z = scenario_load_zone(path, &error);
    g_assert_no_error(error);
    dns_zone_lookup(z, "example.com", DNS_RR_TXT, &a);
    g_assert_cmpuint(a.records->len, ==, 1);
    g_assert_cmpstr(((DnsRecord *)a.records->pdata[0])->text, ==,
                    "v=spf1 ip4:198.51.100.0/24 ip4:203.0.113.0/24 -all");
    dns_answer_clear(&a);
}

/* ---- values ---- */

static void
test_values_duration(void)
{
    static const struct {
        const char *text;
        gint64 usec;
    } ok[] = {
        {"250ms", 250000},  {"1s", 1000000}, {"1.5s", 1500000},   {"2m", 120000000},
        {"1h", 3600000000}, {"100us", 100},  {"3", 3000000},      {"0.25", 250000},
        {"10 s", 10000000}, {"0", 0},        {"1d", 86400000000},
    };
    for (guint i = 0; i < G_N_ELEMENTS(ok); i++) {
        gint64 v = -1;
        g_assert_true(scenario_parse_duration(ok[i].text, &v));
        g_assert_cmpint(v, ==, ok[i].usec);
    }
    const char *bad[] = {"10 parsecs",         "",  "s", "-1s", "1.5.2s", "1 s s",
                         "99999999999999999h", "1S"};
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        gint64 v;
        g_assert_false(scenario_parse_duration(bad[i], &v));
    }
}

static void
test_values_other(void)
{
    guint64 b;
    g_assert_true(scenario_parse_bandwidth("100Mbit", &b));
    g_assert_cmpuint(b, ==, 100000000);
    g_assert_true(scenario_parse_bandwidth("1Gbit", &b));
    g_assert_cmpuint(b, ==, 1000000000);
    g_assert_true(scenario_parse_bandwidth("56kbit", &b));
    g_assert_cmpuint(b, ==, 56000);
    g_assert_true(scenario_parse_bandwidth("9600", &b));
    g_assert_cmpuint(b, ==, 9600);
    g_assert_true(scenario_parse_bandwidth("1.5Mbit", &b));
    g_assert_cmpuint(b, ==, 1500000);
    g_assert_false(scenario_parse_bandwidth("0", &b));
    g_assert_false(scenario_parse_bandwidth("fast", &b));
    g_assert_true(scenario_parse_size("10MB", &b));
    g_assert_cmpuint(b, ==, 10 * 1024 * 1024);
    g_assert_true(scenario_parse_size("512k", &b));
    g_assert_cmpuint(b, ==, 512 * 1024);
    gint64 iv;
    g_assert_true(scenario_parse_rate("10", &iv));
    g_assert_cmpint(iv, ==, 100000);
    g_assert_true(scenario_parse_rate("0.5", &iv));
    g_assert_cmpint(iv, ==, 2000000);
    g_assert_false(scenario_parse_rate("0", &iv));

    g_assert_true(scenario_is_ipv4("130.192.1.2"));
    g_assert_true(scenario_is_ipv4("0.0.0.0"));
    const char *bad_ip[] = {"256.1.1.1", "1.2.3",    "1.2.3.4.5", "01.2.3.4",
                            "a.b.c.d",   "1.2.3.4 ", "",          "2001:db8::1"};
    for (guint i = 0; i < G_N_ELEMENTS(bad_ip); i++)
        g_assert_false(scenario_is_ipv4(bad_ip[i]));
    g_assert_true(scenario_is_ipv4_cidr("130.192.0.0/16"));
    g_assert_true(scenario_is_ipv4_cidr("10.0.0.1"));
    g_assert_false(scenario_is_ipv4_cidr("10.0.0.0/33"));
    g_assert_false(scenario_is_ipv4_cidr("10.0.0.0/"));

    gint64 e;
    g_assert_true(scenario_parse_epoch("2026-01-01T00:00:00Z", &e));
    g_assert_cmpint(e, ==, 1767225600);
    g_assert_true(scenario_parse_epoch("2026-01-01", &e));
    g_assert_cmpint(e, ==, 1767225600);
    g_assert_true(scenario_parse_epoch("2026-01-01T01:00:00+01:00", &e));
    g_assert_cmpint(e, ==, 1767225600);
    g_assert_true(scenario_parse_epoch("1767225600", &e));
    g_assert_false(scenario_parse_epoch("2026-01-01T00:00:00", &e)); /* RFC 3339 needs an offset */
    g_assert_false(scenario_parse_epoch("yesterday", &e));

    const char *keys[] = {"relayhost", "relay", "local_domains", NULL};
    g_assert_cmpstr(scenario_suggest("relayhots", keys), ==, "relayhost");
    g_assert_cmpstr(scenario_suggest("rely", keys), ==, "relay");
    g_assert_null(scenario_suggest("banana", keys));
    g_assert_cmpuint(scenario_edit_distance("kitten", "sitting", 10), ==, 3);
}

/* Every optional key at least once, as documented in scenarios/README.md. */
static void
test_all_keys(void)
{
    static const char text[] =
        "name: all\n"
        "seed: 18446744073709551615\n"
        "epoch: 2026-03-01T09:00:00Z\n"
        "network: {latency: 20ms, bandwidth: 10Mbit, jitter: 2ms, connect_timeout: 10s, "
        "mtu: 536}\n"
        "dns:\n"
        "  sel._domainkey.a.test: {TXT: [[\"v=DKIM1; p=AB\", \"CD\"]]}\n"
        "nodes:\n"
        "  - {name: a-pc, role: mua, ips: [10.0.0.1, 10.0.1.1], user: a@a.test, msa: msa,"
        " ms: ms, keep: no, password: pw}\n"
        "  - {name: msa, role: msa, ip: 10.0.0.2, auth: required, hostname: smtp.a.test,"
        " max_recipients: 5, max_message_size: 1MB, submission_port: 2587}\n"
        "  - name: mx\n"
        "    role: mta\n"
        "    ip: 10.0.0.4\n"
        "    relay: {domains: [a.test], networks: [10.0.0.0/8], open_relay: true}\n"
        "    relayhost: smart.b.test\n"
        "    local_domains: [a.test]\n"
        "    deliver_to: ms\n"
        "    retry: {first: 30s, backoff: 3, max_attempts: 5, max_age: 2h}\n"
        "  - {name: ms, role: ms, ip: 10.0.0.3, domains: [a.test], pop3_port: 1110}\n"
        "links:\n"
        "  - {a: a-pc, b: msa, latency: 80ms, bandwidth: 2Mbit, jitter: 1ms,"
        " schedule: [{at: 5m, up: true}, {at: 10s, up: false}]}\n"
        "  - {a: msa, b: mx, down_at: 30s, up_at: 45s}\n"
        "users:\n"
        "  - {address: a@a.test, password: secret}\n"
        "events:\n"
        "  - at: 1.5s\n"
        "    send:\n"
        "      from: a-pc\n"
        "      to: [b@b.test]\n"
        "      cc: [c@b.test]\n"
        "      bcc: [d@b.test]\n"
        "      headers:\n"
        "        - {From: \"Boss <ceo@b.test>\"}\n"
        "        - {Received: from x}\n"
        "        - {Received: from y}\n"
        "      id: m1\n"
        "      envelope_from: <>\n"
        "  - {at: 2s, fetch: {by: a-pc, keep: true}}\n"
        "  - {at: 3s, fault: {link: [msa, mx], up: true}}\n"
        "  - {at: 4s, traffic: {from: [a-pc], to: [b@b.test], count: 50, interval: 100ms,"
        " id_prefix: t, start: 0, size: 4k}}\n"
        "expect:\n"
        "  - {message: m1, status: rejected, code: 554, to: b@b.test}\n"
        "  - {message: t49, header: DKIM-Signature, present: false}\n"
        "  - {delivered: 2}\n"
        "  - {message: m1, fetched_by: a-pc}\n"
        "  - {mailbox: a@a.test, count: 3}\n";
    g_autoptr(GError) error = NULL;
    g_autoptr(WorldSpec) s = scenario_load_string(text, "all.yaml", &error);
    g_assert_no_error(error);
    g_assert_cmpuint(s->seed, ==, G_MAXUINT64);
    g_assert_cmpint(s->epoch_unix, ==, 1767225600 + 59 * 86400 + 9 * 3600);
    g_assert_cmpuint(s->network.mtu, ==, 536);
    g_assert_cmpint(s->network.jitter, ==, 2000);
    NodeSpec *pc = world_spec_find_node(s, "a-pc");
    g_assert_cmpstr(pc->ips[1], ==, "10.0.1.1");
    g_assert_false(pc->keep);
    NodeSpec *msa = world_spec_find_node(s, "msa");
    g_assert_true(msa->auth.required);
    g_assert_cmpstr(msa->hostname, ==, "smtp.a.test");
    g_assert_cmpuint(msa->max_recipients, ==, 5);
    g_assert_cmpuint(msa->max_message_size, ==, 1048576);
    g_assert_cmpuint(msa->submission_port, ==, 2587);
    NodeSpec *mx = world_spec_find_node(s, "mx");
    g_assert_true(mx->relay.open_relay);
    g_assert_cmpstr(mx->relayhost, ==, "smart.b.test");
    g_assert_cmpint(mx->retry.max_age, ==, G_GINT64_CONSTANT(7200000000));
    g_assert_cmpuint(mx->retry.backoff, ==, 3);
    LinkSpec *l = world_spec_find_link(s, "msa", "a-pc");
    g_assert_nonnull(l);
    g_assert_cmpuint(l->schedule->len, ==, 2);
    g_assert_cmpint(g_array_index(l->schedule, LinkChange, 0).at, ==, 10 * G_USEC_PER_SEC);
    g_assert_false(g_array_index(l->schedule, LinkChange, 0).up);
    l = s->links->pdata[1];
    g_assert_cmpint(l->latency, ==, -1);
    g_assert_cmpuint(l->schedule->len, ==, 2);
    EventSpec *e = s->events->pdata[0];
    g_assert_cmpint(e->at, ==, 1500000);
    g_assert_cmpuint(e->send.headers->len, ==, 3);
    SpecHeader *h = e->send.headers->pdata[2];
    g_assert_cmpstr(h->name, ==, "Received");
    g_assert_cmpstr(h->value, ==, "from y");
    g_assert_cmpstr(e->send.envelope_from, ==, "<>");
    g_assert_cmpstr(e->send.bcc[0], ==, "d@b.test");
    e = s->events->pdata[1];
    g_assert_true(e->fetch.has_keep);
    e = s->events->pdata[2];
    g_assert_cmpstr(e->fault.b, ==, "mx");
    g_assert_true(e->fault.up);
    e = s->events->pdata[3];
    g_assert_cmpuint(e->traffic.size, ==, 4096);
    g_assert_cmpint(e->traffic.interval, ==, 100000);
    ExpectSpec *x = s->expects->pdata[0];
    g_assert_cmpuint(x->code, ==, 554);
    g_assert_cmpint(x->status, ==, SPEC_STATUS_REJECTED);
    x = s->expects->pdata[1];
    g_assert_cmpint(x->kind, ==, SPEC_EXPECT_HEADER);
    g_assert_false(x->present);
    x = s->expects->pdata[2];
    g_assert_cmpint(x->kind, ==, SPEC_EXPECT_DELIVERED);
    g_assert_cmpuint(x->count, ==, 2);
    x = s->expects->pdata[3];
    g_assert_cmpint(x->kind, ==, SPEC_EXPECT_FETCHED);
    g_assert_cmpstr(x->fetched_by, ==, "a-pc");
    x = s->expects->pdata[4];
    g_assert_cmpint(x->kind, ==, SPEC_EXPECT_MAILBOX);
    g_assert_cmpstr(x->mailbox, ==, "a@a.test");
    g_assert_cmpuint(x->count, ==, 3);
    DnsAnswer a;
    dns_zone_lookup(s->zone, "sel._domainkey.a.test", DNS_RR_TXT, &a);
    g_assert_cmpuint(a.records->len, ==, 1);
    g_assert_cmpstr(((DnsRecord *)a.records->pdata[0])->text, ==, "v=DKIM1; p=ABCD");
    dns_answer_clear(&a);
}

/* ---- errors: one per class, exact text ---- */

/* A valid two-node world that the error tests extend. */
#define BASE_NODES                                                                                 \
    "nodes:\n"                                                                                     \
    "  - {name: a-pc, role: mua, ip: 10.0.0.1, user: a@a.test, msa: msa.a.test}\n"                 \
    "  - {name: msa.a.test, role: msa, ip: 10.0.0.2}\n"                                            \
    "  - {name: ms.a.test, role: ms, ip: 10.0.0.3}\n"

static void
expect_error(const char *text, ScenarioErrorCode code, const char *message)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(WorldSpec) s = scenario_load_string(text, "t.yaml", &error);
    g_assert_null(s);
    g_assert_nonnull(error);
    if (g_strcmp0(error->message, message) != 0)
        g_printerr("got:  %s\nwant: %s\n", error->message, message);
    g_assert_cmpstr(error->message, ==, message);
    g_assert_error(error, SCENARIO_ERROR, (gint)code);
}

static void
test_base_is_valid(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(WorldSpec) s = scenario_load_string(BASE_NODES, "t.yaml", &error);
    g_assert_no_error(error);
    g_assert_cmpuint(s->nodes->len, ==, 3);
    g_assert_cmpstr(s->name, ==, "t");
}

/* tls and auth keys: levels, versions, mechanisms (upper-cased), the
 * scalar shorthands, and the errors for values outside each list. */
static void
test_security_keys(void)
{
    static const char text[] =
        "nodes:\n"
        "  - {name: a-pc, role: mua, ip: 10.0.0.1, user: a@a.test, msa: msa.a.test,\n"
        "     auth: {mechanism: cram-md5, force: true}, tls: {client: verify}}\n"
        "  - {name: b-pc, role: mua, ip: 10.0.0.4, user: b@a.test, msa: msa.a.test, auth: LOGIN}\n"
        "  - {name: msa.a.test, role: msa, ip: 10.0.0.2,\n"
        "     tls: {server: encrypt, client: secure, min_version: TLS1.3, session_tickets: no},\n"
        "     auth: {required: true, mechanisms: [plain, DIGEST-MD5], tls_only: true,\n"
        "            sender_login_match: true}}\n"
        "  - {name: mx.a.test, role: mta, ip: 10.0.0.5, auth: required}\n"
        "  - {name: ms.a.test, role: ms, ip: 10.0.0.3}\n";
    g_autoptr(GError) error = NULL;
    g_autoptr(WorldSpec) s = scenario_load_string(text, "t.yaml", &error);
    g_assert_no_error(error);
    NodeSpec *pc = world_spec_find_node(s, "a-pc");
    g_assert_cmpstr(pc->auth.mechanism, ==, "CRAM-MD5");
    g_assert_true(pc->auth.force);
    g_assert_cmpint(pc->tls.client, ==, SPEC_TLS_VERIFY);
    g_assert_cmpint(pc->tls.server, ==, SPEC_TLS_NONE);
    g_assert_true(pc->tls.session_tickets); /* default */
    g_assert_cmpstr(world_spec_find_node(s, "b-pc")->auth.mechanism, ==, "LOGIN");
    NodeSpec *msa = world_spec_find_node(s, "msa.a.test");
    g_assert_cmpint(msa->tls.server, ==, SPEC_TLS_ENCRYPT);
    g_assert_cmpint(msa->tls.client, ==, SPEC_TLS_SECURE);
    g_assert_cmpuint(msa->tls.min_version, ==, 13);
    g_assert_false(msa->tls.session_tickets);
    g_assert_true(msa->auth.required && msa->auth.tls_only && msa->auth.sender_login_match);
    g_assert_cmpstr(msa->auth.mechanisms[0], ==, "PLAIN");
    g_assert_cmpstr(msa->auth.mechanisms[1], ==, "DIGEST-MD5");
    g_assert_null(msa->auth.mechanisms[2]);
    NodeSpec *mx = world_spec_find_node(s, "mx.a.test");
    g_assert_true(mx->auth.required);
    g_assert_cmpstr(mx->auth.mechanisms[0], ==, "PLAIN"); /* default list */
    g_assert_cmpstr(mx->auth.mechanisms[1], ==, "LOGIN");

    expect_error(BASE_NODES "  - {name: x, role: msa, ip: 10.0.0.9, tls: {server: verify}}\n",
                 SCENARIO_ERROR_VALUE,
                 "t.yaml:5:54: 'server' of 'tls' must be one of none, may, encrypt, not 'verify'");
    expect_error(BASE_NODES "  - {name: x, role: msa, ip: 10.0.0.9, tls: {min_version: SSL3}}\n",
                 SCENARIO_ERROR_VALUE,
                 "t.yaml:5:59: 'min_version' must be TLS1.2 or TLS1.3, not 'SSL3'");
    expect_error(BASE_NODES
                 "  - {name: x, role: msa, ip: 10.0.0.9, auth: {mechanisms: [GSSAPI]}}\n",
                 SCENARIO_ERROR_VALUE,
                 "t.yaml:5:60: unknown SASL mechanism 'GSSAPI' (PLAIN, LOGIN, CRAM-MD5, "
                 "DIGEST-MD5)");
    expect_error(BASE_NODES "  - {name: x, role: msa, ip: 10.0.0.9, auth: sometimes}\n",
                 SCENARIO_ERROR_VALUE,
                 "t.yaml:5:46: 'auth' must be 'required', 'none' or a mapping, not 'sometimes'");
}

static void
test_error_unknown_key(void)
{
    expect_error(BASE_NODES "  - name: out.a.test\n"
                            "    role: msa\n"
                            "    ip: 10.0.0.9\n"
                            "    relayhots: mx.b.test\n",
                 SCENARIO_ERROR_UNKNOWN_KEY,
                 "t.yaml:8:5: unknown key 'relayhots' in node 'out.a.test' "
                 "(did you mean 'relayhost'?)");
    /* A key of another role says so. */
    expect_error("nodes:\n"
                 "  - {name: x, role: ms, ip: 10.0.0.1, relayhost: y}\n",
                 SCENARIO_ERROR_UNKNOWN_KEY,
                 "t.yaml:2:39: unknown key 'relayhost' in node 'x' ('relayhost' is a key of "
                 "role msa, mta, not of ms)");
    expect_error(BASE_NODES "nodse: []\n", SCENARIO_ERROR_UNKNOWN_KEY,
                 "t.yaml:5:1: unknown key 'nodse' in the scenario (did you mean 'nodes'?)");
    expect_error(BASE_NODES "network: {latency: 1ms, zzz: 3}\n", SCENARIO_ERROR_UNKNOWN_KEY,
                 "t.yaml:5:25: unknown key 'zzz' in network");
    expect_error(BASE_NODES "events:\n"
                            "  - {at: 1s, send: {from: a-pc, to: [b@b.test], subjet: Hi}}\n",
                 SCENARIO_ERROR_UNKNOWN_KEY,
                 "t.yaml:6:49: unknown key 'subjet' in send (did you mean 'subject'?)");
    expect_error(BASE_NODES "nodes: []\n", SCENARIO_ERROR_DUPLICATE,
                 "t.yaml:5:1: duplicate key 'nodes' in the scenario");
}

static void
test_error_wrong_type(void)
{
    expect_error(BASE_NODES "events:\n"
                            "  - at: 1s\n"
                            "    send: {from: a-pc, to: b@b.test}\n",
                 SCENARIO_ERROR_TYPE, "t.yaml:7:28: 'to' must be a list, not a string");
    expect_error("nodes: {a: 1}\n", SCENARIO_ERROR_TYPE,
                 "t.yaml:1:8: 'nodes' must be a list, not a mapping");
    expect_error(BASE_NODES "name: [a, b]\n", SCENARIO_ERROR_TYPE,
                 "t.yaml:5:7: 'name' must be a string, not a list");
    expect_error("nodes:\n  - just-a-name\n", SCENARIO_ERROR_TYPE,
                 "t.yaml:2:5: 'node' must be a mapping, not a string");
    expect_error(BASE_NODES "  - {name: mx, role: mta, ip: 10.0.0.9, relay: open}\n",
                 SCENARIO_ERROR_TYPE,
                 "t.yaml:5:48: 'relay' of node 'mx' must be a mapping, not a string");
    expect_error(BASE_NODES "network: {latency: {x: 1}}\n", SCENARIO_ERROR_TYPE,
                 "t.yaml:5:20: 'latency' must be a string, not a mapping");
}

static void
test_error_unknown_node(void)
{
    expect_error("nodes:\n"
                 "  - {name: a-pc, role: mua, ip: 10.0.0.1, user: a@a.test, msa: msa.a.tst}\n"
                 "  - {name: msa.a.test, role: msa, ip: 10.0.0.2}\n",
                 SCENARIO_ERROR_REFERENCE,
                 "t.yaml:2:64: unknown node 'msa.a.tst' in 'msa' (did you mean 'msa.a.test'?)");
    expect_error(BASE_NODES "links:\n"
                            "  - {a: a-pc, b: router9, latency: 20ms}\n",
                 SCENARIO_ERROR_REFERENCE, "t.yaml:6:18: unknown node 'router9' in 'b'");
    expect_error(BASE_NODES "events:\n"
                            "  - {at: 1s, send: {from: b-pc, to: [x@a.test]}}\n",
                 SCENARIO_ERROR_REFERENCE,
                 "t.yaml:6:27: unknown node 'b-pc' in 'from' (did you mean 'a-pc'?)");
    /* A node of the wrong role. */
    expect_error(BASE_NODES "events:\n"
                            "  - {at: 1s, send: {from: msa.a.test, to: [x@a.test]}}\n",
                 SCENARIO_ERROR_REFERENCE,
                 "t.yaml:6:27: node 'msa.a.test' in 'from' is a msa, not a mua");
}

static void
test_error_duplicate_node(void)
{
    expect_error(BASE_NODES "  - {name: ms.a.test, role: ms, ip: 10.0.0.4}\n",
                 SCENARIO_ERROR_DUPLICATE,
                 "t.yaml:5:12: duplicate node name 'ms.a.test' (first defined at line 4)");
    expect_error(BASE_NODES "  - {name: ms2, role: ms, ip: 10.0.0.3}\n", SCENARIO_ERROR_DUPLICATE,
                 "t.yaml:5:31: IP address 10.0.0.3 of node 'ms2' is already used by node "
                 "'ms.a.test'");
}

static void
test_error_bad_ip(void)
{
    expect_error(BASE_NODES "  - {name: x, role: ms, ip: 10.0.0.300}\n", SCENARIO_ERROR_VALUE,
                 "t.yaml:5:29: '10.0.0.300' is not an IPv4 address in 'ip'");
    expect_error(BASE_NODES "  - {name: x, role: ms, ips: [10.0.0.5, 10.0.0]}\n",
                 SCENARIO_ERROR_VALUE, "t.yaml:5:41: '10.0.0' is not an IPv4 address in 'ips'");
    expect_error(BASE_NODES "  - {name: x, role: mta, ip: 10.0.0.5, relay: {networks: [10/8]}}\n",
                 SCENARIO_ERROR_VALUE,
                 "t.yaml:5:59: '10/8' is not an IPv4 network (A.B.C.D/N) in 'networks'");
}

static void
test_error_bad_duration(void)
{
    expect_error(BASE_NODES "events:\n"
                            "  - {at: 10 parsecs, fetch: {by: a-pc}}\n",
                 SCENARIO_ERROR_VALUE,
                 "t.yaml:6:10: bad duration '10 parsecs' in 'at' (write e.g. 250ms, 1.5s, 2m, "
                 "1h, 100us)");
    expect_error(BASE_NODES "network: {bandwidth: 10 furlongs}\n", SCENARIO_ERROR_VALUE,
                 "t.yaml:5:22: bad bandwidth '10 furlongs' in 'bandwidth' (write e.g. 56kbit, "
                 "100Mbit, 1Gbit)");
}

static void
test_error_unknown_role(void)
{
    expect_error(BASE_NODES "  - {name: relay1, role: mtaa, ip: 10.0.0.8}\n", SCENARIO_ERROR_ROLE,
                 "t.yaml:5:26: unknown role 'mtaa' in node 'relay1' (did you mean 'mta'?)");
    expect_error(BASE_NODES "  - {name: relay1, role: router, ip: 10.0.0.8}\n", SCENARIO_ERROR_ROLE,
                 "t.yaml:5:26: unknown role 'router' in node 'relay1' (roles: mua, msa, mta, "
                 "ms, dns, spammer, eavesdropper, mitm, webmail, browser, gateway)");
    expect_error(BASE_NODES "  - {name: evil, role: mitm, ip: 10.0.0.8}\n", SCENARIO_ERROR_MISSING,
                 "t.yaml:5:5: missing required key 'tap' in node 'evil'");
}

/* mitm: tap, STARTTLS switches (default on) and rewrite rules in order;
 * relayhost_auth with its PLAIN default. */
static void
test_mitm_and_relayhost_auth(void)
{
    GError *error = NULL;
    g_autoptr(WorldSpec) s = scenario_load_string(
        BASE_NODES "  - {name: m1, role: mitm, ip: 10.0.0.8, tap: [a-pc, msa.a.test]}\n"
                   "  - name: m2\n"
                   "    role: mitm\n"
                   "    ip: 10.0.0.9\n"
                   "    tap: [a-pc, msa.a.test]\n"
                   "    strip_starttls: false\n"
                   "    rewrite:\n"
                   "      - {match: STARTTLS, replace: \"STARTTLS\\r\\nRSET\"}\n"
                   "      - {match: Ok, direction: to_client}\n"
                   "  - {name: out, role: mta, ip: 10.0.0.10, relayhost: msa.a.test,\n"
                   "     relayhost_auth: {user: r@a.test, password: pw}}\n",
        "t.yaml", &error);
    g_assert_no_error(error);
    const NodeSpec *m1 = world_spec_find_node(s, "m1"), *m2 = world_spec_find_node(s, "m2");
    g_assert_cmpint(m1->role, ==, SPEC_ROLE_MITM);
    g_assert_cmpstr(m1->tap[0], ==, "a-pc");
    g_assert_cmpstr(m1->tap[1], ==, "msa.a.test");
    g_assert_true(m1->mitm.strip_starttls && m1->mitm.block_starttls);
    g_assert_null(m1->mitm.rules);
    g_assert_false(m2->mitm.strip_starttls);
    g_assert_true(m2->mitm.block_starttls);
    g_assert_cmpuint(m2->mitm.rules->len, ==, 2);
    const MitmRuleSpec *r0 = m2->mitm.rules->pdata[0], *r1 = m2->mitm.rules->pdata[1];
    g_assert_cmpstr(r0->match, ==, "STARTTLS");
    g_assert_cmpstr(r0->replace, ==, "STARTTLS\r\nRSET");
    g_assert_false(r0->to_client);
    g_assert_cmpstr(r1->replace, ==, "");
    g_assert_true(r1->to_client);
    const NodeSpec *out = world_spec_find_node(s, "out");
    g_assert_cmpstr(out->relayhost_auth.user, ==, "r@a.test");
    g_assert_cmpstr(out->relayhost_auth.password, ==, "pw");
    g_assert_cmpstr(out->relayhost_auth.mechanism, ==, "PLAIN");
    expect_error(BASE_NODES "  - {name: m, role: mitm, ip: 10.0.0.8, tap: [a-pc, msa.a.test],\n"
                            "     rewrite: [{match: \"\"}]}\n",
                 SCENARIO_ERROR_VALUE,
                 "t.yaml:6:24: 'match' of a 'rewrite' rule must be non-empty text within one line");
    expect_error(BASE_NODES "  - {name: m, role: mitm, ip: 10.0.0.8, tap: [a-pc, msa.a.test],\n"
                            "     rewrite: [{replace: x}]}\n",
                 SCENARIO_ERROR_MISSING,
                 "t.yaml:6:16: missing required key 'match' in a 'rewrite' rule of node 'm'");
    expect_error(
        BASE_NODES "  - {name: o, role: mta, ip: 10.0.0.8, relayhost: msa.a.test,\n"
                   "     relayhost_auth: {user: r@a.test, mechanism: SCRAM}}\n",
        SCENARIO_ERROR_VALUE,
        "t.yaml:6:50: unknown SASL mechanism 'SCRAM' (PLAIN, LOGIN, CRAM-MD5, DIGEST-MD5)");
}

static void
test_error_syntax(void)
{
    expect_error("nodes:\n"
                 "  - {name: a, role: ms\n"
                 "  - {name: b}\n",
                 SCENARIO_ERROR_SYNTAX,
                 "t.yaml:3:5: YAML syntax error: did not find expected ',' or '}' while "
                 "parsing a flow mapping");
    expect_error("name: a\n  bad: indent\n", SCENARIO_ERROR_SYNTAX,
                 "t.yaml:2:6: YAML syntax error: mapping values are not allowed in this "
                 "context");
    expect_error("name: \"unterminated\n", SCENARIO_ERROR_SYNTAX,
                 "t.yaml:2:1: YAML syntax error: found unexpected end of stream while "
                 "scanning a quoted scalar");
    expect_error("name: a\xff\n", SCENARIO_ERROR_SYNTAX,
                 "t.yaml:1:8: YAML syntax error: invalid leading UTF-8 octet");
}

static void
test_error_missing_key(void)
{
    expect_error(BASE_NODES "  - {name: x, ip: 10.0.0.8}\n", SCENARIO_ERROR_MISSING,
                 "t.yaml:5:5: missing required key 'role' in node 'x'");
    expect_error(BASE_NODES "  - {role: ms, ip: 10.0.0.8}\n", SCENARIO_ERROR_MISSING,
                 "t.yaml:5:5: missing required key 'name' in node");
    expect_error(BASE_NODES "  - {name: x, role: ms}\n", SCENARIO_ERROR_MISSING,
                 "t.yaml:5:5: missing required key 'ip' in node 'x'");
    expect_error(BASE_NODES "  - {name: x, role: mua, ip: 10.0.0.8, msa: msa.a.test}\n",
                 SCENARIO_ERROR_MISSING, "t.yaml:5:5: missing required key 'user' in node 'x'");
    expect_error(BASE_NODES "events:\n  - {send: {from: a-pc, to: [b@b.test]}}\n",
                 SCENARIO_ERROR_MISSING, "t.yaml:6:5: missing required key 'at' in event");
    expect_error("name: x\n", SCENARIO_ERROR_MISSING,
                 "t.yaml:1:1: missing required key 'nodes' in the scenario");
    expect_error(BASE_NODES "events:\n  - {at: 1s, send: {from: a-pc}}\n", SCENARIO_ERROR_MISSING,
                 "t.yaml:6:20: send needs at least one recipient in 'to', 'cc' or 'bcc'");
}

static void
test_error_unknown_message(void)
{
    expect_error(BASE_NODES "events:\n"
                            "  - {at: 1s, send: {from: a-pc, to: [b@b.test], id: m1}}\n"
                            "expect:\n"
                            "  - {message: m2, status: delivered}\n",
                 SCENARIO_ERROR_REFERENCE,
                 "t.yaml:8:15: unknown message id 'm2' in 'message' (did you mean 'm1'?)");
    expect_error(BASE_NODES "events:\n"
                            "  - {at: 1s, reply: {by: a-pc, to: hello}}\n",
                 SCENARIO_ERROR_REFERENCE, "t.yaml:6:36: unknown message id 'hello' in 'to'");
    expect_error(BASE_NODES "events:\n"
                            "  - {at: 1s, send: {from: a-pc, to: [b@b.test], id: m1}}\n"
                            "  - {at: 2s, send: {from: a-pc, to: [b@b.test], id: m1}}\n",
                 SCENARIO_ERROR_DUPLICATE,
                 "t.yaml:7:53: duplicate message id 'm1' (first used at line 6)");
    /* Traffic ids are known messages. */
    g_autoptr(GError) error = NULL;
    g_autoptr(WorldSpec) s = scenario_load_string(
        BASE_NODES "events:\n"
                   "  - {at: 1s, traffic: {from: [a-pc], to: [b@b.test], count: 3, rate: 2,"
                   " id_prefix: t}}\n"
                   "expect:\n  - {message: t3, status: queued}\n",
        "t.yaml", &error);
    g_assert_no_error(error);
    EventSpec *e = s->events->pdata[0];
    g_assert_cmpint(e->traffic.interval, ==, 500000);
    g_assert_cmpuint(e->traffic.count, ==, 3);
}

static void
test_error_event_form(void)
{
    expect_error(BASE_NODES "events:\n  - {at: 1s}\n", SCENARIO_ERROR_EVENT,
                 "t.yaml:6:5: an event needs one of 'send', 'reply', 'fetch', 'fault', "
                 "'traffic', 'relay_test', 'raw_send', 'webmail_send' or 'webmail_read'");
    expect_error(BASE_NODES "events:\n"
                            "  - {at: 1s, fetch: {by: a-pc}, fault: {link: [a-pc, ms.a.test]}}\n",
                 SCENARIO_ERROR_EVENT,
                 "t.yaml:6:40: an event does one thing: 'fetch' and 'fault' in the same event");
    expect_error(BASE_NODES "events:\n  - send alice to bob\n", SCENARIO_ERROR_EVENT,
                 "t.yaml:6:5: an event must be a mapping such as {at: 1s, send: {...}}, not a "
                 "string");
    expect_error(BASE_NODES "events:\n  - {at: 1s, fault: {link: [a-pc]}}\n", SCENARIO_ERROR_VALUE,
                 "t.yaml:6:28: 'link' must name two nodes: [a, b]");
    expect_error(BASE_NODES "expect:\n  - {message: m1}\n", SCENARIO_ERROR_EVENT,
                 "t.yaml:6:5: an expectation needs one of 'status', 'path', "
                 "'path_differs_from', 'header', 'delivered', 'fetched_by', 'mailbox', 'spf', "
                 "'dkim', 'dmarc', 'relay_tests', "
                 "'copies_at', 'held_by', 'spam_delivered', 'rejected_by', 'spam_verdict', "
                 "'smime', 'stored_contains', 'tap' or 'exposure'");
    expect_error(BASE_NODES "expect:\n  - {message: m1, stauts: delivered}\n",
                 SCENARIO_ERROR_UNKNOWN_KEY,
                 "t.yaml:6:19: unknown key 'stauts' in expect (did you mean 'status'?)");
    expect_error(BASE_NODES "expect:\n  - {message: m1, status: delivered, path: [a-pc]}\n",
                 SCENARIO_ERROR_EVENT,
                 "t.yaml:6:38: one check per expectation: 'status' and 'path' in the same one");
    expect_error(BASE_NODES "expect:\n  - {delivered: 1, status: lost}\n", SCENARIO_ERROR_EVENT,
                 "t.yaml:6:20: one check per expectation: 'delivered' and 'status' in the same "
                 "one");
    expect_error(BASE_NODES "expect:\n  - {mailbox: a@a.test}\n", SCENARIO_ERROR_MISSING,
                 "t.yaml:6:5: missing required key 'count' in expect");
    expect_error(BASE_NODES "events:\n  - {at: 1s, send: {from: a-pc, to: [a@a.test], id: m1}}\n"
                            "expect:\n  - {message: m1, fetched_by: msa.a.test}\n",
                 SCENARIO_ERROR_REFERENCE,
                 "t.yaml:8:31: node 'msa.a.test' in 'fetched_by' is a msa, not a mua");
}

static void
test_error_dns(void)
{
    expect_error(BASE_NODES "dns:\n  a.test: {MXX: [\"10 mx.a.test\"]}\n",
                 SCENARIO_ERROR_UNKNOWN_KEY,
                 "t.yaml:6:12: unknown record type 'MXX' for 'a.test' in dns (did you mean "
                 "'MX'?)");
    expect_error(BASE_NODES "dns:\n  a.test: {A: 1.2.3.400}\n", SCENARIO_ERROR_VALUE,
                 "t.yaml:6:15: bad A record for 'a.test': '1.2.3.400' is not a valid A "
                 "record value");
    expect_error(BASE_NODES "dns:\n  a.test: {fail: LATER}\n", SCENARIO_ERROR_VALUE,
                 "t.yaml:6:18: 'fail' must be TIMEOUT or SERVFAIL, not 'LATER'");
}

/* ---- the zone loader ---- */

static void
test_zone_alone(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(DnsZone) z = scenario_load_zone_string("example.com:\n"
                                                     "  A: [192.0.2.1, 192.0.2.2]\n"
                                                     "  TXT:\n"
                                                     "    - \"v=spf1 -all\"\n"
                                                     "    - [\"part one \", \"part two\"]\n"
                                                     "  MX: \"10 mx.example.com\"\n"
                                                     "temp.example.com: {TXT: x, fail: TIMEOUT}\n"
                                                     "bad.example.com: {fail: servfail}\n",
                                                     "zone.yaml", &error);
    g_assert_no_error(error);
    DnsAnswer a;
    dns_zone_lookup(z, "example.com", DNS_RR_A, &a);
    g_assert_cmpuint(a.records->len, ==, 2);
    dns_answer_clear(&a);
    dns_zone_lookup(z, "example.com", DNS_RR_TXT, &a);
    g_assert_cmpuint(a.records->len, ==, 2);
    DnsRecord *two = a.records->pdata[1];
    g_assert_cmpstr(two->strings[0], ==, "part one ");
    g_assert_cmpstr(two->strings[1], ==, "part two");
    g_assert_cmpstr(two->text, ==, "part one part two");
    dns_answer_clear(&a);
    dns_zone_lookup(z, "temp.example.com", DNS_RR_A, &a);
    g_assert_cmpint(a.rcode, ==, DNS_RCODE_TIMEOUT);
    dns_answer_clear(&a);
    dns_zone_lookup(z, "bad.example.com", DNS_RR_TXT, &a);
    g_assert_cmpint(a.rcode, ==, DNS_RCODE_SERVFAIL);
    dns_answer_clear(&a);

    g_autoptr(DnsZone) z2 = scenario_load_zone_string("- a\n", "zone.yaml", &error);
    g_assert_null(z2);
    g_assert_cmpstr(error->message, ==,
                    "zone.yaml:1:1: a DNS zone must be a mapping of names, not a list");
}

/* ---- robustness ---- */

static void
assert_fails_cleanly(const char *text, gsize len)
{
    g_autofree char *copy = g_strndup(text, len);
    g_autoptr(GError) error = NULL;
    g_autoptr(WorldSpec) s = scenario_load_string(copy, "g.yaml", &error);
    g_assert_true((s == NULL) == (error != NULL));
    if (error != NULL)
        g_assert_true(g_str_has_prefix(error->message, "g.yaml:"));
    g_autoptr(GError) zerror = NULL;
    g_autoptr(DnsZone) z = scenario_load_zone_string(copy, "g.yaml", &zerror);
    g_assert_true((z == NULL) == (zerror != NULL));
}

static void
test_robust_empty_and_root(void)
{
    expect_error("", SCENARIO_ERROR_EMPTY, "t.yaml:1:1: the file is empty");
    expect_error("# only a comment\n\n", SCENARIO_ERROR_EMPTY, "t.yaml:1:1: the file is empty");
    expect_error("- a\n- b\n", SCENARIO_ERROR_TYPE,
                 "t.yaml:1:1: a scenario must be a mapping of keys (name, nodes, ...), not a "
                 "list");
    expect_error("hello\n", SCENARIO_ERROR_TYPE,
                 "t.yaml:1:1: a scenario must be a mapping of keys (name, nodes, ...), not a "
                 "string");
    expect_error("~\n", SCENARIO_ERROR_TYPE,
                 "t.yaml:1:1: a scenario must be a mapping of keys (name, nodes, ...), not "
                 "empty");
    g_autoptr(GError) error = NULL;
    g_assert_null(scenario_load("/nonexistent/dir/x.yaml", &error));
    g_assert_error(error, SCENARIO_ERROR, SCENARIO_ERROR_IO);
}

static void
test_robust_garbage(void)
{
    g_autofree char *path = test_source_path("scenarios/quickstart.yaml");
    g_autofree char *qs = NULL;
    gsize qlen;
    g_assert_true(g_file_get_contents(path, &qs, &qlen, NULL));
    /* Every prefix cut at a stride, and seeded byte mutations. */
    for (gsize cut = 0; cut < qlen; cut += 37)
        assert_fails_cleanly(qs, cut);
    g_autoptr(GRand) rand = g_rand_new_with_seed(42);
    static const char alphabet[] = "{}[]:,-&*!|>'\"#%@ \n\tab1.";
    for (int round = 0; round < 300; round++) {
        g_autofree char *m = g_strdup(qs);
        for (int k = 0; k < 4; k++) {
            gsize at = (gsize)g_rand_int_range(rand, 0, (gint32)qlen);
            m[at] = alphabet[g_rand_int_range(rand, 0, sizeof(alphabet) - 1)];
        }
        assert_fails_cleanly(m, qlen);
    }
    for (int round = 0; round < 200; round++) {
        char buf[256];
        gsize n = (gsize)g_rand_int_range(rand, 1, sizeof(buf));
        for (gsize i = 0; i < n; i++)
            buf[i] = (char)g_rand_int_range(rand, 1, 256);
        assert_fails_cleanly(buf, n);
    }
}

static void
test_robust_aliases_and_depth(void)
{
    /* A self-referencing alias and a node list of repeated aliases. */
    assert_fails_cleanly("nodes: &a [*a]\n", 14);
    const char *rep = "n: &n {name: x, role: ms, ip: 10.0.0.1}\nnodes: [*n, *n, *n]\n";
    expect_error(rep, SCENARIO_ERROR_UNKNOWN_KEY, "t.yaml:1:1: unknown key 'n' in the scenario");
    /* "Billion laughs": 10^9 nodes once expanded, under keys that take lists. */
    GString *bomb = g_string_new("x0: &a0 [a, a, a, a, a, a, a, a, a, a]\n");
    for (int i = 1; i <= 9; i++) {
        g_string_append_printf(bomb, "x%d: &a%d [", i, i);
        for (int k = 0; k < 10; k++)
            g_string_append_printf(bomb, "%s*a%d", k > 0 ? ", " : "", i - 1);
        g_string_append(bomb, "]\n");
    }
    g_autofree char *users = g_strdup_printf("%snodes: *a9\nusers: *a9\nevents: *a9\n", bomb->str);
    assert_fails_cleanly(users, strlen(users));
    g_string_free(bomb, TRUE);
    GString *deep = g_string_new("nodes: ");
    for (int i = 0; i < 20000; i++)
        g_string_append_c(deep, '[');
    assert_fails_cleanly(deep->str, deep->len);
    g_string_free(deep, TRUE);
}

/* A file over SCENARIO_FILE_MAX is refused before it is read (a sparse
 * file: no 64 MiB written), and a NUL byte is located by line and column. */
static void
test_robust_file_limits(void)
{
    g_autofree char *dir = g_dir_make_tmp("mhs-scenario-XXXXXX", NULL);
    g_assert_nonnull(dir);
    g_autofree char *big = g_build_filename(dir, "big.yaml", NULL);
    FILE *f = fopen(big, "w");
    g_assert_nonnull(f);
    g_assert_cmpint(fseek(f, SCENARIO_FILE_MAX, SEEK_SET), ==, 0);
    g_assert_cmpint(fputc('\n', f), ==, '\n');
    g_assert_cmpint(fclose(f), ==, 0);
    g_autoptr(GError) error = NULL;
    g_assert_null(scenario_load(big, &error));
    g_assert_error(error, SCENARIO_ERROR, SCENARIO_ERROR_IO);
    g_autofree char *want =
        g_strdup_printf("%s: file too large (%d bytes, at most %d)", big, SCENARIO_FILE_MAX + 1,
                        SCENARIO_FILE_MAX);
    g_assert_cmpstr(error->message, ==, want);
    g_clear_error(&error);

    g_autofree char *nul = g_build_filename(dir, "nul.yaml", NULL);
    static const char text[] = "name: x\nnodes:\n  - {name: a\0b, role: ms}\n";
    g_assert_true(g_file_set_contents(nul, text, sizeof(text) - 1, NULL));
    g_assert_null(scenario_load(nul, &error));
    g_assert_error(error, SCENARIO_ERROR, SCENARIO_ERROR_IO);
    g_autofree char *want_nul = g_strdup_printf("%s:3:13: the file holds a NUL byte", nul);
    g_assert_cmpstr(error->message, ==, want_nul);
    g_assert_cmpint(g_remove(big), ==, 0);
    g_assert_cmpint(g_remove(nul), ==, 0);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
}

static void
test_robust_huge(void)
{
    GString *big = g_string_new(BASE_NODES "users:\n");
    for (int i = 0; i < 20000; i++)
        g_string_append_printf(big, "  - {address: u%d@a.test, password: p%d, ms: ms.a.test}\n", i,
                               i);
    g_autoptr(GError) error = NULL;
    g_autoptr(WorldSpec) s = scenario_load_string(big->str, "big.yaml", &error);
    g_assert_no_error(error);
    g_assert_cmpuint(s->users->len, ==, 20000);
    g_assert_cmpstr(world_spec_user_password(s, "u19999@a.test"), ==, "p19999");
    g_string_free(big, TRUE);
}

/* Spam campaigns on `traffic` and the spam expectations. */
static void
test_spam_keys(void)
{
    const char *text =
        BASE_NODES "  - {name: spam, role: spammer, ip: 10.9.9.9}\n"
                   "events:\n"
                   "  - at: 1s\n"
                   "    traffic:\n"
                   "      from: [spam]\n"
                   "      to: [v@b.test, w@b.test]\n"
                   "      count: 4\n"
                   "      id_prefix: s\n"
                   "      campaign: pills\n"
                   "      via: msa.a.test\n"
                   "      mail_from: [ceo@c.test]\n"
                   "      helo: mail.c.test\n"
                   "      subject: Cheap\n"
                   "      headers: {From: \"CEO <ceo@c.test>\", Sender: ceo@c.test}\n"
                   "      received: [\"from x by y; Mon, 1 Jan 2024 00:00:00 +0000\"]\n"
                   "expect:\n"
                   "  - {spam_delivered: 0, to: v@b.test}\n"
                   "  - {rejected_by: msa.a.test, campaign: pills, code: 554}\n"
                   "  - {spam_verdict: rejected, message: s2, at: msa.a.test, stage: RCPT}\n";
    g_autoptr(GError) error = NULL;
    g_autoptr(WorldSpec) s = scenario_load_string(text, "t.yaml", &error);
    g_assert_no_error(error);
    const TrafficSpec *t = &((EventSpec *)s->events->pdata[0])->traffic;
    g_assert_cmpstr(t->campaign, ==, "pills");
    g_assert_cmpstr(t->via, ==, "msa.a.test");
    g_assert_cmpstr(t->mail_from[0], ==, "ceo@c.test");
    g_assert_cmpstr(t->helo, ==, "mail.c.test");
    g_assert_cmpstr(t->subject, ==, "Cheap");
    g_assert_cmpuint(t->headers->len, ==, 2);
    g_assert_cmpstr(((SpecHeader *)t->headers->pdata[1])->name, ==, "Sender");
    g_assert_cmpstr(t->received[0], ==, "from x by y; Mon, 1 Jan 2024 00:00:00 +0000");
    ExpectSpec *x = s->expects->pdata[0];
    g_assert_cmpint(x->kind, ==, SPEC_EXPECT_SPAM_DELIVERED);
    g_assert_cmpuint(x->count, ==, 0);
    g_assert_cmpstr(x->to, ==, "v@b.test");
    x = s->expects->pdata[1];
    g_assert_cmpint(x->kind, ==, SPEC_EXPECT_REJECTED_BY);
    g_assert_cmpstr(x->rejected_by, ==, "msa.a.test");
    g_assert_cmpstr(x->campaign, ==, "pills");
    g_assert_cmpuint(x->code, ==, 554);
    x = s->expects->pdata[2];
    g_assert_cmpint(x->kind, ==, SPEC_EXPECT_SPAM_VERDICT);
    g_assert_cmpint(x->status, ==, SPEC_STATUS_REJECTED);
    g_assert_cmpstr(x->stage, ==, "RCPT");
    g_assert_cmpstr(x->at, ==, "msa.a.test");

    expect_error(BASE_NODES "expect:\n  - {spam_verdict: maybe, message: m1}\n",
                 SCENARIO_ERROR_VALUE,
                 "t.yaml:6:20: unknown status 'maybe' (delivered, rejected, bounced or queued)");
    expect_error(BASE_NODES "expect:\n  - {rejected_by: nosuch}\n", SCENARIO_ERROR_REFERENCE,
                 "t.yaml:6:19: unknown node 'nosuch' in 'rejected_by'");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/app/scenario/quickstart/top", test_quickstart_top);
    g_test_add_func("/app/scenario/mitm-relayhost-auth", test_mitm_and_relayhost_auth);
    g_test_add_func("/app/scenario/quickstart/nodes", test_quickstart_nodes);
    g_test_add_func("/app/scenario/quickstart/events", test_quickstart_events);
    g_test_add_func("/app/scenario/quickstart/zone", test_quickstart_zone);
    g_test_add_func("/app/scenario/values/duration", test_values_duration);
    g_test_add_func("/app/scenario/values/other", test_values_other);
    g_test_add_func("/app/scenario/all-keys", test_all_keys);
    g_test_add_func("/app/scenario/base", test_base_is_valid);
    g_test_add_func("/app/scenario/error/unknown-key", test_error_unknown_key);
    g_test_add_func("/app/scenario/error/wrong-type", test_error_wrong_type);
    g_test_add_func("/app/scenario/error/unknown-node", test_error_unknown_node);
    g_test_add_func("/app/scenario/error/duplicate-node", test_error_duplicate_node);
    g_test_add_func("/app/scenario/error/bad-ip", test_error_bad_ip);
    g_test_add_func("/app/scenario/error/bad-duration", test_error_bad_duration);
    g_test_add_func("/app/scenario/error/unknown-role", test_error_unknown_role);
    g_test_add_func("/app/scenario/error/syntax", test_error_syntax);
    g_test_add_func("/app/scenario/error/missing-key", test_error_missing_key);
    g_test_add_func("/app/scenario/error/unknown-message", test_error_unknown_message);
    g_test_add_func("/app/scenario/error/event-form", test_error_event_form);
    g_test_add_func("/app/scenario/error/dns", test_error_dns);
    g_test_add_func("/app/scenario/zone/alone", test_zone_alone);
    g_test_add_func("/app/scenario/robust/empty-and-root", test_robust_empty_and_root);
    g_test_add_func("/app/scenario/robust/garbage", test_robust_garbage);
    g_test_add_func("/app/scenario/robust/aliases-and-depth", test_robust_aliases_and_depth);
    g_test_add_func("/app/scenario/robust/huge", test_robust_huge);
    g_test_add_func("/app/scenario/robust/file-limits", test_robust_file_limits);
    g_test_add_func("/app/scenario/security-keys", test_security_keys);
    g_test_add_func("/app/scenario/spam-keys", test_spam_keys);
    return g_test_run();
}
