/* SPDX-License-Identifier: MIT
 * grade_node: the grader's YAML tree with per-node origins: parse from
 * libyaml, copy, look up, and emit back into a libyaml document with a
 * table of each node's file (for scenario_load_document).
 */
#include "app/grade_node.h"

#include <stdarg.h>
#include <string.h>

#include "app/text_file.h"

G_DEFINE_QUARK(grade - error - quark, grade_error)

void
grade_node_free(GradeNode *n)
{
    if (n == NULL)
        return;
    g_free(n->value);
    if (n->items != NULL)
        g_ptr_array_unref(n->items);
    g_free(n);
}

GradeNode *
grade_node_new(GradeNodeKind kind, const GradeNode *at)
{
    GradeNode *n = g_new0(GradeNode, 1);
    n->kind = kind;
    if (kind != GRADE_NODE_SCALAR)
        n->items = g_ptr_array_new_with_free_func((GDestroyNotify)grade_node_free);
    n->file = at != NULL ? at->file : g_intern_static_string("<grade>");
    n->line = at != NULL ? at->line : 0;
    n->col = at != NULL ? at->col : 0;
    return n;
}

GradeNode *
grade_node_new_scalar(const char *value, const GradeNode *at)
{
    GradeNode *n = grade_node_new(GRADE_NODE_SCALAR, at);
    n->value = g_strdup(value);
    n->style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    return n;
}

GradeNode *
grade_node_copy(const GradeNode *n)
{
    GradeNode *c = grade_node_new(n->kind, n);
    c->value = g_strdup(n->value);
    c->style = n->style;
    for (guint i = 0; n->items != NULL && i < n->items->len; i++)
        g_ptr_array_add(c->items, grade_node_copy(n->items->pdata[i]));
    return c;
}

/* Bounds on the tree built from a document: aliases can make a small
 * file expand exponentially ("billion laughs"). */
#define GRADE_NODE_MAX_NODES 1000000
#define GRADE_NODE_MAX_DEPTH 200

typedef struct {
    guint nodes;
    gboolean over;
    yaml_mark_t at; /* where the limit was hit */
} GradeNodeBudget;

static GradeNode *
grade_node_from_yaml(yaml_document_t *doc, yaml_node_t *y, const char *file,
                     GradeNodeBudget *budget, guint depth)
{
    GradeNode *n = g_new0(GradeNode, 1);
    if (!budget->over && (++budget->nodes > GRADE_NODE_MAX_NODES || depth > GRADE_NODE_MAX_DEPTH)) {
        budget->over = TRUE;
        budget->at = y->start_mark;
    }
    if (budget->over) {
        n->kind = GRADE_NODE_SCALAR;
        n->value = g_strdup("");
        n->file = file;
        return n;
    }
    n->file = file;
    n->line = (guint)y->start_mark.line + 1;
    n->col = (guint)y->start_mark.column + 1;
    switch (y->type) {
    case YAML_SEQUENCE_NODE:
        n->kind = GRADE_NODE_SEQ;
        n->items = g_ptr_array_new_with_free_func((GDestroyNotify)grade_node_free);
        for (yaml_node_item_t *i = y->data.sequence.items.start; i < y->data.sequence.items.top;
             i++)
            g_ptr_array_add(n->items, grade_node_from_yaml(doc, yaml_document_get_node(doc, *i),
                                                           file, budget, depth + 1));
        break;
    case YAML_MAPPING_NODE:
        n->kind = GRADE_NODE_MAP;
        n->items = g_ptr_array_new_with_free_func((GDestroyNotify)grade_node_free);
        for (yaml_node_pair_t *p = y->data.mapping.pairs.start; p < y->data.mapping.pairs.top;
             p++) {
            g_ptr_array_add(n->items, grade_node_from_yaml(doc, yaml_document_get_node(doc, p->key),
                                                           file, budget, depth + 1));
            g_ptr_array_add(n->items,
                            grade_node_from_yaml(doc, yaml_document_get_node(doc, p->value), file,
                                                 budget, depth + 1));
        }
        break;
    default:
        n->kind = GRADE_NODE_SCALAR;
        n->value = g_strndup((const char *)y->data.scalar.value, y->data.scalar.length);
        n->style = y->data.scalar.style;
        break;
    }
    return n;
}

GradeNode *
grade_node_parse(const char *text, gsize len, const char *file, GError **error)
{
    file = g_intern_string(file != NULL ? file : "<grade>");
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser))
        g_error("libyaml: cannot initialise a parser");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        const char *problem = parser.problem != NULL ? parser.problem : "cannot parse";
        g_set_error(error, GRADE_ERROR, GRADE_ERROR_SYNTAX, "%s:%zu:%zu: YAML syntax error: %s%s%s",
                    file, parser.problem_mark.line + 1, parser.problem_mark.column + 1, problem,
                    parser.context != NULL ? " " : "",
                    parser.context != NULL ? parser.context : "");
        yaml_parser_delete(&parser);
        return NULL;
    }
    yaml_parser_delete(&parser);
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    GradeNode *n;
    if (root == NULL) {
        n = grade_node_new(GRADE_NODE_SCALAR, NULL);
        n->value = g_strdup("");
        n->style = YAML_PLAIN_SCALAR_STYLE; /* null */
        n->file = file;
        n->line = n->col = 1;
    } else {
        GradeNodeBudget budget = {0};
        n = grade_node_from_yaml(&doc, root, file, &budget, 0);
        if (budget.over) {
            g_set_error(error, GRADE_ERROR, GRADE_ERROR_SYNTAX,
                        "%s:%zu:%zu: the document is too large or too deep (at most %d nodes "
                        "and %d levels, aliases expanded)",
                        file, budget.at.line + 1, budget.at.column + 1, GRADE_NODE_MAX_NODES,
                        GRADE_NODE_MAX_DEPTH);
            g_clear_pointer(&n, grade_node_free);
        }
    }
    yaml_document_delete(&doc);
    return n;
}

GradeNode *
grade_node_load(const char *path, const char *display_name, GError **error)
{
    gsize len = 0;
    g_autoptr(GError) local = NULL;
    g_autofree char *text = text_file_read(path, display_name, GRADE_FILE_MAX, &len, &local);
    if (text == NULL) {
        g_set_error_literal(error, GRADE_ERROR, GRADE_ERROR_IO, local->message);
        return NULL;
    }
    return grade_node_parse(text, len, display_name, error);
}

gboolean
grade_node_is_null(const GradeNode *n)
{
    if (n == NULL)
        return TRUE;
    if (n->kind != GRADE_NODE_SCALAR || n->style != YAML_PLAIN_SCALAR_STYLE)
        return FALSE;
    const char *s = n->value;
    return s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
           strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

static gint
grade_node_find(const GradeNode *map, const char *key)
{
    if (map == NULL || map->kind != GRADE_NODE_MAP)
        return -1;
    for (guint i = 0; i + 1 < map->items->len; i += 2) {
        const GradeNode *k = map->items->pdata[i];
        if (k->kind == GRADE_NODE_SCALAR && strcmp(k->value, key) == 0)
            return (gint)i;
    }
    return -1;
}

GradeNode *
grade_node_get(const GradeNode *map, const char *key)
{
    gint i = grade_node_find(map, key);
    return i < 0 ? NULL : map->items->pdata[i + 1];
}

GradeNode *
grade_node_get_key(const GradeNode *map, const char *key)
{
    gint i = grade_node_find(map, key);
    return i < 0 ? NULL : map->items->pdata[i];
}

void
grade_node_set(GradeNode *map, GradeNode *key, GradeNode *value)
{
    g_return_if_fail(map->kind == GRADE_NODE_MAP && key->kind == GRADE_NODE_SCALAR);
    gint i = grade_node_find(map, key->value);
    if (i < 0) {
        g_ptr_array_add(map->items, key);
        g_ptr_array_add(map->items, value);
        return;
    }
    grade_node_free(key);
    grade_node_free(map->items->pdata[i + 1]);
    map->items->pdata[i + 1] = value;
}

const char *
grade_node_kind_name(const GradeNode *n)
{
    if (n == NULL)
        return "nothing";
    switch (n->kind) {
    case GRADE_NODE_SEQ:
        return "a list";
    case GRADE_NODE_MAP:
        return "a mapping";
    default:
        return grade_node_is_null(n) ? "empty" : "a string";
    }
}

gboolean
grade_node_fail(const GradeNode *at, GError **error, GradeErrorCode code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, GRADE_ERROR, code, "%s:%u:%u: %s", at->file, at->line, at->col, msg);
    return FALSE;
}

static void
grade_node_mark(yaml_document_t *doc, int index, const GradeNode *n, GPtrArray *origins)
{
    yaml_node_t *y = yaml_document_get_node(doc, index);
    y->start_mark.line = n->line > 0 ? n->line - 1 : 0;
    y->start_mark.column = n->col > 0 ? n->col - 1 : 0;
    y->end_mark = y->start_mark;
    g_assert((guint)index == origins->len + 1);
    g_ptr_array_add(origins, (gpointer)n->file);
}

int
grade_node_emit(const GradeNode *n, yaml_document_t *doc, GPtrArray *origins)
{
    int index;
    switch (n->kind) {
    case GRADE_NODE_SCALAR:
        index = yaml_document_add_scalar(doc, NULL, (yaml_char_t *)n->value, (int)strlen(n->value),
                                         n->style);
        if (index == 0)
            g_error("libyaml: cannot add a node");
        grade_node_mark(doc, index, n, origins);
        return index;
    case GRADE_NODE_SEQ:
        index = yaml_document_add_sequence(doc, NULL, YAML_ANY_SEQUENCE_STYLE);
        grade_node_mark(doc, index, n, origins);
        for (guint i = 0; i < n->items->len; i++) {
            int item = grade_node_emit(n->items->pdata[i], doc, origins);
            yaml_document_append_sequence_item(doc, index, item);
        }
        return index;
    default:
        index = yaml_document_add_mapping(doc, NULL, YAML_ANY_MAPPING_STYLE);
        grade_node_mark(doc, index, n, origins);
        for (guint i = 0; i + 1 < n->items->len; i += 2) {
            int k = grade_node_emit(n->items->pdata[i], doc, origins);
            int v = grade_node_emit(n->items->pdata[i + 1], doc, origins);
            yaml_document_append_mapping_pair(doc, index, k, v);
        }
        return index;
    }
}
