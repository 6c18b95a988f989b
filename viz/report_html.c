/* SPDX-License-Identifier: MIT
 * report_html: the report's HTML building blocks. Everything that comes
 * from a trace is escaped here (HTML 5 13.1.2.6: text may not hold a raw
 * "<" or "&"; attribute values are double-quoted and escaped too), since
 * subjects, addresses and command lines are written by whoever sent the
 * mail. Inline SVG from Graphviz or the sequence view loses its XML
 * prologue and has its ids prefixed so that several can share a page.
 */
#include "viz/report-private.h"

#include <string.h>

#include "viz/viz_graph.h"

static void
viz_html_escape_append(GString *out, const char *s)
{
    g_autofree char *valid = g_utf8_make_valid(s, -1);
    for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        switch (c) {
        case '&':
            g_string_append(out, "&amp;");
            break;
        case '<':
            g_string_append(out, "&lt;");
            break;
        case '>':
            g_string_append(out, "&gt;");
            break;
        case '"':
            g_string_append(out, "&quot;");
            break;
        case '\'':
            g_string_append(out, "&#39;");
            break;
        default:
            /* HTML 5 13.2.5: controls are parse errors; show a replacement. */
            if ((c < 0x20 && c != '\t' && c != '\n') || (c >= 0x7f && c < 0xa0))
                g_string_append(out, "\xef\xbf\xbd");
            else
                g_string_append_len(out, p, g_utf8_next_char(p) - p);
        }
    }
}

char *
viz_html_escape(const char *s)
{
    GString *out = g_string_new(NULL);
    if (s)
        viz_html_escape_append(out, s);
    return g_string_free(out, FALSE);
}

void
viz_report_text(VizReport *rep, const char *s)
{
    if (s)
        viz_html_escape_append(rep->out, s);
}

void
viz_report_textf(VizReport *rep, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *s = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    viz_report_text(rep, s);
}

void
viz_report_raw(VizReport *rep, const char *markup)
{
    g_string_append(rep->out, markup);
}

void
viz_report_time(VizReport *rep, SimTime t)
{
    g_autofree char *s = viz_time_label(t);
    viz_report_text(rep, s);
}

const char *
viz_report_verdict_class(const char *key, const char *value)
{
    static const char *const verdict_keys[] = {"result",   "verdict", "held",        "ok",
                                               "verified", "status",  "disposition", NULL};
    static const char *const good[] = {"pass",     "ok",      "true",       "delivered",  "none",
                                       "accepted", "success", "not-listed", "refused-ok", NULL};
    static const char *const bad[] = {"fail",     "failure",    "failed", "false",  "permerror",
                                      "rejected", "bounced",    "reject", "listed", "invalid",
                                      "hardfail", "quarantine", NULL};
    static const char *const warn[] = {"softfail", "neutral", "temperror", "tempfail", "queued",
                                       "pending",  "policy",  "skipped",   NULL};
    if (key == NULL || value == NULL || !g_strv_contains(verdict_keys, key))
        return NULL;
    if (g_strv_contains(good, value))
        return "ok";
    if (g_strv_contains(bad, value))
        return "bad";
    if (g_strv_contains(warn, value))
        return "warn";
    return NULL;
}

void
viz_report_value(VizReport *rep, const SimTraceRec *r, guint i)
{
    const char *key = sim_trace_rec_field_key(r, i);
    g_autofree char *v = NULL;
    switch (sim_trace_rec_field_type(r, i)) {
    case SIM_TRACE_FIELD_STR:
        v = g_strdup(sim_trace_rec_field_str(r, i));
        break;
    case SIM_TRACE_FIELD_INT:
        v = g_strdup_printf("%" G_GINT64_FORMAT, sim_trace_rec_field_int(r, i));
        break;
    case SIM_TRACE_FIELD_BOOL:
        v = g_strdup(sim_trace_rec_field_bool(r, i) ? "true" : "false");
        break;
    }
    const char *cls = viz_report_verdict_class(key, v);
    if (cls)
        g_string_append_printf(rep->out, "<span class=\"%s\">", cls);
    viz_report_text(rep, v);
    if (cls)
        viz_report_raw(rep, "</span>");
}

void
viz_report_fields(VizReport *rep, const SimTraceRec *r, const char *const *skip)
{
    gboolean first = TRUE;
    for (guint i = 0; i < sim_trace_rec_n_fields(r); i++) {
        const char *key = sim_trace_rec_field_key(r, i);
        if (skip && g_strv_contains(skip, key))
            continue;
        if (!first)
            viz_report_raw(rep, " ");
        first = FALSE;
        viz_report_raw(rep, "<span class=\"k\">");
        viz_report_text(rep, key);
        viz_report_raw(rep, "</span>=");
        viz_report_value(rep, r, i);
    }
}

static void
viz_report_more_rows(VizReport *rep, guint total)
{
    if (total > VIZ_REPORT_MAX_ROWS)
        g_string_append_printf(rep->out,
                               "<p class=\"note\">%u more records are in the trace.</p>\n",
                               total - VIZ_REPORT_MAX_ROWS);
}

void
viz_report_kind_table(VizReport *rep, const GPtrArray *recs)
{
    /* Columns: every key seen in the rows shown, in first-appearance order. */
    guint rows = MIN(recs->len, VIZ_REPORT_MAX_ROWS);
    g_autoptr(GPtrArray) keys = g_ptr_array_new();
    for (guint i = 0; i < rows; i++) {
        const SimTraceRec *r = recs->pdata[i];
        for (guint f = 0; f < sim_trace_rec_n_fields(r); f++) {
            const char *k = sim_trace_rec_field_key(r, f);
            if (!g_ptr_array_find_with_equal_func(keys, k, g_str_equal, NULL))
                g_ptr_array_add(keys, (gpointer)k);
        }
    }
    viz_report_raw(rep, "<div class=\"scroll\"><table class=\"recs\"><thead><tr><th>time</th>"
                        "<th>node</th>");
    for (guint k = 0; k < keys->len; k++) {
        viz_report_raw(rep, "<th>");
        viz_report_text(rep, keys->pdata[k]);
        viz_report_raw(rep, "</th>");
    }
    viz_report_raw(rep, "</tr></thead><tbody>\n");
    for (guint i = 0; i < rows; i++) {
        const SimTraceRec *r = recs->pdata[i];
        viz_report_raw(rep, "<tr><td class=\"num\">");
        viz_report_time(rep, sim_trace_rec_time(r));
        viz_report_raw(rep, "</td><td>");
        viz_report_text(rep, sim_trace_rec_node(r));
        viz_report_raw(rep, "</td>");
        for (guint k = 0; k < keys->len; k++) {
            gint f = sim_trace_rec_find(r, keys->pdata[k]);
            viz_report_raw(rep, "<td>");
            if (f >= 0)
                viz_report_value(rep, r, (guint)f);
            viz_report_raw(rep, "</td>");
        }
        viz_report_raw(rep, "</tr>\n");
    }
    viz_report_raw(rep, "</tbody></table></div>\n");
    viz_report_more_rows(rep, recs->len);
}

void
viz_report_record_table(VizReport *rep, const GPtrArray *recs, const char *const *skip)
{
    guint rows = MIN(recs->len, VIZ_REPORT_MAX_ROWS);
    viz_report_raw(rep, "<div class=\"scroll\"><table class=\"recs\"><thead><tr><th>time</th>"
                        "<th>node</th><th>kind</th><th>fields</th></tr></thead><tbody>\n");
    for (guint i = 0; i < rows; i++) {
        const SimTraceRec *r = recs->pdata[i];
        viz_report_raw(rep, "<tr><td class=\"num\">");
        viz_report_time(rep, sim_trace_rec_time(r));
        viz_report_raw(rep, "</td><td>");
        viz_report_text(rep, sim_trace_rec_node(r));
        viz_report_raw(rep, "</td><td><code>");
        viz_report_text(rep, sim_trace_rec_ev(r));
        viz_report_raw(rep, "</code></td><td class=\"mono\">");
        viz_report_fields(rep, r, skip);
        viz_report_raw(rep, "</td></tr>\n");
    }
    viz_report_raw(rep, "</tbody></table></div>\n");
    viz_report_more_rows(rep, recs->len);
}

/* The SVG element of an SVG document with its ids (and references to
 * them) prefixed by pre. Graphviz and the sequence view escape all text,
 * so ` id="` and `url(#` only occur as markup. */
static void
viz_report_svg_append(GString *out, const char *doc, gsize len, const char *pre)
{
    g_autofree char *text = g_strndup(doc, len);
    const char *start = strstr(text, "<svg");
    if (start == NULL)
        return;
    g_autofree char *id_to = g_strdup_printf(" id=\"%s", pre);
    g_autofree char *url_to = g_strdup_printf("url(#%s", pre);
    g_autofree char *href_to = g_strdup_printf("href=\"#%s", pre);
    g_auto(GStrv) a = g_strsplit(start, " id=\"", -1);
    g_autofree char *s1 = g_strjoinv(id_to, a);
    g_auto(GStrv) b = g_strsplit(s1, "url(#", -1);
    g_autofree char *s2 = g_strjoinv(url_to, b);
    g_auto(GStrv) c = g_strsplit(s2, "href=\"#", -1);
    g_autofree char *s3 = g_strjoinv(href_to, c);
    g_strchomp(s3);
    g_string_append(out, s3);
}

void
viz_report_figure(VizReport *rep, GBytes *svg, const GError *err, const char *caption)
{
    viz_report_raw(rep, "<figure>");
    if (svg != NULL) {
        g_autofree char *pre = g_strdup_printf("f%u-", ++rep->figures);
        gsize len;
        const char *doc = g_bytes_get_data(svg, &len);
        viz_report_raw(rep, "<div class=\"fig\">");
        viz_report_svg_append(rep->out, doc, len, pre);
        viz_report_raw(rep, "</div>");
    } else {
        viz_report_raw(rep, "<p class=\"note\">The diagram could not be drawn: ");
        viz_report_text(rep, err ? err->message : "no data");
        viz_report_raw(rep, "</p>");
    }
    viz_report_raw(rep, "<figcaption>");
    viz_report_text(rep, caption);
    viz_report_raw(rep, "</figcaption></figure>\n");
}

char *
viz_report_anchor(const char *prefix, const char *s)
{
    GString *a = g_string_new(prefix);
    for (const char *p = s ? s : ""; *p; p++) {
        if (g_ascii_isalnum(*p) || *p == '-')
            g_string_append_c(a, *p);
        else
            g_string_append_printf(a, "_%02X", (guchar)*p);
    }
    return g_string_free(a, FALSE);
}
