/* SPDX-License-Identifier: MIT
 * cmd_grade: `mhs grade LAB --submission PATH` (one submission, any output
 * format) and `mhs grade LAB --submissions DIR -j N` (a whole class, in
 * parallel processes, to a CSV and a summary). Exit 0 when grading ran,
 * whatever the score; 2 when the lab or the invocation is broken.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "app/cli.h"
#include "app/grade_batch.h"
#include "app/grade_labs.h"
#include "app/grade_merge.h"
#include "app/grade_output.h"
#include "app/grade_run.h"
#include "app/grade_spec.h"

typedef struct {
    char *submission, *submissions, *student, *format, *output, *csv, *merged;
    gint jobs;
    gboolean print_variant;
} GradeOptions;

static void
grade_options_clear(GradeOptions *o)
{
    g_free(o->submission);
    g_free(o->submissions);
    g_free(o->student);
    g_free(o->format);
    g_free(o->output);
    g_free(o->csv);
    g_free(o->merged);
}

static gboolean
grade_write(const char *path, const char *text, GError **error)
{
    if (path == NULL || strcmp(path, "-") == 0) {
        fputs(text, stdout);
        return TRUE;
    }
    return g_file_set_contents(path, text, -1, error);
}

static int
grade_one(const GradeSpec *spec, const GradeOptions *o, GradeFormat format)
{
    if (!g_file_test(o->submission, G_FILE_TEST_IS_DIR))
        return mhs_usage_error("--submission: '%s' is not a directory", o->submission);
    g_autoptr(GError) error = NULL;
    g_autoptr(GradeResult) r = grade_run_full(spec, o->submission, o->student, o->merged, &error);
    if (r == NULL) {
        fprintf(stderr, "%s\n", error->message);
        return MHS_EXIT_USAGE;
    }
    gboolean to_tty = (o->output == NULL || strcmp(o->output, "-") == 0) && isatty(STDOUT_FILENO) &&
                      g_getenv("NO_COLOR") == NULL;
    g_autofree char *text = grade_output_format(r, format, to_tty);
    if (!grade_write(o->output, text, &error))
        return mhs_usage_error("-o: %s", error->message);
    return MHS_EXIT_OK;
}

static int
grade_many(const GradeSpec *spec, const GradeOptions *o, const char *lab_dir)
{
    if (o->jobs < 1 || o->jobs > 256)
        return mhs_usage_error("-j must be from 1 to 256");
    FILE *summary = stdout;
    if (o->output != NULL && strcmp(o->output, "-") != 0) {
        summary = fopen(o->output, "w");
        if (summary == NULL)
            return mhs_usage_error("-o: cannot write '%s'", o->output);
    }
    GradeBatchOptions opt = {
        .lab_dir = lab_dir,
        .dir = o->submissions,
        .jobs = (guint)o->jobs,
        .csv_path = o->csv != NULL ? o->csv : "grades.csv",
        .summary = summary,
        .progress = isatty(STDERR_FILENO),
    };
    g_autoptr(GError) error = NULL;
    gboolean ok = grade_batch_run(spec, &opt, &error);
    if (summary != stdout)
        fclose(summary);
    if (!ok) {
        fprintf(stderr, "mhs: %s\n", error->message);
        return MHS_EXIT_USAGE;
    }
    return MHS_EXIT_OK;
}

static int
grade_print_variant(const char *lab, const char *student)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *lab_dir = grade_labs_resolve(lab, &error);
    g_autoptr(GradeSpec) spec = lab_dir ? grade_spec_load(lab_dir, &error) : NULL;
    if (spec == NULL) {
        fprintf(stderr, "%s\n", error->message);
        return MHS_EXIT_USAGE;
    }
    g_autoptr(GHashTable) vars = grade_variant_values(spec, student);
    for (guint i = 0; i < spec->vars->len; i++) {
        const GradeVar *v = spec->vars->pdata[i];
        printf("%s=%s\n", v->name, (const char *)g_hash_table_lookup(vars, v->name));
    }
    return MHS_EXIT_OK;
}

int
mhs_cmd_grade(int argc, char **argv)
{
    GradeOptions o = {.jobs = 1};
    GOptionEntry entries[] = {
        {"submission", 0, 0, G_OPTION_ARG_FILENAME, &o.submission,
         "The directory holding one student's files", "PATH"},
        {"submissions", 0, 0, G_OPTION_ARG_FILENAME, &o.submissions,
         "Grade every subdirectory of DIR (named by student ID)", "DIR"},
        {"student", 0, 0, G_OPTION_ARG_STRING, &o.student,
         "Student ID: picks the student's variant of the lab", "ID"},
        {"format", 0, 0, G_OPTION_ARG_STRING, &o.format,
         "Output: text (default), json, junit, gradescope", "F"},
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output,
         "Write the result (batch: the summary) to FILE", "FILE"},
        {"jobs", 'j', 0, G_OPTION_ARG_INT, &o.jobs, "Batch: parallel processes (default 1)", "N"},
        {"csv", 0, 0, G_OPTION_ARG_FILENAME, &o.csv,
         "Batch: write the grades here (default grades.csv)", "FILE"},
        {"merged", 0, 0, G_OPTION_ARG_FILENAME, &o.merged,
         "Also write the scenario as graded (to run it: mhs run FILE --trace ...)", "FILE"},
        {"print-variant", 0, 0, G_OPTION_ARG_NONE, &o.print_variant,
         "Print the variant values (NAME=VALUE lines) for --student and exit", NULL},
        {NULL},
    };
    g_autoptr(GOptionContext) ctx =
        g_option_context_new("LAB - grade a submission (or a class) against a lab");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) error = NULL;
    int status;
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        status = mhs_usage_error("%s", error->message);
        goto out;
    }
    GradeFormat format = GRADE_FORMAT_TEXT;
    if (argc != 2) {
        status = mhs_usage_error("grade needs exactly one LAB (see 'mhs labs')");
    } else if (o.print_variant) {
        status = grade_print_variant(argv[1], o.student);
    } else if ((o.submission == NULL) == (o.submissions == NULL)) {
        status = mhs_usage_error("grade needs one of --submission PATH and --submissions DIR");
    } else if (o.format && !grade_format_from_name(o.format, &format)) {
        status =
            mhs_usage_error("--format must be text, json, junit or gradescope, not '%s'", o.format);
    } else if (o.submissions != NULL && (o.student != NULL || o.format != NULL)) {
        status = mhs_usage_error("--submissions takes student IDs from the directory names; "
                                 "--student and --format apply to --submission");
    } else {
        g_autofree char *lab_dir = grade_labs_resolve(argv[1], &error);
        g_autoptr(GradeSpec) spec = lab_dir ? grade_spec_load(lab_dir, &error) : NULL;
        if (spec == NULL) {
            fprintf(stderr, "%s\n", error->message);
            status = MHS_EXIT_USAGE;
        } else if (o.submission != NULL) {
            status = grade_one(spec, &o, format);
        } else {
            status = grade_many(spec, &o, lab_dir);
        }
    }
out:
    grade_options_clear(&o);
    return status;
}
