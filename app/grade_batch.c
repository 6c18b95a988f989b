/* SPDX-License-Identifier: MIT
 * grade_batch: a class graded in parallel child processes. Each child is
 * `mhs grade LAB --submission DIR/ID --student ID --format json`, so a
 * submission that crashes the grader costs only its own row. GSubprocess
 * and a main loop (app/ is the layer allowed GIO) keep N children busy.
 */
#include "app/grade_batch.h"

#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "app/grade_labs.h"
#include "app/grade_node.h"
#include "app/grade_run.h"

typedef struct {
    char *student;
    gboolean graded;
    double score;
    double *points; /* per check */
    char *error;    /* nullable */
} GradeBatchRow;

typedef struct {
    const GradeSpec *spec;
    const GradeBatchOptions *opt;
    char *self;
    GPtrArray *rows; /* GradeBatchRow*, sorted by student */
    guint next, done, running;
    GMainLoop *loop;
} GradeBatch;

typedef struct {
    GradeBatch *batch;
    GradeBatchRow *row;
} GradeBatchJob;

static void
grade_batch_row_free(GradeBatchRow *r)
{
    g_free(r->student);
    g_free(r->points);
    g_free(r->error);
    g_free(r);
}

char *
grade_batch_csv_field(const char *s)
{
    if (s == NULL)
        return g_strdup("");
    if (strpbrk(s, ",\"\r\n") == NULL)
        return g_strdup(s);
    GString *out = g_string_new("\"");
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            g_string_append_c(out, '"');
        g_string_append_c(out, *p);
    }
    g_string_append_c(out, '"');
    return g_string_free(out, FALSE);
}

/* Reads a child's JSON result into row. */
static void
grade_batch_parse(GradeBatch *b, GradeBatchRow *row, const char *json)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) error = NULL;
    if (!json_parser_load_from_data(parser, json, -1, &error) ||
        !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
        row->error = g_strdup_printf("the grader's output is not JSON: %s",
                                     error ? error->message : "not an object");
        return;
    }
    JsonObject *o = json_node_get_object(json_parser_get_root(parser));
    row->graded = TRUE;
    row->score = json_object_get_double_member_with_default(o, "score", 0);
    const char *err = json_object_get_string_member_with_default(o, "error", NULL);
    row->error = g_strdup(err);
    JsonArray *checks =
        json_object_has_member(o, "checks") ? json_object_get_array_member(o, "checks") : NULL;
    for (guint i = 0;
         checks != NULL && i < json_array_get_length(checks) && i < b->spec->checks->len; i++) {
        JsonObject *c = json_array_get_object_element(checks, i);
        row->points[i] = c ? json_object_get_double_member_with_default(c, "score", 0) : 0;
    }
}

static void grade_batch_start_next(GradeBatch *b);

static void
grade_batch_progress(GradeBatch *b)
{
    if (!b->opt->progress)
        return;
    guint total = b->rows->len, width = 30;
    guint filled = total ? b->done * width / total : width;
    g_autofree char *bar = g_strnfill(filled, '#');
    g_autofree char *rest = g_strnfill(width - filled, ' ');
    fprintf(stderr, "\rgrading [%s%s] %u/%u", bar, rest, b->done, total);
    if (b->done == total)
        fprintf(stderr, "\n");
    fflush(stderr);
}

static void
grade_batch_finished(GObject *source, GAsyncResult *res, gpointer user_data)
{
    GradeBatchJob *job = user_data;
    GradeBatch *b = job->batch;
    GSubprocess *proc = G_SUBPROCESS(source);
    g_autofree char *out = NULL, *err_text = NULL;
    g_autoptr(GError) error = NULL;
    if (!g_subprocess_communicate_utf8_finish(proc, res, &out, &err_text, &error)) {
        job->row->error = g_strdup_printf("cannot read the grader: %s", error->message);
    } else if (!g_subprocess_get_if_exited(proc) || g_subprocess_get_exit_status(proc) != 0) {
        g_autofree char *why = g_strstrip(g_strdup(err_text ? err_text : ""));
        job->row->error = g_strdup_printf(
            "the grader failed (%s): %s",
            g_subprocess_get_if_exited(proc) ? "exit status" : "killed by a signal", why);
    } else {
        grade_batch_parse(b, job->row, out);
    }
    g_object_unref(proc);
    g_free(job);
    b->running--;
    b->done++;
    grade_batch_progress(b);
    grade_batch_start_next(b);
    if (b->done == b->rows->len)
        g_main_loop_quit(b->loop);
}

static void
grade_batch_start_next(GradeBatch *b)
{
    while (b->running < b->opt->jobs && b->next < b->rows->len) {
        GradeBatchRow *row = b->rows->pdata[b->next++];
        g_autofree char *sub = g_build_filename(b->opt->dir, row->student, NULL);
        const char *argv[] = {b->self,     "grade",      b->opt->lab_dir, "--submission", sub,
                              "--student", row->student, "--format",      "json",         NULL};
        g_autoptr(GError) error = NULL;
        GSubprocess *proc = g_subprocess_newv(
            argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
        if (proc == NULL) {
            row->error = g_strdup_printf("cannot start the grader: %s", error->message);
            b->done++;
            continue;
        }
        GradeBatchJob *job = g_new0(GradeBatchJob, 1);
        job->batch = b;
        job->row = row;
        b->running++;
        g_subprocess_communicate_utf8_async(proc, NULL, NULL, grade_batch_finished, job);
    }
}

static gint
grade_batch_row_cmp(gconstpointer a, gconstpointer b)
{
    const GradeBatchRow *x = *(GradeBatchRow *const *)a, *y = *(GradeBatchRow *const *)b;
    return strcmp(x->student, y->student);
}

static gboolean
grade_batch_write_csv(GradeBatch *b, GError **error)
{
    const GradeSpec *spec = b->spec;
    g_autoptr(GString) s = g_string_new("student,score,max");
    for (guint i = 0; i < spec->checks->len; i++) {
        g_autofree char *f = grade_batch_csv_field(((GradeCheck *)spec->checks->pdata[i])->name);
        g_string_append_printf(s, ",%s", f);
    }
    g_string_append(s, ",error\n");
    for (guint r = 0; r < b->rows->len; r++) {
        const GradeBatchRow *row = b->rows->pdata[r];
        g_autofree char *id = grade_batch_csv_field(row->student);
        g_autofree char *err = grade_batch_csv_field(row->error);
        g_string_append_printf(s, "%s,%g,%g", id, row->score, spec->max_points);
        for (guint i = 0; i < spec->checks->len; i++)
            g_string_append_printf(s, ",%g", row->points[i]);
        g_string_append_printf(s, ",%s\n", err);
    }
    return g_file_set_contents(b->opt->csv_path, s->str, (gssize)s->len, error);
}

static gint
grade_batch_double_cmp(gconstpointer a, gconstpointer b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void
grade_batch_summary(GradeBatch *b)
{
    const GradeSpec *spec = b->spec;
    FILE *out = b->opt->summary;
    guint n = b->rows->len, bad = 0, buckets[11] = {0};
    g_autofree double *scores = g_new0(double, n + 1);
    g_autofree guint *failed = g_new0(guint, spec->checks->len + 1);
    double sum = 0;
    for (guint r = 0; r < n; r++) {
        const GradeBatchRow *row = b->rows->pdata[r];
        scores[r] = row->score;
        sum += row->score;
        bad += row->error != NULL;
        double frac = spec->max_points > 0 ? row->score / spec->max_points : 1;
        buckets[MIN(10, (guint)(frac * 10 + 1e-9))]++;
        for (guint i = 0; i < spec->checks->len; i++)
            failed[i] += row->points[i] < ((GradeCheck *)spec->checks->pdata[i])->points;
    }
    qsort(scores, n, sizeof(double), grade_batch_double_cmp);
    fprintf(out, "%s (%s): %u submissions, max %g points; CSV in %s\n", spec->title, spec->name, n,
            spec->max_points, b->opt->csv_path);
    if (n == 0)
        return;
    double median = n % 2 ? scores[n / 2] : (scores[n / 2 - 1] + scores[n / 2]) / 2;
    fprintf(out, "mean %.2f, median %g, lowest %g, highest %g; %u with errors (zero points)\n",
            sum / n, median, scores[0], scores[n - 1], bad);
    fprintf(out, "score distribution:\n");
    for (guint i = 0; i < 10; i++) {
        guint count = buckets[i] + (i == 9 ? buckets[10] : 0);
        g_autofree char *bar = g_strnfill(MIN(count, 60), '#');
        fprintf(out, "  %3u-%3u%% %5u %s\n", i * 10, i == 9 ? 100 : i * 10 + 9, count, bar);
    }
    fprintf(out, "checks most often failed:\n");
    g_autofree guint *order = g_new0(guint, spec->checks->len + 1);
    for (guint i = 0; i < spec->checks->len; i++)
        order[i] = i;
    for (guint i = 1; i < spec->checks->len; i++) /* insertion sort: a few checks */
        for (guint j = i; j > 0 && failed[order[j]] > failed[order[j - 1]]; j--) {
            guint t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for (guint i = 0; i < spec->checks->len; i++)
        fprintf(out, "  %5u/%u  %s\n", failed[order[i]], n,
                ((GradeCheck *)spec->checks->pdata[order[i]])->name);
}

gboolean
grade_batch_run(const GradeSpec *spec, const GradeBatchOptions *opt, GError **error)
{
    g_autoptr(GDir) d = g_dir_open(opt->dir, 0, error);
    if (d == NULL)
        return FALSE;
    /* A broken lab stops the batch before any child runs: graded with its
     * own start/ files, it must load and build. */
    g_autofree char *start = g_build_filename(opt->lab_dir, "start", NULL);
    g_autoptr(GradeResult) probe = grade_run(spec, start, NULL, error);
    if (probe == NULL)
        return FALSE;
    if (probe->error != NULL) {
        g_set_error(error, GRADE_ERROR, GRADE_ERROR_SPEC, "%s: the lab's start state: %s",
                    spec->path, probe->error);
        return FALSE;
    }
    GradeBatch b = {.spec = spec, .opt = opt};
    b.self = grade_labs_self();
    if (b.self == NULL) {
        g_set_error(error, GRADE_ERROR, GRADE_ERROR_IO, "cannot find the mhs binary");
        return FALSE;
    }
    b.rows = g_ptr_array_new_with_free_func((GDestroyNotify)grade_batch_row_free);
    for (const char *name; (name = g_dir_read_name(d)) != NULL;) {
        g_autofree char *path = g_build_filename(opt->dir, name, NULL);
        if (name[0] == '.' || !g_file_test(path, G_FILE_TEST_IS_DIR))
            continue;
        GradeBatchRow *row = g_new0(GradeBatchRow, 1);
        row->student = g_strdup(name);
        row->points = g_new0(double, spec->checks->len + 1);
        g_ptr_array_add(b.rows, row);
    }
    g_ptr_array_sort(b.rows, grade_batch_row_cmp);
    g_autoptr(GMainContext) mc = g_main_context_new();
    g_main_context_push_thread_default(mc);
    b.loop = g_main_loop_new(mc, FALSE);
    grade_batch_start_next(&b);
    if (b.done < b.rows->len)
        g_main_loop_run(b.loop);
    grade_batch_progress(&b);
    g_main_loop_unref(b.loop);
    g_main_context_pop_thread_default(mc);
    gboolean ok = grade_batch_write_csv(&b, error);
    if (ok)
        grade_batch_summary(&b);
    g_ptr_array_unref(b.rows);
    g_free(b.self);
    return ok;
}
