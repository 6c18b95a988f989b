/* SPDX-License-Identifier: MIT
 * trace_reader: loads a JSON Lines trace (DESIGN 6) with json-glib, or
 * takes in-memory trace records, and hands each record to the model
 * builder (trace_model.c). JSON lines become SimTraceRec through a callback
 * sink, so both inputs go through the same record accessors. Fields that
 * are neither strings, integers nor booleans are ignored.
 */
#include "viz/trace_reader.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "viz/trace_model-private.h"

/* clang-format off */
G_DEFINE_QUARK(viz-error-quark, viz_error)
/* clang-format on */

static void
viz_hop_free(gpointer p)
{
    VizHop *h = p;
    g_free(h->node);
    g_free(h->from);
    g_free(h->detail);
    g_free(h->proto);
    g_free(h);
}

static void
viz_message_free(gpointer p)
{
    VizMessage *m = p;
    g_ptr_array_set_free_func(m->hops, viz_hop_free);
    g_ptr_array_unref(m->hops);
    g_free(m->id);
    g_free(m->about);
    g_free(m);
}

static void
viz_line_free(gpointer p)
{
    VizLine *l = p;
    g_free(l->text);
    g_free(l);
}

static void
viz_session_free(gpointer p)
{
    VizSession *s = p;
    g_ptr_array_set_free_func(s->lines, viz_line_free);
    g_ptr_array_unref(s->lines);
    g_free(s->client);
    g_free(s->server);
    g_free(s->msg);
    g_free(s->proto);
    g_free(s);
}

static void
viz_node_free(gpointer p)
{
    VizNode *n = p;
    g_free(n->name);
    g_free(n);
}

VizTrace *
viz_trace_alloc(void)
{
    VizTrace *vt = g_new0(VizTrace, 1);
    vt->nodes = g_ptr_array_new_with_free_func(viz_node_free);
    vt->node_index = g_hash_table_new(g_str_hash, g_str_equal);
    vt->messages = g_ptr_array_new_with_free_func(viz_message_free);
    vt->msg_index = g_hash_table_new(g_str_hash, g_str_equal);
    vt->sessions = g_ptr_array_new_with_free_func(viz_session_free);
    vt->sess_index = g_hash_table_new(g_int64_hash, g_int64_equal);
    vt->verdicts = g_ptr_array_new_with_free_func(viz_verdict_free);
    return vt;
}

void
viz_trace_free(VizTrace *vt)
{
    if (vt == NULL)
        return;
    g_hash_table_destroy(vt->node_index);
    g_hash_table_destroy(vt->msg_index);
    g_hash_table_destroy(vt->sess_index);
    g_ptr_array_unref(vt->nodes);
    g_ptr_array_unref(vt->messages);
    g_ptr_array_unref(vt->sessions);
    g_ptr_array_unref(vt->verdicts);
    g_free(vt);
}

VizTrace *
viz_trace_new_from_records(const SimTraceRec *const *recs, guint n)
{
    VizTrace *vt = viz_trace_alloc();
    VizModelBuilder *b = viz_model_builder_new(vt);
    for (guint i = 0; i < n; i++)
        viz_model_builder_feed(b, recs[i]);
    viz_model_builder_free(b);
    return vt;
}

VizTrace *
viz_trace_new_from_sim(const SimTrace *trace)
{
    VizTrace *vt = viz_trace_alloc();
    VizModelBuilder *b = viz_model_builder_new(vt);
    guint n = sim_trace_n_records(trace);
    for (guint i = 0; i < n; i++)
        viz_model_builder_feed(b, sim_trace_record(trace, i));
    viz_model_builder_free(b);
    return vt;
}

static void
viz_trace_on_record(const SimTraceRec *rec, gpointer user_data)
{
    viz_model_builder_feed(user_data, rec);
}

static void
viz_trace_add_member(SimTraceRec *r, const char *key, JsonNode *v)
{
    if (strcmp(key, "t") == 0 || strcmp(key, "ev") == 0 || strcmp(key, "node") == 0)
        return;
    if (!JSON_NODE_HOLDS_VALUE(v))
        return;
    GType type = json_node_get_value_type(v);
    if (type == G_TYPE_STRING)
        sim_trace_str(r, key, json_node_get_string(v));
    else if (type == G_TYPE_INT64)
        sim_trace_int(r, key, json_node_get_int(v));
    else if (type == G_TYPE_BOOLEAN)
        sim_trace_bool(r, key, json_node_get_boolean(v));
}

/* One JSON object into the trace as a record; FALSE with error text. */
static gboolean
viz_trace_parse_line(SimTrace *tr, JsonParser *p, const char *line, char **why)
{
    g_autoptr(GError) err = NULL;
    if (!json_parser_load_from_data(p, line, -1, &err)) {
        *why = g_strdup(err->message);
        return FALSE;
    }
    JsonNode *root = json_parser_get_root(p);
    JsonObject *o = root && JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : NULL;
    JsonNode *t = o ? json_object_get_member(o, "t") : NULL;
    JsonNode *ev = o ? json_object_get_member(o, "ev") : NULL;
    JsonNode *node = o ? json_object_get_member(o, "node") : NULL;
    if (t == NULL || !JSON_NODE_HOLDS_VALUE(t) || ev == NULL ||
        json_node_get_value_type(ev) != G_TYPE_STRING) {
        *why = g_strdup("not a trace record (no \"t\" number or \"ev\" string)");
        return FALSE;
    }
    GType tt = json_node_get_value_type(t);
    if (tt != G_TYPE_DOUBLE && tt != G_TYPE_INT64) {
        *why = g_strdup("\"t\" is not a number");
        return FALSE;
    }
    /* t has six decimals: rounding the double to microseconds is exact for
     * any run shorter than about 285 years of virtual time. */
    double d = tt == G_TYPE_DOUBLE ? json_node_get_double(t) * 1e6 : 0;
    SimTime st = tt == G_TYPE_INT64 ? json_node_get_int(t) * SIM_TIME_S
                                    : (SimTime)(d + (d < 0 ? -0.5 : 0.5));
    const char *nd =
        node && json_node_get_value_type(node) == G_TYPE_STRING ? json_node_get_string(node) : NULL;
    SimTraceRec *r = sim_trace_begin(tr, st, json_node_get_string(ev), nd);
    g_autoptr(GList) keys = json_object_get_members(o);
    for (GList *k = keys; k; k = k->next)
        viz_trace_add_member(r, k->data, json_object_get_member(o, k->data));
    sim_trace_end(r);
    return TRUE;
}

VizTrace *
viz_trace_load_file(const char *path, GError **error)
{
    g_return_val_if_fail(path != NULL, NULL);
    g_autofree char *text = NULL;
    g_autoptr(GError) err = NULL;
    if (!g_file_get_contents(path, &text, NULL, &err)) {
        g_set_error(error, VIZ_ERROR, VIZ_ERROR_IO, "%s", err->message);
        return NULL;
    }
    g_autoptr(VizTrace) vt = viz_trace_alloc();
    VizModelBuilder *b = viz_model_builder_new(vt);
    g_autoptr(SimTrace) tr = sim_trace_new();
    sim_trace_add_callback(tr, viz_trace_on_record, b, NULL);
    g_autoptr(JsonParser) p = json_parser_new();
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    gboolean ok = TRUE;
    for (guint i = 0; ok && lines[i]; i++) {
        g_strstrip(lines[i]);
        if (*lines[i] == '\0')
            continue;
        g_autofree char *why = NULL;
        ok = viz_trace_parse_line(tr, p, lines[i], &why);
        if (!ok)
            g_set_error(error, VIZ_ERROR, VIZ_ERROR_PARSE, "%s:%u: %s", path, i + 1, why);
    }
    viz_model_builder_free(b);
    return ok ? g_steal_pointer(&vt) : NULL;
}

guint
viz_trace_n_nodes(const VizTrace *vt)
{
    return vt->nodes->len;
}

const VizNode *
viz_trace_node(const VizTrace *vt, guint i)
{
    g_return_val_if_fail(i < vt->nodes->len, NULL);
    return vt->nodes->pdata[i];
}

const VizNode *
viz_trace_find_node(const VizTrace *vt, const char *name)
{
    return name ? g_hash_table_lookup(vt->node_index, name) : NULL;
}

guint
viz_trace_n_messages(const VizTrace *vt)
{
    return vt->messages->len;
}

const VizMessage *
viz_trace_message(const VizTrace *vt, guint i)
{
    g_return_val_if_fail(i < vt->messages->len, NULL);
    return vt->messages->pdata[i];
}

const VizMessage *
viz_trace_find_message(const VizTrace *vt, const char *id)
{
    return id ? g_hash_table_lookup(vt->msg_index, id) : NULL;
}

guint
viz_trace_n_sessions(const VizTrace *vt)
{
    return vt->sessions->len;
}

const VizSession *
viz_trace_session(const VizTrace *vt, guint i)
{
    g_return_val_if_fail(i < vt->sessions->len, NULL);
    return vt->sessions->pdata[i];
}

const VizSession *
viz_trace_find_session(const VizTrace *vt, gint64 conn)
{
    return g_hash_table_lookup(vt->sess_index, &conn);
}

const char *
viz_role_name(VizRole role)
{
    static const char *const names[] = {
        [VIZ_ROLE_UNKNOWN] = "unknown", [VIZ_ROLE_MUA] = "mua", [VIZ_ROLE_MSA] = "msa",
        [VIZ_ROLE_MTA] = "mta",         [VIZ_ROLE_MS] = "ms",   [VIZ_ROLE_DNS] = "dns",
        [VIZ_ROLE_OTHER] = "other",     [VIZ_ROLE_SPAMMER] = "spammer",
    };
    g_return_val_if_fail((guint)role < G_N_ELEMENTS(names), "unknown");
    return names[role];
}

const char *
viz_hop_action_name(VizHopAction action)
{
    static const char *const names[] = {
        [VIZ_HOP_SUBMIT] = "submit", [VIZ_HOP_ACCEPT] = "accept", [VIZ_HOP_DELIVER] = "deliver",
        [VIZ_HOP_REJECT] = "reject", [VIZ_HOP_FAIL] = "fail",     [VIZ_HOP_DEFER] = "defer",
        [VIZ_HOP_BOUNCE] = "bounce",
    };
    g_return_val_if_fail((guint)action < G_N_ELEMENTS(names), "unknown");
    return names[action];
}

guint
viz_message_n_edges(const VizMessage *m)
{
    guint n = 0;
    for (guint i = 0; i < m->hops->len; i++)
        if (((const VizHop *)m->hops->pdata[i])->from != NULL)
            n++;
    return n;
}

SimTrace *
viz_trace_load_records(const char *path, GError **error)
{
    g_return_val_if_fail(path != NULL, NULL);
    g_autofree char *text = NULL;
    g_autoptr(GError) err = NULL;
    if (!g_file_get_contents(path, &text, NULL, &err)) {
        g_set_error(error, VIZ_ERROR, VIZ_ERROR_IO, "%s", err->message);
        return NULL;
    }
    g_autoptr(SimTrace) tr = sim_trace_new();
    sim_trace_keep_records(tr);
    g_autoptr(JsonParser) p = json_parser_new();
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (guint i = 0; lines[i]; i++) {
        g_strstrip(lines[i]);
        if (*lines[i] == '\0')
            continue;
        g_autofree char *why = NULL;
        if (!viz_trace_parse_line(tr, p, lines[i], &why)) {
            g_set_error(error, VIZ_ERROR, VIZ_ERROR_PARSE, "%s:%u: %s", path, i + 1, why);
            return NULL;
        }
    }
    return g_steal_pointer(&tr);
}
