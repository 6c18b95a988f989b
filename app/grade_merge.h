/* SPDX-License-Identifier: MIT
 * grade_merge: builds the scenario a submission is graded on: per-student
 * variant values, ${var.NAME} substitution, the student's files merged
 * into the lab's scenario under the lab's allow-list (merge rules in
 * labs/README.md), the checks' expectations appended, and the result
 * loaded by the scenario loader with each node's origin, so that an error
 * anywhere names the file and LINE:COL it was written at.
 */
#ifndef APP_GRADE_MERGE_H
#define APP_GRADE_MERGE_H

#include <glib.h>

#include "app/grade_node.h"
#include "app/grade_spec.h"
#include "nodes/world_spec.h"

/* The variant hash: the first 8 bytes, big-endian, of
 * SHA-256(student ID, a NUL byte, variable name). */
guint64 grade_variant_hash(const char *student, const char *name);
/* Each variable's value for student (NULL: the first choice, the low end
 * of a range). (transfer full) name -> value. */
GHashTable *grade_variant_values(const GradeSpec *spec, const char *student);

/* Replaces every ${var.NAME} in s; NULL with error naming at when a name
 * is unknown. (transfer full) */
char *grade_subst_string(const char *s, GHashTable *vars, const GradeNode *at, GError **error);
/* The same in every scalar (and mapping key) of n. */
gboolean grade_subst(GradeNode *n, GHashTable *vars, GError **error);

/* TRUE when the dotted path (segments joined by '.') lies inside one of
 * allow's prefixes (shell wildcards allowed, '*' matches dots too);
 * *on_the_way is set when path is an ancestor of an allowed prefix. */
gboolean grade_allow_covers(const char *const *allow, const char *path, gboolean *on_the_way);

/* Merges student (the mapping a student's file holds) into base (a
 * mapping). Mappings merge recursively, lists of mappings with `name`
 * (or events with a message `id`) merge by it (a new one is appended),
 * anything else replaces. A key outside allow: GRADE_ERROR_REFUSED at
 * that key. */
gboolean grade_merge(GradeNode *base, const GradeNode *student, const char *const *allow,
                     GError **error);

/* Replaces base's `expect` list with the expectations of spec's expect
 * checks (in check order, ${var.X} substituted) and loads the whole tree
 * with the scenario loader. (transfer full) or NULL with the loader's
 * error (naming the file each node came from). */
WorldSpec *grade_merge_load(GradeNode *base, const GradeSpec *spec, GHashTable *vars,
                            GError **error);

/* Writes n as a YAML file at path (what `mhs grade --merged` writes, so
 * that a student can `mhs run` the scenario being graded). */
gboolean grade_merge_dump(const GradeNode *n, const char *path, GError **error);

#endif
