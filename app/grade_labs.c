/* SPDX-License-Identifier: MIT
 * grade_labs: finding labs by path or name (the rule is in grade_labs.h
 * and docs/grading.md).
 */
#include "app/grade_labs.h"

#include <string.h>

#include "app/grade_node.h"

char *
grade_labs_self(void)
{
    char *self = g_file_read_link("/proc/self/exe", NULL);
    return self != NULL ? self : g_find_program_in_path("mhs");
}

char *
grade_labs_dir(void)
{
    const char *env = g_getenv("MHS_LABS_DIR");
    if (env != NULL && env[0] != '\0')
        return g_file_test(env, G_FILE_TEST_IS_DIR) ? g_strdup(env) : NULL;
    if (g_file_test("labs", G_FILE_TEST_IS_DIR))
        return g_strdup("labs");
    g_autofree char *self = grade_labs_self();
    if (self == NULL)
        return NULL;
    g_autofree char *bin = g_path_get_dirname(self);
    const char *const tries[] = {"labs", "../labs", "../../labs", "../share/mhs/labs"};
    for (gsize i = 0; i < G_N_ELEMENTS(tries); i++) {
        g_autofree char *d = g_build_filename(bin, tries[i], NULL);
        if (g_file_test(d, G_FILE_TEST_IS_DIR))
            return g_canonicalize_filename(d, NULL);
    }
    return NULL;
}

static gint
grade_labs_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

GPtrArray *
grade_labs_list(const char *dir)
{
    GPtrArray *labs = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) d = dir != NULL ? g_dir_open(dir, 0, NULL) : NULL;
    for (const char *name; d != NULL && (name = g_dir_read_name(d)) != NULL;) {
        g_autofree char *spec = g_build_filename(dir, name, "lab.yaml", NULL);
        if (g_file_test(spec, G_FILE_TEST_IS_REGULAR))
            g_ptr_array_add(labs, g_build_filename(dir, name, NULL));
    }
    g_ptr_array_sort(labs, grade_labs_cmp);
    return labs;
}

/* "03-open-relay" matches "03", "open-relay" and itself. */
static gboolean
grade_labs_name_matches(const char *dir_name, const char *lab)
{
    if (strcmp(dir_name, lab) == 0)
        return TRUE;
    const char *dash = strchr(dir_name, '-');
    if (dash == NULL)
        return FALSE;
    gsize n = (gsize)(dash - dir_name);
    return (strlen(lab) == n && strncmp(dir_name, lab, n) == 0) || strcmp(dash + 1, lab) == 0;
}

char *
grade_labs_resolve(const char *lab, GError **error)
{
    g_autofree char *direct = g_build_filename(lab, "lab.yaml", NULL);
    if (g_file_test(direct, G_FILE_TEST_IS_REGULAR))
        return g_strdup(lab);
    g_autofree char *dir = grade_labs_dir();
    if (dir == NULL) {
        g_set_error(error, GRADE_ERROR, GRADE_ERROR_IO,
                    "%s: not a lab directory, and no labs directory found (set MHS_LABS_DIR)", lab);
        return NULL;
    }
    g_autoptr(GPtrArray) labs = grade_labs_list(dir);
    char *found = NULL;
    for (guint i = 0; i < labs->len; i++) {
        g_autofree char *base = g_path_get_basename(labs->pdata[i]);
        if (!grade_labs_name_matches(base, lab))
            continue;
        if (found != NULL) {
            g_set_error(error, GRADE_ERROR, GRADE_ERROR_IO, "%s: more than one lab matches", lab);
            g_free(found);
            return NULL;
        }
        found = g_strdup(labs->pdata[i]);
    }
    if (found == NULL)
        g_set_error(error, GRADE_ERROR, GRADE_ERROR_IO, "%s: no such lab in %s (try 'mhs labs')",
                    lab, dir);
    return found;
}
