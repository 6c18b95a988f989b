/* SPDX-License-Identifier: MIT
 * cmd_labs: `mhs labs` lists the labs (every DIR/lab.yaml under the labs
 * directory, found as grade_labs.h says) with title, summary and the
 * features each needs. A lab whose spec does not load is listed with
 * its error, and the exit status is 2.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "app/cli.h"
#include "app/grade_labs.h"
#include "app/grade_spec.h"

int
mhs_cmd_labs(int argc, char **argv)
{
    char *dir_opt = NULL;
    GOptionEntry entries[] = {
        {"dir", 0, 0, G_OPTION_ARG_FILENAME, &dir_opt, "The labs directory", "DIR"},
        {NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- list the course labs");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error))
        return mhs_usage_error("%s", error->message);
    g_autofree char *dir = dir_opt != NULL ? dir_opt : grade_labs_dir();
    if (argc != 1)
        return mhs_usage_error("labs takes no arguments");
    if (dir == NULL)
        return mhs_usage_error("no labs directory found (set MHS_LABS_DIR or use --dir)");
    g_autoptr(GPtrArray) labs = grade_labs_list(dir);
    int status = MHS_EXIT_OK;
    printf("labs in %s:\n", dir);
    /* The name column is as wide as the longest lab name. */
    int w = 0;
    for (guint i = 0; i < labs->len; i++) {
        g_autofree char *name = g_path_get_basename(labs->pdata[i]);
        w = MAX(w, (int)strlen(name));
    }
    for (guint i = 0; i < labs->len; i++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(GradeSpec) spec = grade_spec_load(labs->pdata[i], &err);
        g_autofree char *name = g_path_get_basename(labs->pdata[i]);
        if (spec == NULL) {
            printf("%-*s  (broken) %s\n", w, name, err->message);
            status = MHS_EXIT_USAGE;
            continue;
        }
        g_autofree char *needs = g_strjoinv(", ", spec->needs);
        printf("%-*s  %s (%g points, %u checks)\n", w, name, spec->title, spec->max_points,
               spec->checks->len);
        if (spec->summary != NULL)
            printf("%-*s  %s\n", w, "", spec->summary);
        if (needs[0] != '\0')
            printf("%-*s  needs: %s\n", w, "", needs);
    }
    if (labs->len == 0)
        printf("(none)\n");
    return status;
}
