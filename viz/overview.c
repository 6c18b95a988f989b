/* SPDX-License-Identifier: MIT
 * overview: every message of a run in one diagram. Edges with the same
 * sender, receiver, kind and protocol are merged into one, labelled with
 * the count (or the message id when there is only one) and drawn thicker
 * as the count grows, so a run of a hundred messages stays readable.
 */
#include "viz/path_diagram.h"

#include <string.h>

typedef struct {
    const VizHop *first;   /* borrowed from the model */
    const char *first_msg; /* borrowed */
    gboolean is_dsn;
    guint count;
} VizOverviewEdge;

static const char *
viz_overview_kind(const VizHop *h, gboolean is_dsn)
{
    if (h->action == VIZ_HOP_REJECT)
        return "refused";
    if (h->action == VIZ_HOP_FAIL)
        return "failed";
    return is_dsn ? "DSN" : "";
}

static char *
viz_overview_label(const VizOverviewEdge *e)
{
    const char *kind = viz_overview_kind(e->first, e->is_dsn);
    const char *proto = *e->first->proto ? e->first->proto : "";
    g_autofree char *what = g_strjoin(" ", kind, proto, NULL);
    g_strstrip(what);
    if (e->count == 1)
        return g_strdup_printf("%s %s", e->first_msg, what);
    return g_strdup_printf("%u messages %s", e->count, what);
}

static guint
viz_overview_penwidth(guint count)
{
    guint w = 1;
    while (count > 1 && w < 5) {
        count /= 4;
        w++;
    }
    return w;
}

static void
viz_overview_collect(const VizTrace *vt, VizGraph *g, GPtrArray *edges, GHashTable *index)
{
    for (guint i = 0; i < viz_trace_n_messages(vt); i++) {
        const VizMessage *m = viz_trace_message(vt, i);
        for (guint j = 0; j < m->hops->len; j++) {
            const VizHop *h = m->hops->pdata[j];
            const VizNode *n = viz_trace_find_node(vt, h->node);
            if (h->from) {
                const VizNode *f = viz_trace_find_node(vt, h->from);
                viz_graph_add_node(g, h->from, f ? f->role : VIZ_ROLE_UNKNOWN);
            }
            viz_graph_add_node(g, h->node, n ? n->role : VIZ_ROLE_UNKNOWN);
            if (h->from == NULL)
                continue;
            gboolean is_dsn = m->about != NULL;
            char *key = g_strdup_printf("%s\n%s\n%s\n%s", h->from, h->node,
                                        viz_overview_kind(h, is_dsn), h->proto);
            VizOverviewEdge *e = g_hash_table_lookup(index, key);
            if (e == NULL) {
                e = g_new0(VizOverviewEdge, 1);
                e->first = h;
                e->first_msg = m->id;
                e->is_dsn = is_dsn;
                g_ptr_array_add(edges, e);
                g_hash_table_insert(index, key, e);
            } else {
                g_free(key);
            }
            e->count++;
        }
    }
}

VizGraph *
viz_overview_graph(const VizTrace *vt)
{
    VizGraph *g = viz_graph_new("mhs");
    g_autoptr(GPtrArray) edges = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GHashTable) index = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    viz_overview_collect(vt, g, edges, index);
    /* Insertion order, not hash order: the same trace gives the same bytes. */
    for (guint i = 0; i < edges->len; i++) {
        const VizOverviewEdge *e = edges->pdata[i];
        g_autofree char *label = viz_overview_label(e);
        VizEdgeStyle st = {.label = label, .penwidth = viz_overview_penwidth(e->count)};
        if (e->first->action == VIZ_HOP_REJECT) {
            st.color = "red";
            st.style = "bold";
        } else if (e->first->action == VIZ_HOP_FAIL) {
            st.color = "gray50";
            st.style = "dotted";
        } else if (e->is_dsn) {
            st.color = "firebrick";
            st.style = "dashed";
        }
        viz_graph_add_edge(g, e->first->from, e->first->node, &st);
    }
    return g;
}
