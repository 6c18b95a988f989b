/* SPDX-License-Identifier: MIT
 * test_yaml: libyaml event stream -> TestYaml tree, for test vectors.
 */
#include "test_yaml.h"

#include <string.h>
#include <yaml.h>

static TestYaml *
test_yaml_node_new(TestYamlKind kind, int line)
{
    TestYaml *y = g_new0(TestYaml, 1);
    y->kind = kind;
    y->line = line;
    if (kind != TEST_YAML_SCALAR)
        y->items = g_ptr_array_new_with_free_func((GDestroyNotify)test_yaml_free);
    if (kind == TEST_YAML_MAP)
        y->keys = g_ptr_array_new_with_free_func(g_free);
    return y;
}

void
test_yaml_free(TestYaml *y)
{
    if (y == NULL)
        return;
    g_free(y->value);
    if (y->items)
        g_ptr_array_unref(y->items);
    if (y->keys)
        g_ptr_array_unref(y->keys);
    g_free(y);
}

static TestYaml *
test_yaml_copy(const TestYaml *y)
{
    TestYaml *c = test_yaml_node_new(y->kind, y->line);
    if (y->kind == TEST_YAML_SCALAR) {
        c->value = g_memdup2(y->value, y->len + 1);
        c->len = y->len;
        c->plain = y->plain;
        return c;
    }
    for (guint i = 0; i < y->items->len; i++) {
        g_ptr_array_add(c->items, test_yaml_copy(y->items->pdata[i]));
        if (y->keys)
            g_ptr_array_add(c->keys, g_strdup(y->keys->pdata[i]));
    }
    return c;
}

typedef struct {
    yaml_parser_t parser;
    GHashTable *anchors; /* name -> TestYaml* (borrowed from the tree) */
    GError **error;
    gboolean failed;
} TestYamlReader;

static TestYaml *test_yaml_read_node(TestYamlReader *r, yaml_event_t *ev);

static gboolean
test_yaml_next(TestYamlReader *r, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&r->parser, ev)) {
        if (!r->failed)
            g_set_error(r->error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%zu:%zu: %s",
                        r->parser.problem_mark.line + 1, r->parser.problem_mark.column + 1,
                        r->parser.problem ? r->parser.problem : "YAML error");
        r->failed = TRUE;
        return FALSE;
    }
    return TRUE;
}

static void
test_yaml_remember(TestYamlReader *r, const yaml_char_t *anchor, TestYaml *y)
{
    if (anchor)
        g_hash_table_replace(r->anchors, g_strdup((const char *)anchor), y);
}

static TestYaml *
test_yaml_read_collection(TestYamlReader *r, TestYaml *y, yaml_event_type_t end)
{
    for (;;) {
        yaml_event_t ev;
        if (!test_yaml_next(r, &ev))
            goto fail;
        if (ev.type == end) {
            yaml_event_delete(&ev);
            return y;
        }
        if (y->kind == TEST_YAML_MAP) {
            TestYaml *key = test_yaml_read_node(r, &ev);
            if (key == NULL)
                goto fail;
            g_ptr_array_add(y->keys, g_strdup(key->kind == TEST_YAML_SCALAR ? key->value : "?"));
            test_yaml_free(key);
            if (!test_yaml_next(r, &ev))
                goto fail;
        }
        TestYaml *val = test_yaml_read_node(r, &ev);
        if (val == NULL)
            goto fail;
        g_ptr_array_add(y->items, val);
    }
fail:
    test_yaml_free(y);
    return NULL;
}

/* Consumes ev (deletes it). */
static TestYaml *
test_yaml_read_node(TestYamlReader *r, yaml_event_t *ev)
{
    TestYaml *y = NULL;
    int line = (int)ev->start_mark.line + 1;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        y = test_yaml_node_new(TEST_YAML_SCALAR, line);
        y->value = g_malloc(ev->data.scalar.length + 1);
        memcpy(y->value, ev->data.scalar.value, ev->data.scalar.length);
        y->value[ev->data.scalar.length] = '\0';
        y->len = ev->data.scalar.length;
        y->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        test_yaml_remember(r, ev->data.scalar.anchor, y);
        yaml_event_delete(ev);
        return y;
    case YAML_ALIAS_EVENT: {
        TestYaml *target = g_hash_table_lookup(r->anchors, ev->data.alias.anchor);
        y = target ? test_yaml_copy(target) : test_yaml_node_new(TEST_YAML_SCALAR, line);
        if (!target)
            y->value = g_strdup("");
        yaml_event_delete(ev);
        return y;
    }
    case YAML_SEQUENCE_START_EVENT:
        y = test_yaml_node_new(TEST_YAML_SEQ, line);
        test_yaml_remember(r, ev->data.sequence_start.anchor, y);
        yaml_event_delete(ev);
        return test_yaml_read_collection(r, y, YAML_SEQUENCE_END_EVENT);
    case YAML_MAPPING_START_EVENT:
        y = test_yaml_node_new(TEST_YAML_MAP, line);
        test_yaml_remember(r, ev->data.mapping_start.anchor, y);
        yaml_event_delete(ev);
        return test_yaml_read_collection(r, y, YAML_MAPPING_END_EVENT);
    default:
        yaml_event_delete(ev);
        g_set_error(r->error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%d: unexpected YAML event",
                    line);
        r->failed = TRUE;
        return NULL;
    }
}

static GPtrArray *
test_yaml_load_buffer(const char *text, gsize len, GError **error)
{
    TestYamlReader r = {0};
    r.error = error;
    r.anchors = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    yaml_parser_initialize(&r.parser);
    yaml_parser_set_input_string(&r.parser, (const unsigned char *)text, len);
    GPtrArray *docs = g_ptr_array_new_with_free_func((GDestroyNotify)test_yaml_free);
    for (;;) {
        yaml_event_t ev;
        if (!test_yaml_next(&r, &ev))
            break;
        yaml_event_type_t type = ev.type;
        yaml_event_delete(&ev);
        if (type == YAML_STREAM_END_EVENT)
            break;
        if (type != YAML_DOCUMENT_START_EVENT)
            continue;
        if (!test_yaml_next(&r, &ev))
            break;
        TestYaml *root = test_yaml_read_node(&r, &ev);
        if (root == NULL)
            break;
        g_ptr_array_add(docs, root);
        if (!test_yaml_next(&r, &ev)) /* DOCUMENT_END */
            break;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&r.parser);
    g_hash_table_unref(r.anchors);
    if (r.failed) {
        g_ptr_array_unref(docs);
        return NULL;
    }
    return docs;
}

GPtrArray *
test_yaml_load_file(const char *path, GError **error)
{
    g_autofree char *text = NULL;
    gsize len = 0;
    if (!g_file_get_contents(path, &text, &len, error))
        return NULL;
    return test_yaml_load_buffer(text, len, error);
}

TestYaml *
test_yaml_load_one(const char *path, GError **error)
{
    GPtrArray *docs = test_yaml_load_file(path, error);
    if (docs == NULL)
        return NULL;
    TestYaml *first = docs->len ? g_ptr_array_steal_index(docs, 0) : NULL;
    g_ptr_array_unref(docs);
    if (first == NULL)
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: empty YAML", path);
    return first;
}

TestYaml *
test_yaml_parse_string(const char *text, GError **error)
{
    GPtrArray *docs = test_yaml_load_buffer(text, strlen(text), error);
    if (docs == NULL)
        return NULL;
    TestYaml *first = docs->len ? g_ptr_array_steal_index(docs, 0) : NULL;
    g_ptr_array_unref(docs);
    return first;
}

TestYaml *
test_yaml_get(const TestYaml *y, const char *key)
{
    if (y == NULL || y->kind != TEST_YAML_MAP)
        return NULL;
    for (guint i = 0; i < y->keys->len; i++)
        if (strcmp(y->keys->pdata[i], key) == 0)
            return y->items->pdata[i];
    return NULL;
}

const char *
test_yaml_str(const TestYaml *y, const char *key)
{
    TestYaml *v = test_yaml_get(y, key);
    return v && v->kind == TEST_YAML_SCALAR ? v->value : NULL;
}

guint
test_yaml_len(const TestYaml *y)
{
    return y && y->kind != TEST_YAML_SCALAR ? y->items->len : 0;
}

TestYaml *
test_yaml_at(const TestYaml *y, guint i)
{
    g_assert(y && y->kind != TEST_YAML_SCALAR && i < y->items->len);
    return y->items->pdata[i];
}

gboolean
test_yaml_is_null(const TestYaml *y)
{
    return y == NULL || (y->kind == TEST_YAML_SCALAR && y->plain &&
                         (y->len == 0 || strcmp(y->value, "~") == 0 ||
                          g_ascii_strcasecmp(y->value, "null") == 0));
}

char *
test_conformance_path(const char *relative)
{
    const char *dir = g_getenv("MHS_CONFORMANCE_DIR");
    if (dir == NULL || !g_file_test(dir, G_FILE_TEST_IS_DIR))
        return NULL;
    char *p = g_build_filename(dir, relative, NULL);
    if (!g_file_test(p, G_FILE_TEST_EXISTS)) {
        g_free(p);
        return NULL;
    }
    return p;
}

char *
test_source_path(const char *relative)
{
    const char *dir = g_getenv("MHS_SOURCE_DIR");
    return g_build_filename(dir ? dir : ".", relative, NULL);
}
