/* SPDX-License-Identifier: MIT
 * world_forget: what a long run may forget of its generated traffic. The
 * expectations name the messages whose journey they read; the caller says
 * how many messages it will show in full. Every other finished "traffic"
 * message keeps its recipients' fates (the counts, the run.message and
 * run.rcpt records) but drops its hops.
 */
#include "nodes/world.h"
#include "nodes/world_private.h"

void
world_forget_finished_hops(World *w, guint keep_first)
{
    g_return_if_fail(w != NULL);
    g_autoptr(GPtrArray) keep = g_ptr_array_new();
    for (guint i = 0; i < w->spec->expects->len; i++) {
        const ExpectSpec *e = w->spec->expects->pdata[i];
        if (e->message != NULL)
            g_ptr_array_add(keep, e->message);
        if (e->other != NULL)
            g_ptr_array_add(keep, e->other);
    }
    g_ptr_array_add(keep, NULL);
    tracker_forget_finished(w->tracker, keep_first, (const char *const *)keep->pdata);
}
