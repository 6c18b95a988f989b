/* SPDX-License-Identifier: MIT
 * grade_run: grades one submission against a lab: builds the merged
 * scenario (grade_merge.h), runs it in process on every seed of the lab,
 * evaluates each check (an expectation must hold on every seed; an answer
 * is compared with the expected value or with the path the simulator
 * recorded) and adds up the points. A broken submission is a result with
 * an error message and zero points, never a failure of the call.
 */
#ifndef APP_GRADE_RUN_H
#define APP_GRADE_RUN_H

#include <glib.h>

#include "app/grade_spec.h"

typedef struct {
    const GradeCheck *check; /* borrowed from the spec */
    gboolean passed;
    double score;
    char *output; /* what happened (without the expected answer) */
} GradeCheckResult;

typedef struct {
    char *lab; /* the lab's directory name */
    char *title;
    char *student;    /* nullable */
    char *submission; /* the submission directory as given */
    double score;
    double max;
    char *error;       /* nullable: why the submission could not be graded */
    GPtrArray *checks; /* GradeCheckResult*, in the spec's order */
    GArray *seeds;     /* guint64: the seeds run */
} GradeResult;

/* Grades the submission directory for student (nullable: no variant).
 * Returns (transfer full) a result, or NULL with error set when the lab
 * itself is broken (its scenario or its start/ state does not load). */
GradeResult *grade_run(const GradeSpec *spec, const char *submission, const char *student,
                       GError **error);
/* The same; merged_path (nullable) receives the merged scenario, with the
 * checks' expectations as its `expect` list, before it is loaded. */
GradeResult *grade_run_full(const GradeSpec *spec, const char *submission, const char *student,
                            const char *merged_path, GError **error);
void grade_result_free(GradeResult *r);

/* Compares a student's path answer (a list of names, or one string of
 * names separated by commas, "->" or spaces) with path. */
gboolean grade_path_matches(const char *const *answer, const char *const *path);
/* Splits a one-string path answer into names (transfer full). */
char **grade_path_split(const char *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(GradeResult, grade_result_free)

#endif
