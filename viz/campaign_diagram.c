/* SPDX-License-Identifier: MIT
 * campaign_diagram: where a spam campaign stopped. Each spam
 * message's route (its path, then the node where it stopped) merged into
 * counted edges, each distinct stop (node, verdict, SMTP stage, reply) an
 * outcome box, and DSNs to forged senders as backscatter edges. Every
 * collection keeps insertion order (never hash order), so the same trace
 * gives the same bytes. Reads VizVerdict records only.
 */
#include "viz/campaign_diagram.h"

#include <string.h>

typedef struct {
    char *from, *to;
    char *label; /* outcome and backscatter edges: written after the count */
    const char *color, *style;
    guint count;
} VizCampEdge;

typedef struct {
    VizGraph *g;
    const VizTrace *vt;
    GPtrArray *edges;  /* VizCampEdge, first-seen order */
    GHashTable *index; /* key -> VizCampEdge (borrowed) */
    GHashTable *boxes; /* outcome key -> box id (owned strings) */
    guint n_boxes;
    guint total;
    GPtrArray *verdict_names; /* "delivered"... first-seen order */
    GArray *verdict_counts;   /* guint, parallel */
} VizCamp;

static void
viz_camp_edge_free(gpointer p)
{
    VizCampEdge *e = p;
    g_free(e->from);
    g_free(e->to);
    g_free(e->label);
    g_free(e);
}

char *
viz_campaign_reason(const char *reason)
{
    GString *out = g_string_new(NULL);
    const char *p = reason ? reason : "";
    while (*p) {
        const char *gt = *p == '<' ? strchr(p, '>') : NULL;
        if (gt && gt[1] == ':' && gt[2] == ' ') {
            p = gt + 3; /* "<rcpt@domain>: " names one recipient */
            continue;
        }
        g_string_append_c(out, *p++);
    }
    return g_string_free(out, FALSE);
}

static gboolean
viz_camp_selected(const VizVerdict *v, const char *name, gboolean all)
{
    return all || g_strcmp0(v->campaign, name) == 0;
}

GPtrArray *
viz_campaign_names(const VizTrace *vt)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < viz_trace_n_verdicts(vt); i++) {
        const VizVerdict *v = viz_trace_verdict(vt, i);
        gboolean seen = FALSE;
        for (guint k = 0; k < names->len && !seen; k++)
            seen = strcmp(names->pdata[k], v->campaign) == 0;
        if (!seen && *v->campaign)
            g_ptr_array_add(names, g_strdup(v->campaign));
    }
    return names;
}

static void
viz_camp_node(VizCamp *c, const char *name, const VizVerdict *v)
{
    if (strcmp(name, v->spammer) == 0) {
        g_autofree char *label = g_strdup_printf("%s\n(spammer)", name);
        viz_graph_add_box(c->g, name, label, "box3d", "red3");
        return;
    }
    const VizNode *n = viz_trace_find_node(c->vt, name);
    viz_graph_add_node(c->g, name, n ? n->role : VIZ_ROLE_UNKNOWN);
}

static VizCampEdge *
viz_camp_edge(VizCamp *c, const char *from, const char *to, const char *kind)
{
    g_autofree char *key = g_strdup_printf("%s\n%s\n%s", kind, from, to);
    VizCampEdge *e = g_hash_table_lookup(c->index, key);
    if (e == NULL) {
        e = g_new0(VizCampEdge, 1);
        e->from = g_strdup(from);
        e->to = g_strdup(to);
        g_ptr_array_add(c->edges, e);
        g_hash_table_insert(c->index, g_steal_pointer(&key), e);
    }
    e->count++;
    return e;
}

static const char *
viz_camp_color(const char *verdict)
{
    if (strcmp(verdict, "delivered") == 0)
        return "darkgreen";
    if (strcmp(verdict, "rejected") == 0)
        return "red";
    if (strcmp(verdict, "bounced") == 0)
        return "darkorange3";
    return "gray40";
}

/* The outcome box of v: one per (node, verdict, stage, reply). */
static void
viz_camp_outcome(VizCamp *c, const VizVerdict *v)
{
    g_autofree char *reason = viz_campaign_reason(v->reason);
    g_autofree char *key = g_strdup_printf("%s\n%s\n%s\n%s", v->node, v->verdict, v->stage, reason);
    const char *id = g_hash_table_lookup(c->boxes, key);
    if (id == NULL) {
        char *nid = g_strdup_printf("outcome %u", ++c->n_boxes);
        /* "delivered to mailbox" says it all; refusals name their stage. */
        g_autofree char *label = g_str_has_prefix(reason, v->verdict)
                                     ? g_strdup(reason)
                                     : g_strdup_printf("%s%s%s\n%s", v->verdict,
                                                       *v->stage ? " at " : "", v->stage, reason);
        viz_graph_add_box(c->g, nid, label, "note", viz_camp_color(v->verdict));
        g_hash_table_insert(c->boxes, g_steal_pointer(&key), nid);
        id = nid;
    }
    VizCampEdge *e = viz_camp_edge(c, v->node, id, "outcome");
    e->color = viz_camp_color(v->verdict);
    if (e->label == NULL)
        e->label = g_strdup(v->verdict);
}

static void
viz_camp_backscatter(VizCamp *c, const VizVerdict *v)
{
    if (*v->dsn_to == '\0')
        return;
    const char *to = *v->dsn_node ? v->dsn_node : v->dsn_to;
    if (*v->dsn_node)
        viz_camp_node(c, to, v);
    else
        viz_graph_add_box(c->g, to, to, "note", "firebrick");
    g_autofree char *kind = g_strdup_printf("dsn\n%s", v->dsn_to);
    VizCampEdge *e = viz_camp_edge(c, v->node, to, kind);
    e->color = "firebrick";
    e->style = "dashed";
    if (e->label == NULL)
        e->label = g_strdup_printf("DSN to %s (backscatter)", v->dsn_to);
}

static void
viz_camp_count_verdict(VizCamp *c, const char *verdict)
{
    for (guint k = 0; k < c->verdict_names->len; k++) {
        if (strcmp(c->verdict_names->pdata[k], verdict) == 0) {
            g_array_index(c->verdict_counts, guint, k)++;
            return;
        }
    }
    g_ptr_array_add(c->verdict_names, (gpointer)verdict);
    guint one = 1;
    g_array_append_val(c->verdict_counts, one);
}

static void
viz_camp_add(VizCamp *c, const VizVerdict *v)
{
    guint n = g_strv_length(v->path);
    const char *prev = NULL;
    for (guint i = 0; i <= n; i++) {
        const char *cur = i < n ? v->path[i] : v->node;
        if (*cur == '\0' || (prev && strcmp(prev, cur) == 0))
            continue;
        viz_camp_node(c, cur, v);
        if (prev)
            viz_camp_edge(c, prev, cur, "hop");
        prev = cur;
    }
    if (*v->node) {
        viz_camp_outcome(c, v);
        viz_camp_backscatter(c, v);
    }
    viz_camp_count_verdict(c, v->verdict);
    c->total++;
}

static guint
viz_camp_penwidth(guint count)
{
    guint w = 1;
    while (count > 1 && w < 5) {
        count /= 4;
        w++;
    }
    return w;
}

static void
viz_camp_draw_edges(VizCamp *c)
{
    for (guint i = 0; i < c->edges->len; i++) {
        const VizCampEdge *e = c->edges->pdata[i];
        g_autofree char *label =
            e->label ? g_strdup_printf("%u %s", e->count, e->label)
                     : g_strdup_printf("%u message%s", e->count, e->count == 1 ? "" : "s");
        VizEdgeStyle st = {
            .color = e->color,
            .style = e->style,
            .label = label,
            .penwidth = viz_camp_penwidth(e->count),
        };
        viz_graph_add_edge(c->g, e->from, e->to, &st);
    }
}

static void
viz_camp_title(VizCamp *c, const char *name)
{
    GString *t = g_string_new(NULL);
    g_string_append_printf(t, "%s %s: %u message%s", name ? "campaign" : "spam",
                           name ? name : "(every campaign)", c->total, c->total == 1 ? "" : "s");
    for (guint k = 0; k < c->verdict_names->len; k++)
        g_string_append_printf(t, ", %u %s", g_array_index(c->verdict_counts, guint, k),
                               (const char *)c->verdict_names->pdata[k]);
    viz_graph_set(c->g, "label", t->str);
    viz_graph_set(c->g, "labelloc", "t");
    g_string_free(t, TRUE);
}

VizGraph *
viz_campaign_graph(const VizTrace *vt, const char *name, GError **error)
{
    gboolean named = FALSE;
    for (guint i = 0; name && i < viz_trace_n_verdicts(vt) && !named; i++)
        named = strcmp(viz_trace_verdict(vt, i)->campaign, name) == 0;
    gboolean all = !named && (name == NULL || strcmp(name, "all") == 0);
    VizCamp c = {
        .g = viz_graph_new("campaign"),
        .vt = vt,
        .edges = g_ptr_array_new_with_free_func(viz_camp_edge_free),
        .index = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
        .boxes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
        .verdict_names = g_ptr_array_new(),
        .verdict_counts = g_array_new(FALSE, TRUE, sizeof(guint)),
    };
    viz_graph_set(c.g, "rankdir", "LR");
    for (guint i = 0; i < viz_trace_n_verdicts(vt); i++) {
        const VizVerdict *v = viz_trace_verdict(vt, i);
        if (viz_camp_selected(v, name, all))
            viz_camp_add(&c, v);
    }
    viz_camp_draw_edges(&c);
    viz_camp_title(&c, all ? NULL : name);
    g_ptr_array_unref(c.edges);
    g_hash_table_unref(c.index);
    g_hash_table_unref(c.boxes);
    g_ptr_array_unref(c.verdict_names);
    g_array_unref(c.verdict_counts);
    if (c.total == 0) {
        g_set_error(error, VIZ_ERROR, VIZ_ERROR_NOT_FOUND,
                    all ? "no spam.verdict records in the trace" : "no campaign '%s' in the trace",
                    name);
        viz_graph_free(c.g);
        return NULL;
    }
    return c.g;
}

GBytes *
viz_campaign_render(const VizTrace *vt, const char *name, VizFormat fmt, GError **error)
{
    g_autoptr(VizGraph) g = viz_campaign_graph(vt, name, error);
    return g ? viz_graph_render(g, fmt, error) : NULL;
}

gboolean
viz_campaign_write_all(const VizTrace *vt, const char *dir, GError **error)
{
    g_autoptr(GPtrArray) names = viz_campaign_names(vt);
    for (guint i = 0; i < names->len; i++) {
        const char *name = names->pdata[i];
        g_autoptr(GBytes) svg = viz_campaign_render(vt, name, VIZ_FORMAT_SVG, error);
        if (svg == NULL)
            return FALSE;
        g_autofree char *safe = g_strdup(name);
        for (char *p = safe; *p; p++)
            if (!g_ascii_isalnum(*p) && *p != '.' && *p != '_' && *p != '-')
                *p = '_';
        g_autofree char *file = g_strdup_printf("campaign-%s.svg", safe);
        g_autofree char *path = g_build_filename(dir, file, NULL);
        if (!viz_write_bytes(path, svg, error))
            return FALSE;
    }
    return TRUE;
}
