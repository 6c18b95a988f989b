/* SPDX-License-Identifier: MIT
 * Tests for app/bridge: the service table, the gateway's scenario keys,
 * and one real loopback connection bridged in-process to a simulated MSA:
 * the greeting comes from the node's SMTP engine, QUIT gets its 221, and
 * the connection is traced as bridge.accept and bridge.close.
 */
#include <string.h>

#include <gio/gio.h>
#include <glib.h>

#include "app/bridge.h"
#include "app/scenario.h"
#include "nodes/gateway_node.h"

#define BRIDGE_TEST_SCENARIO                                                                       \
    "nodes:\n"                                                                                     \
    "  - {name: msa.a.test, role: msa, ip: 10.0.0.2, auth: {required: true, max_failures: 5,"      \
    " failure_delay: 250ms}}\n"                                                                    \
    "  - {name: ms.a.test, role: ms, ip: 10.0.0.3}\n"                                              \
    "  - {name: gw.a.test, role: gateway, ip: 10.0.0.4, connect: 'mail.example:2525'}\n"       \
    "  - {name: pc.a.test, role: mua, ip: 10.0.0.9, user: u@a.test, msa: msa.a.test}\n"

static void
test_services(void)
{
    const BridgeService *sub = bridge_service_find("submission");
    g_assert_nonnull(sub);
    g_assert_true(bridge_service_for_role(SPEC_ROLE_MSA) == sub);
    g_assert_true(bridge_service_for_role(SPEC_ROLE_GATEWAY) == bridge_service_find("smtp"));
    g_assert_true(bridge_service_for_role(SPEC_ROLE_MS) == bridge_service_find("POP3"));
    g_assert_null(bridge_service_for_role(SPEC_ROLE_MUA));
    g_assert_null(bridge_service_find("gopher"));
    g_autoptr(NodeSpec) n = node_spec_new(SPEC_ROLE_MSA);
    g_assert_cmpuint(sub->port(n), ==, 587); /* RFC 6409 3.1 */
    n->pop3_port = 1110;
    g_assert_cmpuint(bridge_service_find("pop3")->port(n), ==, 1110);
    /* The busy lines are replies of their protocol: 421 (RFC 5321 4.2.3), -ERR. */
    g_assert_true(g_str_has_prefix(sub->busy, "421 "));
    g_assert_true(g_str_has_prefix(bridge_service_find("pop3")->busy, "-ERR "));
    g_assert_true(g_str_has_suffix(sub->busy, "\r\n"));
}

/* A webmail node offers http or https, by its `https` key (RFC 9110 4.2). */
static void
test_web_services(void)
{
    const BridgeService *http = bridge_service_find("http");
    const BridgeService *https = bridge_service_find("HTTPS");
    g_assert_nonnull(http);
    g_assert_nonnull(https);
    g_autoptr(NodeSpec) web = node_spec_new(SPEC_ROLE_WEBMAIL);
    g_assert_true(bridge_service_for_node(web) == http);
    g_assert_true(bridge_service_offered(http, web));
    g_assert_false(bridge_service_offered(https, web));
    g_assert_cmpuint(http->port(web), ==, 80);
    web->https = TRUE;
    g_assert_true(bridge_service_for_node(web) == https);
    g_assert_false(bridge_service_offered(http, web));
    g_assert_cmpuint(https->port(web), ==, 443);
    web->http_port = 8443;
    g_assert_cmpuint(https->port(web), ==, 8443);
    /* The busy answer is an HTTP response (RFC 9110 15.6.4); none in clear
     * to a client that speaks TLS first. */
    g_assert_true(g_str_has_prefix(http->busy, "HTTP/1.1 503 "));
    g_assert_true(g_str_has_suffix(http->busy, "\r\n\r\n"));
    g_assert_null(https->busy);
    /* Other services stay open to any node; other roles have no default. */
    g_autoptr(NodeSpec) ms = node_spec_new(SPEC_ROLE_MS);
    g_assert_true(bridge_service_for_node(ms) == bridge_service_find("pop3"));
    g_assert_false(bridge_service_offered(http, ms));
    g_autoptr(NodeSpec) mua = node_spec_new(SPEC_ROLE_MUA);
    g_assert_null(bridge_service_for_node(mua));
}

/* Every service a node listens on (the :all of --listen), in table order:
 * a store takes deliveries (smtp) and serves pop3; an msa only submission. */
static void
test_services_of_node(void)
{
    const BridgeService *out[BRIDGE_SERVICES_MAX];
    g_autoptr(NodeSpec) ms = node_spec_new(SPEC_ROLE_MS);
    g_assert_cmpuint(bridge_services_of_node(ms, out, BRIDGE_SERVICES_MAX), ==, 2);
    g_assert_cmpstr(out[0]->name, ==, "smtp");
    g_assert_cmpstr(out[1]->name, ==, "pop3");
    g_assert_cmpuint(bridge_services_of_node(ms, out, 1), ==, 1);
    g_autoptr(NodeSpec) msa = node_spec_new(SPEC_ROLE_MSA);
    g_assert_cmpuint(bridge_services_of_node(msa, out, BRIDGE_SERVICES_MAX), ==, 1);
    g_assert_cmpstr(out[0]->name, ==, "submission");
    g_assert_false(bridge_service_offered(bridge_service_find("smtp"), msa));
    g_autoptr(NodeSpec) gw = node_spec_new(SPEC_ROLE_GATEWAY);
    g_assert_cmpuint(bridge_services_of_node(gw, out, BRIDGE_SERVICES_MAX), ==, 1);
    g_assert_cmpstr(out[0]->name, ==, "smtp");
    g_autoptr(NodeSpec) dns = node_spec_new(SPEC_ROLE_DNS);
    g_assert_cmpuint(bridge_services_of_node(dns, out, BRIDGE_SERVICES_MAX), ==, 0);
}

static void
test_gateway_keys(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(WorldSpec) s = scenario_load_string(BRIDGE_TEST_SCENARIO, "t.yaml", &error);
    g_assert_no_error(error);
    NodeSpec *gw = world_spec_find_node(s, "gw.a.test");
    g_assert_cmpint(gw->role, ==, SPEC_ROLE_GATEWAY);
    g_assert_cmpstr(gw->connect, ==, "mail.example:2525");
    NodeSpec *msa = world_spec_find_node(s, "msa.a.test");
    g_assert_cmpuint(msa->auth.max_failures, ==, 5);
    g_assert_cmpint(msa->auth.failure_delay, ==, 250000);
    g_assert_cmpuint(world_spec_find_node(s, "ms.a.test")->auth.max_failures, ==, 3);

    g_autoptr(World) w = world_new(s, NULL, FALSE, 0, &error);
    g_assert_no_error(error);
    SimHost *peer = world_gateway_peer(w, "gw.a.test");
    g_assert_nonnull(peer);
    g_assert_cmpstr(sim_host_name(peer), ==, "mail.example:2525");
    /* RFC 2544: the stand-in lives in 198.18.0.0/15. */
    g_assert_cmphex(sim_host_address(peer) & 0xFFFE0000u, ==, 0xC6120000u);
    g_assert_null(world_gateway_peer(w, "msa.a.test"));

    g_clear_error(&error);
    g_autoptr(WorldSpec) bad = scenario_load_string(
        "nodes:\n  - {name: gw, role: gateway, ip: 10.0.0.4, connect: nowhere}\n", "t.yaml",
        &error);
    g_assert_null(bad);
    g_assert_nonnull(strstr(error->message, "'connect' must be HOST:PORT"));
    g_clear_error(&error);
    g_autoptr(WorldSpec) none = scenario_load_string(
        "nodes:\n  - {name: gw, role: gateway, ip: 10.0.0.4}\n", "t.yaml", &error);
    g_assert_null(none);
    g_assert_nonnull(strstr(error->message, "connect"));
}

/* Reads from sock until a line starting with prefix arrives, running the
 * main loop meanwhile (the bridge lives in it). */
static char *
bridge_test_read_line(GSocket *sock, GString *buf, const char *prefix)
{
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (g_get_monotonic_time() < deadline) {
        char *nl = strstr(buf->str, "\r\n");
        if (nl != NULL) {
            char *line = g_strndup(buf->str, (gsize)(nl - buf->str));
            g_string_erase(buf, 0, nl + 2 - buf->str);
            if (g_str_has_prefix(line, prefix))
                return line;
            g_free(line);
            continue;
        }
        g_main_context_iteration(NULL, FALSE);
        char tmp[512];
        gssize n = g_socket_receive(sock, tmp, sizeof tmp, NULL, NULL);
        if (n > 0)
            g_string_append_len(buf, tmp, n);
        else if (n == 0)
            return NULL;
        else
            g_usleep(1000);
    }
    return NULL;
}

/* One real session to the MSA through a listener whose clients appear
 * from `from` (NULL: the host "bridge", at 192.0.2.77): the node sees
 * them at want_ip. */
static void
loopback_session(const char *from, const char *want_ip)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(WorldSpec) s = scenario_load_string(BRIDGE_TEST_SCENARIO, "t.yaml", &error);
    g_assert_no_error(error);
    SimTrace *trace = sim_trace_new();
    sim_trace_keep_records(trace);
    g_autoptr(World) w = world_new(s, trace, FALSE, 0, &error);
    g_assert_no_error(error);
    g_autoptr(Bridge) b = bridge_new(w, 10.0, "192.0.2.77", NULL, &error);
    g_assert_no_error(error);
    g_autofree char *bound = NULL;
    g_assert_true(bridge_listen(b, "127.0.0.1:0", "msa.a.test", bridge_service_find("submission"),
                                from, &bound, &error));
    g_assert_no_error(error);
    bridge_start(b);

    g_autoptr(GSocketAddress) sa = g_inet_socket_address_new_from_string(
        "127.0.0.1", (guint)g_ascii_strtoull(strrchr(bound, ':') + 1, NULL, 10));
    g_autoptr(GSocket) sock =
        g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
    g_assert_true(g_socket_connect(sock, sa, NULL, &error));
    g_socket_set_blocking(sock, FALSE);
    g_autoptr(GString) buf = g_string_new(NULL);
    g_autofree char *greeting = bridge_test_read_line(sock, buf, "220");
    g_assert_nonnull(greeting);
    g_assert_nonnull(strstr(greeting, "msa.a.test"));
    g_assert_cmpint(g_socket_send(sock, "QUIT\r\n", 6, NULL, NULL), ==, 6);
    g_autofree char *bye = bridge_test_read_line(sock, buf, "221");
    g_assert_nonnull(bye);
    g_assert_null(bridge_test_read_line(sock, buf, "-")); /* then EOF */
    g_socket_close(sock, NULL);
    gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    while (bridge_n_conns(b) > 0 && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, FALSE);
    g_assert_cmpuint(bridge_n_conns(b), ==, 0);

    /* The simulated side saw the client come from the host asked for. */
    bridge_sync(b);
    gboolean accepted = FALSE, closed = FALSE, quit = FALSE, seen = FALSE;
    for (guint i = 0; i < sim_trace_n_records(trace); i++) {
        const SimTraceRec *r = sim_trace_record(trace, i);
        const char *ev = sim_trace_rec_ev(r);
        if (strcmp(ev, "bridge.accept") == 0) {
            accepted = g_strcmp0(sim_trace_rec_get_str(r, "service"), "submission") == 0;
            g_assert_cmpstr(sim_trace_rec_get_str(r, "from"), ==, from);
        }
        if (strcmp(ev, "bridge.close") == 0)
            closed = g_strcmp0(sim_trace_rec_get_str(r, "reason"), "done") == 0;
        if (strcmp(ev, "conn.accept") == 0) {
            g_assert_cmpstr(sim_trace_rec_get_str(r, "ip"), ==, want_ip);
            seen = TRUE;
        }
        if (strcmp(ev, "smtp.cmd") == 0)
            quit = g_strcmp0(sim_trace_rec_get_str(r, "line"), "QUIT") == 0;
    }
    g_assert_true(accepted);
    g_assert_true(closed);
    g_assert_true(quit);
    g_assert_true(seen);
}

static void
test_loopback_session(void)
{
    loopback_session(NULL, "192.0.2.77");
}

/* `--listen PORT=NODE@FROM`: the real client sits at a simulated node. */
static void
test_loopback_from(void)
{
    loopback_session("pc.a.test", "10.0.0.9");
}

static void
test_listen_from_errors(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(WorldSpec) s = scenario_load_string(BRIDGE_TEST_SCENARIO, "t.yaml", &error);
    g_assert_no_error(error);
    g_autoptr(World) w = world_new(s, NULL, FALSE, 0, &error);
    g_assert_no_error(error);
    g_autoptr(Bridge) b = bridge_new(w, 10.0, "192.0.2.77", NULL, &error);
    g_assert_no_error(error);
    g_autofree char *bound = NULL;
    const BridgeService *sub = bridge_service_find("submission");
    g_assert_false(bridge_listen(b, "127.0.0.1:0", "msa.a.test", sub, "nobody", &bound, &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_assert_cmpstr(error->message, ==, "no node 'nobody' in the scenario");
    g_clear_error(&error);
    g_assert_false(
        bridge_listen(b, "127.0.0.1:0", "msa.a.test", sub, "msa.a.test", &bound, &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_assert_null(bound);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/app/bridge/services", test_services);
    g_test_add_func("/app/bridge/web-services", test_web_services);
    g_test_add_func("/app/bridge/services-of-node", test_services_of_node);
    g_test_add_func("/app/bridge/gateway-keys", test_gateway_keys);
    g_test_add_func("/app/bridge/loopback", test_loopback_session);
    g_test_add_func("/app/bridge/loopback-from", test_loopback_from);
    g_test_add_func("/app/bridge/listen-from-errors", test_listen_from_errors);
    return g_test_run();
}
