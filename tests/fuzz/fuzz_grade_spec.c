/* SPDX-License-Identifier: MIT
 * fuzz_grade_spec: the grading spec loader (grade_spec_load_string, the
 * lab.yaml of `mhs grade`) on hostile text, NUL bytes included: it must
 * never crash, every refusal must be a GRADE_ERROR that carries its
 * location ("lab.yaml:LINE:COL: what is wrong"), and an accepted spec must
 * hold what the grader relies on (seeds, submission items, checks, points).
 */
#include "app/grade_spec.h"

#include <math.h>
#include <string.h>

#include "app/grade_node.h"

#include "fuzz_common.h"

static void
fuzz_grade_spec_check(const GradeSpec *spec)
{
    g_assert_nonnull(spec->title);
    g_assert_nonnull(spec->scenario);
    g_assert_cmpuint(spec->seeds->len, <=, GRADE_SEEDS_MAX);
    g_assert_cmpuint(spec->files->len, >, 0);
    g_assert_cmpuint(spec->checks->len, >, 0);
    g_assert_true(isfinite(spec->max_points));
    for (guint i = 0; i < spec->files->len; i++) {
        const GradeFile *f = spec->files->pdata[i];
        g_assert_nonnull(f->file);
    }
    for (guint i = 0; i < spec->checks->len; i++) {
        const GradeCheck *c = spec->checks->pdata[i];
        g_assert_nonnull(c->name);
        g_assert_true(isfinite(c->points));
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    g_autofree char *text = g_malloc(size + 1);
    if (size > 0)
        memcpy(text, data, size);
    text[size] = '\0';
    g_autoptr(GError) error = NULL;
    g_autoptr(GradeSpec) spec = grade_spec_load_string(text, size, "lab.yaml", "lab", &error);
    if (spec == NULL) {
        g_assert_nonnull(error);
        g_assert_true(error->domain == GRADE_ERROR);
        g_assert_true(g_str_has_prefix(error->message, "lab.yaml:"));
    } else {
        g_assert_null(error);
        fuzz_grade_spec_check(spec);
    }
    return 0;
}
