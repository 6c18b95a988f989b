/* SPDX-License-Identifier: MIT
 * grade_run: one submission, every seed, every check. The world is built
 * and run in process (nodes/world.h), as `mhs run` does, without a trace
 * sink: the checks read the tracker and the expectation results.
 */
#include "app/grade_run.h"

#include <string.h>

#include "app/grade_exposure.h"
#include "app/grade_merge.h"
#include "nodes/world.h"

static void
grade_check_result_free(GradeCheckResult *r)
{
    g_free(r->output);
    g_free(r);
}

void
grade_result_free(GradeResult *r)
{
    if (r == NULL)
        return;
    g_free(r->lab);
    g_free(r->title);
    g_free(r->student);
    g_free(r->submission);
    g_free(r->error);
    g_ptr_array_unref(r->checks);
    g_array_unref(r->seeds);
    g_free(r);
}

/* What a submission provides once read: the merged scenario, the answers. */
typedef struct {
    WorldSpec *ws;
    GradeNode *answers; /* nullable */
} GradeBuild;

static void
grade_build_clear(GradeBuild *b)
{
    g_clear_pointer(&b->ws, world_spec_free);
    g_clear_pointer(&b->answers, grade_node_free);
}

static gboolean
grade_build(const GradeSpec *spec, const char *dir, GHashTable *vars, GradeBuild *b,
            const char *merged_path, GError **error)
{
    g_autoptr(GradeNode) base = grade_node_load(spec->scenario, spec->scenario, error);
    if (base == NULL)
        return FALSE;
    if (base->kind != GRADE_NODE_MAP)
        return grade_node_fail(base, error, GRADE_ERROR_SPEC, "a scenario must be a mapping");
    if (!grade_subst(base, vars, error))
        return FALSE;
    for (guint i = 0; i < spec->files->len; i++) {
        const GradeFile *f = spec->files->pdata[i];
        g_autofree char *path = g_build_filename(dir, f->file, NULL);
        if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
            g_set_error(error, GRADE_ERROR, GRADE_ERROR_IO,
                        "%s: missing: the submission must hold the file '%s'", path, f->file);
            return FALSE;
        }
        g_autoptr(GradeNode) n = grade_node_load(path, path, error);
        if (n == NULL)
            return FALSE;
        /* Answers are never substituted: "${var.password}" is not an answer. */
        if (!f->answers && !grade_subst(n, vars, error))
            return FALSE;
        if (f->answers) {
            if (!grade_node_is_null(n) && n->kind != GRADE_NODE_MAP)
                return grade_node_fail(n, error, GRADE_ERROR_VALUE,
                                       "the answers file must be a mapping (key: answer), not %s",
                                       grade_node_kind_name(n));
            b->answers = g_steal_pointer(&n);
        } else if (!grade_merge(base, n, (const char *const *)f->allow, error)) {
            return FALSE;
        }
    }
    b->ws = grade_merge_load(base, spec, vars, error);
    if (merged_path != NULL) {
        g_autoptr(GError) local = NULL;
        if (!grade_merge_dump(base, merged_path, &local))
            g_warning("--merged: %s", local->message);
    }
    return b->ws != NULL;
}

/* TRUE when message names one of the submission's files. */
static gboolean
grade_error_in_submission(const GradeSpec *spec, const char *dir, const char *message)
{
    for (guint i = 0; i < spec->files->len; i++) {
        const GradeFile *f = spec->files->pdata[i];
        g_autofree char *path = g_build_filename(dir, f->file, NULL);
        g_autofree char *prefix = g_strconcat(path, ":", NULL);
        if (g_str_has_prefix(message, prefix))
            return TRUE;
    }
    return FALSE;
}

/* Attributes a build or world error: the submission's fault, unless the
 * lab's own start state fails too (then the lab is broken: FALSE). */
static gboolean
grade_blame(const GradeSpec *spec, const char *dir, GHashTable *vars, const GError *err,
            GError **error)
{
    if (grade_error_in_submission(spec, dir, err->message))
        return TRUE;
    g_autofree char *start = g_build_filename(spec->dir, "start", NULL);
    GradeBuild b = {0};
    g_autoptr(GError) start_err = NULL;
    gboolean ok = grade_build(spec, start, vars, &b, NULL, &start_err);
    World *w = ok ? world_new(b.ws, NULL, FALSE, 0, &start_err) : NULL;
    ok = w != NULL;
    world_free(w);
    grade_build_clear(&b);
    if (ok)
        return TRUE;
    g_set_error(error, GRADE_ERROR, GRADE_ERROR_SPEC, "%s: the lab is broken: %s", spec->path,
                start_err->message);
    return FALSE;
}

/* ---- answers ---- */

char **
grade_path_split(const char *text)
{
    g_autofree char *t = g_strdup(text);
    for (char *p = t; *p; p++)
        if (*p == ',' || *p == '>' || g_ascii_isspace(*p) || (*p == '-' && p[1] == '>'))
            *p = ' ';
    g_auto(GStrv) parts = g_strsplit(t, " ", -1);
    g_autoptr(GStrvBuilder) b = g_strv_builder_new();
    for (char **p = parts; *p; p++)
        if (**p != '\0')
            g_strv_builder_add(b, *p);
    return g_strv_builder_end(b);
}

gboolean
grade_path_matches(const char *const *answer, const char *const *path)
{
    guint n = g_strv_length((char **)answer);
    if (n == 0 || n != g_strv_length((char **)path))
        return FALSE;
    for (guint i = 0; i < n; i++)
        if (g_ascii_strcasecmp(answer[i], path[i]) != 0)
            return FALSE;
    return TRUE;
}

/* The student's answer as a list of names (transfer full), or NULL. */
static char **
grade_answer_list(const GradeNode *a)
{
    if (a->kind == GRADE_NODE_SCALAR)
        return grade_path_split(a->value);
    if (a->kind != GRADE_NODE_SEQ)
        return NULL;
    g_autoptr(GStrvBuilder) b = g_strv_builder_new();
    for (guint i = 0; i < a->items->len; i++) {
        const GradeNode *item = a->items->pdata[i];
        if (item->kind != GRADE_NODE_SCALAR)
            return NULL;
        g_strv_builder_add(b, item->value);
    }
    return g_strv_builder_end(b);
}

static gboolean
grade_answer_equal(const GradeCheck *c, const char *got, const char *want)
{
    g_autofree char *g = g_strstrip(g_strdup(got)), *w = g_strstrip(g_strdup(want));
    return c->nocase ? g_ascii_strcasecmp(g, w) == 0 : strcmp(g, w) == 0;
}

static gboolean
grade_answer_value(const GradeCheck *c, const GradeNode *a, GHashTable *vars, char **output)
{
    if (a->kind != GRADE_NODE_SCALAR || grade_node_is_null(a)) {
        *output = g_strdup_printf("the answer '%s' must be a single value", c->answer);
        return FALSE;
    }
    const GradeNode *wants = c->equals;
    guint n = 1;
    if (c->one_of != NULL) {
        wants = NULL;
        n = c->one_of->items->len;
    }
    for (guint i = 0; i < n; i++) {
        const GradeNode *w = wants != NULL ? wants : c->one_of->items->pdata[i];
        g_autofree char *want = grade_subst_string(w->value, vars, w, NULL);
        if (want != NULL && grade_answer_equal(c, a->value, want)) {
            *output = g_strdup_printf("'%s' is right", a->value);
            return TRUE;
        }
    }
    *output = g_strdup_printf("'%s' is not the expected answer", a->value);
    return FALSE;
}

/* ---- one seed ---- */

typedef struct {
    GPtrArray *expect_fail; /* per check: char* of the first failing seed, or NULL */
    GPtrArray *paths;       /* per check: GPtrArray of char** per seed (equals_path) */
    gint64 deadline;        /* monotonic µs: a run still going then is stopped */
    gboolean stopped;
} GradeSeeds;

/* A submission must not hold the grader forever (a mail loop, a retry
 * schedule of years): each run gets GRADE_RUN_TIMEOUT_DEFAULT seconds of
 * real time, or $MHS_GRADE_TIMEOUT. */
#define GRADE_RUN_TIMEOUT_DEFAULT 120

static void
grade_run_progress(World *w, gpointer user_data)
{
    GradeSeeds *s = user_data;
    if (g_get_monotonic_time() > s->deadline) {
        s->stopped = TRUE;
        sim_world_stop(world_sim(w));
    }
}

static gint64
grade_run_timeout(void)
{
    const char *env = g_getenv("MHS_GRADE_TIMEOUT");
    guint64 t = 0;
    if (env != NULL && g_ascii_string_to_unsigned(env, 10, 1, 86400, &t, NULL))
        return (gint64)t;
    return GRADE_RUN_TIMEOUT_DEFAULT;
}

static void
grade_run_seed(const GradeSpec *spec, World *w, guint64 seed, GradeSeeds *s)
{
    s->stopped = FALSE;
    s->deadline = g_get_monotonic_time() + grade_run_timeout() * G_USEC_PER_SEC;
    world_run(w, SIM_TIME_NEVER, grade_run_progress, s);
    g_autoptr(GPtrArray) results = world_check_expectations(w);
    guint e = 0;
    for (guint i = 0; i < spec->checks->len; i++) {
        const GradeCheck *c = spec->checks->pdata[i];
        if (c->kind == GRADE_CHECK_EXPECT) {
            g_assert(e < results->len);
            const ExpectResult *r = results->pdata[e++];
            if (!r->held && s->expect_fail->pdata[i] == NULL)
                s->expect_fail->pdata[i] = g_strdup_printf(
                    "seed %" G_GUINT64_FORMAT ": expected %s; got %s%s", seed, r->what, r->actual,
                    s->stopped ? " (the run was stopped at the grader's time limit)" : "");
        } else if (c->equals_path != NULL) {
            TrackMsg *m = tracker_find(world_tracker(w), c->equals_path);
            g_ptr_array_add(s->paths->pdata[i], m != NULL ? track_msg_path(m, NULL) : NULL);
        } else if (c->exposure_msg != NULL) {
            g_ptr_array_add(s->paths->pdata[i], grade_exposure_parties(w, c));
        }
    }
}

static void
grade_paths_free(gpointer p)
{
    if (p != NULL)
        g_ptr_array_unref(p);
}

static void
grade_strv_free(gpointer p)
{
    g_strfreev(p);
}

static GradeCheckResult *
grade_eval_answer(const GradeCheck *c, const GradeNode *answers, GHashTable *vars, GPtrArray *paths,
                  const char *answers_file)
{
    GradeCheckResult *r = g_new0(GradeCheckResult, 1);
    r->check = c;
    const GradeNode *a = grade_node_get(answers, c->answer);
    if (grade_node_is_null(a)) {
        r->output = g_strdup_printf("no answer '%s' in %s", c->answer,
                                    answers_file != NULL ? answers_file : "the answers file");
        return r;
    }
    if (c->exposure_msg != NULL) {
        g_auto(GStrv) names = grade_answer_list(a);
        r->passed = names != NULL && paths->len > 0;
        for (guint s = 0; r->passed && s < paths->len; s++)
            r->passed = grade_exposure_matches((const char *const *)names, paths->pdata[s]);
        r->output = names == NULL
                        ? g_strdup_printf("the answer '%s' must be a list of node names", c->answer)
                        : g_strdup(r->passed ? "the parties are right" : "not those parties");
        return r;
    }
    if (c->equals_path == NULL) {
        r->passed = grade_answer_value(c, a, vars, &r->output);
        return r;
    }
    g_auto(GStrv) names = grade_answer_list(a);
    r->passed = names != NULL && paths->len > 0;
    for (guint s = 0; r->passed && s < paths->len; s++)
        r->passed = paths->pdata[s] != NULL &&
                    grade_path_matches((const char *const *)names, paths->pdata[s]);
    if (names == NULL)
        r->output = g_strdup_printf("the answer '%s' must be a list of node names", c->answer);
    else {
        g_autofree char *joined = g_strjoinv(" -> ", names);
        r->output = g_strdup_printf(r->passed ? "%s is the path" : "%s is not the path", joined);
    }
    return r;
}

static void
grade_score(const GradeSpec *spec, GradeResult *res, const GradeBuild *b, GHashTable *vars,
            GradeSeeds *s, const char *answers_file)
{
    for (guint i = 0; i < spec->checks->len; i++) {
        const GradeCheck *c = spec->checks->pdata[i];
        GradeCheckResult *r;
        if (c->kind == GRADE_CHECK_EXPECT) {
            r = g_new0(GradeCheckResult, 1);
            r->check = c;
            r->passed = s->expect_fail->pdata[i] == NULL;
            r->output = r->passed ? g_strdup_printf("held on all %u seeds", res->seeds->len)
                                  : g_strdup(s->expect_fail->pdata[i]);
        } else {
            r = grade_eval_answer(c, b->answers, vars, s->paths->pdata[i], answers_file);
        }
        r->score = r->passed ? c->points : 0;
        res->score += r->score;
        g_ptr_array_add(res->checks, r);
    }
}

/* A result where every check scores zero because of why. */
static void
grade_zero(const GradeSpec *spec, GradeResult *res, const char *why)
{
    res->error = g_strdup(why);
    for (guint i = 0; i < spec->checks->len; i++) {
        GradeCheckResult *r = g_new0(GradeCheckResult, 1);
        r->check = spec->checks->pdata[i];
        r->output = g_strdup("not graded: the submission has an error");
        g_ptr_array_add(res->checks, r);
    }
}

static GradeResult *
grade_result_new(const GradeSpec *spec, const char *submission, const char *student)
{
    GradeResult *res = g_new0(GradeResult, 1);
    res->lab = g_strdup(spec->name);
    res->title = g_strdup(spec->title);
    res->student = g_strdup(student);
    res->submission = g_strdup(submission);
    res->max = spec->max_points;
    res->checks = g_ptr_array_new_with_free_func((GDestroyNotify)grade_check_result_free);
    res->seeds = g_array_new(FALSE, FALSE, sizeof(guint64));
    g_array_append_vals(res->seeds, spec->seeds->data, spec->seeds->len);
    return res;
}

GradeResult *
grade_run(const GradeSpec *spec, const char *submission, const char *student, GError **error)
{
    return grade_run_full(spec, submission, student, NULL, error);
}

GradeResult *
grade_run_full(const GradeSpec *spec, const char *submission, const char *student,
               const char *merged_path, GError **error)
{
    g_autoptr(GradeResult) res = grade_result_new(spec, submission, student);
    g_autoptr(GHashTable) vars = grade_variant_values(spec, student);
    GradeBuild b = {0};
    g_autoptr(GError) err = NULL;
    if (!grade_build(spec, submission, vars, &b, merged_path, &err)) {
        grade_build_clear(&b);
        if (!grade_blame(spec, submission, vars, err, error))
            return NULL;
        grade_zero(spec, res, err->message);
        return g_steal_pointer(&res);
    }
    GradeSeeds s;
    s.expect_fail = g_ptr_array_new_full(spec->checks->len, g_free);
    s.paths = g_ptr_array_new_full(spec->checks->len, grade_paths_free);
    for (guint i = 0; i < spec->checks->len; i++) {
        g_ptr_array_add(s.expect_fail, NULL);
        g_ptr_array_add(s.paths, g_ptr_array_new_with_free_func(grade_strv_free));
    }
    gboolean ok = TRUE;
    for (guint i = 0; ok && i < spec->seeds->len; i++) {
        guint64 seed = g_array_index(spec->seeds, guint64, i);
        g_autoptr(World) w = world_new(b.ws, NULL, TRUE, seed, &err);
        if (w == NULL) {
            ok = FALSE;
            break;
        }
        grade_run_seed(spec, w, seed, &s);
    }
    if (ok) {
        const GradeFile *af = grade_spec_answers_file(spec);
        g_autofree char *answers_file =
            af != NULL ? g_build_filename(submission, af->file, NULL) : NULL;
        grade_score(spec, res, &b, vars, &s, answers_file);
    }
    g_ptr_array_unref(s.expect_fail);
    g_ptr_array_unref(s.paths);
    grade_build_clear(&b);
    if (!ok) {
        if (!grade_blame(spec, submission, vars, err, error))
            return NULL;
        grade_zero(spec, res, err->message);
    }
    return g_steal_pointer(&res);
}
