/* SPDX-License-Identifier: MIT
 * path_diagram: message paths as cgraph graphs (see path_diagram.h). Each
 * hop that has a sender becomes one numbered edge, in trace order; the
 * hop's protocol is the msg.accept "proto" (RFC 3848 names) or, for final
 * delivery, the session's greeting verb. Deferrals and bounces are kept in
 * the model but drawn only through their consequences (failed connects,
 * the DSN's own path).
 */
#include "viz/path_diagram.h"

#include "viz/campaign_diagram.h"

#include <string.h>

#include <glib/gstdio.h>

static const char *const viz_path_palette[VIZ_PATH_MAX_MESSAGES] = {
    "#1f5fbf", "#2e8b57", "#d2691e", "#8a2be2", "#008b8b", "#b8860b",
};

#define VIZ_PATH_REJECT_COLOR "red"
#define VIZ_PATH_DSN_COLOR "firebrick"
#define VIZ_PATH_FAIL_COLOR "gray50"

typedef struct {
    gboolean has_reject, has_dsn, has_fail;
} VizPathSeen;

static void
viz_path_add_nodes(VizGraph *g, const VizTrace *vt, const VizHop *h)
{
    const VizNode *n;
    if (h->from) {
        n = viz_trace_find_node(vt, h->from);
        viz_graph_add_node(g, h->from, n ? n->role : VIZ_ROLE_UNKNOWN);
    }
    n = viz_trace_find_node(vt, h->node);
    viz_graph_add_node(g, h->node, n ? n->role : VIZ_ROLE_UNKNOWN);
}

/* "1: 1.045047s ESMTP", "2: 1.181203s refused 550 user unknown (x@y)". */
static char *
viz_path_hop_label(const VizHop *h, guint k, const char *prefix)
{
    g_autofree char *t = viz_time_label(h->t);
    switch (h->action) {
    case VIZ_HOP_REJECT:
        return g_strdup_printf("%s%u: %s refused %s", prefix, k, t, h->detail);
    case VIZ_HOP_FAIL:
        return g_strdup_printf("%s%u: %s connect failed: %s", prefix, k, t, h->detail);
    default:
        return g_strdup_printf("%s%u: %s %s", prefix, k, t,
                               *h->proto ? h->proto : viz_hop_action_name(h->action));
    }
}

static void
viz_path_add_message(VizGraph *g, const VizTrace *vt, const VizMessage *m, const char *color,
                     gboolean is_dsn, const char *prefix, VizPathSeen *seen)
{
    guint k = 0;
    for (guint i = 0; i < m->hops->len; i++) {
        const VizHop *h = m->hops->pdata[i];
        viz_path_add_nodes(g, vt, h);
        if (h->from == NULL)
            continue;
        g_autofree char *label = viz_path_hop_label(h, ++k, prefix);
        VizEdgeStyle st = {.color = color, .label = label};
        if (is_dsn) {
            st.color = VIZ_PATH_DSN_COLOR;
            st.style = "dashed";
            seen->has_dsn = TRUE;
        }
        if (h->action == VIZ_HOP_REJECT) {
            st.color = VIZ_PATH_REJECT_COLOR;
            st.style = "bold";
            seen->has_reject = TRUE;
        } else if (h->action == VIZ_HOP_FAIL) {
            st.color = VIZ_PATH_FAIL_COLOR;
            st.style = "dotted";
            seen->has_fail = TRUE;
        }
        viz_graph_add_edge(g, h->from, h->node, &st);
    }
}

static void
viz_path_add_legend(VizGraph *g, const char *const *ids, guint n, const VizPathSeen *seen)
{
    const char *colors[VIZ_PATH_MAX_MESSAGES + 3], *texts[VIZ_PATH_MAX_MESSAGES + 3];
    guint k = 0;
    for (guint i = 0; i < n; i++) {
        colors[k] = viz_path_palette[i];
        texts[k++] = ids[i];
    }
    if (seen->has_reject) {
        colors[k] = VIZ_PATH_REJECT_COLOR;
        texts[k++] = "refused";
    }
    if (seen->has_fail) {
        colors[k] = VIZ_PATH_FAIL_COLOR;
        texts[k++] = "connect failed";
    }
    if (seen->has_dsn) {
        colors[k] = VIZ_PATH_DSN_COLOR;
        texts[k++] = "DSN (bounce), dashed";
    }
    viz_graph_add_legend(g, colors, texts, k);
}

VizGraph *
viz_path_graph(const VizTrace *vt, const char *const *ids, guint n, GError **error)
{
    g_return_val_if_fail(n >= 1 && n <= VIZ_PATH_MAX_MESSAGES, NULL);
    for (guint i = 0; i < n; i++) {
        if (viz_trace_find_message(vt, ids[i]) == NULL) {
            g_set_error(error, VIZ_ERROR, VIZ_ERROR_NOT_FOUND, "no message '%s' in the trace",
                        ids[i]);
            return NULL;
        }
    }
    g_autoptr(VizGraph) g = viz_graph_new("mhs");
    VizPathSeen seen = {0};
    for (guint i = 0; i < n; i++) {
        const VizMessage *m = viz_trace_find_message(vt, ids[i]);
        g_autofree char *prefix = n > 1 ? g_strdup_printf("%s ", m->id) : g_strdup("");
        viz_path_add_message(g, vt, m, viz_path_palette[i], FALSE, prefix, &seen);
        for (guint j = 0; j < viz_trace_n_messages(vt); j++) {
            const VizMessage *d = viz_trace_message(vt, j);
            if (d->about && strcmp(d->about, m->id) == 0) {
                g_autofree char *dp = g_strdup_printf("%sDSN ", prefix);
                viz_path_add_message(g, vt, d, viz_path_palette[i], TRUE, dp, &seen);
            }
        }
    }
    if (n > 1 || seen.has_reject || seen.has_fail || seen.has_dsn)
        viz_path_add_legend(g, ids, n, &seen);
    return g_steal_pointer(&g);
}

GBytes *
viz_path_render(const VizTrace *vt, const char *const *ids, guint n, VizFormat fmt, GError **error)
{
    g_autoptr(VizGraph) g = viz_path_graph(vt, ids, n, error);
    return g ? viz_graph_render(g, fmt, error) : NULL;
}

GBytes *
viz_overview_render(const VizTrace *vt, VizFormat fmt, GError **error)
{
    g_autoptr(VizGraph) g = viz_overview_graph(vt);
    return viz_graph_render(g, fmt, error);
}

/* A message id as a file name: anything but [A-Za-z0-9._-] becomes '_'. */
static char *
viz_path_file_name(const char *dir, const char *id)
{
    g_autofree char *base = g_strdup(id);
    for (char *p = base; *p; p++)
        if (!g_ascii_isalnum(*p) && *p != '.' && *p != '-' && *p != '_')
            *p = '_';
    if (*base == '.' || *base == '\0') {
        g_autofree char *old = g_steal_pointer(&base);
        base = g_strdup_printf("_%s", old);
    }
    g_autofree char *file = g_strdup_printf("%s.svg", base);
    return g_build_filename(dir, file, NULL);
}

gboolean
viz_write_all(const SimTrace *trace, const char *dir, GError **error)
{
    if (g_mkdir_with_parents(dir, 0755) != 0) {
        g_set_error(error, VIZ_ERROR, VIZ_ERROR_IO, "%s: cannot create directory", dir);
        return FALSE;
    }
    g_autoptr(VizTrace) vt = viz_trace_new_from_sim(trace);
    g_autoptr(GBytes) all = viz_overview_render(vt, VIZ_FORMAT_SVG, error);
    g_autofree char *all_path = g_build_filename(dir, "all.svg", NULL);
    if (all == NULL || !viz_write_bytes(all_path, all, error))
        return FALSE;
    for (guint i = 0; i < viz_trace_n_messages(vt); i++) {
        const VizMessage *m = viz_trace_message(vt, i);
        if (m->about != NULL)
            continue; /* drawn with the message it reports on */
        const char *ids[] = {m->id};
        g_autoptr(GBytes) svg = viz_path_render(vt, ids, 1, VIZ_FORMAT_SVG, error);
        g_autofree char *path = viz_path_file_name(dir, m->id);
        if (svg == NULL || !viz_write_bytes(path, svg, error))
            return FALSE;
    }
    return viz_campaign_write_all(vt, dir, error);
}
