/* SPDX-License-Identifier: MIT
 * scenario_yaml: the loader's YAML layer: libyaml document loading with
 * error marks, "FILE:LINE:COL: message" errors, the table-driven key
 * applier, generic value setters, and deferred reference checks.
 */
#include "app/scenario-private.h"

#include <string.h>

#include "app/scenario_value.h"

G_DEFINE_QUARK(scenario - error - quark, scenario_error)

static void
scenario_ref_free(ScenarioRef *r)
{
    g_free(r->name);
    g_free(r);
}

/* libyaml reader errors carry a byte offset, not a mark. */
static void
scenario_offset_to_mark(const char *text, gsize len, gsize offset, gsize *line, gsize *col)
{
    *line = 0;
    *col = 0;
    for (gsize i = 0; i < offset && i < len; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 0;
        } else {
            (*col)++;
        }
    }
}

static gboolean
scenario_ctx_syntax_error(ScenarioCtx *ctx, yaml_parser_t *parser, const char *text, gsize len,
                          GError **error)
{
    gsize line = parser->problem_mark.line, col = parser->problem_mark.column;
    if (parser->error == YAML_READER_ERROR)
        scenario_offset_to_mark(text, len, parser->problem_offset, &line, &col);
    const char *problem = parser->problem != NULL ? parser->problem : "cannot parse";
    if (parser->context != NULL)
        g_set_error(error, SCENARIO_ERROR, SCENARIO_ERROR_SYNTAX,
                    "%s:%" G_GSIZE_FORMAT ":%" G_GSIZE_FORMAT ": YAML syntax error: %s %s",
                    ctx->file, line + 1, col + 1, problem, parser->context);
    else
        g_set_error(error, SCENARIO_ERROR, SCENARIO_ERROR_SYNTAX,
                    "%s:%" G_GSIZE_FORMAT ":%" G_GSIZE_FORMAT ": YAML syntax error: %s", ctx->file,
                    line + 1, col + 1, problem);
    return FALSE;
}

gboolean
scenario_ctx_init(ScenarioCtx *ctx, const char *text, gsize len, const char *file, GError **error)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->file = g_intern_string(file != NULL ? file : "<scenario>");
    ctx->node_refs = g_ptr_array_new_with_free_func((GDestroyNotify)scenario_ref_free);
    ctx->msg_refs = g_ptr_array_new_with_free_func((GDestroyNotify)scenario_ref_free);
    ctx->msg_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    ctx->ips = g_hash_table_new(g_str_hash, g_str_equal);
    if (len > SCENARIO_FILE_MAX) {
        g_set_error(error, SCENARIO_ERROR, SCENARIO_ERROR_IO,
                    "%s: file too large (%" G_GSIZE_FORMAT " bytes, at most %d)", ctx->file, len,
                    SCENARIO_FILE_MAX);
        return FALSE;
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        g_error("libyaml: cannot initialise a parser");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &ctx->doc)) {
        scenario_ctx_syntax_error(ctx, &parser, text, len, error);
        yaml_parser_delete(&parser);
        return FALSE;
    }
    yaml_parser_delete(&parser);
    ctx->has_doc = TRUE;
    if (yaml_document_get_root_node(&ctx->doc) == NULL) {
        g_set_error(error, SCENARIO_ERROR, SCENARIO_ERROR_EMPTY, "%s:1:1: the file is empty",
                    ctx->file);
        return FALSE;
    }
    return TRUE;
}

void
scenario_ctx_clear(ScenarioCtx *ctx)
{
    if (ctx->has_doc)
        yaml_document_delete(&ctx->doc);
    ctx->has_doc = FALSE;
    g_clear_pointer(&ctx->node_refs, g_ptr_array_unref);
    g_clear_pointer(&ctx->msg_refs, g_ptr_array_unref);
    g_clear_pointer(&ctx->msg_ids, g_hash_table_unref);
    g_clear_pointer(&ctx->ips, g_hash_table_unref);
}

yaml_node_t *
scenario_root(ScenarioCtx *ctx)
{
    return ctx->has_doc ? yaml_document_get_root_node(&ctx->doc) : NULL;
}

void
scenario_loc(ScenarioCtx *ctx, yaml_node_t *v, SpecLoc *loc)
{
    loc->file = ctx->file;
    if (v != NULL && ctx->origins != NULL && ctx->has_doc) {
        gsize i = (gsize)(v - ctx->doc.nodes.start);
        if (v >= ctx->doc.nodes.start && i < ctx->n_origins && ctx->origins[i] != NULL)
            loc->file = ctx->origins[i];
    }
    loc->line = v != NULL ? (guint)v->start_mark.line + 1 : 0;
    loc->col = v != NULL ? (guint)v->start_mark.column + 1 : 0;
}

static gboolean
scenario_fail_va(ScenarioCtx *ctx, const SpecLoc *loc, GError **error, ScenarioErrorCode code,
                 const char *fmt, va_list ap)
{
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    g_set_error(error, SCENARIO_ERROR, code, "%s:%u:%u: %s", loc->file, loc->line, loc->col, msg);
    return FALSE;
}

gboolean
scenario_fail(ScenarioCtx *ctx, yaml_node_t *at, GError **error, ScenarioErrorCode code,
              const char *fmt, ...)
{
    SpecLoc loc;
    scenario_loc(ctx, at, &loc);
    va_list ap;
    va_start(ap, fmt);
    scenario_fail_va(ctx, &loc, error, code, fmt, ap);
    va_end(ap);
    return FALSE;
}

static gboolean G_GNUC_PRINTF(5, 6)
    scenario_fail_at(ScenarioCtx *ctx, const SpecLoc *loc, GError **error, ScenarioErrorCode code,
                     const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    scenario_fail_va(ctx, loc, error, code, fmt, ap);
    va_end(ap);
    return FALSE;
}

yaml_node_t *
scenario_item(ScenarioCtx *ctx, int index)
{
    yaml_node_t *n = yaml_document_get_node(&ctx->doc, index);
    g_assert(n != NULL);
    return n;
}

gboolean
scenario_is_null(const yaml_node_t *v)
{
    if (v == NULL)
        return TRUE;
    if (v->type != YAML_SCALAR_NODE || v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return FALSE;
    const char *s = (const char *)v->data.scalar.value;
    return s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
           strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

const char *
scenario_kind_name(const yaml_node_t *v)
{
    switch (v->type) {
    case YAML_SCALAR_NODE:
        return scenario_is_null(v) ? "empty" : "a string";
    case YAML_SEQUENCE_NODE:
        return "a list";
    case YAML_MAPPING_NODE:
        return "a mapping";
    default:
        return "nothing";
    }
}

static yaml_node_pair_t *
scenario_map_pair(ScenarioCtx *ctx, yaml_node_t *map, const char *key)
{
    if (map == NULL || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = scenario_item(ctx, p->key);
        if (k->type == YAML_SCALAR_NODE && strcmp((const char *)k->data.scalar.value, key) == 0)
            return p;
    }
    return NULL;
}

yaml_node_t *
scenario_map_get(ScenarioCtx *ctx, yaml_node_t *map, const char *key)
{
    yaml_node_pair_t *p = scenario_map_pair(ctx, map, key);
    return p != NULL ? scenario_item(ctx, p->value) : NULL;
}

yaml_node_t *
scenario_map_key(ScenarioCtx *ctx, yaml_node_t *map, const char *key)
{
    yaml_node_pair_t *p = scenario_map_pair(ctx, map, key);
    return p != NULL ? scenario_item(ctx, p->key) : NULL;
}

gboolean
scenario_want_map(ScenarioCtx *ctx, yaml_node_t *v, const char *key, GError **error)
{
    if (v->type == YAML_MAPPING_NODE)
        return TRUE;
    return scenario_fail(ctx, v, error, SCENARIO_ERROR_TYPE, "'%s' must be a mapping, not %s", key,
                         scenario_kind_name(v));
}

gboolean
scenario_want_seq(ScenarioCtx *ctx, yaml_node_t *v, const char *key, GError **error)
{
    if (v->type == YAML_SEQUENCE_NODE)
        return TRUE;
    return scenario_fail(ctx, v, error, SCENARIO_ERROR_TYPE, "'%s' must be a list, not %s", key,
                         scenario_kind_name(v));
}

const char *
scenario_want_scalar(ScenarioCtx *ctx, yaml_node_t *v, const char *key, GError **error)
{
    if (v->type != YAML_SCALAR_NODE) {
        scenario_fail(ctx, v, error, SCENARIO_ERROR_TYPE, "'%s' must be a string, not %s", key,
                      scenario_kind_name(v));
        return NULL;
    }
    const char *s = (const char *)v->data.scalar.value;
    if (strlen(s) != v->data.scalar.length) {
        scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE, "'%s' contains a NUL character", key);
        return NULL;
    }
    return s;
}

/* ---- the table-driven applier ---- */

static const ScenarioField *
scenario_fields_find(const ScenarioField *const *tables, const char *key)
{
    for (guint t = 0; tables[t] != NULL; t++)
        for (const ScenarioField *f = tables[t]; f->key != NULL; f++)
            if (strcmp(f->key, key) == 0)
                return f;
    return NULL;
}

static gboolean
scenario_fields_unknown(ScenarioCtx *ctx, yaml_node_t *k, const char *key,
                        const ScenarioField *const *tables, ScenarioKeyHint hint, GError **error)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    for (guint t = 0; tables[t] != NULL; t++)
        for (const ScenarioField *f = tables[t]; f->key != NULL; f++)
            g_ptr_array_add(names, (gpointer)f->key);
    g_ptr_array_add(names, NULL);
    g_autofree char *extra = hint != NULL ? hint(ctx, key) : NULL;
    if (extra != NULL)
        return scenario_fail(ctx, k, error, SCENARIO_ERROR_UNKNOWN_KEY,
                             "unknown key '%s' in %s (%s)", key, ctx->where, extra);
    const char *best = scenario_suggest(key, (const char *const *)names->pdata);
    if (best != NULL)
        return scenario_fail(ctx, k, error, SCENARIO_ERROR_UNKNOWN_KEY,
                             "unknown key '%s' in %s (did you mean '%s'?)", key, ctx->where, best);
    return scenario_fail(ctx, k, error, SCENARIO_ERROR_UNKNOWN_KEY, "unknown key '%s' in %s", key,
                         ctx->where);
}

gboolean
scenario_fields_apply(ScenarioCtx *ctx, yaml_node_t *map, const ScenarioField *const *tables,
                      gpointer target, ScenarioKeyHint hint, GError **error)
{
    if (map->type != YAML_MAPPING_NODE)
        return scenario_fail(ctx, map, error, SCENARIO_ERROR_TYPE, "%s must be a mapping, not %s",
                             ctx->where, scenario_kind_name(map));
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = scenario_item(ctx, p->key);
        yaml_node_t *v = scenario_item(ctx, p->value);
        const char *key = scenario_want_scalar(ctx, k, "key", error);
        if (key == NULL)
            return FALSE;
        if (g_hash_table_contains(seen, key))
            return scenario_fail(ctx, k, error, SCENARIO_ERROR_DUPLICATE,
                                 "duplicate key '%s' in %s", key, ctx->where);
        g_hash_table_add(seen, (gpointer)key);
        const ScenarioField *f = scenario_fields_find(tables, key);
        if (f == NULL)
            return scenario_fields_unknown(ctx, k, key, tables, hint, error);
        if (scenario_is_null(v))
            continue;
        if (!f->set(ctx, f, v, (char *)target + f->offset, error))
            return FALSE;
    }
    for (guint t = 0; tables[t] != NULL; t++)
        for (const ScenarioField *f = tables[t]; f->key != NULL; f++)
            if ((f->flags & SCENARIO_FIELD_REQUIRED) &&
                scenario_is_null(scenario_map_get(ctx, map, f->key)))
                return scenario_fail(ctx, map, error, SCENARIO_ERROR_MISSING,
                                     "missing required key '%s' in %s", f->key, ctx->where);
    return TRUE;
}

/* ---- generic setters ---- */

gboolean
scenario_set_skip(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                  GError **error)
{
    return TRUE;
}

gboolean
scenario_set_str(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                 GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    char **dst = slot;
    g_free(*dst);
    *dst = g_strdup(s);
    return TRUE;
}

typedef gboolean (*ScenarioItemCheck)(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v,
                                      const char *s, GError **error);

/* A list of strings, each passing check; with one_ok a single string is a
 * one-item list. */
static gboolean
scenario_set_list(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                  gboolean one_ok, ScenarioItemCheck check, GError **error)
{
    g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);
    if (one_ok && v->type == YAML_SCALAR_NODE) {
        const char *s = scenario_want_scalar(ctx, v, f->key, error);
        if (s == NULL || (check != NULL && !check(ctx, f, v, s, error)))
            return FALSE;
        g_ptr_array_add(out, g_strdup(s));
    } else {
        if (!scenario_want_seq(ctx, v, f->key, error))
            return FALSE;
        for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top;
             i++) {
            yaml_node_t *item = scenario_item(ctx, *i);
            const char *s = scenario_want_scalar(ctx, item, f->key, error);
            if (s == NULL || (check != NULL && !check(ctx, f, item, s, error)))
                return FALSE;
            g_ptr_array_add(out, g_strdup(s));
        }
    }
    g_ptr_array_add(out, NULL);
    char ***dst = slot;
    g_strfreev(*dst);
    *dst = (char **)g_ptr_array_free(g_steal_pointer(&out), FALSE);
    return TRUE;
}

gboolean
scenario_set_strv(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                  GError **error)
{
    return scenario_set_list(ctx, f, v, slot, FALSE, NULL, error);
}

static gboolean
scenario_check_address(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, const char *s,
                       GError **error)
{
    const char *at = strrchr(s, '@');
    if (at == NULL || at == s || at[1] == '\0' || strchr(s, ' ') != NULL)
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                             "'%s' is not a mail address (user@domain) in '%s'", s, f->key);
    return TRUE;
}

gboolean
scenario_set_address(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                     GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL || !scenario_check_address(ctx, f, v, s, error))
        return FALSE;
    return scenario_set_str(ctx, f, v, slot, error);
}

gboolean
scenario_set_addresses(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                       GError **error)
{
    return scenario_set_list(ctx, f, v, slot, FALSE, scenario_check_address, error);
}

static gboolean
scenario_check_ip(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, const char *s,
                  GError **error)
{
    if (!scenario_is_ipv4(s))
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                             "'%s' is not an IPv4 address in '%s'", s, f->key);
    return TRUE;
}

gboolean
scenario_set_ips(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                 GError **error)
{
    return scenario_set_list(ctx, f, v, slot, TRUE, scenario_check_ip, error);
}

static gboolean
scenario_check_cidr(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, const char *s,
                    GError **error)
{
    if (!scenario_is_ipv4_cidr(s))
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                             "'%s' is not an IPv4 network (A.B.C.D/N) in '%s'", s, f->key);
    return TRUE;
}

gboolean
scenario_set_cidrs(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                   GError **error)
{
    return scenario_set_list(ctx, f, v, slot, FALSE, scenario_check_cidr, error);
}

gboolean
scenario_set_bool(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                  GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    if (!scenario_parse_bool(s, slot))
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                             "'%s' must be true or false, not '%s'", f->key, s);
    return TRUE;
}

gboolean
scenario_set_duration(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                      GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    if (!scenario_parse_duration(s, slot))
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                             "bad duration '%s' in '%s' (write e.g. 250ms, 1.5s, 2m, 1h, 100us)", s,
                             f->key);
    return TRUE;
}

gboolean
scenario_set_bandwidth(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                       GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    if (!scenario_parse_bandwidth(s, slot))
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                             "bad bandwidth '%s' in '%s' (write e.g. 56kbit, 100Mbit, 1Gbit)", s,
                             f->key);
    return TRUE;
}

gboolean
scenario_set_size(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                  GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    if (!scenario_parse_size(s, slot))
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                             "bad size '%s' in '%s' (write e.g. 1000, 64k, 10MB)", s, f->key);
    return TRUE;
}

gboolean
scenario_set_size_t(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                    GError **error)
{
    guint64 n;
    if (!scenario_set_size(ctx, f, v, &n, error))
        return FALSE;
    if (f->arg > 0 && n > (guint64)f->arg)
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                             "'%s' must be at most %" G_GINT64_FORMAT " bytes", f->key, f->arg);
    *(gsize *)slot = (gsize)n;
    return TRUE;
}

gboolean
scenario_set_uint(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                  GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    guint64 max = f->arg > 0 ? (guint64)f->arg : G_MAXUINT;
    guint64 n;
    if (!scenario_parse_uint(s, max, &n))
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                             "'%s' must be a whole number from 0 to %" G_GUINT64_FORMAT
                             ", not '%s'",
                             f->key, max, s);
    *(guint *)slot = (guint)n;
    return TRUE;
}

gboolean
scenario_set_port(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                  GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    guint64 n;
    if (!scenario_parse_uint(s, 65535, &n) || n == 0)
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                             "'%s' must be a port number from 1 to 65535, not '%s'", f->key, s);
    *(guint16 *)slot = (guint16)n;
    return TRUE;
}

gboolean
scenario_set_node_ref(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                      GError **error)
{
    if (!scenario_set_str(ctx, f, v, slot, error))
        return FALSE;
    scenario_ref_node(ctx, v, *(char **)slot, f->key, (SpecRole)f->arg);
    return TRUE;
}

static gboolean
scenario_check_node_ref(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, const char *s,
                        GError **error)
{
    scenario_ref_node(ctx, v, s, f->key, (SpecRole)f->arg);
    return TRUE;
}

gboolean
scenario_set_node_refs(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                       GError **error)
{
    return scenario_set_list(ctx, f, v, slot, FALSE, scenario_check_node_ref, error);
}

gboolean
scenario_set_msg_ref(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                     GError **error)
{
    if (!scenario_set_str(ctx, f, v, slot, error))
        return FALSE;
    scenario_ref_message(ctx, v, *(char **)slot, f->key);
    return TRUE;
}

/* ---- references ---- */

static void
scenario_ref_add(ScenarioCtx *ctx, GPtrArray *refs, yaml_node_t *v, const char *name,
                 const char *what, SpecRole role)
{
    ScenarioRef *r = g_new0(ScenarioRef, 1);
    r->name = g_strdup(name);
    scenario_loc(ctx, v, &r->loc);
    r->what = g_intern_string(what);
    r->role = role;
    g_ptr_array_add(refs, r);
}

void
scenario_ref_node(ScenarioCtx *ctx, yaml_node_t *v, const char *name, const char *what,
                  SpecRole role)
{
    scenario_ref_add(ctx, ctx->node_refs, v, name, what, role);
}

void
scenario_ref_message(ScenarioCtx *ctx, yaml_node_t *v, const char *id, const char *what)
{
    scenario_ref_add(ctx, ctx->msg_refs, v, id, what, SPEC_ROLE_NONE);
}

gboolean
scenario_add_message_id(ScenarioCtx *ctx, yaml_node_t *v, const char *id, GError **error)
{
    SpecLoc *first = g_hash_table_lookup(ctx->msg_ids, id);
    if (first != NULL)
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_DUPLICATE,
                             "duplicate message id '%s' (first used at line %u)", id, first->line);
    SpecLoc *loc = g_new0(SpecLoc, 1);
    scenario_loc(ctx, v, loc);
    g_hash_table_insert(ctx->msg_ids, g_strdup(id), loc);
    return TRUE;
}

static gboolean
scenario_check_node_refs(ScenarioCtx *ctx, GError **error)
{
    WorldSpec *spec = ctx->spec;
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    for (guint i = 0; i < spec->nodes->len; i++)
        g_ptr_array_add(names, ((NodeSpec *)spec->nodes->pdata[i])->name);
    g_ptr_array_add(names, NULL);
    for (guint i = 0; i < ctx->node_refs->len; i++) {
        ScenarioRef *r = ctx->node_refs->pdata[i];
        NodeSpec *n = world_spec_find_node(spec, r->name);
        if (n == NULL) {
            const char *best = scenario_suggest(r->name, (const char *const *)names->pdata);
            if (best != NULL)
                return scenario_fail_at(ctx, &r->loc, error, SCENARIO_ERROR_REFERENCE,
                                        "unknown node '%s' in '%s' (did you mean '%s'?)", r->name,
                                        r->what, best);
            return scenario_fail_at(ctx, &r->loc, error, SCENARIO_ERROR_REFERENCE,
                                    "unknown node '%s' in '%s'", r->name, r->what);
        }
        /* A browser reads mail too, and a webmail server for it. */
        gboolean reader = r->role == SPEC_ROLE_MUA && strcmp(r->what, "fetched_by") == 0 &&
                          (n->role == SPEC_ROLE_BROWSER || n->role == SPEC_ROLE_WEBMAIL);
        if (r->role != SPEC_ROLE_NONE && n->role != r->role && !reader)
            return scenario_fail_at(ctx, &r->loc, error, SCENARIO_ERROR_REFERENCE,
                                    "node '%s' in '%s' is a %s, not a %s", r->name, r->what,
                                    spec_role_name(n->role), spec_role_name(r->role));
    }
    return TRUE;
}

static gboolean
scenario_check_msg_refs(ScenarioCtx *ctx, GError **error)
{
    g_autofree gpointer *keys = NULL;
    guint nkeys = 0;
    keys = g_hash_table_get_keys_as_array(ctx->msg_ids, &nkeys);
    for (guint i = 0; i < ctx->msg_refs->len; i++) {
        ScenarioRef *r = ctx->msg_refs->pdata[i];
        if (g_hash_table_contains(ctx->msg_ids, r->name))
            continue;
        /* Messages the run derives from a sent one: its bounce "ID.dsn"
         * (a second one "ID.dsn2"...), its other reports "ID.dsn-delivered"...,
         * a read receipt "ID.mdn", its journal copy "ID.journal" sent to
         * another store, named after their origin. */
        const char *dot = strrchr(r->name, '.');
        if (dot && (g_str_has_prefix(dot, ".dsn") || g_str_has_prefix(dot, ".mdn") ||
                    g_str_has_prefix(dot, ".journal"))) {
            g_autofree char *base = g_strndup(r->name, (gsize)(dot - r->name));
            if (g_hash_table_contains(ctx->msg_ids, base))
                continue;
        }
        /* Hash order is not stable: suggest the smallest of the closest. */
        const char *best = NULL;
        guint best_d = G_MAXUINT;
        for (guint k = 0; k < nkeys; k++) {
            guint d = scenario_edit_distance(r->name, keys[k], 2);
            if (d <= 2 && (d < best_d || (d == best_d && strcmp(keys[k], best) < 0))) {
                best = keys[k];
                best_d = d;
            }
        }
        if (best != NULL)
            return scenario_fail_at(ctx, &r->loc, error, SCENARIO_ERROR_REFERENCE,
                                    "unknown message id '%s' in '%s' (did you mean '%s'?)", r->name,
                                    r->what, best);
        return scenario_fail_at(ctx, &r->loc, error, SCENARIO_ERROR_REFERENCE,
                                "unknown message id '%s' in '%s'", r->name, r->what);
    }
    return TRUE;
}

gboolean
scenario_check_refs(ScenarioCtx *ctx, GError **error)
{
    return scenario_check_node_refs(ctx, error) && scenario_check_msg_refs(ctx, error);
}
