/* SPDX-License-Identifier: MIT
 * grade_output: a GradeResult written for a person (text, with colour on
 * a terminal), as JSON, as JUnit XML (testsuites/testsuite/testcase with
 * failure and error elements, the schema CI systems read) and as
 * Gradescope's results.json (score, output, tests with name, score,
 * max_score, output, visibility). Formats are documented in
 * docs/grading.md.
 */
#ifndef APP_GRADE_OUTPUT_H
#define APP_GRADE_OUTPUT_H

#include <stdio.h>

#include <glib.h>

#include "app/grade_run.h"

typedef enum {
    GRADE_FORMAT_TEXT = 1,
    GRADE_FORMAT_JSON,
    GRADE_FORMAT_JUNIT,
    GRADE_FORMAT_GRADESCOPE,
} GradeFormat;

/* FALSE when name is none of text, json, junit, gradescope. */
gboolean grade_format_from_name(const char *name, GradeFormat *format);

/* The result in format (transfer full). colour: ANSI colours (text only). */
char *grade_output_format(const GradeResult *r, GradeFormat format, gboolean colour);

/* The Gradescope visibility of a check: "after_published" when hidden. */
const char *grade_output_visibility(const GradeCheck *c);

#endif
