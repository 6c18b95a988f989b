/* SPDX-License-Identifier: MIT
 * Tests for viz/report: HTML escaping (markup, quotes, invalid UTF-8,
 * control characters), the report of an empty trace, hostile text in a
 * known and an unknown kind shown as text, transcripts grouped by
 * connection (C:/S: lines, other records as events, a protocol the report
 * does not know), verdict classes, long tables cut short, a saved trace
 * giving the same bytes, repeatable output, and the who-can-read table and
 * the copies of a message from exposure and copy records.
 */
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "viz/report-private.h"
#include "viz/trace_reader.h"

#if defined(__SANITIZE_ADDRESS__)
/* As in test_viz_model.c: long leak stacks for the Graphviz suppressions. */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
    return "fast_unwind_on_malloc=0";
}
#endif

static char *
render(SimTrace *tr)
{
    guint n = sim_trace_n_records(tr);
    g_autofree const SimTraceRec **recs = g_new0(const SimTraceRec *, n + 1);
    for (guint i = 0; i < n; i++)
        recs[i] = sim_trace_record(tr, i);
    g_autoptr(GBytes) b = viz_report_render(recs, n);
    return g_strndup(g_bytes_get_data(b, NULL), g_bytes_get_size(b));
}

static SimTrace *
new_trace(void)
{
    SimTrace *tr = sim_trace_new();
    sim_trace_keep_records(tr);
    return tr;
}

static guint
count(const char *hay, const char *needle)
{
    guint n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void
test_escape(void)
{
    g_autofree char *a = viz_html_escape("<a href='x'>&\"</a>");
    g_assert_cmpstr(a, ==, "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
    g_autofree char *b = viz_html_escape("ok\xff!");
    g_assert_cmpstr(b, ==, "ok\xef\xbf\xbd!");
    g_autofree char *c = viz_html_escape("a\x01"
                                         "b\tc\nd\x7f");
    g_assert_cmpstr(c, ==,
                    "a\xef\xbf\xbd"
                    "b\tc\nd\xef\xbf\xbd");
    g_autofree char *d = viz_html_escape("caf\xc3\xa9");
    g_assert_cmpstr(d, ==, "caf\xc3\xa9");
    g_autofree char *e = viz_html_escape(NULL);
    g_assert_cmpstr(e, ==, "");
}

static void
test_empty(void)
{
    g_autoptr(SimTrace) tr = new_trace();
    g_autofree char *html = render(tr);
    g_assert_true(g_str_has_prefix(html, "<!DOCTYPE html>\n"));
    g_assert_nonnull(strstr(html, "<meta name=\"viewport\""));
    g_assert_nonnull(strstr(html, "<title>mhs report: mhs run</title>"));
    const char *sections[] = {"summary",  "expectations", "diagrams", "messages",
                              "verdicts", "sessions",     "records"};
    for (guint i = 0; i < G_N_ELEMENTS(sections); i++) {
        g_autofree char *s = g_strdup_printf("<section id=\"%s\">", sections[i]);
        g_assert_cmpuint(count(html, s), ==, 1);
    }
    g_assert_nonnull(strstr(html, "No message was sent."));
    g_assert_nonnull(strstr(html, "No connection was made."));
    g_assert_nonnull(strstr(html, "id=\"expect-count\"><b class=\"ok\">0/0</b>"));
    g_assert_cmpuint(count(html, "<script>"), ==, 1);
    g_assert_true(g_str_has_suffix(html, "</html>\n"));
}

static void
add_hostile(SimTrace *tr)
{
    SimTraceRec *r = sim_trace_begin(tr, 5 * SIM_TIME_S, "run.message", NULL);
    sim_trace_str(r, "msg", "m<1>");
    sim_trace_str(r, "kind", "mail");
    sim_trace_str(r, "subject", "<script>alert(1)</script>");
    sim_trace_end(r);
    r = sim_trace_begin(tr, 5 * SIM_TIME_S, "zz.new\"kind", "n<o>de");
    sim_trace_str(r, "x<y", "<img src=x onerror=alert(2)>");
    sim_trace_int(r, "n", 42);
    sim_trace_bool(r, "ok", FALSE);
    sim_trace_end(r);
    r = sim_trace_begin(tr, 6 * SIM_TIME_S, "run.end", NULL);
    sim_trace_str(r, "name", "A & <B>");
    sim_trace_int(r, "seed", 3);
    sim_trace_int(r, "events", 9);
    sim_trace_end(r);
}

static void
test_hostile(void)
{
    g_autoptr(SimTrace) tr = new_trace();
    add_hostile(tr);
    g_autofree char *html = render(tr);
    g_assert_null(strstr(html, "<img"));
    g_assert_null(strstr(html, "alert(1)</script>"));
    g_assert_cmpuint(count(html, "<script>"), ==, 1);
    g_assert_nonnull(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    g_assert_nonnull(strstr(html, "&lt;img src=x onerror=alert(2)&gt;"));
    g_assert_nonnull(strstr(html, "<title>mhs report: A &amp; &lt;B&gt;</title>"));
    g_assert_nonnull(strstr(html, "seed 3, 9 events"));
    /* The unknown kind: its own table, anchor encoded, header escaped. */
    g_assert_nonnull(strstr(html, "<details class=\"kind\" id=\"kind-zz_2Enew_22kind\">"
                                  "<summary><code>zz.new&quot;kind</code> (1)</summary>"));
    g_assert_nonnull(strstr(html, "<th>x&lt;y</th>"));
    g_assert_nonnull(strstr(html, "<td>n&lt;o&gt;de</td>"));
    g_assert_nonnull(strstr(html, "<td><span class=\"bad\">false</span></td>"));
    g_assert_nonnull(strstr(html, "<td>42</td>"));
}

static void
add_session(SimTrace *tr, gint64 conn, const char *proto)
{
    SimTraceRec *r = sim_trace_begin(tr, 1 * SIM_TIME_S, "conn.open", "pc");
    sim_trace_int(r, "conn", conn);
    sim_trace_str(r, "peer", "srv");
    sim_trace_int(r, "port", 25);
    sim_trace_end(r);
    r = sim_trace_begin(tr, 1 * SIM_TIME_S + 10, "conn.accept", "srv");
    sim_trace_int(r, "conn", conn);
    sim_trace_str(r, "peer", "pc");
    sim_trace_int(r, "port", 25);
    sim_trace_end(r);
    g_autofree char *cmd = g_strdup_printf("%s.cmd", proto);
    g_autofree char *reply = g_strdup_printf("%s.reply", proto);
    r = sim_trace_begin(tr, 1 * SIM_TIME_S + 20, reply, "pc");
    sim_trace_int(r, "conn", conn);
    sim_trace_int(r, "code", 220);
    sim_trace_str(r, "text", "srv <ready>");
    sim_trace_end(r);
    r = sim_trace_begin(tr, 1 * SIM_TIME_S + 30, cmd, "srv");
    sim_trace_int(r, "conn", conn);
    sim_trace_str(r, "line", "EHLO <pc>");
    sim_trace_end(r);
    r = sim_trace_begin(tr, 1 * SIM_TIME_S + 40, "tls.handshake", "pc");
    sim_trace_int(r, "conn", conn);
    sim_trace_str(r, "result", "ok");
    sim_trace_str(r, "version", "TLSv1.3");
    sim_trace_end(r);
}

static void
test_sessions(void)
{
    g_autoptr(SimTrace) tr = new_trace();
    add_session(tr, 7, "smtp");
    add_session(tr, 8, "gopher");
    g_autofree char *html = render(tr);
    g_assert_cmpuint(count(html, "<details class=\"session\""), ==, 2);
    g_assert_nonnull(strstr(html, "<details class=\"session\" id=\"conn-7\"><summary>#7 pc &rarr; "
                                  "srv:25 <span class=\"badge\">SMTP+TLS</span>"));
    /* A protocol the report does not know: its lines by suffix, its name
     * from the port. */
    g_assert_nonnull(strstr(html, "id=\"conn-8\"><summary>#8 pc &rarr; srv:25 "
                                  "<span class=\"badge\">SMTP+TLS</span>"));
    g_assert_cmpuint(count(html, "<td class=\"dir\">S:</td><td class=\"mono line\">220 srv "
                                 "&lt;ready&gt;</td>"),
                     ==, 2);
    g_assert_cmpuint(count(html, "<td class=\"dir\">C:</td><td class=\"mono line\">EHLO "
                                 "&lt;pc&gt;</td>"),
                     ==, 2);
    g_assert_nonnull(
        strstr(html, "&mdash;</td><td class=\"mono line\"><code>tls.handshake</code>"));
    /* SMTP lines make a sequence view; the unknown protocol has none. */
    g_assert_cmpuint(count(html, "<summary>Sequence view</summary>"), ==, 1);
    /* Checks: the handshake table. */
    g_assert_nonnull(strstr(html, "<h3 id=\"check-tls_2Ehandshake\">"));
    g_assert_nonnull(strstr(html, "<td><span class=\"ok\">ok</span></td>"));
    g_assert_nonnull(strstr(html, "<p class=\"tally\">result: <span class=\"ok\">ok</span> 2</p>"));
}

static void
test_long_table(void)
{
    g_autoptr(SimTrace) tr = new_trace();
    for (guint i = 0; i < VIZ_REPORT_MAX_ROWS + 25; i++) {
        SimTraceRec *r = sim_trace_begin(tr, i, "dns.query", "mx");
        sim_trace_str(r, "name", "example.com");
        sim_trace_end(r);
    }
    g_autofree char *html = render(tr);
    g_assert_nonnull(strstr(html, "25 more records are in the trace."));
    g_assert_cmpuint(count(html, "<td>example.com</td>"), ==, VIZ_REPORT_MAX_ROWS);
}

static void
test_verdict_class(void)
{
    g_assert_cmpstr(viz_report_verdict_class("result", "pass"), ==, "ok");
    g_assert_cmpstr(viz_report_verdict_class("result", "softfail"), ==, "warn");
    g_assert_cmpstr(viz_report_verdict_class("result", "permerror"), ==, "bad");
    g_assert_cmpstr(viz_report_verdict_class("verdict", "listed"), ==, "bad");
    g_assert_null(viz_report_verdict_class("subject", "pass"));
    g_assert_null(viz_report_verdict_class("result", "something"));
}

static void
test_deterministic_and_file(void)
{
    g_autoptr(SimTrace) tr = sim_trace_new();
    sim_trace_keep_records(tr);
    g_autofree char *dir = g_dir_make_tmp("mhs-report-XXXXXX", NULL);
    g_autofree char *jsonl = g_build_filename(dir, "t.jsonl", NULL);
    g_autofree char *out = g_build_filename(dir, "r.html", NULL);
    g_assert_true(sim_trace_add_jsonl_file(tr, jsonl, NULL));
    add_session(tr, 3, "smtp");
    add_hostile(tr);
    sim_trace_flush(tr);
    g_autofree char *a = render(tr);
    g_autofree char *b = render(tr);
    g_assert_cmpstr(a, ==, b);
    g_autoptr(GError) error = NULL;
    g_assert_true(viz_report_write_file(jsonl, out, &error));
    g_assert_no_error(error);
    g_autofree char *c = NULL;
    g_assert_true(g_file_get_contents(out, &c, NULL, NULL));
    g_assert_cmpstr(a, ==, c);
    g_assert_true(viz_report_write_sim(tr, out, &error));
    g_autofree char *missing = g_build_filename(dir, "none.jsonl", NULL);
    g_assert_false(viz_report_write_file(missing, out, &error));
    g_assert_error(error, VIZ_ERROR, VIZ_ERROR_IO);
    g_unlink(out);
    g_unlink(jsonl);
    g_rmdir(dir);
}

static void
add_exposure(SimTrace *tr, const char *c, gint64 row, const char *party, gboolean read,
             gboolean alter)
{
    SimTraceRec *r = sim_trace_begin(tr, 9 * SIM_TIME_S, "exposure", party);
    sim_trace_str(r, "msg", "m1");
    sim_trace_str(r, "case", c);
    sim_trace_int(r, "row", row);
    sim_trace_str(r, "party", party);
    sim_trace_str(r, "role", row == 0 ? "mua" : "tap");
    if (row == 1)
        sim_trace_str(r, "link", "a~b");
    sim_trace_bool(r, "read", read);
    sim_trace_bool(r, "alter", alter);
    sim_trace_str(r, "read_why", read ? "clear text on the wire" : "TLS on this link");
    sim_trace_str(r, "alter_why", "<why>");
    sim_trace_end(r);
}

static void
add_copy(SimTrace *tr, SimTime t, const char *ev, const char *node, const char *where,
         const char *reason)
{
    SimTraceRec *r = sim_trace_begin(tr, t, ev, node);
    sim_trace_str(r, "msg", "m1");
    sim_trace_str(r, "kind", "mailbox");
    sim_trace_str(r, "where", where);
    if (reason)
        sim_trace_str(r, "reason", reason);
    sim_trace_end(r);
}

static void
test_exposure_and_copies(void)
{
    g_autoptr(SimTrace) tr = new_trace();
    SimTraceRec *r = sim_trace_begin(tr, 1 * SIM_TIME_S, "msg.submit", "alice-pc");
    sim_trace_str(r, "msg", "m1");
    sim_trace_str(r, "msa", "msa");
    sim_trace_end(r);
    add_copy(tr, 2 * SIM_TIME_S, "copy.held", "ms", "bob@b.test", NULL);
    add_copy(tr, 2 * SIM_TIME_S, "copy.held", "ms", "carol@b.test", NULL);
    add_copy(tr, 3 * SIM_TIME_S, "copy.gone", "ms", "bob@b.test", "deleted over POP3 (DELE)");
    r = sim_trace_begin(tr, 9 * SIM_TIME_S, "exposure.msg", "alice-pc");
    sim_trace_str(r, "msg", "m1");
    sim_trace_str(r, "protection", "none");
    sim_trace_int(r, "rows", 2);
    sim_trace_end(r);
    add_exposure(tr, "actual", 0, "alice-pc", TRUE, FALSE);
    add_exposure(tr, "actual", 1, "eve", TRUE, TRUE);
    add_exposure(tr, "tls", 0, "alice-pc", TRUE, FALSE);
    add_exposure(tr, "tls", 1, "eve", FALSE, FALSE);
    g_autofree char *html = render(tr);
    g_assert_nonnull(strstr(html, "<h4>Who can read and change it</h4>"));
    g_assert_nonnull(strstr(html, "<th>party</th><th>role</th><th>actual</th><th>tls</th>"
                                  "<th>why (actual)</th>"));
    /* eve's row: read and change on the actual run, nothing under TLS. */
    const char *eve = strstr(html, "<tr><td>eve</td><td>tap on a~b</td>");
    g_assert_nonnull(eve);
    g_assert_true(
        g_str_has_prefix(eve + strlen("<tr><td>eve</td><td>tap on a~b</td>"),
                         "<td class=\"bad\" title=\"clear text on the wire; &lt;why&gt;\">"
                         "read, change</td><td class=\"ok\" title=\"TLS on this link; "
                         "&lt;why&gt;\">&mdash;</td>"));
    g_assert_cmpuint(count(html, "<table class=\"exposure\">"), ==, 1);
    /* Copies: carol's still held, bob's gone with its reason. */
    g_assert_nonnull(strstr(html, "<td>carol@b.test</td><td class=\"warn\">held</td>"));
    g_assert_nonnull(
        strstr(html, "<td>bob@b.test</td><td class=\"ok\">gone: deleted over POP3 (DELE)</td>"));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/app/viz/report/escape", test_escape);
    g_test_add_func("/app/viz/report/empty", test_empty);
    g_test_add_func("/app/viz/report/hostile", test_hostile);
    g_test_add_func("/app/viz/report/sessions", test_sessions);
    g_test_add_func("/app/viz/report/long-table", test_long_table);
    g_test_add_func("/app/viz/report/verdict-class", test_verdict_class);
    g_test_add_func("/app/viz/report/deterministic-and-file", test_deterministic_and_file);
    g_test_add_func("/app/viz/report/exposure-and-copies", test_exposure_and_copies);
    return g_test_run();
}
