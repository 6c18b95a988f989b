/* SPDX-License-Identifier: MIT
 * world_jobs: role work in flight that outlives one session or event (a
 * relay-test battery between its probes, a spam send waiting for DNS, a
 * webmail request waiting for its submission). The world holds each one
 * while it runs; world_free() frees what a stopped run (--until) left.
 * Freeing writes no trace record and calls no role back.
 */
#include "nodes/world_private.h"

void
world_hold(World *w, gpointer job, GDestroyNotify destroy)
{
    g_return_if_fail(w != NULL && job != NULL && destroy != NULL);
    if (w->held == NULL)
        w->held = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_hash_table_insert(w->held, job, (gpointer)destroy);
}

void
world_release(World *w, gpointer job)
{
    if (w->held != NULL)
        g_hash_table_remove(w->held, job);
}

void
world_free_held(World *w)
{
    /* Stolen first: a destroy that releases another job finds nothing. */
    GHashTable *held = g_steal_pointer(&w->held);
    if (held == NULL)
        return;
    GHashTableIter it;
    gpointer job, destroy;
    g_hash_table_iter_init(&it, held);
    while (g_hash_table_iter_next(&it, &job, &destroy))
        ((GDestroyNotify)destroy)(job);
    g_hash_table_unref(held);
}
