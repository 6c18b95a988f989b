/* SPDX-License-Identifier: MIT
 * Tests for app/text_file: the one reader of scenarios, grading specs and
 * submitted files. A file over the bound is refused before it is read, a
 * NUL byte is located by line and column, an unreadable path names the
 * display name, and a good file comes back whole.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "app/text_file.h"

static void
test_text_file(void)
{
    g_autofree char *dir = g_dir_make_tmp("mhs-text-XXXXXX", NULL);
    g_assert_nonnull(dir);
    g_autofree char *good = g_build_filename(dir, "good.yaml", NULL);
    g_assert_true(g_file_set_contents(good, "a: 1\nb: 2\n", -1, NULL));
    gsize len = 0;
    g_autoptr(GError) error = NULL;
    g_autofree char *text = text_file_read(good, "shown.yaml", 100, &len, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(text, ==, "a: 1\nb: 2\n");
    g_assert_cmpuint(len, ==, 10);

    /* At the bound is fine, one byte over is not, and the read is skipped. */
    g_autofree char *at = text_file_read(good, "shown.yaml", 10, &len, &error);
    g_assert_no_error(error);
    g_assert_null(text_file_read(good, "shown.yaml", 9, &len, &error));
    g_assert_cmpstr(error->message, ==, "shown.yaml: file too large (10 bytes, at most 9)");
    g_clear_error(&error);

    g_autofree char *nul = g_build_filename(dir, "nul.yaml", NULL);
    static const char with_nul[] = "a: 1\nbb: x\0y\n";
    g_assert_true(g_file_set_contents(nul, with_nul, sizeof with_nul - 1, NULL));
    g_assert_null(text_file_read(nul, "student/nul.yaml", 100, &len, &error));
    g_assert_cmpstr(error->message, ==, "student/nul.yaml:2:6: the file holds a NUL byte");
    g_clear_error(&error);

    g_autofree char *missing = g_build_filename(dir, "missing.yaml", NULL);
    g_assert_null(text_file_read(missing, "missing.yaml", 100, &len, &error));
    g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
    g_assert_true(g_str_has_prefix(error->message, "missing.yaml: "));

    g_assert_cmpint(g_remove(good), ==, 0);
    g_assert_cmpint(g_remove(nul), ==, 0);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/app/text-file/read", test_text_file);
    return g_test_run();
}
