/* SPDX-License-Identifier: MIT
 * Tests for viz/ with HTTP sessions: http.request (at the server) and
 * http.response (at the client) records become the commands and replies
 * of a session, drawn in the sequence view under an "HTTP" or "HTTPS"
 * title, in time order, with the status colour of its class.
 */
#include <string.h>

#include <glib.h>

#include "viz/sequence.h"
#include "viz/trace_reader.h"

static void
http_rec(SimTrace *tr, SimTime t, const char *ev, const char *node, const char *peer,
         const char *key, const char *value, gint64 code, gboolean tls)
{
    SimTraceRec *r = sim_trace_begin(tr, t, ev, node);
    sim_trace_int(r, "conn", 7);
    sim_trace_str(r, "peer", peer);
    if (code)
        sim_trace_int(r, "code", code);
    sim_trace_str(r, key, value);
    sim_trace_bool(r, "tls", tls);
    sim_trace_end(r);
}

static char *
render(gboolean tls)
{
    g_autoptr(SimTrace) tr = sim_trace_new();
    sim_trace_keep_records(tr);
    SimTraceRec *r = sim_trace_begin(tr, 1000000, "conn.open", "browser");
    sim_trace_int(r, "conn", 7);
    sim_trace_str(r, "peer", "web");
    sim_trace_int(r, "port", tls ? 443 : 80);
    sim_trace_end(r);
    http_rec(tr, 1100000, "http.request", "web", "browser", "line", "POST /login HTTP/1.1", 0, tls);
    http_rec(tr, 1200000, "http.response", "browser", "web", "text", "See Other", 303, tls);
    http_rec(tr, 1300000, "http.request", "web", "browser", "line", "GET /message/9 HTTP/1.1", 0,
             tls);
    http_rec(tr, 1400000, "http.response", "browser", "web", "text", "Not Found", 404, tls);
    g_autoptr(VizTrace) vt = viz_trace_new_from_sim(tr);
    const VizSession *s = viz_trace_find_session(vt, 7);
    g_assert_nonnull(s);
    g_assert_cmpstr(s->client, ==, "browser");
    g_assert_cmpstr(s->server, ==, "web");
    g_assert_cmpstr(s->proto, ==, tls ? "HTTPS" : "HTTP");
    g_assert_cmpuint(s->lines->len, ==, 4);
    g_autoptr(GBytes) b = viz_sequence_render(s);
    return g_strndup(g_bytes_get_data(b, NULL), g_bytes_get_size(b));
}

static void
test_sequence_http(void)
{
    g_autofree char *svg = render(FALSE);
    g_assert_nonnull(strstr(svg, ">HTTP session 7 (port 80)<"));
    const char *login = strstr(svg, ">POST /login HTTP/1.1<");
    const char *see = strstr(svg, ">303 See Other<");
    const char *get = strstr(svg, ">GET /message/9 HTTP/1.1<");
    const char *nf = strstr(svg, ">404 Not Found<");
    g_assert_true(login && see && get && nf);
    g_assert_true(login < see && see < get && get < nf);
    /* 4xx is drawn in the colour of its class (#d2691e), 3xx as success. */
    g_assert_nonnull(strstr(svg, "fill=\"#d2691e\" font-family=\"monospace\">404 Not Found<"));
    g_assert_nonnull(strstr(svg, "fill=\"#2e8b57\" font-family=\"monospace\">303 See Other<"));
}

static void
test_sequence_https(void)
{
    g_autofree char *svg = render(TRUE);
    g_assert_nonnull(strstr(svg, ">HTTPS session 7 (port 443)<"));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/app/viz/sequence/http", test_sequence_http);
    g_test_add_func("/app/viz/sequence/https", test_sequence_https);
    return g_test_run();
}
