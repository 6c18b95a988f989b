/* SPDX-License-Identifier: MIT
 * report_exposure: two per-message tables read from records other
 * features write. Who can read and who can change the message
 * (`exposure.msg` and `exposure` records: one row per party on its path,
 * one column per protection case, the run's own case first) and where its
 * copies are (`copy.held` minus `copy.gone`: what is left when the run
 * ends, and what was let go and why). A trace without those kinds gets
 * neither table.
 */
#include "viz/report-private.h"

#include <string.h>

static gboolean
viz_report_rec_bool(const SimTraceRec *r, const char *key)
{
    gint f = sim_trace_rec_find(r, key);
    return f >= 0 && sim_trace_rec_field_type(r, f) == SIM_TRACE_FIELD_BOOL &&
           sim_trace_rec_field_bool(r, f);
}

static const char *
viz_report_str(const SimTraceRec *r, const char *key)
{
    const char *s = sim_trace_rec_get_str(r, key);
    return s ? s : "";
}

/* The exposure records of a message, and its cases in order of first
 * appearance. */
static void
viz_report_exposure_collect(const GPtrArray *a, GPtrArray *rows, GPtrArray *cases)
{
    for (guint i = 0; i < a->len; i++) {
        const SimTraceRec *r = a->pdata[i];
        if (strcmp(sim_trace_rec_ev(r), "exposure") != 0)
            continue;
        g_ptr_array_add(rows, (gpointer)r);
        const char *c = viz_report_str(r, "case");
        if (!g_ptr_array_find_with_equal_func(cases, c, g_str_equal, NULL))
            g_ptr_array_add(cases, (gpointer)c);
    }
}

/* The record of case c and row; NULL if the trace has none. */
static const SimTraceRec *
viz_report_exposure_cell(const GPtrArray *rows, const char *c, gint64 row)
{
    for (guint i = 0; i < rows->len; i++) {
        gint64 n = -1;
        sim_trace_rec_get_int(rows->pdata[i], "row", &n);
        if (n == row && strcmp(viz_report_str(rows->pdata[i], "case"), c) == 0)
            return rows->pdata[i];
    }
    return NULL;
}

static void
viz_report_exposure_cellv(VizReport *rep, const SimTraceRec *r)
{
    if (r == NULL) {
        viz_report_raw(rep, "<td></td>");
        return;
    }
    gboolean read = viz_report_rec_bool(r, "read"), alter = viz_report_rec_bool(r, "alter");
    g_string_append_printf(rep->out, "<td class=\"%s\" title=\"",
                           alter  ? "bad"
                           : read ? "warn"
                                  : "ok");
    viz_report_text(rep, viz_report_str(r, "read_why"));
    viz_report_raw(rep, "; ");
    viz_report_text(rep, viz_report_str(r, "alter_why"));
    viz_report_raw(rep, "\">");
    viz_report_raw(rep, read && alter ? "read, change"
                        : read        ? "read"
                        : alter       ? "change"
                                      : "&mdash;");
    viz_report_raw(rep, "</td>");
}

static void
viz_report_exposure_row(VizReport *rep, const GPtrArray *rows, const GPtrArray *cases,
                        const SimTraceRec *first)
{
    gint64 row = 0;
    sim_trace_rec_get_int(first, "row", &row);
    viz_report_raw(rep, "<tr><td>");
    viz_report_text(rep, viz_report_str(first, "party"));
    viz_report_raw(rep, "</td><td>");
    viz_report_text(rep, viz_report_str(first, "role"));
    const char *link = sim_trace_rec_get_str(first, "link");
    if (link) {
        viz_report_raw(rep, " on ");
        viz_report_text(rep, link);
    }
    const char *to = sim_trace_rec_get_str(first, "to");
    if (to) {
        viz_report_raw(rep, ", to ");
        viz_report_text(rep, to);
    }
    viz_report_raw(rep, "</td>");
    for (guint c = 0; c < cases->len; c++)
        viz_report_exposure_cellv(rep, viz_report_exposure_cell(rows, cases->pdata[c], row));
    viz_report_raw(rep, "<td>");
    viz_report_text(rep, viz_report_str(first, "read_why"));
    viz_report_raw(rep, "; ");
    viz_report_text(rep, viz_report_str(first, "alter_why"));
    viz_report_raw(rep, "</td></tr>\n");
}

void
viz_report_exposure(VizReport *rep, const char *id)
{
    GPtrArray *a = viz_report_msg(rep, id);
    if (a == NULL)
        return;
    g_autoptr(GPtrArray) rows = g_ptr_array_new();
    g_autoptr(GPtrArray) cases = g_ptr_array_new();
    viz_report_exposure_collect(a, rows, cases);
    if (rows->len == 0)
        return;
    const SimTraceRec *info = NULL;
    for (guint i = 0; i < a->len && info == NULL; i++)
        if (strcmp(sim_trace_rec_ev(a->pdata[i]), "exposure.msg") == 0)
            info = a->pdata[i];
    viz_report_raw(rep, "<h4>Who can read and change it</h4>\n");
    if (info) {
        viz_report_raw(rep, "<p class=\"mono\">");
        viz_report_fields(rep, info, (const char *const[]){"msg", "rows", NULL});
        viz_report_raw(rep, "</p>\n");
    }
    const char *first_case = cases->pdata[0];
    viz_report_raw(rep, "<div class=\"scroll\"><table class=\"exposure\"><thead><tr><th>party</th>"
                        "<th>role</th>");
    for (guint c = 0; c < cases->len; c++) {
        viz_report_raw(rep, "<th>");
        viz_report_text(rep, cases->pdata[c]);
        viz_report_raw(rep, "</th>");
    }
    viz_report_raw(rep, "<th>why (");
    viz_report_text(rep, first_case);
    viz_report_raw(rep, ")</th></tr></thead><tbody>\n");
    for (guint i = 0; i < rows->len; i++)
        if (strcmp(viz_report_str(rows->pdata[i], "case"), first_case) == 0)
            viz_report_exposure_row(rep, rows, cases, rows->pdata[i]);
    viz_report_raw(rep, "</tbody></table></div>\n");
}

/* "node\nkind\nwhere" of a copy record. (transfer full) */
static char *
viz_report_copy_key(const SimTraceRec *r)
{
    return g_strdup_printf("%s\n%s\n%s", sim_trace_rec_node(r) ? sim_trace_rec_node(r) : "",
                           viz_report_str(r, "kind"), viz_report_str(r, "where"));
}

static void
viz_report_copy_row(VizReport *rep, const SimTraceRec *r, const char *state, const char *cls)
{
    viz_report_raw(rep, "<tr><td>");
    viz_report_text(rep, sim_trace_rec_node(r));
    viz_report_raw(rep, "</td><td>");
    viz_report_text(rep, viz_report_str(r, "kind"));
    viz_report_raw(rep, "</td><td>");
    viz_report_text(rep, viz_report_str(r, "where"));
    g_string_append_printf(rep->out, "</td><td class=\"%s\">", cls);
    viz_report_text(rep, state);
    viz_report_raw(rep, "</td><td class=\"num\">");
    viz_report_time(rep, sim_trace_rec_time(r));
    viz_report_raw(rep, "</td></tr>\n");
}

void
viz_report_copies(VizReport *rep, const char *id)
{
    GPtrArray *a = viz_report_msg(rep, id);
    /* The latest record of each copy decides: held, or gone (and why). */
    g_autoptr(GHashTable) last = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; a && i < a->len; i++) {
        const char *ev = sim_trace_rec_ev(a->pdata[i]);
        if (strcmp(ev, "copy.held") != 0 && strcmp(ev, "copy.gone") != 0)
            continue;
        char *key = viz_report_copy_key(a->pdata[i]);
        if (!g_hash_table_contains(last, key))
            g_ptr_array_add(order, g_strdup(key));
        g_hash_table_replace(last, key, a->pdata[i]);
    }
    if (order->len == 0)
        return;
    viz_report_raw(rep, "<h4>Copies</h4>\n<div class=\"scroll\"><table class=\"copies\"><thead>"
                        "<tr><th>node</th><th>kind</th><th>where</th><th>at the end</th>"
                        "<th>since</th></tr></thead><tbody>\n");
    for (guint i = 0; i < order->len; i++) {
        const SimTraceRec *r = g_hash_table_lookup(last, order->pdata[i]);
        gboolean held = strcmp(sim_trace_rec_ev(r), "copy.held") == 0;
        g_autofree char *gone = g_strdup_printf("gone: %s", viz_report_str(r, "reason"));
        viz_report_copy_row(rep, r, held ? "held" : gone, held ? "warn" : "ok");
    }
    viz_report_raw(rep, "</tbody></table></div>\n");
}
