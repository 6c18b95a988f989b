/* SPDX-License-Identifier: MIT
 * grade_merge: variants, ${var.NAME} substitution, the allow-list, the
 * merge of a student's files into the lab's scenario, and loading the
 * merged tree (labs/README.md, "Merge rules").
 */
#include "app/grade_merge.h"

#include <string.h>

#include "app/scenario.h"

guint64
grade_variant_hash(const char *student, const char *name)
{
    g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
    g_checksum_update(sum, (const guchar *)student, (gssize)strlen(student));
    g_checksum_update(sum, (const guchar *)"", 1);
    g_checksum_update(sum, (const guchar *)name, (gssize)strlen(name));
    guint8 digest[32];
    gsize len = sizeof(digest);
    g_checksum_get_digest(sum, digest, &len);
    guint64 h = 0;
    for (int i = 0; i < 8; i++)
        h = (h << 8) | digest[i];
    return h;
}

GHashTable *
grade_variant_values(const GradeSpec *spec, const char *student)
{
    GHashTable *vars = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    for (guint i = 0; i < spec->vars->len; i++) {
        const GradeVar *v = spec->vars->pdata[i];
        guint64 h = student != NULL ? grade_variant_hash(student, v->name) : 0;
        char *value;
        if (v->kind == GRADE_VAR_CHOOSE)
            value = g_strdup(v->choices[h % g_strv_length(v->choices)]);
        else
            value = g_strdup_printf("%" G_GINT64_FORMAT,
                                    v->lo + (gint64)(h % (guint64)(v->hi - v->lo + 1)));
        g_hash_table_insert(vars, g_strdup(v->name), value);
    }
    return vars;
}

/* ---- substitution ---- */

char *
grade_subst_string(const char *s, GHashTable *vars, const GradeNode *at, GError **error)
{
    static const char open[] = "${var.";
    if (strstr(s, open) == NULL)
        return g_strdup(s);
    g_autoptr(GString) out = g_string_new(NULL);
    const char *p = s;
    for (const char *hit; (hit = strstr(p, open)) != NULL;) {
        g_string_append_len(out, p, hit - p);
        const char *name = hit + strlen(open);
        const char *close = strchr(name, '}');
        g_autofree char *key = close != NULL ? g_strndup(name, close - name) : NULL;
        const char *value = key != NULL && vars != NULL ? g_hash_table_lookup(vars, key) : NULL;
        if (value == NULL) {
            grade_node_fail(at, error, GRADE_ERROR_VALUE,
                            close == NULL ? "unterminated '${var.' in '%s'"
                                          : "unknown variant in '%s' (the lab declares it under "
                                            "'variants')",
                            s);
            return NULL;
        }
        g_string_append(out, value);
        p = close + 1;
    }
    g_string_append(out, p);
    return g_string_free(g_steal_pointer(&out), FALSE);
}

gboolean
grade_subst(GradeNode *n, GHashTable *vars, GError **error)
{
    if (n->kind == GRADE_NODE_SCALAR) {
        char *v = grade_subst_string(n->value, vars, n, error);
        if (v == NULL)
            return FALSE;
        if (strcmp(v, n->value) != 0 && n->style == YAML_PLAIN_SCALAR_STYLE)
            n->style = YAML_DOUBLE_QUOTED_SCALAR_STYLE; /* a value, never null */
        g_free(n->value);
        n->value = v;
        return TRUE;
    }
    for (guint i = 0; i < n->items->len; i++)
        if (!grade_subst(n->items->pdata[i], vars, error))
            return FALSE;
    return TRUE;
}

/* ---- the allow-list ---- */

static gboolean
grade_allow_has_wildcard(const char *a)
{
    return strpbrk(a, "*?") != NULL;
}

static gboolean
grade_allow_inside(const char *a, const char *path)
{
    if (!grade_allow_has_wildcard(a)) {
        gsize n = strlen(a);
        return strncmp(path, a, n) == 0 && (path[n] == '\0' || path[n] == '.');
    }
    if (g_pattern_match_simple(a, path))
        return TRUE;
    /* a prefix of path, cut at a dot, that matches */
    g_autofree char *copy = g_strdup(path);
    for (char *dot = strrchr(copy, '.'); dot != NULL; dot = strrchr(copy, '.')) {
        *dot = '\0';
        if (g_pattern_match_simple(a, copy))
            return TRUE;
    }
    return FALSE;
}

static gboolean
grade_allow_ancestor(const char *a, const char *path)
{
    g_autofree char *dotted = g_strconcat(path, ".", NULL);
    gsize lit = strcspn(a, "*?");
    if (!grade_allow_has_wildcard(a))
        return g_str_has_prefix(a, dotted);
    /* The literal part of a and path + "." agree as far as both go. */
    gsize n = MIN(lit, strlen(dotted));
    return strncmp(a, dotted, n) == 0;
}

gboolean
grade_allow_covers(const char *const *allow, const char *path, gboolean *on_the_way)
{
    *on_the_way = FALSE;
    for (guint i = 0; allow != NULL && allow[i] != NULL; i++) {
        if (grade_allow_inside(allow[i], path))
            return TRUE;
        if (grade_allow_ancestor(allow[i], path))
            *on_the_way = TRUE;
    }
    return FALSE;
}

/* ---- merging ---- */

typedef struct {
    const char *const *allow;
    GError **error;
    const GradeNode *same_id; /* the student's `id` of the event being merged into its match */
} GradeMerge;

static gboolean grade_merge_value(GradeMerge *m, GradeNode **slot, const GradeNode *v,
                                  const GradeNode *key, const char *path, gboolean inside);

static const char *
grade_merge_scalar(const GradeNode *map, const char *key)
{
    const GradeNode *n = grade_node_get(map, key);
    return n != NULL && n->kind == GRADE_NODE_SCALAR && !grade_node_is_null(n) ? n->value : NULL;
}

/* The key an item of a list merges on: its `name`, else the `id` of the
 * one mapping it holds (an event: {at: 1s, send: {id: m1, ...}}). */
static const char *
grade_merge_item_name(const GradeNode *item)
{
    if (item->kind != GRADE_NODE_MAP)
        return NULL;
    const char *name = grade_merge_scalar(item, "name");
    if (name != NULL)
        return name;
    const char *id = NULL;
    for (guint i = 1; i < item->items->len; i += 2) {
        const GradeNode *v = item->items->pdata[i];
        if (v->kind != GRADE_NODE_MAP)
            continue;
        if (id != NULL)
            return NULL; /* two mappings: no single identity */
        id = grade_merge_scalar(v, "id");
        if (id == NULL)
            return NULL;
    }
    return id;
}

/* A list whose items are all mappings with a name (or an id). */
static gboolean
grade_merge_is_named_list(const GradeNode *v)
{
    if (v == NULL || v->kind != GRADE_NODE_SEQ || v->items->len == 0)
        return FALSE;
    for (guint i = 0; i < v->items->len; i++)
        if (grade_merge_item_name(v->items->pdata[i]) == NULL)
            return FALSE;
    return TRUE;
}

/* A list of mappings of which at least one has a name (or an id): the
 * scenario's side of a merge by name, where items without one (an event
 * without a message) are kept as they are. */
static gboolean
grade_merge_is_keyed_list(const GradeNode *v)
{
    if (v == NULL || v->kind != GRADE_NODE_SEQ)
        return FALSE;
    gboolean keyed = FALSE;
    for (guint i = 0; i < v->items->len; i++) {
        const GradeNode *item = v->items->pdata[i];
        if (item->kind != GRADE_NODE_MAP)
            return FALSE;
        keyed = keyed || grade_merge_item_name(item) != NULL;
    }
    return keyed;
}

static gboolean
grade_merge_refuse(GradeMerge *m, const GradeNode *at, const char *path)
{
    g_autofree char *allowed = g_strjoinv(", ", (char **)m->allow);
    return grade_node_fail(at, m->error, GRADE_ERROR_REFUSED,
                           "'%s' may not be set in this lab (you may set: %s)", path, allowed);
}

static char *
grade_merge_path(const char *path, const char *segment)
{
    return path[0] != '\0' ? g_strconcat(path, ".", segment, NULL) : g_strdup(segment);
}

/* Merges a mapping into a mapping; each key is checked unless inside. */
static gboolean
grade_merge_map(GradeMerge *m, GradeNode *base, const GradeNode *v, const char *path,
                gboolean inside, const char *skip_key)
{
    for (guint i = 0; i + 1 < v->items->len; i += 2) {
        const GradeNode *k = v->items->pdata[i];
        const GradeNode *val = v->items->pdata[i + 1];
        if (k->kind != GRADE_NODE_SCALAR)
            return grade_node_fail(k, m->error, GRADE_ERROR_VALUE, "a key must be a string");
        if (skip_key != NULL && strcmp(k->value, skip_key) == 0)
            continue;
        for (guint j = 0; j < i; j += 2)
            if (((GradeNode *)v->items->pdata[j])->kind == GRADE_NODE_SCALAR &&
                strcmp(((GradeNode *)v->items->pdata[j])->value, k->value) == 0)
                return grade_node_fail(k, m->error, GRADE_ERROR_VALUE, "duplicate key '%s'",
                                       k->value);
        g_autofree char *sub = grade_merge_path(path, k->value);
        gint idx = -1;
        for (guint j = 0; j + 1 < base->items->len; j += 2) {
            const GradeNode *bk = base->items->pdata[j];
            if (bk->kind == GRADE_NODE_SCALAR && strcmp(bk->value, k->value) == 0)
                idx = (gint)j;
        }
        if (idx < 0) {
            g_ptr_array_add(base->items, grade_node_copy(k));
            g_ptr_array_add(base->items, NULL);
            idx = (gint)base->items->len - 2;
        }
        GradeNode **slot = (GradeNode **)&base->items->pdata[idx + 1];
        if (!grade_merge_value(m, slot, val, k, sub, inside))
            return FALSE;
    }
    return TRUE;
}

/* Merges a list of named mappings by name. */
static gboolean
grade_merge_named(GradeMerge *m, GradeNode *base, const GradeNode *v, const char *path,
                  gboolean inside)
{
    for (guint i = 0; i < v->items->len; i++) {
        const GradeNode *item = v->items->pdata[i];
        const char *name = grade_merge_item_name(item);
        g_autofree char *sub = grade_merge_path(path, name);
        gboolean ancestor = FALSE;
        gboolean in = inside || grade_allow_covers(m->allow, sub, &ancestor);
        if (!in && !ancestor)
            return grade_merge_refuse(
                m, grade_node_get(item, "name") ? grade_node_get(item, "name") : item, sub);
        GradeNode *match = NULL;
        for (guint j = 0; j < base->items->len && match == NULL; j++) {
            GradeNode *b = base->items->pdata[j];
            const char *bn = b->kind == GRADE_NODE_MAP ? grade_merge_item_name(b) : NULL;
            if (bn != NULL && strcmp(bn, name) == 0)
                match = b;
        }
        gboolean by_name = grade_merge_scalar(item, "name") != NULL;
        m->same_id = NULL;
        for (guint j = 1; !by_name && match != NULL && j < item->items->len; j += 2)
            if (((GradeNode *)item->items->pdata[j])->kind == GRADE_NODE_MAP)
                m->same_id = grade_node_get(item->items->pdata[j], "id");
        if (match == NULL) {
            match = grade_node_new(GRADE_NODE_MAP, item);
            if (by_name)
                grade_node_set(match, grade_node_copy(grade_node_get_key(item, "name")),
                               grade_node_copy(grade_node_get(item, "name")));
            g_ptr_array_add(base->items, match);
        }
        gboolean ok = grade_merge_map(m, match, item, sub, in, by_name ? "name" : NULL);
        m->same_id = NULL;
        if (!ok)
            return FALSE;
    }
    return TRUE;
}

static gboolean
grade_merge_value(GradeMerge *m, GradeNode **slot, const GradeNode *v, const GradeNode *key,
                  const char *path, gboolean inside)
{
    gboolean ancestor = FALSE;
    if (!inside)
        inside = grade_allow_covers(m->allow, path, &ancestor);
    GradeNode *old = *slot;
    /* The id that names an event, repeated to reach its other keys,
     * changes nothing. */
    if (v == m->same_id)
        return TRUE;
    if (v->kind == GRADE_NODE_MAP &&
        (old == NULL || old->kind == GRADE_NODE_MAP || grade_node_is_null(old))) {
        if (!inside && !ancestor)
            return grade_merge_refuse(m, key, path);
        if (old == NULL || old->kind != GRADE_NODE_MAP) {
            grade_node_free(old);
            *slot = grade_node_new(GRADE_NODE_MAP, v);
        }
        return grade_merge_map(m, *slot, v, path, inside, NULL);
    }
    if (grade_merge_is_named_list(v) &&
        (old == NULL || grade_node_is_null(old) || grade_merge_is_keyed_list(old) ||
         (old->kind == GRADE_NODE_SEQ && old->items->len == 0))) {
        if (!inside && !ancestor)
            return grade_merge_refuse(m, key, path);
        if (old == NULL || old->kind != GRADE_NODE_SEQ) {
            grade_node_free(old);
            *slot = grade_node_new(GRADE_NODE_SEQ, v);
        }
        return grade_merge_named(m, *slot, v, path, inside);
    }
    if (!inside && ancestor && v->kind == GRADE_NODE_SEQ) {
        /* A list the student may only reach item by item: each item needs
         * its name. */
        for (guint i = 0; i < v->items->len; i++) {
            const GradeNode *item = v->items->pdata[i];
            if (item->kind != GRADE_NODE_MAP || grade_merge_item_name(item) == NULL)
                return grade_node_fail(item, m->error, GRADE_ERROR_VALUE,
                                       "each item of '%s' must be a mapping with a 'name' "
                                       "or a message 'id' (items merge by them)",
                                       path);
        }
    }
    if (!inside)
        return grade_merge_refuse(m, key, path);
    grade_node_free(old);
    *slot = grade_node_copy(v);
    return TRUE;
}

gboolean
grade_merge(GradeNode *base, const GradeNode *student, const char *const *allow, GError **error)
{
    g_return_val_if_fail(base != NULL && base->kind == GRADE_NODE_MAP, FALSE);
    if (grade_node_is_null(student))
        return TRUE; /* an empty file changes nothing */
    if (student->kind != GRADE_NODE_MAP)
        return grade_node_fail(student, error, GRADE_ERROR_VALUE,
                               "the file must hold a mapping of scenario keys, not %s",
                               grade_node_kind_name(student));
    GradeMerge m = {allow, error, NULL};
    return grade_merge_map(&m, base, student, "", FALSE, NULL);
}

/* ---- loading ---- */

WorldSpec *
grade_merge_load(GradeNode *base, const GradeSpec *spec, GHashTable *vars, GError **error)
{
    GradeNode *expects = grade_node_new(GRADE_NODE_SEQ, spec->root);
    for (guint i = 0; i < spec->checks->len; i++) {
        const GradeCheck *c = spec->checks->pdata[i];
        if (c->kind != GRADE_CHECK_EXPECT)
            continue;
        GradeNode *e = grade_node_copy(c->expect);
        g_ptr_array_add(expects->items, e);
        if (!grade_subst(e, vars, error)) {
            grade_node_free(expects);
            return NULL;
        }
    }
    GradeNode *key = grade_node_new_scalar("expect", spec->root);
    key->style = YAML_PLAIN_SCALAR_STYLE;
    grade_node_set(base, key, expects);
    yaml_document_t doc;
    if (!yaml_document_initialize(&doc, NULL, NULL, NULL, 1, 1))
        g_error("libyaml: cannot initialise a document");
    g_autoptr(GPtrArray) origins = g_ptr_array_new();
    grade_node_emit(base, &doc, origins);
    return scenario_load_document(&doc, (const char *const *)origins->pdata, origins->len,
                                  spec->scenario, error);
}

static int
grade_merge_write(void *data, unsigned char *buffer, size_t size)
{
    g_string_append_len(data, (const char *)buffer, (gssize)size);
    return 1;
}

gboolean
grade_merge_dump(const GradeNode *n, const char *path, GError **error)
{
    yaml_document_t doc;
    if (!yaml_document_initialize(&doc, NULL, NULL, NULL, 1, 1))
        g_error("libyaml: cannot initialise a document");
    g_autoptr(GPtrArray) origins = g_ptr_array_new();
    grade_node_emit(n, &doc, origins);
    yaml_emitter_t emitter;
    if (!yaml_emitter_initialize(&emitter))
        g_error("libyaml: cannot initialise an emitter");
    g_autoptr(GString) out = g_string_new("# The scenario as graded (mhs grade --merged).\n");
    yaml_emitter_set_output(&emitter, grade_merge_write, out);
    yaml_emitter_set_unicode(&emitter, 1);
    yaml_emitter_set_width(&emitter, 100);
    gboolean ok = yaml_emitter_open(&emitter) && yaml_emitter_dump(&emitter, &doc) &&
                  yaml_emitter_close(&emitter);
    yaml_emitter_delete(&emitter);
    if (!ok) {
        g_set_error(error, GRADE_ERROR, GRADE_ERROR_IO, "%s: cannot write the scenario", path);
        return FALSE;
    }
    return g_file_set_contents(path, out->str, (gssize)out->len, error);
}
