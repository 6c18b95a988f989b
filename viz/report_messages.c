/* SPDX-License-Identifier: MIT
 * report_messages: the report's diagrams (the overview of every message,
 * the forward-and-reply overlays, each spam campaign's outcome) and each
 * message's journey: who sent it, its recipients' outcomes, its path
 * diagram, its hops with virtual times, protocol (RFC 3848 ESMTP, ESMTPS,
 * ESMTPA, ESMTPSA), TLS (RFC 3207) and AUTH (RFC 4954) of the connection
 * that carried it, and the checks made on it (SPF, DKIM, DMARC,
 * S/MIME...). Records only, trace order.
 */
#include "viz/report-private.h"

#include <string.h>

#include "viz/campaign_diagram.h"
#include "viz/path_diagram.h"

/* Kinds shown as a message's checks, by prefix. */
static const char *const viz_report_check_prefixes[] = {
    "spf.result",  "dkim.", "dmarc.",       "smime.", "arc.",       "dnsbl.",
    "relay.trick", "mime.", "spam.verdict", "mdn.",   "msg.tamper", NULL,
};

static gboolean
viz_report_is_check(const char *ev)
{
    for (guint i = 0; viz_report_check_prefixes[i]; i++)
        if (g_str_has_prefix(ev, viz_report_check_prefixes[i]))
            return TRUE;
    return FALSE;
}

/* The record of kind about message id (its last one), or NULL. */
static const SimTraceRec *
viz_report_msg_rec(const VizReport *rep, const char *id, const char *kind)
{
    GPtrArray *a = viz_report_msg(rep, id);
    const SimTraceRec *found = NULL;
    for (guint i = 0; a && i < a->len; i++)
        if (strcmp(sim_trace_rec_ev(a->pdata[i]), kind) == 0)
            found = a->pdata[i];
    return found;
}

static void
viz_report_overlays(VizReport *rep)
{
    GPtrArray *msgs = viz_report_kind(rep, "run.message");
    guint drawn = 0;
    for (guint i = 0; msgs && i < msgs->len && drawn < VIZ_REPORT_MAX_DIAGRAMS; i++) {
        const SimTraceRec *r = msgs->pdata[i];
        const char *kind = sim_trace_rec_get_str(r, "kind");
        const char *id = sim_trace_rec_get_str(r, "msg");
        const char *parent = sim_trace_rec_get_str(r, "parent");
        if (kind == NULL || strcmp(kind, "reply") != 0 || parent == NULL ||
            viz_trace_find_message(rep->vt, parent) == NULL ||
            viz_trace_find_message(rep->vt, id) == NULL)
            continue;
        const char *ids[] = {parent, id};
        g_autoptr(GError) err = NULL;
        g_autoptr(GBytes) svg = viz_path_render(rep->vt, ids, 2, VIZ_FORMAT_SVG, &err);
        g_autofree char *cap =
            g_strdup_printf("Forward and reply: %s and its reply %s, one colour each", parent, id);
        if (drawn++ == 0)
            viz_report_raw(rep, "<h3>Forward and reply paths</h3>\n");
        viz_report_figure(rep, svg, err, cap);
    }
}

/* One diagram per spam campaign: where its messages stopped. */
static void
viz_report_campaigns(VizReport *rep)
{
    g_autoptr(GPtrArray) names = viz_campaign_names(rep->vt);
    for (guint i = 0; i < names->len; i++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(GBytes) svg = viz_campaign_render(rep->vt, names->pdata[i], VIZ_FORMAT_SVG, &err);
        g_autofree char *cap = g_strdup_printf(
            "Campaign %s: where its messages stopped, repeated hops merged with a count",
            (const char *)names->pdata[i]);
        if (i == 0)
            viz_report_raw(rep, "<h3 id=\"campaigns\">Spam campaigns</h3>\n");
        viz_report_figure(rep, svg, err, cap);
    }
}

void
viz_report_section_diagrams(VizReport *rep)
{
    viz_report_raw(rep, "<section id=\"diagrams\"><h2>Diagrams</h2>\n");
    if (viz_trace_n_messages(rep->vt) == 0) {
        viz_report_raw(rep, "<p class=\"note\">No message was sent.</p>\n</section>\n");
        return;
    }
    g_autoptr(GError) err = NULL;
    g_autoptr(GBytes) svg = viz_overview_render(rep->vt, VIZ_FORMAT_SVG, &err);
    viz_report_raw(rep, "<h3>Every message</h3>\n");
    viz_report_figure(rep, svg, err,
                      "Every message's hops, repeated edges merged with a count; refusals red, "
                      "failed connections dotted");
    viz_report_overlays(rep);
    viz_report_campaigns(rep);
    viz_report_raw(rep, "</section>\n");
}

/* TLS of connection conn as this report states it. */
static void
viz_report_hop_tls(VizReport *rep, gint64 conn)
{
    GPtrArray *a = conn >= 0 ? viz_report_conn(rep, conn) : NULL;
    const SimTraceRec *hs = NULL, *skip = NULL;
    for (guint i = 0; a && i < a->len; i++) {
        const char *ev = sim_trace_rec_ev(a->pdata[i]);
        if (strcmp(ev, "tls.handshake") == 0 && hs == NULL)
            hs = a->pdata[i];
        else if (strcmp(ev, "tls.skipped") == 0)
            skip = a->pdata[i];
    }
    if (hs) {
        const char *res = sim_trace_rec_get_str(hs, "result");
        gboolean ok = res && strcmp(res, "ok") == 0;
        g_string_append_printf(rep->out, "<span class=\"%s\">", ok ? "ok" : "bad");
        viz_report_text(rep, ok ? sim_trace_rec_get_str(hs, "version") : "TLS failed");
        viz_report_raw(rep, "</span> ");
        viz_report_text(rep, ok ? sim_trace_rec_get_str(hs, "cipher")
                                : sim_trace_rec_get_str(hs, "error"));
    } else if (skip) {
        viz_report_raw(rep, "<span class=\"warn\">clear text</span> (");
        viz_report_text(rep, sim_trace_rec_get_str(skip, "reason"));
        viz_report_raw(rep, ")");
    } else if (a) {
        viz_report_raw(rep, "clear text");
    }
}

static void
viz_report_hop_auth(VizReport *rep, gint64 conn)
{
    GPtrArray *a = conn >= 0 ? viz_report_conn(rep, conn) : NULL;
    for (guint i = 0; a && i < a->len; i++) {
        const SimTraceRec *r = a->pdata[i];
        if (strcmp(sim_trace_rec_ev(r), "auth.attempt") != 0)
            continue;
        const char *mech = sim_trace_rec_get_str(r, "mechanism");
        viz_report_text(rep, mech ? mech : sim_trace_rec_get_str(r, "mech"));
        viz_report_raw(rep, " ");
        viz_report_text(rep, sim_trace_rec_get_str(r, "user"));
        viz_report_raw(rep, " ");
        gint f = sim_trace_rec_find(r, "result");
        if (f < 0)
            f = sim_trace_rec_find(r, "ok");
        if (f >= 0)
            viz_report_value(rep, r, (guint)f);
        viz_report_raw(rep, "<br>");
    }
}

static void
viz_report_hop_row(VizReport *rep, guint num, const VizHop *h)
{
    g_string_append_printf(rep->out, "<tr><td class=\"num\">%u</td><td class=\"num\">", num);
    viz_report_time(rep, h->t);
    viz_report_raw(rep, "</td><td>");
    if (h->from) {
        viz_report_text(rep, h->from);
        viz_report_raw(rep, " &rarr; ");
    }
    viz_report_text(rep, h->node);
    const char *act = viz_hop_action_name(h->action);
    const char *cls =
        h->action == VIZ_HOP_REJECT || h->action == VIZ_HOP_BOUNCE || h->action == VIZ_HOP_FAIL
            ? "bad"
        : h->action == VIZ_HOP_DEFER ? "warn"
                                     : NULL;
    g_string_append_printf(rep->out, "</td><td%s%s%s>%s</td><td>", cls ? " class=\"" : "",
                           cls ? cls : "", cls ? "\"" : "", act);
    viz_report_text(rep, h->proto);
    viz_report_raw(rep, "</td><td>");
    viz_report_hop_tls(rep, h->conn);
    viz_report_raw(rep, "</td><td>");
    viz_report_hop_auth(rep, h->conn);
    viz_report_raw(rep, "</td><td class=\"mono\">");
    viz_report_text(rep, h->detail);
    viz_report_raw(rep, "</td></tr>\n");
}

static void
viz_report_fetch_row(VizReport *rep, guint num, const SimTraceRec *r)
{
    g_string_append_printf(rep->out, "<tr><td class=\"num\">%u</td><td class=\"num\">", num);
    viz_report_time(rep, sim_trace_rec_time(r));
    viz_report_raw(rep, "</td><td>");
    viz_report_text(rep, sim_trace_rec_get_str(r, "ms"));
    viz_report_raw(rep, " &rarr; ");
    viz_report_text(rep, sim_trace_rec_node(r));
    viz_report_raw(rep, "</td><td>fetch</td><td>POP3</td><td></td><td></td><td class=\"mono\">");
    viz_report_fields(rep, r, (const char *const[]){"msg", "ms", "by", NULL});
    viz_report_raw(rep, "</td></tr>\n");
}

static void
viz_report_hops(VizReport *rep, const VizMessage *m)
{
    viz_report_raw(
        rep,
        "<div class=\"hops\"><h4>Hops</h4>\n<div class=\"scroll\"><table class=\"hops\"><thead><tr>"
        "<th>#</th><th>time</th><th>hop</th><th>action</th><th>protocol</th>"
        "<th>TLS</th><th>AUTH</th><th>detail</th></tr></thead><tbody>\n");
    guint num = 0;
    for (guint i = 0; i < m->hops->len; i++)
        viz_report_hop_row(rep, ++num, m->hops->pdata[i]);
    GPtrArray *a = viz_report_msg(rep, m->id);
    for (guint i = 0; a && i < a->len; i++)
        if (strcmp(sim_trace_rec_ev(a->pdata[i]), "msg.fetch") == 0)
            viz_report_fetch_row(rep, ++num, a->pdata[i]);
    if (num == 0)
        viz_report_raw(rep, "<tr><td colspan=\"8\" class=\"note\">No hop: the message never "
                            "left its sender.</td></tr>\n");
    viz_report_raw(rep, "</tbody></table></div></div>\n");
}

static void
viz_report_rcpts(VizReport *rep, const VizMessage *m)
{
    GPtrArray *a = viz_report_msg(rep, m->id);
    g_autoptr(GPtrArray) rc = g_ptr_array_new();
    for (guint i = 0; a && i < a->len; i++)
        if (strcmp(sim_trace_rec_ev(a->pdata[i]), "run.rcpt") == 0)
            g_ptr_array_add(rc, a->pdata[i]);
    if (rc->len == 0)
        return;
    viz_report_raw(rep, "<div class=\"scroll\"><table class=\"rcpts\"><thead><tr><th>recipient</th>"
                        "<th>status</th><th>code</th><th>reply</th><th>decided at</th></tr>"
                        "</thead><tbody>\n");
    for (guint i = 0; i < rc->len; i++) {
        const SimTraceRec *r = rc->pdata[i];
        gint64 code = 0;
        sim_trace_rec_get_int(r, "code", &code);
        viz_report_raw(rep, "<tr><td>");
        viz_report_text(rep, sim_trace_rec_get_str(r, "rcpt"));
        viz_report_raw(rep, "</td><td>");
        gint f = sim_trace_rec_find(r, "status");
        if (f >= 0)
            viz_report_value(rep, r, (guint)f);
        viz_report_raw(rep, "</td><td class=\"num\">");
        if (code)
            g_string_append_printf(rep->out, "%" G_GINT64_FORMAT, code);
        viz_report_raw(rep, "</td><td class=\"mono\">");
        viz_report_text(rep, sim_trace_rec_get_str(r, "reply"));
        viz_report_raw(rep, "</td><td>");
        viz_report_text(rep, sim_trace_rec_get_str(r, "where"));
        viz_report_raw(rep, "</td></tr>\n");
    }
    viz_report_raw(rep, "</tbody></table></div>\n");
}

static void
viz_report_meta_row(VizReport *rep, const char *label, const char *value, gboolean link)
{
    if (value == NULL || *value == '\0')
        return;
    viz_report_raw(rep, "<dt>");
    viz_report_text(rep, label);
    viz_report_raw(rep, "</dt><dd>");
    if (link) {
        g_autofree char *anchor = viz_report_anchor("msg-", value);
        g_string_append_printf(rep->out, "<a href=\"#%s\">", anchor);
    }
    viz_report_text(rep, value);
    viz_report_raw(rep, link ? "</a></dd>\n" : "</dd>\n");
}

static void
viz_report_checks(VizReport *rep, const VizMessage *m)
{
    GPtrArray *a = viz_report_msg(rep, m->id);
    g_autoptr(GPtrArray) checks = g_ptr_array_new();
    for (guint i = 0; a && i < a->len; i++)
        if (viz_report_is_check(sim_trace_rec_ev(a->pdata[i])))
            g_ptr_array_add(checks, a->pdata[i]);
    if (checks->len > 0) {
        viz_report_raw(rep, "<h4>Checks</h4>\n");
        viz_report_record_table(rep, checks, (const char *const[]){"msg", NULL});
    }
    if (a) {
        g_string_append_printf(rep->out, "<details><summary>All %u records about ", a->len);
        viz_report_text(rep, m->id);
        viz_report_raw(rep, "</summary>\n");
        viz_report_record_table(rep, a, (const char *const[]){"msg", NULL});
        viz_report_raw(rep, "</details>\n");
    }
}

static void
viz_report_message(VizReport *rep, guint index, const VizMessage *m)
{
    g_autofree char *anchor = viz_report_anchor("msg-", m->id);
    const SimTraceRec *info = viz_report_msg_rec(rep, m->id, "run.message");
    const SimTraceRec *submit = viz_report_msg_rec(rep, m->id, "msg.submit");
    g_string_append_printf(rep->out, "<article class=\"msg\" id=\"%s\"><h3>Message <code>", anchor);
    viz_report_text(rep, m->id);
    viz_report_raw(rep, "</code>");
    const char *kind = info ? sim_trace_rec_get_str(info, "kind") : NULL;
    if (kind && *kind) {
        viz_report_raw(rep, "<span class=\"badge\">");
        viz_report_text(rep, kind);
        viz_report_raw(rep, "</span>");
    }
    viz_report_raw(rep, "</h3>\n<dl class=\"meta\">\n");
    const char *from = info ? sim_trace_rec_get_str(info, "from") : NULL;
    const char *parent = info ? sim_trace_rec_get_str(info, "parent") : m->about;
    viz_report_meta_row(rep, "From",
                        from     ? from
                        : submit ? sim_trace_rec_get_str(submit, "from")
                                 : NULL,
                        FALSE);
    viz_report_meta_row(rep, "Subject", info ? sim_trace_rec_get_str(info, "subject") : NULL,
                        FALSE);
    viz_report_meta_row(rep, kind && strcmp(kind, "reply") == 0 ? "In reply to" : "About", parent,
                        viz_trace_find_message(rep->vt, parent) != NULL);
    viz_report_raw(rep, "</dl>\n");
    viz_report_rcpts(rep, m);
    viz_report_raw(rep, "<div class=\"journey\">\n");
    if (index < VIZ_REPORT_MAX_DIAGRAMS && m->hops->len > 0) {
        g_autoptr(GError) err = NULL;
        const char *ids[] = {m->id};
        g_autoptr(GBytes) svg = viz_path_render(rep->vt, ids, 1, VIZ_FORMAT_SVG, &err);
        g_autofree char *cap = g_strdup_printf("Path of %s, hops numbered in time order", m->id);
        viz_report_figure(rep, svg, err, cap);
    }
    viz_report_hops(rep, m);
    viz_report_raw(rep, "</div>\n");
    viz_report_copies(rep, m->id);
    viz_report_exposure(rep, m->id);
    viz_report_checks(rep, m);
    viz_report_raw(rep, "</article>\n");
}

void
viz_report_section_messages(VizReport *rep)
{
    guint n = rep->messages->len;
    viz_report_raw(rep, "<section id=\"messages\"><h2>Messages</h2>\n");
    if (n == 0)
        viz_report_raw(rep, "<p class=\"note\">No message was sent.</p>\n");
    if (n > VIZ_REPORT_MAX_DIAGRAMS)
        g_string_append_printf(rep->out,
                               "<p class=\"note\">%u messages; the first %u have a path "
                               "diagram, the overview draws them all.</p>\n",
                               n, VIZ_REPORT_MAX_DIAGRAMS);
    for (guint i = 0; i < n && i < VIZ_REPORT_MAX_ROWS; i++)
        viz_report_message(rep, i, rep->messages->pdata[i]);
    if (n > VIZ_REPORT_MAX_ROWS)
        g_string_append_printf(rep->out,
                               "<p class=\"note\">%u more messages are in the trace.</p>\n",
                               n - VIZ_REPORT_MAX_ROWS);
    viz_report_raw(rep, "</section>\n");
}
