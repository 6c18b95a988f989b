/* SPDX-License-Identifier: MIT
 * Tests for viz/: the trace model (roles inferred and from node.info, hop
 * senders found through conn.open, a server-side refusal attributed
 * through its RCPT TO, protocols from msg.accept or the greeting verb,
 * DSNs), the same model from memory and from JSON Lines, parse errors
 * with FILE:LINE, the overview's merged edges, the sequence view's XML
 * escaping, output formats and the PDF date pinned for repeatable bytes.
 */
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "viz/path_diagram.h"
#include "viz/sequence.h"
#include "viz/trace_reader.h"
#include "viz/viz_graph.h"

#if defined(__SANITIZE_ADDRESS__)
/* Pango and GLib, built without frame pointers, leave leak stacks too
 * short for the Graphviz suppressions in viz/viz_graph.c to match. */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
    return "fast_unwind_on_malloc=0";
}
#endif

/* ---- a hand-made trace ---- */

static SimTraceRec *
rec(SimTrace *tr, SimTime t, const char *ev, const char *node)
{
    return sim_trace_begin(tr, t, ev, node);
}

static void
conn_open(SimTrace *tr, SimTime t, const char *node, gint64 conn, const char *peer, gint64 port,
          const char *msg)
{
    SimTraceRec *r = rec(tr, t, "conn.open", node);
    sim_trace_int(r, "conn", conn);
    sim_trace_str(r, "peer", peer);
    sim_trace_int(r, "port", port);
    if (msg)
        sim_trace_str(r, "msg", msg);
    sim_trace_end(r);
}

static void
smtp_cmd(SimTrace *tr, SimTime t, const char *server, gint64 conn, const char *line)
{
    SimTraceRec *r = rec(tr, t, "smtp.cmd", server);
    sim_trace_int(r, "conn", conn);
    sim_trace_str(r, "line", line);
    sim_trace_end(r);
}

static void
msg_ev(SimTrace *tr, SimTime t, const char *ev, const char *node, const char *msg, const char *key,
       const char *value)
{
    SimTraceRec *r = rec(tr, t, ev, node);
    sim_trace_str(r, "msg", msg);
    if (key)
        sim_trace_str(r, key, value);
    sim_trace_end(r);
}

/* ua submits x1 to sub (587, ESMTPA); sub relays to relay with HELO,
 * which refuses bad@far and accepts ok@far; relay delivers to store over
 * LMTP and bounces bad@far with a DSN. */
static void
build_trace(SimTrace *tr)
{
    SimTraceRec *r = rec(tr, 1000000, "msg.submit", "ua");
    sim_trace_str(r, "msg", "x1");
    sim_trace_str(r, "from", "a@d");
    sim_trace_str(r, "msa", "sub");
    sim_trace_end(r);
    conn_open(tr, 1000000, "ua", 1, "sub", 587, "x1");
    r = rec(tr, 1100000, "conn.accept", "sub");
    sim_trace_int(r, "conn", 1);
    sim_trace_str(r, "peer", "ua");
    sim_trace_int(r, "port", 587);
    sim_trace_end(r);
    r = rec(tr, 1200000, "smtp.reply", "ua");
    sim_trace_int(r, "conn", 1);
    sim_trace_str(r, "peer", "sub");
    sim_trace_int(r, "code", 220);
    sim_trace_str(r, "text", "sub ESMTP");
    sim_trace_end(r);
    smtp_cmd(tr, 1300000, "sub", 1, "EHLO ua");
    msg_ev(tr, 1500000, "msg.accept", "sub", "x1", "proto", "ESMTPA");
    conn_open(tr, 1500000, "sub", 2, "relay", 25, "x1");
    smtp_cmd(tr, 1600000, "relay", 2, "HELO sub");
    smtp_cmd(tr, 1700000, "relay", 2, "RCPT TO:<Bad@Far>");
    r = rec(tr, 1700000, "msg.reject", "relay");
    sim_trace_str(r, "rcpt", "bad@far");
    sim_trace_int(r, "code", 550);
    sim_trace_str(r, "reason", "no relay");
    sim_trace_end(r);
    smtp_cmd(tr, 1800000, "relay", 2, "RCPT TO:<ok@far>");
    msg_ev(tr, 2000000, "msg.accept", "relay", "x1", "proto", "SMTP");
    conn_open(tr, 2000000, "relay", 3, "store", 25, "x1");
    smtp_cmd(tr, 2100000, "store", 3, "LHLO relay");
    msg_ev(tr, 2200000, "msg.deliver", "store", "x1", "rcpt", "ok@far");
    msg_ev(tr, 2300000, "msg.bounce", "relay", "x1", "rcpt", "bad@far");
    r = rec(tr, 2300000, "msg.dsn", "relay");
    sim_trace_str(r, "msg", "x1.dsn");
    sim_trace_str(r, "about", "x1");
    sim_trace_str(r, "to", "a@d");
    sim_trace_end(r);
    r = rec(tr, 2300000, "dns.query", "relay");
    sim_trace_str(r, "server", "ns1");
    sim_trace_end(r);
    r = rec(tr, 2400000, "node.info", "ns1");
    sim_trace_str(r, "role", "webmail");
    sim_trace_end(r);
}

static VizTrace *
model_from_memory(GString *jsonl)
{
    g_autoptr(SimTrace) tr = sim_trace_new();
    sim_trace_keep_records(tr);
    if (jsonl)
        sim_trace_add_jsonl_string(tr, jsonl);
    build_trace(tr);
    return viz_trace_new_from_sim(tr);
}

/* The model as text, to compare two models and to read failures. */
static char *
model_summary(const VizTrace *vt)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < viz_trace_n_nodes(vt); i++) {
        const VizNode *n = viz_trace_node(vt, i);
        g_string_append_printf(s, "node %s %s\n", n->name, viz_role_name(n->role));
    }
    for (guint i = 0; i < viz_trace_n_messages(vt); i++) {
        const VizMessage *m = viz_trace_message(vt, i);
        g_string_append_printf(s, "msg %s about=%s\n", m->id, m->about ? m->about : "-");
        for (guint j = 0; j < m->hops->len; j++) {
            const VizHop *h = m->hops->pdata[j];
            g_string_append_printf(
                s, " %" G_GINT64_FORMAT " %s %s<-%s [%s] %s c%" G_GINT64_FORMAT "\n", h->t,
                viz_hop_action_name(h->action), h->node, h->from ? h->from : "-", h->proto,
                h->detail, h->conn);
        }
    }
    for (guint i = 0; i < viz_trace_n_sessions(vt); i++) {
        const VizSession *ss = viz_trace_session(vt, i);
        g_string_append_printf(s, "session %" G_GINT64_FORMAT " %s->%s :%d %s lines=%u\n", ss->conn,
                               ss->client, ss->server ? ss->server : "-", ss->port,
                               ss->msg ? ss->msg : "-", ss->lines->len);
    }
    return g_string_free(s, FALSE);
}

/* ---- model ---- */

static void
test_model_roles(void)
{
    g_autoptr(VizTrace) vt = model_from_memory(NULL);
    static const char *const want[][2] = {
        {"ua", "mua"}, {"sub", "msa"}, {"relay", "mta"}, {"store", "ms"}, {"ns1", "other"},
    };
    g_assert_cmpuint(viz_trace_n_nodes(vt), ==, G_N_ELEMENTS(want));
    for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
        const VizNode *n = viz_trace_node(vt, i);
        g_assert_cmpstr(n->name, ==, want[i][0]);
        g_assert_cmpstr(viz_role_name(n->role), ==, want[i][1]);
    }
    g_assert_true(viz_trace_find_node(vt, "ns1")->role_explicit);
    g_assert_false(viz_trace_find_node(vt, "ua")->role_explicit);
    g_assert_null(viz_trace_find_node(vt, "nobody"));
}

static void
test_model_hops(void)
{
    g_autoptr(VizTrace) vt = model_from_memory(NULL);
    const VizMessage *m = viz_trace_find_message(vt, "x1");
    g_assert_nonnull(m);
    g_assert_null(m->about);
    g_assert_cmpuint(m->hops->len, ==, 6);
    static const struct {
        VizHopAction action;
        const char *node, *from, *proto, *detail;
        gint64 conn;
    } want[] = {
        {VIZ_HOP_SUBMIT, "ua", NULL, "", "a@d", -1},
        {VIZ_HOP_ACCEPT, "sub", "ua", "ESMTPA", "", 1},
        /* refused at RCPT (RFC 5321 4.1.1.3): found through conn 2's RCPT */
        {VIZ_HOP_REJECT, "relay", "sub", "SMTP", "550 no relay (bad@far)", 2},
        {VIZ_HOP_ACCEPT, "relay", "sub", "SMTP", "", 2},
        /* no proto field: the greeting verb LHLO says LMTP (RFC 2033 4.1) */
        {VIZ_HOP_DELIVER, "store", "relay", "LMTP", "ok@far", 3},
        {VIZ_HOP_BOUNCE, "relay", NULL, "", "", -1},
    };
    for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
        const VizHop *h = m->hops->pdata[i];
        g_assert_cmpint(h->action, ==, want[i].action);
        g_assert_cmpstr(h->node, ==, want[i].node);
        g_assert_cmpstr(h->from, ==, want[i].from);
        g_assert_cmpstr(h->proto, ==, want[i].proto);
        g_assert_cmpstr(h->detail, ==, want[i].detail);
        g_assert_cmpint(h->conn, ==, want[i].conn);
    }
    g_assert_cmpint(((const VizHop *)m->hops->pdata[1])->t, ==, 1500000);
    g_assert_cmpuint(viz_message_n_edges(m), ==, 4);
    const VizMessage *d = viz_trace_find_message(vt, "x1.dsn");
    g_assert_nonnull(d);
    g_assert_cmpstr(d->about, ==, "x1");
    g_assert_null(viz_trace_find_message(vt, "x2"));
}

static void
test_model_sessions(void)
{
    g_autoptr(VizTrace) vt = model_from_memory(NULL);
    g_assert_cmpuint(viz_trace_n_sessions(vt), ==, 3);
    const VizSession *s = viz_trace_find_session(vt, 1);
    g_assert_cmpstr(s->client, ==, "ua");
    g_assert_cmpstr(s->server, ==, "sub");
    g_assert_cmpint(s->port, ==, 587);
    g_assert_cmpstr(s->msg, ==, "x1");
    g_assert_cmpuint(s->lines->len, ==, 3);
    const VizLine *l = s->lines->pdata[0];
    g_assert_cmpint(l->kind, ==, VIZ_LINE_OPEN);
    l = s->lines->pdata[1];
    g_assert_cmpint(l->kind, ==, VIZ_LINE_REPLY);
    g_assert_cmpint(l->code, ==, 220);
    g_assert_cmpstr(l->text, ==, "sub ESMTP");
    l = s->lines->pdata[2];
    g_assert_cmpint(l->kind, ==, VIZ_LINE_CMD);
    g_assert_cmpstr(l->text, ==, "EHLO ua");
    g_assert_cmpint(l->t, ==, 1300000);
    g_assert_null(viz_trace_find_session(vt, 42));
}

/* ---- JSON Lines ---- */

static char *
write_temp(const char *text)
{
    g_autoptr(GError) error = NULL;
    char *path = NULL;
    int fd = g_file_open_tmp("viz-XXXXXX.jsonl", &path, &error);
    g_assert_no_error(error);
    close(fd);
    g_file_set_contents(path, text, -1, &error);
    g_assert_no_error(error);
    return path;
}

static void
test_jsonl_same_model(void)
{
    g_autoptr(GString) jsonl = g_string_new(NULL);
    g_autoptr(VizTrace) mem = model_from_memory(jsonl);
    g_assert_cmpuint(jsonl->len, >, 0);
    g_string_append(jsonl, "\n\n"); /* blank lines are skipped */
    g_autofree char *path = write_temp(jsonl->str);
    g_autoptr(GError) error = NULL;
    g_autoptr(VizTrace) file = viz_trace_load_file(path, &error);
    g_unlink(path);
    g_assert_no_error(error);
    g_autofree char *a = model_summary(mem), *b = model_summary(file);
    g_assert_cmpstr(a, ==, b);
}

static void
test_jsonl_errors(void)
{
    static const char *const bad[] = {
        "{\"t\":1.000000,\"ev\":\"x\",\"node\":\"a\"}\n{\"t\":2.000000,\"node\":\"a\"}\n",
        "{\"t\":1.000000,\"ev\":\"x\",\"node\":\"a\"}\nnot json\n",
        "{\"t\":1.000000,\"ev\":\"x\",\"node\":\"a\"}\n[1,2]\n",
        "{\"t\":1.000000,\"ev\":\"x\",\"node\":\"a\"}\n{\"t\":\"1\",\"ev\":\"x\"}\n",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *path = write_temp(bad[i]);
        g_autoptr(GError) error = NULL;
        g_autoptr(VizTrace) vt = viz_trace_load_file(path, &error);
        g_unlink(path);
        g_assert_null(vt);
        g_assert_error(error, VIZ_ERROR, VIZ_ERROR_PARSE);
        g_autofree char *where = g_strdup_printf("%s:2: ", path);
        g_assert_true(g_str_has_prefix(error->message, where));
    }
    g_autoptr(GError) error = NULL;
    g_assert_null(viz_trace_load_file("/nonexistent/viz.jsonl", &error));
    g_assert_error(error, VIZ_ERROR, VIZ_ERROR_IO);
}

/* A node of null (DESIGN 6) and t with six decimals read exactly. */
static void
test_jsonl_null_node_and_time(void)
{
    g_autofree char *path =
        write_temp("{\"t\":12345.678901,\"ev\":\"msg.submit\",\"node\":\"ua\",\"msg\":\"m\"}\n"
                   "{\"t\":3,\"ev\":\"fault\",\"node\":null,\"what\":{\"x\":1},\"n\":1.5}\n");
    g_autoptr(GError) error = NULL;
    g_autoptr(VizTrace) vt = viz_trace_load_file(path, &error);
    g_unlink(path);
    g_assert_no_error(error);
    g_assert_cmpuint(viz_trace_n_nodes(vt), ==, 1);
    const VizMessage *m = viz_trace_find_message(vt, "m");
    g_assert_cmpint(((const VizHop *)m->hops->pdata[0])->t, ==, G_GINT64_CONSTANT(12345678901));
}

/* ---- diagrams ---- */

static char *
render_text(VizGraph *g, VizFormat fmt)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) b = viz_graph_render(g, fmt, &error);
    g_assert_no_error(error);
    gsize len;
    const char *data = g_bytes_get_data(b, &len);
    return g_strndup(data, len);
}

static guint
count_substr(const char *s, const char *needle)
{
    guint n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void
test_path_dot(void)
{
    g_autoptr(VizTrace) vt = model_from_memory(NULL);
    const char *ids[] = {"x1"};
    g_autoptr(GError) error = NULL;
    g_autoptr(VizGraph) g = viz_path_graph(vt, ids, 1, &error);
    g_assert_no_error(error);
    g_autofree char *dot = render_text(g, VIZ_FORMAT_DOT);
    /* 4 hops of x1 and the DSN's single node (no edge): 4 edges */
    g_assert_cmpuint(count_substr(dot, " -> "), ==, 4);
    g_assert_nonnull(strstr(dot, "label=\"1: 1.500000s ESMTPA\""));
    g_assert_nonnull(strstr(dot, "2: 1.700000s refused 550 no relay (bad@far)"));
    g_assert_nonnull(strstr(dot, "label=\"4: 2.200000s LMTP\""));
    g_assert_nonnull(strstr(dot, "shape=cylinder"));
    g_assert_nonnull(strstr(dot, "mhs_legend")); /* a refusal is explained */

    const char *unknown[] = {"x1", "nope"};
    g_autoptr(VizGraph) none = viz_path_graph(vt, unknown, 2, &error);
    g_assert_null(none);
    g_assert_error(error, VIZ_ERROR, VIZ_ERROR_NOT_FOUND);
    g_assert_nonnull(strstr(error->message, "'nope'"));
}

/* Two messages over the same hops: one merged edge per hop, counted. */
static void
test_overview_merges(void)
{
    g_autoptr(SimTrace) tr = sim_trace_new();
    sim_trace_keep_records(tr);
    for (int i = 0; i < 2; i++) {
        const char *id = i ? "b" : "a";
        msg_ev(tr, 1, "msg.submit", "ua", id, NULL, NULL);
        conn_open(tr, 1, "ua", 10 + i, "sub", 587, id);
        msg_ev(tr, 2, "msg.accept", "sub", id, "proto", "ESMTP");
    }
    msg_ev(tr, 3, "msg.submit", "ua", "c", NULL, NULL);
    conn_open(tr, 3, "ua", 12, "sub", 587, "c");
    msg_ev(tr, 4, "msg.accept", "sub", "c", "proto", "ESMTPS");
    g_autoptr(VizTrace) vt = viz_trace_new_from_sim(tr);
    g_autoptr(VizGraph) g = viz_overview_graph(vt);
    g_autofree char *dot = render_text(g, VIZ_FORMAT_DOT);
    g_assert_cmpuint(count_substr(dot, " -> "), ==, 2);
    g_assert_nonnull(strstr(dot, "label=\"2 messages ESMTP\""));
    g_assert_nonnull(strstr(dot, "label=\"c ESMTPS\""));
    g_assert_nonnull(strstr(dot, "penwidth=2"));
}

static void
test_pdf_repeatable(void)
{
    g_autoptr(VizTrace) vt = model_from_memory(NULL);
    const char *ids[] = {"x1"};
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) a = viz_path_render(vt, ids, 1, VIZ_FORMAT_PDF, &error);
    g_assert_no_error(error);
    g_autoptr(GBytes) b = viz_path_render(vt, ids, 1, VIZ_FORMAT_PDF, &error);
    g_assert_no_error(error);
    g_assert_true(g_bytes_equal(a, b));
    gsize len;
    const char *data = g_bytes_get_data(a, &len);
    g_autofree char *text = g_strndup(data, len);
    g_assert_true(g_str_has_prefix(text, "%PDF-"));
    const char *cd = NULL; /* binary data: no str* functions */
    for (gsize i = 0; cd == NULL && i + 31 <= len; i++)
        if (memcmp(data + i, "/CreationDate (D:", 17) == 0)
            cd = data + i;
    g_assert_nonnull(cd); /* cairo stamps one; it must be the pinned one */
    g_assert_true(strncmp(cd + 17, "19700101000000", 14) == 0);
}

static void
test_formats(void)
{
    static const struct {
        const char *path;
        gboolean ok;
        VizFormat fmt;
    } cases[] = {
        {"a.svg", TRUE, VIZ_FORMAT_SVG},
        {"dir.x/a.PNG", TRUE, VIZ_FORMAT_PNG},
        {"a.pdf", TRUE, VIZ_FORMAT_PDF},
        {"a.dot", TRUE, VIZ_FORMAT_DOT},
        {"a.gv", TRUE, VIZ_FORMAT_DOT},
        {"a.jpeg", FALSE, 0},
        {"svg", FALSE, 0},
        {"a.svg.txt", FALSE, 0},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        VizFormat fmt = VIZ_FORMAT_DOT;
        gboolean ok = viz_format_from_path(cases[i].path, &fmt, &error);
        g_assert_cmpint(ok, ==, cases[i].ok);
        if (ok)
            g_assert_cmpint(fmt, ==, cases[i].fmt);
        else
            g_assert_error(error, VIZ_ERROR, VIZ_ERROR_FORMAT);
    }
    g_autofree char *t = viz_time_label(60045051);
    g_assert_cmpstr(t, ==, "60.045051s");
}

static void
test_sequence_svg(void)
{
    g_autoptr(VizTrace) vt = model_from_memory(NULL);
    g_autoptr(GBytes) b = viz_sequence_render(viz_trace_find_session(vt, 2));
    gsize len;
    const char *data = g_bytes_get_data(b, &len);
    g_autofree char *svg = g_strndup(data, len);
    g_assert_true(g_str_has_prefix(svg, "<?xml"));
    const char *helo = strstr(svg, ">HELO sub<");
    const char *rcpt = strstr(svg, ">RCPT TO:&lt;Bad@Far&gt;<");
    const char *ok = strstr(svg, ">RCPT TO:&lt;ok@far&gt;<");
    g_assert_nonnull(helo);
    g_assert_nonnull(rcpt);
    g_assert_nonnull(ok);
    g_assert_true(helo < rcpt && rcpt < ok); /* time order, top to bottom */
    g_assert_nonnull(strstr(svg, ">1.600000s<"));
    g_assert_null(strstr(svg, "<Bad@Far>"));
    g_assert_true(g_str_has_suffix(svg, "</svg>\n"));
    g_autoptr(GError) error = NULL;
    g_assert_false(viz_sequence_write(vt, 99, "unused.svg", &error));
    g_assert_error(error, VIZ_ERROR, VIZ_ERROR_NOT_FOUND);
}

static void
test_write_all(void)
{
    g_autoptr(SimTrace) tr = sim_trace_new();
    sim_trace_keep_records(tr);
    build_trace(tr);
    g_autoptr(GError) error = NULL;
    g_autofree char *tmp = g_dir_make_tmp("viz-XXXXXX", &error);
    g_assert_no_error(error);
    g_autofree char *dir = g_build_filename(tmp, "svg", NULL);
    g_assert_true(viz_write_all(tr, dir, &error));
    g_assert_no_error(error);
    static const char *const files[] = {"all.svg", "x1.svg"};
    for (gsize i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *p = g_build_filename(dir, files[i], NULL);
        g_assert_true(g_file_test(p, G_FILE_TEST_IS_REGULAR));
        g_unlink(p);
    }
    /* the DSN is drawn in x1.svg, not alone */
    g_autofree char *dsn = g_build_filename(dir, "x1.dsn.svg", NULL);
    g_assert_false(g_file_test(dsn, G_FILE_TEST_EXISTS));
    g_rmdir(dir);
    g_rmdir(tmp);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/app/viz/model/roles", test_model_roles);
    g_test_add_func("/app/viz/model/hops", test_model_hops);
    g_test_add_func("/app/viz/model/sessions", test_model_sessions);
    g_test_add_func("/app/viz/jsonl/same-model", test_jsonl_same_model);
    g_test_add_func("/app/viz/jsonl/errors", test_jsonl_errors);
    g_test_add_func("/app/viz/jsonl/null-node-and-time", test_jsonl_null_node_and_time);
    g_test_add_func("/app/viz/path/dot", test_path_dot);
    g_test_add_func("/app/viz/overview/merges", test_overview_merges);
    g_test_add_func("/app/viz/render/pdf-repeatable", test_pdf_repeatable);
    g_test_add_func("/app/viz/render/formats", test_formats);
    g_test_add_func("/app/viz/sequence/svg", test_sequence_svg);
    g_test_add_func("/app/viz/write-all", test_write_all);
    return g_test_run();
}
