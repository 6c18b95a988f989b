/* SPDX-License-Identifier: MIT
 * test_yaml: a small YAML document tree for tests that read the conformance
 * vectors (libyaml underneath). Anchors/aliases are resolved by copying.
 * Not for production input: the scenario loader lives in app/.
 */
#ifndef TESTS_COMMON_TEST_YAML_H
#define TESTS_COMMON_TEST_YAML_H

#include <glib.h>

typedef enum {
    TEST_YAML_SCALAR,
    TEST_YAML_SEQ,
    TEST_YAML_MAP,
} TestYamlKind;

typedef struct TestYaml TestYaml;
struct TestYaml {
    TestYamlKind kind;
    char *value;       /* SCALAR: the text (NUL-terminated; may contain NUL bytes, see len) */
    gsize len;         /* SCALAR: byte length of value */
    gboolean plain;    /* SCALAR: unquoted (so "null", "~" and "" mean null) */
    GPtrArray *items;  /* SEQ: TestYaml*; MAP: values, in order */
    GPtrArray *keys;   /* MAP: char* keys, parallel to items */
    int line;          /* 1-based line of the node in the file */
};

/* Loads every document of a (multi-document) YAML file. Returns a
 * GPtrArray of TestYaml* (transfer full), or NULL with error set. */
GPtrArray *test_yaml_load_file(const char *path, GError **error);
/* The first document only, or NULL with error set. */
TestYaml *test_yaml_load_one(const char *path, GError **error);
TestYaml *test_yaml_parse_string(const char *text, GError **error);
void test_yaml_free(TestYaml *y);

/* Map lookup (NULL when absent or when y is not a map). */
TestYaml *test_yaml_get(const TestYaml *y, const char *key);
/* Scalar text of a map entry, or NULL when absent / not a scalar. */
const char *test_yaml_str(const TestYaml *y, const char *key);
/* Sequence length (0 for non-sequences) and item. */
guint test_yaml_len(const TestYaml *y);
TestYaml *test_yaml_at(const TestYaml *y, guint i);
gboolean test_yaml_is_null(const TestYaml *y);

/* Path of a file inside the conformance folder ($MHS_CONFORMANCE_DIR), or
 * NULL when the folder is absent (the caller then skips, saying so). */
char *test_conformance_path(const char *relative);
/* Path of a file in the source tree ($MHS_SOURCE_DIR or "."). */
char *test_source_path(const char *relative);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(TestYaml, test_yaml_free)

#endif
