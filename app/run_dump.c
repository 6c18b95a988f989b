/* SPDX-License-Identifier: MIT
 * run_dump: `mhs run --dump-messages DIR` writes every delivered copy (the
 * bytes in the mailbox, Return-Path and Received fields included) to a
 * file, for `mhs msg headers` and other mail tools.
 */
#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include "app/run_report.h"

typedef struct {
    const char *dir;
    GError **error;
    gboolean ok;
} RunDump;

static void
run_dump_one(const char *msg_id, const char *rcpt, GBytes *copy, gpointer user_data)
{
    RunDump *d = user_data;
    if (!d->ok)
        return;
    g_autofree char *base = g_strdup_printf("%s--%s.eml", msg_id, rcpt);
    g_strdelimit(base, "/\\\n", '_');
    g_autofree char *path = g_build_filename(d->dir, base, NULL);
    gsize n = 0;
    const char *data = g_bytes_get_data(copy, &n);
    d->ok = g_file_set_contents(path, data ? data : "", (gssize)n, d->error);
}

gboolean
run_dump_messages(World *w, const char *dir, GError **error)
{
    if (g_mkdir_with_parents(dir, 0755) != 0) {
        int e = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                    "cannot create directory '%s': %s", dir, g_strerror(e));
        return FALSE;
    }
    RunDump d = {.dir = dir, .error = error, .ok = TRUE};
    g_autoptr(GError) read_error = NULL;
    gboolean read_ok = world_foreach_copy(w, run_dump_one, &d, &read_error);
    if (d.ok && !read_ok)
        g_propagate_error(error, g_steal_pointer(&read_error));
    return d.ok && read_ok;
}
