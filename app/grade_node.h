/* SPDX-License-Identifier: MIT
 * grade_node: a small mutable YAML tree for the grader. Each node keeps
 * the file, line and column it was written at, so that the tree merged
 * from a lab's scenario and a student's files still says where each part
 * came from when it is handed to the scenario loader (grade_node_emit ->
 * scenario_load_document). No anchors or tags: what libyaml resolves.
 */
#ifndef APP_GRADE_NODE_H
#define APP_GRADE_NODE_H

#include <glib.h>

#include <yaml.h>

typedef enum {
    GRADE_NODE_SCALAR = 1,
    GRADE_NODE_SEQ,
    GRADE_NODE_MAP,
} GradeNodeKind;

typedef struct GradeNode GradeNode;
struct GradeNode {
    GradeNodeKind kind;
    char *value;               /* SCALAR: the text */
    yaml_scalar_style_t style; /* SCALAR: plain scalars may be null */
    GPtrArray *items;          /* SEQ: GradeNode*; MAP: key, value, key, value... */
    const char *file;          /* interned display name */
    guint line, col;           /* 1-based */
};

#define GRADE_ERROR (grade_error_quark())
GQuark grade_error_quark(void);
typedef enum {
    GRADE_ERROR_IO = 1,  /* a file cannot be read */
    GRADE_ERROR_SYNTAX,  /* not YAML */
    GRADE_ERROR_SPEC,    /* lab.yaml is not a valid grading spec */
    GRADE_ERROR_REFUSED, /* a submission sets a key the lab does not allow */
    GRADE_ERROR_VALUE,   /* a submission value of the wrong kind, unknown ${var.X} */
} GradeErrorCode;

/* Largest file the grader reads. */
#define GRADE_FILE_MAX (4 * 1024 * 1024)

/* Parses text (the first document); an empty text is a null scalar.
 * Returns (transfer full) or NULL with "FILE:LINE:COL: YAML syntax error". */
GradeNode *grade_node_parse(const char *text, gsize len, const char *file, GError **error);
/* Reads and parses the file at path, named display_name in messages. */
GradeNode *grade_node_load(const char *path, const char *display_name, GError **error);
void grade_node_free(GradeNode *n);
GradeNode *grade_node_copy(const GradeNode *n);
/* A new empty mapping or sequence placed at (the place of) at. */
GradeNode *grade_node_new(GradeNodeKind kind, const GradeNode *at);
GradeNode *grade_node_new_scalar(const char *value, const GradeNode *at);

gboolean grade_node_is_null(const GradeNode *n);
/* The value of key in map (transfer none), or NULL. */
GradeNode *grade_node_get(const GradeNode *map, const char *key);
/* The key node of key in map, for messages. */
GradeNode *grade_node_get_key(const GradeNode *map, const char *key);
/* Sets map[key] to value (transfer full), replacing an old value. */
void grade_node_set(GradeNode *map, GradeNode *key, GradeNode *value);
const char *grade_node_kind_name(const GradeNode *n);

/* Always FALSE; sets "FILE:LINE:COL: message" at node at. */
gboolean grade_node_fail(const GradeNode *at, GError **error, GradeErrorCode code, const char *fmt,
                         ...) G_GNUC_PRINTF(4, 5);

/* Appends n to doc, recording each new node's file in origins (interned
 * const char*, index = node index - 1). Returns the node index. */
int grade_node_emit(const GradeNode *n, yaml_document_t *doc, GPtrArray *origins);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(GradeNode, grade_node_free)

#endif
