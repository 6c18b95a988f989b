/* SPDX-License-Identifier: MIT
 * fuzz_main: replays inputs through a fuzz target's LLVMFuzzerTestOneInput
 * without libFuzzer, so the corpus of each target runs as a plain ctest
 * test with any compiler: every argument is a file, or a directory whose
 * files are replayed in name order. A crashing input dropped into
 * tests/fuzz/corpus/<target>/ becomes a regression test this way.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "fuzz_common.h"

static int
fuzz_main_replay_file(const char *path)
{
    g_autofree char *data = NULL;
    gsize len = 0;
    g_autoptr(GError) error = NULL;
    if (!g_file_get_contents(path, &data, &len, &error)) {
        fprintf(stderr, "%s\n", error->message);
        return 1;
    }
    /* An exact-size copy, so reading past the input trips ASan; never NULL,
     * as with libFuzzer, even for an empty file. */
    g_autofree guint8 *copy = g_malloc(len > 0 ? len : 1);
    memcpy(copy, data, len);
    LLVMFuzzerTestOneInput(copy, len);
    return 0;
}

static gint
fuzz_main_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
fuzz_main_replay_dir(const char *path, guint *count)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GDir) dir = g_dir_open(path, 0, &error);
    if (dir == NULL) {
        fprintf(stderr, "%s\n", error->message);
        return 1;
    }
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *name;
    while ((name = g_dir_read_name(dir)) != NULL)
        g_ptr_array_add(names, g_build_filename(path, name, NULL));
    g_ptr_array_sort(names, fuzz_main_cmp);
    int rc = 0;
    for (guint i = 0; i < names->len; i++) {
        const char *file = g_ptr_array_index(names, i);
        if (!g_file_test(file, G_FILE_TEST_IS_REGULAR))
            continue;
        rc |= fuzz_main_replay_file(file);
        (*count)++;
    }
    return rc;
}

int
main(int argc, char **argv)
{
    guint count = 0;
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        if (g_file_test(argv[i], G_FILE_TEST_IS_DIR)) {
            rc |= fuzz_main_replay_dir(argv[i], &count);
        } else {
            rc |= fuzz_main_replay_file(argv[i]);
            count++;
        }
    }
    if (count == 0) {
        fprintf(stderr, "%s: no input replayed\n", argv[0]);
        return 1;
    }
    printf("%s: %u inputs replayed\n", argv[0], count);
    return rc;
}
