/* SPDX-License-Identifier: MIT
 * Tests for the scenario loader's webmail keys: the webmail and browser
 * roles (msa, ms, auth, https, http_port; user, password, webmail,
 * https), HTTPS turning on the TLS levels it needs, the webmail_send and
 * webmail_read events with their role checks, fetched_by naming a
 * browser or a webmail server, and the example scenarios loading.
 */
#include <string.h>

#include <glib.h>

#include "app/scenario.h"
#include "common/test_yaml.h"

#define WEB_NODES                                                                                  \
    "nodes:\n"                                                                                     \
    "  - {name: b1, role: browser, ip: 10.0.0.1, user: a@a.test, webmail: web, https: true}\n"     \
    "  - {name: b2, role: browser, ip: 10.0.0.5, user: b@a.test, password: pw, webmail: web}\n"    \
    "  - {name: web, role: webmail, ip: 10.0.0.4, msa: msa.a.test, https: true,\n"                 \
    "     http_port: 8443, auth: LOGIN}\n"                                                         \
    "  - {name: a-pc, role: mua, ip: 10.0.0.6, user: c@a.test, msa: msa.a.test}\n"                 \
    "  - {name: msa.a.test, role: msa, ip: 10.0.0.2}\n"                                            \
    "  - {name: ms.a.test, role: ms, ip: 10.0.0.3}\n"

static WorldSpec *
load(const char *text, GError **error)
{
    return scenario_load_string(text, "t.yaml", error);
}

static void
expect_error(const char *text, const char *message)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(WorldSpec) s = load(text, &error);
    g_assert_null(s);
    g_assert_nonnull(error);
    if (g_strcmp0(error->message, message) != 0)
        g_printerr("got:  %s\nwant: %s\n", error->message, message);
    g_assert_cmpstr(error->message, ==, message);
}

static void
test_nodes(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(WorldSpec) s = load(WEB_NODES, &error);
    g_assert_no_error(error);
    NodeSpec *b1 = world_spec_find_node(s, "b1");
    g_assert_cmpint(b1->role, ==, SPEC_ROLE_BROWSER);
    g_assert_cmpstr(b1->webmail, ==, "web");
    g_assert_true(b1->https);
    g_assert_cmpint(b1->tls.client, ==, SPEC_TLS_VERIFY); /* RFC 2818 3.1 */
    NodeSpec *b2 = world_spec_find_node(s, "b2");
    g_assert_false(b2->https);
    g_assert_cmpint(b2->tls.client, ==, SPEC_TLS_NONE);
    g_assert_cmpstr(b2->password, ==, "pw");
    NodeSpec *web = world_spec_find_node(s, "web");
    g_assert_cmpint(web->role, ==, SPEC_ROLE_WEBMAIL);
    g_assert_cmpstr(web->msa, ==, "msa.a.test");
    g_assert_cmpuint(web->http_port, ==, 8443);
    g_assert_cmpstr(web->auth.mechanism, ==, "LOGIN");
    g_assert_cmpint(web->tls.server, ==, SPEC_TLS_MAY);
}

static void
test_events(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(WorldSpec) s = load(WEB_NODES "events:\n"
                                            "  - {at: 1s, webmail_send: {from: b1, to: [b@a.test], "
                                            "bcc: [c@a.test], subject: S, body: B, id: w1}}\n"
                                            "  - {at: 2s, webmail_read: {by: b2}}\n"
                                            "expect:\n"
                                            "  - {message: w1, fetched_by: b2}\n"
                                            "  - {message: w1, fetched_by: web}\n",
                                  &error);
    g_assert_no_error(error);
    g_assert_cmpuint(s->events->len, ==, 2);
    const EventSpec *e0 = s->events->pdata[0], *e1 = s->events->pdata[1];
    g_assert_cmpint(e0->kind, ==, SPEC_EVENT_WEBMAIL_SEND);
    g_assert_cmpstr(e0->send.from, ==, "b1");
    g_assert_cmpstr(e0->send.to[0], ==, "b@a.test");
    g_assert_cmpstr(e0->send.bcc[0], ==, "c@a.test");
    g_assert_cmpstr(e0->send.id, ==, "w1");
    g_assert_cmpint(e1->kind, ==, SPEC_EVENT_WEBMAIL_READ);
    g_assert_cmpstr(e1->fetch.by, ==, "b2");
    g_assert_cmpstr(spec_event_kind_name(e0->kind), ==, "webmail_send");
    g_assert_cmpstr(spec_event_kind_name(e1->kind), ==, "webmail_read");
}

static void
test_errors(void)
{
    expect_error(WEB_NODES "events:\n  - {at: 1s, webmail_send: {from: a-pc, to: [b@a.test]}}\n",
                 "t.yaml:10:35: node 'a-pc' in 'from' is a mua, not a browser");
    expect_error(WEB_NODES "events:\n  - {at: 1s, webmail_read: {by: web}}\n",
                 "t.yaml:10:33: node 'web' in 'by' is a webmail, not a browser");
    expect_error(WEB_NODES "events:\n  - {at: 1s, webmail_send: {from: b1}}\n",
                 "t.yaml:10:28: send needs at least one recipient in 'to', 'cc' or 'bcc'");
    expect_error("nodes:\n  - {name: b, role: browser, ip: 10.0.0.1, user: a@a.test}\n",
                 "t.yaml:2:5: missing required key 'webmail' in node 'b'");
    expect_error("nodes:\n  - {name: b, role: browser, ip: 10.0.0.1, user: a@a.test, webmail: m}\n"
                 "  - {name: m, role: ms, ip: 10.0.0.2}\n",
                 "t.yaml:2:69: node 'm' in 'webmail' is a ms, not a webmail");
    /* fetched_by still refuses a node that cannot read mail. */
    expect_error(WEB_NODES "expect:\n  - {message: w1, fetched_by: msa.a.test}\n",
                 "t.yaml:10:31: node 'msa.a.test' in 'fetched_by' is a msa, not a mua");
}

static void
test_examples_load(void)
{
    const char *files[] = {"tests/scenarios/webmail/webmail.yaml",
                           "tests/scenarios/webmail/webmail-https.yaml"};
    for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *path = test_source_path(files[i]);
        g_autoptr(GError) error = NULL;
        g_autoptr(WorldSpec) s = scenario_load(path, &error);
        g_assert_no_error(error);
        g_assert_nonnull(world_spec_find_node(s, "web.example.com"));
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/app/scenario-webmail/nodes", test_nodes);
    g_test_add_func("/app/scenario-webmail/events", test_events);
    g_test_add_func("/app/scenario-webmail/errors", test_errors);
    g_test_add_func("/app/scenario-webmail/examples", test_examples_load);
    return g_test_run();
}
