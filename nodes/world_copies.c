/* SPDX-License-Identifier: MIT
 * world_copies: the delivered copies of a run (the bytes each store put in
 * each mailbox, Return-Path and Received included), listed in a fixed
 * order for exports and header analysis.
 */
#include <string.h>

#include "nodes/world.h"
#include "nodes/world_private.h"

void
world_foreach_copy(World *w, WorldCopyFunc fn, gpointer user_data)
{
    g_return_if_fail(w != NULL && fn != NULL);
    guint n = 0;
    g_autofree gpointer *keys = g_hash_table_get_keys_as_array(w->copies, &n);
    qsort(keys, n, sizeof(gpointer), (int (*)(const void *, const void *))g_strcmp0);
    for (guint i = 0; i < n; i++) {
        const char *key = keys[i];
        const char *nl = strchr(key, '\n');
        g_autofree char *msg_id = g_strndup(key, nl ? (gsize)(nl - key) : strlen(key));
        fn(msg_id, nl ? nl + 1 : "", g_hash_table_lookup(w->copies, key), user_data);
    }
}
