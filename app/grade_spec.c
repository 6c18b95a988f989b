/* SPDX-License-Identifier: MIT
 * grade_spec: reads a lab's lab.yaml (reference: labs/README.md) into a
 * GradeSpec, checking every key, type and value before anything runs.
 * Expectations are kept as YAML: the scenario loader checks them once
 * they are merged into the scenario (grade_merge.c).
 */
#include "app/grade_spec.h"

#include <string.h>

#include "app/grade_exposure.h"
#include "app/scenario_value.h"
#include "app/text_file.h"

static void
grade_file_free(GradeFile *f)
{
    g_free(f->file);
    g_strfreev(f->allow);
    g_free(f);
}

static void
grade_var_free(GradeVar *v)
{
    g_free(v->name);
    g_strfreev(v->choices);
    g_free(v);
}

static void
grade_check_free(GradeCheck *c)
{
    g_free(c->name);
    g_free(c->feedback);
    g_free(c->answer);
    g_free(c->equals_path);
    g_free(c->exposure_msg);
    g_free(c);
}

void
grade_spec_free(GradeSpec *spec)
{
    if (spec == NULL)
        return;
    g_free(spec->dir);
    g_free(spec->path);
    g_free(spec->name);
    g_free(spec->title);
    g_free(spec->summary);
    g_strfreev(spec->needs);
    g_free(spec->scenario);
    g_array_unref(spec->seeds);
    g_ptr_array_unref(spec->files);
    g_ptr_array_unref(spec->vars);
    g_ptr_array_unref(spec->checks);
    grade_node_free(spec->root);
    g_free(spec);
}

/* ---- small typed readers ---- */

/* Checks that every key of map is one of keys (NULL-terminated), with a
 * suggestion for a misspelt one, and that no key is given twice. */
static gboolean
grade_spec_keys(const GradeNode *map, const char *where, const char *const *keys, GError **error)
{
    if (map->kind != GRADE_NODE_MAP)
        return grade_node_fail(map, error, GRADE_ERROR_SPEC, "%s must be a mapping, not %s", where,
                               grade_node_kind_name(map));
    for (guint i = 0; i + 1 < map->items->len; i += 2) {
        const GradeNode *k = map->items->pdata[i];
        if (k->kind != GRADE_NODE_SCALAR)
            return grade_node_fail(k, error, GRADE_ERROR_SPEC, "a key of %s must be a string",
                                   where);
        for (guint j = 0; j < i; j += 2)
            if (strcmp(((GradeNode *)map->items->pdata[j])->value, k->value) == 0)
                return grade_node_fail(k, error, GRADE_ERROR_SPEC, "duplicate key '%s' in %s",
                                       k->value, where);
        if (g_strv_contains(keys, k->value))
            continue;
        const char *best = scenario_suggest(k->value, keys);
        if (best != NULL)
            return grade_node_fail(k, error, GRADE_ERROR_SPEC,
                                   "unknown key '%s' in %s (did you mean '%s'?)", k->value, where,
                                   best);
        g_autofree char *all = g_strjoinv(", ", (char **)keys);
        return grade_node_fail(k, error, GRADE_ERROR_SPEC, "unknown key '%s' in %s (keys: %s)",
                               k->value, where, all);
    }
    return TRUE;
}

static const char *
grade_spec_str(const GradeNode *map, const char *key, gboolean required, GError **error)
{
    const GradeNode *v = grade_node_get(map, key);
    if (grade_node_is_null(v)) {
        if (required)
            grade_node_fail(map, error, GRADE_ERROR_SPEC, "missing required key '%s'", key);
        return NULL;
    }
    if (v->kind != GRADE_NODE_SCALAR) {
        grade_node_fail(v, error, GRADE_ERROR_SPEC, "'%s' must be a string, not %s", key,
                        grade_node_kind_name(v));
        return NULL;
    }
    return v->value;
}

static gboolean
grade_spec_bool(const GradeNode *map, const char *key, gboolean *out, GError **error)
{
    *out = FALSE;
    const GradeNode *v = grade_node_get(map, key);
    if (grade_node_is_null(v))
        return TRUE;
    if (v->kind != GRADE_NODE_SCALAR || !scenario_parse_bool(v->value, out))
        return grade_node_fail(v, error, GRADE_ERROR_SPEC, "'%s' must be true or false", key);
    return TRUE;
}

/* A list of strings (a single string is a one-item list). */
static gboolean
grade_spec_strv(const GradeNode *v, const char *key, char ***out, GError **error)
{
    g_autoptr(GStrvBuilder) b = g_strv_builder_new();
    if (v != NULL && v->kind == GRADE_NODE_SCALAR && !grade_node_is_null(v)) {
        g_strv_builder_add(b, v->value);
    } else if (v != NULL && v->kind == GRADE_NODE_SEQ) {
        for (guint i = 0; i < v->items->len; i++) {
            const GradeNode *item = v->items->pdata[i];
            if (item->kind != GRADE_NODE_SCALAR)
                return grade_node_fail(item, error, GRADE_ERROR_SPEC,
                                       "'%s' must be a list of strings", key);
            g_strv_builder_add(b, item->value);
        }
    } else if (v != NULL && !grade_node_is_null(v)) {
        return grade_node_fail(v, error, GRADE_ERROR_SPEC, "'%s' must be a list, not %s", key,
                               grade_node_kind_name(v));
    }
    *out = g_strv_builder_end(b);
    return TRUE;
}

/* ---- sections ---- */

static gboolean
grade_spec_read_seeds(GradeSpec *spec, const GradeNode *v, GError **error)
{
    if (grade_node_is_null(v)) {
        const guint64 seeds[] = GRADE_DEFAULT_SEEDS;
        g_array_append_vals(spec->seeds, seeds, G_N_ELEMENTS(seeds));
        return TRUE;
    }
    if (v->kind != GRADE_NODE_SEQ || v->items->len == 0 || v->items->len > GRADE_SEEDS_MAX)
        return grade_node_fail(v, error, GRADE_ERROR_SPEC,
                               "'seeds' must be a list of 1 to %d numbers", GRADE_SEEDS_MAX);
    for (guint i = 0; i < v->items->len; i++) {
        const GradeNode *item = v->items->pdata[i];
        guint64 seed;
        if (item->kind != GRADE_NODE_SCALAR || !scenario_parse_uint(item->value, G_MAXINT64, &seed))
            return grade_node_fail(item, error, GRADE_ERROR_SPEC,
                                   "a seed must be a non-negative number");
        g_array_append_val(spec->seeds, seed);
    }
    return TRUE;
}

static gboolean
grade_spec_is_file_name(const char *s)
{
    return s[0] != '\0' && s[0] != '.' && strchr(s, '/') == NULL && strchr(s, '\\') == NULL;
}

static gboolean
grade_spec_read_file(GradeSpec *spec, GradeNode *item, GError **error)
{
    static const char *const keys[] = {"file", "merge", "answers", "allow", NULL};
    if (!grade_spec_keys(item, "a submission item", keys, error))
        return FALSE;
    GradeFile *f = g_new0(GradeFile, 1);
    g_ptr_array_add(spec->files, f);
    f->at = item;
    const char *name = grade_spec_str(item, "file", TRUE, error);
    if (name == NULL)
        return FALSE;
    if (!grade_spec_is_file_name(name))
        return grade_node_fail(grade_node_get(item, "file"), error, GRADE_ERROR_SPEC,
                               "'file' must be a plain file name (no '/', not starting with '.')");
    f->file = g_strdup(name);
    for (guint i = 0; i + 1 < spec->files->len; i++)
        if (strcmp(((GradeFile *)spec->files->pdata[i])->file, name) == 0)
            return grade_node_fail(item, error, GRADE_ERROR_SPEC, "file '%s' is listed twice",
                                   name);
    if (!grade_spec_bool(item, "merge", &f->merge, error) ||
        !grade_spec_bool(item, "answers", &f->answers, error))
        return FALSE;
    if (f->merge == f->answers)
        return grade_node_fail(item, error, GRADE_ERROR_SPEC,
                               "a submission item needs exactly one of 'merge: true' and "
                               "'answers: true'");
    if (f->answers && grade_spec_answers_file(spec) != f)
        return grade_node_fail(item, error, GRADE_ERROR_SPEC, "only one file may hold answers");
    const GradeNode *allow = grade_node_get(item, "allow");
    if (f->merge && grade_node_is_null(allow))
        return grade_node_fail(item, error, GRADE_ERROR_SPEC,
                               "a merged file needs 'allow': the keys the student may set");
    if (f->answers && allow != NULL)
        return grade_node_fail(allow, error, GRADE_ERROR_SPEC,
                               "'allow' applies to merged files only");
    return grade_spec_strv(allow, "allow", &f->allow, error);
}

static gboolean
grade_spec_read_var(GradeSpec *spec, const GradeNode *k, const GradeNode *v, GError **error)
{
    for (const char *p = k->value; *p; p++)
        if (!g_ascii_isalnum(*p) && *p != '_')
            return grade_node_fail(k, error, GRADE_ERROR_SPEC,
                                   "a variant name is letters, digits and '_', not '%s'", k->value);
    static const char *const keys[] = {"choose", "range", NULL};
    if (!grade_spec_keys(v, "a variant", keys, error))
        return FALSE;
    GradeVar *var = g_new0(GradeVar, 1);
    g_ptr_array_add(spec->vars, var);
    var->name = g_strdup(k->value);
    const GradeNode *choose = grade_node_get(v, "choose"), *range = grade_node_get(v, "range");
    if ((choose == NULL) == (range == NULL))
        return grade_node_fail(v, error, GRADE_ERROR_SPEC,
                               "variant '%s' needs exactly one of 'choose' and 'range'", k->value);
    if (choose != NULL) {
        var->kind = GRADE_VAR_CHOOSE;
        if (choose->kind != GRADE_NODE_SEQ || choose->items->len == 0)
            return grade_node_fail(choose, error, GRADE_ERROR_SPEC,
                                   "'choose' must be a non-empty list");
        return grade_spec_strv(choose, "choose", &var->choices, error);
    }
    var->kind = GRADE_VAR_RANGE;
    guint64 lo, hi;
    if (range->kind != GRADE_NODE_SEQ || range->items->len != 2 ||
        ((GradeNode *)range->items->pdata[0])->kind != GRADE_NODE_SCALAR ||
        ((GradeNode *)range->items->pdata[1])->kind != GRADE_NODE_SCALAR ||
        !scenario_parse_uint(((GradeNode *)range->items->pdata[0])->value, G_MAXINT32, &lo) ||
        !scenario_parse_uint(((GradeNode *)range->items->pdata[1])->value, G_MAXINT32, &hi) ||
        lo > hi)
        return grade_node_fail(range, error, GRADE_ERROR_SPEC,
                               "'range' must be [LOW, HIGH], two numbers with LOW <= HIGH");
    var->lo = (gint64)lo;
    var->hi = (gint64)hi;
    return TRUE;
}

static gboolean
grade_spec_read_answer(GradeCheck *c, GradeNode *item, GError **error)
{
    c->kind = GRADE_CHECK_ANSWER;
    const char *answer = grade_spec_str(item, "answer", TRUE, error);
    if (answer == NULL)
        return FALSE; /* `answer:` with no key (null) */
    c->answer = g_strdup(answer);
    c->equals = grade_node_get(item, "equals");
    c->one_of = grade_node_get(item, "one_of");
    GradeNode *path = grade_node_get(item, "equals_path");
    GradeNode *exposure = grade_node_get(item, "equals_exposure");
    int n = (c->equals != NULL) + (c->one_of != NULL) + (path != NULL) + (exposure != NULL);
    if (n != 1)
        return grade_node_fail(item, error, GRADE_ERROR_SPEC,
                               "an answer check needs exactly one of 'equals', 'one_of', "
                               "'equals_path' and 'equals_exposure'");
    if (exposure != NULL && !grade_exposure_read(c, exposure, error))
        return FALSE;
    if (c->equals != NULL && c->equals->kind != GRADE_NODE_SCALAR)
        return grade_node_fail(c->equals, error, GRADE_ERROR_SPEC, "'equals' must be a string");
    if (c->one_of != NULL) {
        g_auto(GStrv) tmp = NULL;
        if (c->one_of->kind != GRADE_NODE_SEQ || c->one_of->items->len == 0)
            return grade_node_fail(c->one_of, error, GRADE_ERROR_SPEC,
                                   "'one_of' must be a non-empty list of strings");
        if (!grade_spec_strv(c->one_of, "one_of", &tmp, error))
            return FALSE;
    }
    if (path != NULL) {
        const char *id = grade_spec_str(item, "equals_path", TRUE, error);
        if (id == NULL)
            return FALSE;
        c->equals_path = g_strdup(id);
    }
    return grade_spec_bool(item, "nocase", &c->nocase, error);
}

static gboolean
grade_spec_read_check(GradeSpec *spec, GradeNode *item, GError **error)
{
    static const char *const keys[] = {"name",     "points", "expect",      "answer",
                                       "equals",   "one_of", "equals_path", "nocase",
                                       "feedback", "hidden", "equals_exposure", NULL};
    if (!grade_spec_keys(item, "a check", keys, error))
        return FALSE;
    GradeCheck *c = g_new0(GradeCheck, 1);
    g_ptr_array_add(spec->checks, c);
    c->at = item;
    const char *name = grade_spec_str(item, "name", TRUE, error);
    if (name == NULL)
        return FALSE;
    c->name = g_strdup(name);
    const char *points = grade_spec_str(item, "points", TRUE, error);
    if (points == NULL)
        return FALSE;
    char *end = NULL;
    c->points = g_ascii_strtod(points, &end);
    if (end == points || *end != '\0' || !(c->points >= 0 && c->points <= 1e6))
        return grade_node_fail(grade_node_get(item, "points"), error, GRADE_ERROR_SPEC,
                               "'points' must be a number from 0 to 1000000, not '%s'", points);
    spec->max_points += c->points;
    const char *feedback = grade_spec_str(item, "feedback", FALSE, error);
    if (feedback == NULL && error != NULL && *error != NULL)
        return FALSE;
    c->feedback = g_strdup(feedback);
    if (!grade_spec_bool(item, "hidden", &c->hidden, error))
        return FALSE;
    GradeNode *expect = grade_node_get(item, "expect");
    if ((expect != NULL) == (grade_node_get(item, "answer") != NULL))
        return grade_node_fail(item, error, GRADE_ERROR_SPEC,
                               "check '%s' needs exactly one of 'expect' and 'answer'", name);
    if (expect == NULL)
        return grade_spec_read_answer(c, item, error);
    c->kind = GRADE_CHECK_EXPECT;
    c->expect = expect;
    if (expect->kind != GRADE_NODE_MAP)
        return grade_node_fail(expect, error, GRADE_ERROR_SPEC,
                               "'expect' must be a mapping (a scenario expectation)");
    static const char *const answer_keys[] = {"equals", "one_of", "equals_path", "nocase",
                                              "equals_exposure", NULL};
    for (guint i = 0; answer_keys[i] != NULL; i++)
        if (grade_node_get(item, answer_keys[i]) != NULL)
            return grade_node_fail(grade_node_get_key(item, answer_keys[i]), error,
                                   GRADE_ERROR_SPEC, "'%s' belongs to answer checks",
                                   answer_keys[i]);
    return TRUE;
}

static gboolean
grade_spec_read_list(GradeSpec *spec, const GradeNode *v, const char *key,
                     gboolean (*read)(GradeSpec *, GradeNode *, GError **), GError **error)
{
    if (v->kind != GRADE_NODE_SEQ || v->items->len == 0)
        return grade_node_fail(v, error, GRADE_ERROR_SPEC, "'%s' must be a non-empty list", key);
    for (guint i = 0; i < v->items->len; i++)
        if (!read(spec, v->items->pdata[i], error))
            return FALSE;
    return TRUE;
}

static gboolean
grade_spec_read(GradeSpec *spec, GError **error)
{
    static const char *const keys[] = {"title",      "summary",  "needs",  "scenario", "seeds",
                                       "submission", "variants", "checks", NULL};
    GradeNode *root = spec->root;
    if (!grade_spec_keys(root, "a grading spec", keys, error))
        return FALSE;
    const char *title = grade_spec_str(root, "title", TRUE, error);
    if (title == NULL)
        return FALSE;
    spec->title = g_strdup(title);
    const char *summary = grade_spec_str(root, "summary", FALSE, error);
    if (summary == NULL && error != NULL && *error != NULL)
        return FALSE;
    spec->summary = g_strdup(summary);
    if (!grade_spec_strv(grade_node_get(root, "needs"), "needs", &spec->needs, error))
        return FALSE;
    const char *scenario = grade_spec_str(root, "scenario", TRUE, error);
    if (scenario == NULL)
        return FALSE;
    spec->scenario = g_path_is_absolute(scenario) ? g_strdup(scenario)
                                                  : g_build_filename(spec->dir, scenario, NULL);
    if (!grade_spec_read_seeds(spec, grade_node_get(root, "seeds"), error))
        return FALSE;
    const GradeNode *sub = grade_node_get(root, "submission");
    if (sub == NULL)
        return grade_node_fail(root, error, GRADE_ERROR_SPEC, "missing required key 'submission'");
    if (!grade_spec_read_list(spec, sub, "submission", grade_spec_read_file, error))
        return FALSE;
    const GradeNode *vars = grade_node_get(root, "variants");
    if (!grade_node_is_null(vars)) {
        if (vars->kind != GRADE_NODE_MAP)
            return grade_node_fail(vars, error, GRADE_ERROR_SPEC,
                                   "'variants' must be a mapping of names");
        for (guint i = 0; i + 1 < vars->items->len; i += 2)
            if (!grade_spec_read_var(spec, vars->items->pdata[i], vars->items->pdata[i + 1], error))
                return FALSE;
    }
    const GradeNode *checks = grade_node_get(root, "checks");
    if (checks == NULL)
        return grade_node_fail(root, error, GRADE_ERROR_SPEC, "missing required key 'checks'");
    return grade_spec_read_list(spec, checks, "checks", grade_spec_read_check, error);
}

GradeSpec *
grade_spec_load_string(const char *text, gsize len, const char *display_name, const char *dir,
                       GError **error)
{
    g_return_val_if_fail(text != NULL, NULL);
    g_autoptr(GradeSpec) spec = g_new0(GradeSpec, 1);
    spec->dir = g_strdup(dir != NULL ? dir : ".");
    spec->path = g_strdup(display_name != NULL ? display_name : "lab.yaml");
    spec->name = g_path_get_basename(spec->dir);
    spec->seeds = g_array_new(FALSE, FALSE, sizeof(guint64));
    spec->files = g_ptr_array_new_with_free_func((GDestroyNotify)grade_file_free);
    spec->vars = g_ptr_array_new_with_free_func((GDestroyNotify)grade_var_free);
    spec->checks = g_ptr_array_new_with_free_func((GDestroyNotify)grade_check_free);
    spec->root = grade_node_parse(text, len, spec->path, error);
    if (spec->root == NULL || !grade_spec_read(spec, error))
        return NULL;
    return g_steal_pointer(&spec);
}

GradeSpec *
grade_spec_load(const char *dir, GError **error)
{
    g_autofree char *path = g_build_filename(dir, "lab.yaml", NULL);
    gsize len = 0;
    g_autoptr(GError) local = NULL;
    g_autofree char *text = text_file_read(path, path, GRADE_FILE_MAX, &len, &local);
    if (text == NULL) {
        g_set_error_literal(error, GRADE_ERROR, GRADE_ERROR_IO, local->message);
        return NULL;
    }
    return grade_spec_load_string(text, len, path, dir, error);
}

const GradeFile *
grade_spec_answers_file(const GradeSpec *spec)
{
    for (guint i = 0; i < spec->files->len; i++) {
        const GradeFile *f = spec->files->pdata[i];
        if (f->answers)
            return f;
    }
    return NULL;
}
