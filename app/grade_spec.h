/* SPDX-License-Identifier: MIT
 * grade_spec: a lab's grading spec (lab.yaml; reference in labs/README.md):
 * title, summary, needs, the base scenario, the seeds, the files a student
 * submits (merged into the scenario under an allow-list, or an answers
 * mapping), per-student variants and the checks with their points. Every
 * error reads "FILE:LINE:COL: what is wrong" with a suggestion for a
 * misspelt key. Never crashes on any input (grade_spec_load_string is the
 * fuzzing entry point).
 */
#ifndef APP_GRADE_SPEC_H
#define APP_GRADE_SPEC_H

#include <glib.h>

#include "app/grade_node.h"

typedef struct {
    char *file;     /* a plain file name inside the submission directory */
    gboolean merge; /* merged into the scenario */
    gboolean answers;
    char **allow;  /* merge: dotted key prefixes the student may set */
    GradeNode *at; /* (transfer none) the item in lab.yaml, for messages */
} GradeFile;

typedef enum {
    GRADE_VAR_CHOOSE = 1,
    GRADE_VAR_RANGE,
} GradeVarKind;

typedef struct {
    char *name;
    GradeVarKind kind;
    char **choices; /* CHOOSE */
    gint64 lo, hi;  /* RANGE, inclusive */
} GradeVar;

typedef enum {
    GRADE_CHECK_EXPECT = 1, /* a scenario expectation that must hold on every seed */
    GRADE_CHECK_ANSWER,     /* a key of the answers file */
} GradeCheckKind;

typedef struct {
    char *name;
    double points;
    char *feedback; /* nullable: shown when the check fails */
    gboolean hidden;
    GradeCheckKind kind;
    GradeNode *expect; /* EXPECT: (transfer none) the expectation mapping */
    char *answer;      /* ANSWER: the key in the answers file */
    GradeNode *equals; /* (transfer none) nullable: scalar, may hold ${var.X} */
    GradeNode *one_of; /* (transfer none) nullable: list of scalars */
    char *equals_path; /* nullable: a message id */
    char *exposure_msg; /* nullable: equals_exposure: the message id */
    guint exposure_case;     /* equals_exposure: an ExposureCase (nodes/exposure.h) */
    gboolean exposure_alter; /* equals_exposure: the alter column, else read */
    gboolean nocase;
    GradeNode *at; /* (transfer none) the check in lab.yaml */
} GradeCheck;

typedef struct {
    char *dir;  /* the lab directory */
    char *path; /* its lab.yaml, as named in messages */
    char *name; /* the directory's base name (03-open-relay) */
    char *title;
    char *summary;     /* nullable */
    char **needs;      /* features the lab uses (may be empty) */
    char *scenario;    /* path of the base scenario */
    GArray *seeds;     /* guint64 */
    GPtrArray *files;  /* GradeFile* */
    GPtrArray *vars;   /* GradeVar* */
    GPtrArray *checks; /* GradeCheck* */
    double max_points;
    GradeNode *root; /* the parsed lab.yaml (owns what the items borrow) */
} GradeSpec;

/* Seeds used when lab.yaml gives none. */
#define GRADE_DEFAULT_SEEDS                                                                        \
    {                                                                                              \
        1, 2, 3                                                                                    \
    }
#define GRADE_SEEDS_MAX 64

/* Loads dir/lab.yaml. Returns (transfer full) or NULL with error set. */
GradeSpec *grade_spec_load(const char *dir, GError **error);
/* Parses a grading spec from text; display_name is the FILE of messages
 * and dir the lab directory the scenario path is relative to. */
GradeSpec *grade_spec_load_string(const char *text, gsize len, const char *display_name,
                                  const char *dir, GError **error);
void grade_spec_free(GradeSpec *spec);

/* The submission item that holds answers, or NULL (transfer none). */
const GradeFile *grade_spec_answers_file(const GradeSpec *spec);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(GradeSpec, grade_spec_free)

#endif
