/* SPDX-License-Identifier: MIT
 * report_sessions: the report's security checks (one table per kind:
 * TLS, AUTH, SPF, DKIM, DMARC, DNSBL, S/MIME, taps...), the transcript of
 * every connection (SMTP, POP3, HTTP or any protocol whose records carry
 * "conn": commands as C:, replies as S:, other records as events) with
 * the SMTP sequence view, and every record grouped by kind, so that a
 * kind this code does not know still shows.
 */
#include "viz/report-private.h"

#include <string.h>

#include "viz/sequence.h"

static const struct {
    const char *prefix; /* a kind, or a prefix ending in '.' */
    const char *title;
} viz_report_checks[] = {
    {"tls.handshake", "STARTTLS handshakes (RFC 3207, RFC 8446)"},
    {"tls.skipped", "Clients that went on in clear text (RFC 3207 4)"},
    {"auth.", "Authentication (SMTP AUTH RFC 4954, POP3 RFC 1939)"},
    {"spf.result", "SPF (RFC 7208)"},
    {"dkim.sign", "DKIM signatures made (RFC 6376)"},
    {"dkim.verify", "DKIM verification (RFC 6376 6)"},
    {"dmarc.", "DMARC (RFC 7489)"},
    {"dnsbl.", "DNS blocklists (RFC 5782)"},
    {"relay.", "Relay policy and relay tests"},
    {"smime.", "S/MIME (RFC 8551)"},
    {"spam.verdict", "Where spam stopped"},
    {"mdn.", "Read receipts (RFC 8098)"},
    {"msg.tamper", "Messages changed in transit"},
    {"tap.", "What taps on the links saw"},
};

static const char *
viz_report_check_title(const char *kind)
{
    for (guint i = 0; i < G_N_ELEMENTS(viz_report_checks); i++) {
        const char *p = viz_report_checks[i].prefix;
        gsize n = strlen(p);
        if (p[n - 1] == '.' ? g_str_has_prefix(kind, p) : strcmp(kind, p) == 0)
            return viz_report_checks[i].title;
    }
    return NULL;
}

/* "result: pass 2, fail 1": how many records of a kind gave each value of
 * its first verdict field, values in order of first appearance. */
static void
viz_report_tally(VizReport *rep, const GPtrArray *recs)
{
    static const char *const keys[] = {"result", "verdict", "valid", "ok", "read", NULL};
    const char *key = NULL;
    for (guint k = 0; keys[k] && key == NULL; k++)
        if (sim_trace_rec_find(recs->pdata[0], keys[k]) >= 0)
            key = keys[k];
    if (key == NULL)
        return;
    g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GArray) counts = g_array_new(FALSE, TRUE, sizeof(guint));
    for (guint i = 0; i < recs->len; i++) {
        gint f = sim_trace_rec_find(recs->pdata[i], key);
        if (f < 0)
            continue;
        const SimTraceRec *r = recs->pdata[i];
        char *v = sim_trace_rec_field_type(r, f) == SIM_TRACE_FIELD_BOOL
                      ? g_strdup(sim_trace_rec_field_bool(r, f) ? "true" : "false")
                  : sim_trace_rec_field_type(r, f) == SIM_TRACE_FIELD_STR
                      ? g_strdup(sim_trace_rec_field_str(r, f))
                      : g_strdup_printf("%" G_GINT64_FORMAT, sim_trace_rec_field_int(r, f));
        guint at;
        if (g_ptr_array_find_with_equal_func(values, v, g_str_equal, &at)) {
            g_array_index(counts, guint, at)++;
            g_free(v);
        } else {
            guint one = 1;
            g_ptr_array_add(values, v);
            g_array_append_val(counts, one);
        }
    }
    viz_report_raw(rep, "<p class=\"tally\">");
    viz_report_text(rep, key);
    viz_report_raw(rep, ":");
    for (guint i = 0; i < values->len; i++) {
        const char *cls = viz_report_verdict_class(key, values->pdata[i]);
        g_string_append_printf(rep->out, "%s <span%s%s%s>", i ? "," : "", cls ? " class=\"" : "",
                               cls ? cls : "", cls ? "\"" : "");
        viz_report_text(rep, values->pdata[i]);
        g_string_append_printf(rep->out, "</span> %u", g_array_index(counts, guint, i));
    }
    viz_report_raw(rep, "</p>\n");
}

void
viz_report_section_verdicts(VizReport *rep)
{
    viz_report_raw(rep, "<section id=\"verdicts\"><h2>Checks</h2>\n");
    guint shown = 0;
    for (guint i = 0; i < rep->kinds->len; i++) {
        const char *kind = rep->kinds->pdata[i];
        const char *title = viz_report_check_title(kind);
        if (title == NULL)
            continue;
        g_autofree char *anchor = viz_report_anchor("check-", kind);
        g_string_append_printf(rep->out, "<h3 id=\"%s\">", anchor);
        viz_report_text(rep, title);
        viz_report_raw(rep, " <code>");
        viz_report_text(rep, kind);
        viz_report_raw(rep, "</code></h3>\n");
        viz_report_tally(rep, viz_report_kind(rep, kind));
        viz_report_kind_table(rep, viz_report_kind(rep, kind));
        shown++;
    }
    if (shown == 0)
        viz_report_raw(rep, "<p class=\"note\">No TLS, AUTH or sender-authentication check was "
                            "recorded.</p>\n");
    viz_report_raw(rep, "</section>\n");
}

/* The protocol of a connection: from its records' kinds, else its port. */
static const char *
viz_report_conn_proto(const GPtrArray *a, gint port)
{
    for (guint i = 0; i < a->len; i++) {
        const char *ev = sim_trace_rec_ev(a->pdata[i]);
        if (g_str_has_prefix(ev, "smtp."))
            return port == 587 ? "SMTP submission" : "SMTP";
        if (g_str_has_prefix(ev, "pop3."))
            return "POP3";
        if (g_str_has_prefix(ev, "http."))
            return "HTTP";
    }
    switch (port) {
    case 25:
        return "SMTP";
    case 587:
        return "SMTP submission";
    case 110:
        return "POP3";
    case 80:
        return "HTTP";
    default:
        return "";
    }
}

/* C (client to server), S (server to client) or E (any other record). */
static char
viz_report_line_dir(const char *ev)
{
    if (g_str_has_suffix(ev, ".cmd") || g_str_has_suffix(ev, ".request"))
        return 'C';
    if (g_str_has_suffix(ev, ".reply") || g_str_has_suffix(ev, ".response"))
        return 'S';
    return 'E';
}

static void
viz_report_line(VizReport *rep, const SimTraceRec *r)
{
    const char *ev = sim_trace_rec_ev(r);
    char dir = viz_report_line_dir(ev);
    const char *line = sim_trace_rec_get_str(r, "line");
    const char *text = sim_trace_rec_get_str(r, "text");
    gint64 code;
    if (dir != 'E' && line == NULL && text == NULL)
        dir = 'E';
    g_string_append_printf(rep->out, "<tr class=\"%c\"><td class=\"num\">", dir);
    viz_report_time(rep, sim_trace_rec_time(r));
    g_string_append_printf(rep->out, "</td><td class=\"dir\">%s</td><td class=\"mono line\">",
                           dir == 'C'   ? "C:"
                           : dir == 'S' ? "S:"
                                        : "&mdash;");
    if (dir == 'E') {
        viz_report_raw(rep, "<code>");
        viz_report_text(rep, ev);
        viz_report_raw(rep, "</code> ");
        viz_report_fields(rep, r, (const char *const[]){"conn", NULL});
    } else if (line) {
        viz_report_text(rep, line);
    } else {
        if (sim_trace_rec_get_int(r, "code", &code))
            g_string_append_printf(rep->out, "%" G_GINT64_FORMAT " ", code);
        viz_report_text(rep, text);
    }
    viz_report_raw(rep, "</td></tr>\n");
}

static gboolean
viz_report_conn_tls(const GPtrArray *a)
{
    for (guint i = 0; i < a->len; i++) {
        const SimTraceRec *r = a->pdata[i];
        const char *res = sim_trace_rec_get_str(r, "result");
        if (strcmp(sim_trace_rec_ev(r), "tls.handshake") == 0 && res && strcmp(res, "ok") == 0)
            return TRUE;
    }
    return FALSE;
}

/* TRUE when the model holds SMTP commands or replies for s. */
static gboolean
viz_report_has_dialogue(const VizSession *s)
{
    for (guint i = 0; s && i < s->lines->len; i++) {
        VizLineKind k = ((const VizLine *)s->lines->pdata[i])->kind;
        if (k == VIZ_LINE_CMD || k == VIZ_LINE_REPLY)
            return TRUE;
    }
    return FALSE;
}

static void
viz_report_session(VizReport *rep, gint64 conn)
{
    const GPtrArray *a = viz_report_conn(rep, conn);
    const VizSession *s = viz_trace_find_session(rep->vt, conn);
    const char *proto = viz_report_conn_proto(a, s ? s->port : 0);
    g_string_append_printf(rep->out,
                           "<details class=\"session\" id=\"conn-%" G_GINT64_FORMAT "\"><summary>"
                           "#%" G_GINT64_FORMAT " ",
                           conn, conn);
    if (s) {
        viz_report_text(rep, s->client);
        viz_report_raw(rep, " &rarr; ");
        viz_report_text(rep, s->server ? s->server : "?");
        g_string_append_printf(rep->out, ":%d", s->port);
    }
    viz_report_raw(rep, " <span class=\"badge\">");
    viz_report_text(rep, *proto ? proto : "connection");
    viz_report_raw(rep, viz_report_conn_tls(a) ? "+TLS</span>" : "</span>");
    if (s && s->msg) {
        viz_report_raw(rep, " message ");
        viz_report_text(rep, s->msg);
    }
    viz_report_raw(rep, "</summary>\n<div class=\"scroll\"><table class=\"tx\"><tbody>\n");
    for (guint i = 0; i < a->len && i < VIZ_REPORT_MAX_ROWS; i++)
        viz_report_line(rep, a->pdata[i]);
    viz_report_raw(rep, "</tbody></table></div>\n");
    if (a->len > VIZ_REPORT_MAX_ROWS)
        g_string_append_printf(rep->out,
                               "<p class=\"note\">%u more records are in the trace.</p>\n",
                               a->len - VIZ_REPORT_MAX_ROWS);
    if (viz_report_has_dialogue(s)) {
        g_autoptr(GBytes) svg = viz_sequence_render(s);
        g_autofree char *cap =
            g_strdup_printf("Sequence view of connection %" G_GINT64_FORMAT, conn);
        viz_report_raw(rep, "<details class=\"seq\"><summary>Sequence view</summary>\n");
        viz_report_figure(rep, svg, NULL, cap);
        viz_report_raw(rep, "</details>\n");
    }
    viz_report_raw(rep, "</details>\n");
}

void
viz_report_section_sessions(VizReport *rep)
{
    viz_report_raw(rep, "<section id=\"sessions\"><h2>Sessions</h2>\n");
    if (rep->conns->len == 0)
        viz_report_raw(rep, "<p class=\"note\">No connection was made.</p>\n");
    else
        viz_report_raw(rep, "<p>Each connection's dialogue in virtual time: <b>C:</b> what the "
                            "client sent, <b>S:</b> what the server answered, &mdash; other "
                            "records of the connection.</p>\n");
    guint n = rep->conns->len;
    for (guint i = 0; i < n && i < VIZ_REPORT_MAX_SESSIONS; i++)
        viz_report_session(rep, g_array_index(rep->conns, gint64, i));
    if (n > VIZ_REPORT_MAX_SESSIONS)
        g_string_append_printf(rep->out,
                               "<p class=\"note\">%u more connections are in the trace.</p>\n",
                               n - VIZ_REPORT_MAX_SESSIONS);
    viz_report_raw(rep, "</section>\n");
}

void
viz_report_section_records(VizReport *rep)
{
    viz_report_raw(rep, "<section id=\"records\"><h2>All records by kind</h2>\n"
                        "<p>Every record of the trace, one table per kind, in trace order.</p>\n");
    for (guint i = 0; i < rep->kinds->len; i++) {
        const char *kind = rep->kinds->pdata[i];
        g_autofree char *anchor = viz_report_anchor("kind-", kind);
        GPtrArray *a = viz_report_kind(rep, kind);
        g_string_append_printf(rep->out, "<details class=\"kind\" id=\"%s\"><summary><code>",
                               anchor);
        viz_report_text(rep, kind);
        g_string_append_printf(rep->out, "</code> (%u)</summary>\n", a->len);
        viz_report_kind_table(rep, a);
        viz_report_raw(rep, "</details>\n");
    }
    viz_report_raw(rep, "</section>\n");
}
