/* SPDX-License-Identifier: MIT
 * helper_fs: file-system chores shared by the app tests.
 */
#include "helper_fs.h"

#include <glib.h>
#include <glib/gstdio.h>

void
test_rm_rf(const char *path)
{
    g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
    if (d != NULL) {
        for (const char *name; (name = g_dir_read_name(d)) != NULL;) {
            g_autofree char *p = g_build_filename(path, name, NULL);
            test_rm_rf(p);
        }
    }
    g_remove(path);
}
