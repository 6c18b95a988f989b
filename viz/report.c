/* SPDX-License-Identifier: MIT
 * report: the HTML report's document (see report.h): the indexes of the
 * records, the page skeleton with its style sheet (responsive, with a
 * print style), the summary and the expectations. The sections are
 * written by report_messages.c and report_sessions.c. The outcome of the
 * run comes from the run.* records `mhs run` appends; an older trace
 * without them still gets counts from msg.deliver, msg.reject and
 * msg.bounce.
 */
#include "viz/report-private.h"

#include <string.h>

#include "viz/viz_graph.h"

/* clang-format off */
static const char viz_report_css[] =
    ":root{color-scheme:light}\n"
    "*{box-sizing:border-box}\n"
    "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;"
    "color:#1b1f24;background:#fff}\n"
    "header,main,footer{max-width:1150px;margin:0 auto;padding:0 16px}\n"
    "header{padding-top:12px;border-bottom:3px solid #1f5fbf}\n"
    "h1{font-size:1.55em;margin:.3em 0}\n"
    "h2{font-size:1.3em;margin:1.6em 0 .5em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}\n"
    "h3{font-size:1.12em;margin:1.2em 0 .4em}\n"
    "h4{font-size:1em;margin:.9em 0 .3em}\n"
    "nav ul{list-style:none;padding:0;margin:.4em 0 .8em;display:flex;flex-wrap:wrap;gap:4px 14px}\n"
    "a{color:#1f5fbf}\n"
    ".scroll{overflow-x:auto;margin:.4em 0;max-width:100%}\n"
    "table{border-collapse:collapse;font-size:.9em}\n"
    "th,td{border:1px solid #d0d7de;padding:3px 7px;text-align:left;vertical-align:top}\n"
    "th{background:#f0f3f6;font-weight:600}\n"
    "td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}\n"
    "code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em}\n"
    ".mono{overflow-wrap:break-word}td.mono{min-width:16em}\n"
    ".k{color:#57606a}\n"
    ".ok{color:#116329;font-weight:600}.bad{color:#b3261e;font-weight:600}"
    ".warn{color:#9a6700;font-weight:600}\n"
    ".note{color:#57606a;font-style:italic}\n"
    ".badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:.8em;"
    "background:#eef2fa;border:1px solid #c8d3e6;margin-left:4px;vertical-align:middle}\n"
    "figure{margin:.6em 0}\n"
    ".journey{display:flex;flex-wrap:wrap;gap:4px 24px;align-items:flex-start}\n"
    ".journey>figure{flex:0 1 auto;max-width:100%}.journey>.hops{flex:1 1 420px;min-width:0}\n"
    ".fig{overflow-x:auto;max-width:100%}\n"
    ".fig svg{max-width:100%;height:auto;display:block}\n"
    "figcaption{font-size:.88em;color:#57606a}\n"
    "details{margin:.35em 0;border:1px solid #d0d7de;border-radius:5px;padding:.25em .6em}\n"
    "summary{cursor:pointer;font-weight:600}\n"
    "article.msg{border-left:4px solid #c8d3e6;padding-left:12px;margin:1.2em 0}\n"
    "dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:.4em 0}\n"
    "dl.meta dt{color:#57606a}dl.meta dd{margin:0;overflow-wrap:anywhere}\n"
    "table.tx td{border:none;border-bottom:1px solid #eef0f2;padding:1px 6px}\n"
    "table.tx td.dir{font-weight:700;white-space:nowrap}\n"
    "tr.C td.line{color:#1f5fbf}tr.S td.line{color:#2e6b3a}tr.E td.line{color:#6e4a9e}\n"
    ".grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(115px,1fr));gap:8px;"
    "margin:.6em 0}\n"
    ".card{border:1px solid #d0d7de;border-radius:6px;padding:6px 10px}\n"
    ".card b{display:block;font-size:1.4em}\n"
    "ul.nodes{columns:15em;column-gap:16px;padding-left:1.2em;margin:.3em 0}"
    "ul.nodes li{break-inside:avoid;color:#57606a}ul.nodes b{color:#1b1f24;font-weight:500}\n"
    "footer{color:#57606a;font-size:.85em;margin-top:2em;padding-bottom:2em}\n"
    "@media (max-width:640px){body{font-size:14px}header,main,footer{padding:0 10px}"
    "th,td{padding:2px 4px}h1{font-size:1.3em}article.msg{padding-left:6px}"
    "td.mono{min-width:12em}}\n"
    "@media print{nav,.noprint{display:none}body{font-size:10pt}a{color:inherit;"
    "text-decoration:none}header,main,footer{max-width:none}"
    "figure,tr,.card{break-inside:avoid}h2,h3,h4{break-after:avoid}"
    "details{border:none;padding:0}.scroll,.fig{overflow:visible}}\n";
/* clang-format on */

/* Opens every <details> before printing, so that the paper has it all. */
static const char viz_report_js[] =
    "addEventListener('beforeprint',function(){"
    "document.querySelectorAll('details').forEach(function(d){d.open=true;});});";

static void
viz_report_index_add(GHashTable *index, gpointer key, const SimTraceRec *r)
{
    GPtrArray *a = g_hash_table_lookup(index, key);
    if (a == NULL) {
        a = g_ptr_array_new();
        g_hash_table_insert(index, key, a);
    }
    g_ptr_array_add(a, (gpointer)r);
}

static void
viz_report_index(VizReport *rep)
{
    for (guint i = 0; i < rep->n; i++) {
        const SimTraceRec *r = rep->recs[i];
        const char *ev = sim_trace_rec_ev(r);
        if (!g_hash_table_contains(rep->by_kind, ev))
            g_ptr_array_add(rep->kinds, (gpointer)ev);
        viz_report_index_add(rep->by_kind, (gpointer)ev, r);
        const char *msg = sim_trace_rec_get_str(r, "msg");
        if (msg)
            viz_report_index_add(rep->by_msg, (gpointer)msg, r);
        gint64 conn;
        if (sim_trace_rec_get_int(r, "conn", &conn)) {
            if (!g_hash_table_contains(rep->by_conn, &conn)) {
                g_array_append_val(rep->conns, conn);
                gint64 *key = g_new(gint64, 1);
                *key = conn;
                g_hash_table_insert(rep->by_conn, key, g_ptr_array_new());
            }
            g_ptr_array_add(g_hash_table_lookup(rep->by_conn, &conn), (gpointer)r);
        }
    }
}

GPtrArray *
viz_report_kind(const VizReport *rep, const char *kind)
{
    return g_hash_table_lookup(rep->by_kind, kind);
}

GPtrArray *
viz_report_msg(const VizReport *rep, const char *id)
{
    return id ? g_hash_table_lookup(rep->by_msg, id) : NULL;
}

GPtrArray *
viz_report_conn(const VizReport *rep, gint64 conn)
{
    return g_hash_table_lookup(rep->by_conn, &conn);
}

const SimTraceRec *
viz_report_find(const VizReport *rep, const char *kind, const char *key, const char *value)
{
    GPtrArray *a = viz_report_kind(rep, kind);
    for (guint i = 0; a && i < a->len; i++) {
        const char *v = sim_trace_rec_get_str(a->pdata[i], key);
        if (v && value && strcmp(v, value) == 0)
            return a->pdata[i];
    }
    return NULL;
}

static void
viz_report_stub_free(gpointer p)
{
    VizMessage *m = p;
    g_ptr_array_unref(m->hops);
    g_free(m->id);
    g_free(m);
}

/* Every message of the report: the model's (those with hops), then the
 * ones only run.message names (e.g. refused by the sender's MUA before
 * any connection), as messages without hops. */
static void
viz_report_list_messages(VizReport *rep)
{
    for (guint i = 0; i < viz_trace_n_messages(rep->vt); i++)
        g_ptr_array_add(rep->messages, (gpointer)viz_trace_message(rep->vt, i));
    GPtrArray *info = viz_report_kind(rep, "run.message");
    for (guint i = 0; info && i < info->len; i++) {
        const char *id = sim_trace_rec_get_str(info->pdata[i], "msg");
        if (id == NULL || viz_trace_find_message(rep->vt, id) != NULL)
            continue;
        VizMessage *m = g_new0(VizMessage, 1);
        m->id = g_strdup(id);
        m->hops = g_ptr_array_new();
        g_ptr_array_add(rep->stubs, m);
        g_ptr_array_add(rep->messages, m);
    }
}

static const char *
viz_report_title(const VizReport *rep)
{
    GPtrArray *end = viz_report_kind(rep, "run.end");
    const char *name = end ? sim_trace_rec_get_str(end->pdata[end->len - 1], "name") : NULL;
    return name && *name ? name : "mhs run";
}

/* Recipient outcomes: from run.rcpt when the trace has it, else counted
 * from the records of each outcome. */
static void
viz_report_count_rcpts(const VizReport *rep, guint counts[4])
{
    static const char *const names[] = {"delivered", "rejected", "bounced", "queued"};
    static const char *const kinds[] = {"msg.deliver", "msg.reject", "msg.bounce", NULL};
    GPtrArray *rc = viz_report_kind(rep, "run.rcpt");
    for (guint i = 0; rc && i < rc->len; i++) {
        const char *st = sim_trace_rec_get_str(rc->pdata[i], "status");
        for (guint k = 0; st && k < 4; k++)
            counts[k] += strcmp(st, names[k]) == 0 || (k == 3 && strcmp(st, "pending") == 0);
    }
    for (guint k = 0; rc == NULL && kinds[k]; k++) {
        GPtrArray *a = viz_report_kind(rep, kinds[k]);
        counts[k] = a ? a->len : 0;
    }
}

static void
viz_report_card(VizReport *rep, const char *label, guint value, const char *cls)
{
    g_string_append_printf(rep->out, "<div class=\"card\"><b%s%s%s>%u</b>", cls ? " class=\"" : "",
                           cls ? cls : "", cls ? "\"" : "", value);
    viz_report_text(rep, label);
    viz_report_raw(rep, "</div>\n");
}

/* One row per message: its id (a link to its journey), sender, subject
 * and each recipient's outcome, from run.message and run.rcpt. */
static void
viz_report_glance_row(VizReport *rep, const VizMessage *m)
{
    GPtrArray *a = viz_report_msg(rep, m->id);
    const SimTraceRec *info = NULL;
    g_autofree char *anchor = viz_report_anchor("msg-", m->id);
    g_string_append_printf(rep->out, "<tr><td><a href=\"#%s\"><code>", anchor);
    viz_report_text(rep, m->id);
    viz_report_raw(rep, "</code></a></td><td>");
    for (guint i = 0; a && i < a->len && info == NULL; i++)
        if (strcmp(sim_trace_rec_ev(a->pdata[i]), "run.message") == 0)
            info = a->pdata[i];
    viz_report_text(rep, info ? sim_trace_rec_get_str(info, "from") : NULL);
    viz_report_raw(rep, "</td><td>");
    viz_report_text(rep, info ? sim_trace_rec_get_str(info, "subject") : NULL);
    viz_report_raw(rep, "</td><td>");
    for (guint i = 0; a && i < a->len; i++) {
        const SimTraceRec *r = a->pdata[i];
        gint f = sim_trace_rec_find(r, "status");
        if (strcmp(sim_trace_rec_ev(r), "run.rcpt") != 0 || f < 0)
            continue;
        viz_report_text(rep, sim_trace_rec_get_str(r, "rcpt"));
        viz_report_raw(rep, " ");
        viz_report_value(rep, r, (guint)f);
        viz_report_raw(rep, "<br>");
    }
    viz_report_raw(rep, "</td></tr>\n");
}

static void
viz_report_glance(VizReport *rep)
{
    guint n = rep->messages->len;
    if (n == 0)
        return;
    viz_report_raw(rep, "<h3>Messages</h3>\n<div class=\"scroll\"><table id=\"glance\"><thead><tr>"
                        "<th>message</th><th>from</th><th>subject</th><th>recipients</th></tr>"
                        "</thead><tbody>\n");
    for (guint i = 0; i < n && i < VIZ_REPORT_MAX_ROWS; i++)
        viz_report_glance_row(rep, rep->messages->pdata[i]);
    viz_report_raw(rep, "</tbody></table></div>\n");
    if (n > VIZ_REPORT_MAX_ROWS)
        g_string_append_printf(rep->out,
                               "<p class=\"note\">%u more messages are in the trace.</p>\n",
                               n - VIZ_REPORT_MAX_ROWS);
}

static void
viz_report_section_summary(VizReport *rep)
{
    guint counts[4] = {0};
    viz_report_count_rcpts(rep, counts);
    GPtrArray *ex = viz_report_kind(rep, "run.expect");
    guint held = 0, n_ex = ex ? ex->len : 0;
    for (guint i = 0; i < n_ex; i++) {
        gint f = sim_trace_rec_find(ex->pdata[i], "held");
        held += f >= 0 && sim_trace_rec_field_type(ex->pdata[i], f) == SIM_TRACE_FIELD_BOOL &&
                sim_trace_rec_field_bool(ex->pdata[i], f);
    }
    viz_report_raw(rep, "<section id=\"summary\"><h2>Summary</h2>\n<div class=\"grid\">\n");
    viz_report_card(rep, "nodes", viz_trace_n_nodes(rep->vt), NULL);
    viz_report_card(rep, "messages", rep->messages->len, NULL);
    viz_report_card(rep, "connections", rep->conns->len, NULL);
    viz_report_card(rep, "delivered", counts[0], counts[0] ? "ok" : NULL);
    viz_report_card(rep, "rejected", counts[1], counts[1] ? "bad" : NULL);
    viz_report_card(rep, "bounced", counts[2], counts[2] ? "bad" : NULL);
    viz_report_card(rep, "queued", counts[3], counts[3] ? "warn" : NULL);
    g_string_append_printf(rep->out,
                           "<div class=\"card\" id=\"expect-count\"><b class=\"%s\">%u/%u</b>"
                           "expectations held</div>\n</div>\n",
                           held == n_ex ? "ok" : "bad", held, n_ex);
    viz_report_glance(rep);
    viz_report_raw(rep, "<h3>Nodes</h3>\n<ul class=\"nodes\" id=\"nodes\">\n");
    for (guint i = 0; i < viz_trace_n_nodes(rep->vt); i++) {
        const VizNode *nd = viz_trace_node(rep->vt, i);
        viz_report_raw(rep, "<li><b>");
        viz_report_text(rep, nd->name);
        viz_report_raw(rep, "</b> ");
        viz_report_text(rep, viz_role_name(nd->role));
        viz_report_raw(rep, "</li>\n");
    }
    viz_report_raw(rep, "</ul>\n</section>\n");
}

static void
viz_report_section_expect(VizReport *rep)
{
    GPtrArray *ex = viz_report_kind(rep, "run.expect");
    viz_report_raw(rep, "<section id=\"expectations\"><h2>Expectations</h2>\n");
    if (ex == NULL) {
        viz_report_raw(rep, "<p class=\"note\">The trace holds no expectation results "
                            "(run.expect records).</p>\n</section>\n");
        return;
    }
    viz_report_raw(rep, "<div class=\"scroll\"><table><thead><tr><th>#</th><th>held</th>"
                        "<th>expected</th><th>got</th><th>line</th></tr></thead><tbody>\n");
    for (guint i = 0; i < ex->len; i++) {
        const SimTraceRec *r = ex->pdata[i];
        gint f = sim_trace_rec_find(r, "held");
        gboolean held = f >= 0 && sim_trace_rec_field_type(r, f) == SIM_TRACE_FIELD_BOOL &&
                        sim_trace_rec_field_bool(r, f);
        gint64 idx = i + 1, line = 0;
        sim_trace_rec_get_int(r, "index", &idx);
        sim_trace_rec_get_int(r, "line", &line);
        g_string_append_printf(rep->out,
                               "<tr class=\"expect\"><td class=\"num\">%" G_GINT64_FORMAT
                               "</td><td class=\"%s\">%s</td><td>",
                               idx, held ? "ok" : "bad", held ? "ok" : "FAIL");
        viz_report_text(rep, sim_trace_rec_get_str(r, "what"));
        viz_report_raw(rep, "</td><td>");
        viz_report_text(rep, sim_trace_rec_get_str(r, "actual"));
        g_string_append_printf(rep->out, "</td><td class=\"num\">%" G_GINT64_FORMAT "</td></tr>\n",
                               line);
    }
    viz_report_raw(rep, "</tbody></table></div>\n</section>\n");
}

static void
viz_report_head(VizReport *rep)
{
    const char *title = viz_report_title(rep);
    viz_report_raw(rep, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                        "<title>mhs report: ");
    viz_report_text(rep, title);
    viz_report_raw(rep, "</title>\n<style>\n");
    viz_report_raw(rep, viz_report_css);
    viz_report_raw(rep, "</style>\n</head>\n<body>\n<header><h1>");
    viz_report_text(rep, title);
    viz_report_raw(rep, "</h1>\n<p>");
    GPtrArray *end = viz_report_kind(rep, "run.end");
    gint64 seed, events;
    if (end && sim_trace_rec_get_int(end->pdata[0], "seed", &seed) &&
        sim_trace_rec_get_int(end->pdata[0], "events", &events))
        viz_report_textf(rep, "seed %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT " events, ", seed,
                         events);
    viz_report_text(rep, "virtual time ");
    viz_report_time(rep, rep->n ? sim_trace_rec_time(rep->recs[rep->n - 1]) : 0);
    viz_report_textf(rep, ", %u trace records", rep->n);
    viz_report_raw(rep, "</p>\n<nav><ul><li><a href=\"#summary\">Summary</a></li>"
                        "<li><a href=\"#expectations\">Expectations</a></li>"
                        "<li><a href=\"#diagrams\">Diagrams</a></li>"
                        "<li><a href=\"#messages\">Messages</a></li>"
                        "<li><a href=\"#verdicts\">Checks</a></li>"
                        "<li><a href=\"#sessions\">Sessions</a></li>"
                        "<li><a href=\"#records\">All records</a></li></ul></nav>\n"
                        "</header>\n<main>\n");
}

GBytes *
viz_report_render(const SimTraceRec *const *recs, guint n)
{
    VizReport rep = {
        .recs = recs,
        .n = n,
        .vt = viz_trace_new_from_records(recs, n),
        .out = g_string_new(NULL),
        .kinds = g_ptr_array_new(),
        .by_kind =
            g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)g_ptr_array_unref),
        .by_msg =
            g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)g_ptr_array_unref),
        .by_conn = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                         (GDestroyNotify)g_ptr_array_unref),
        .conns = g_array_new(FALSE, FALSE, sizeof(gint64)),
        .messages = g_ptr_array_new(),
        .stubs = g_ptr_array_new_with_free_func(viz_report_stub_free),
    };
    viz_report_index(&rep);
    viz_report_list_messages(&rep);
    viz_report_head(&rep);
    viz_report_section_summary(&rep);
    viz_report_section_expect(&rep);
    viz_report_section_diagrams(&rep);
    viz_report_section_messages(&rep);
    viz_report_section_verdicts(&rep);
    viz_report_section_sessions(&rep);
    viz_report_section_records(&rep);
    viz_report_raw(&rep, "</main>\n<footer>Written by mhs from the run's trace; times are "
                         "virtual (seconds since the start of the run).</footer>\n<script>");
    viz_report_raw(&rep, viz_report_js);
    viz_report_raw(&rep, "</script>\n</body>\n</html>\n");
    viz_trace_free(rep.vt);
    g_ptr_array_unref(rep.kinds);
    g_hash_table_destroy(rep.by_kind);
    g_hash_table_destroy(rep.by_msg);
    g_hash_table_destroy(rep.by_conn);
    g_array_unref(rep.conns);
    g_ptr_array_unref(rep.messages);
    g_ptr_array_unref(rep.stubs);
    return g_string_free_to_bytes(rep.out);
}

static gboolean
viz_report_write_recs(const SimTrace *trace, const char *path, GError **error)
{
    guint n = sim_trace_n_records(trace);
    g_autofree const SimTraceRec **recs = g_new0(const SimTraceRec *, n + 1);
    for (guint i = 0; i < n; i++)
        recs[i] = sim_trace_record(trace, i);
    g_autoptr(GBytes) html = viz_report_render(recs, n);
    return viz_write_bytes(path, html, error);
}

gboolean
viz_report_write_sim(const SimTrace *trace, const char *path, GError **error)
{
    g_return_val_if_fail(trace != NULL && path != NULL, FALSE);
    return viz_report_write_recs(trace, path, error);
}

gboolean
viz_report_write_file(const char *trace_path, const char *path, GError **error)
{
    g_return_val_if_fail(trace_path != NULL && path != NULL, FALSE);
    g_autoptr(SimTrace) trace = viz_trace_load_records(trace_path, error);
    if (trace == NULL)
        return FALSE;
    return viz_report_write_recs(trace, path, error);
}
