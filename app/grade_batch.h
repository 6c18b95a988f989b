/* SPDX-License-Identifier: MIT
 * grade_batch: grades every submission of a directory (one subdirectory
 * per student, named by student ID) in parallel child processes (the mhs
 * binary itself, `grade --format json`), shows a progress bar on a
 * terminal, and writes a CSV (student, score, max, points per check,
 * error) and a summary (score distribution, checks most often failed).
 */
#ifndef APP_GRADE_BATCH_H
#define APP_GRADE_BATCH_H

#include <stdio.h>

#include <glib.h>

#include "app/grade_spec.h"

typedef struct {
    const char *lab_dir;  /* the lab directory (resolved) */
    const char *dir;      /* the submissions directory */
    guint jobs;           /* parallel children (>= 1) */
    const char *csv_path; /* where the CSV goes */
    FILE *summary;        /* where the summary goes */
    gboolean progress;    /* draw a progress bar on stderr */
} GradeBatchOptions;

/* Returns FALSE with error set when the batch cannot run (no such
 * directory, the lab is broken, the CSV cannot be written). */
gboolean grade_batch_run(const GradeSpec *spec, const GradeBatchOptions *opt, GError **error);

/* One CSV field, quoted when needed (RFC 4180) (transfer full). */
char *grade_batch_csv_field(const char *s);

#endif
