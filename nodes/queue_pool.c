/* SPDX-License-Identifier: MIT
 * queue_pool: spare pointer arrays a queue reuses (see queue_pool.h).
 */
#include "nodes/queue_pool.h"

GPtrArray *
queue_pool_take(QueuePool *pool, GDestroyNotify free_func)
{
    if (pool->n == 0)
        return g_ptr_array_new_with_free_func(free_func);
    GPtrArray *a = pool->spare[--pool->n];
    g_ptr_array_set_free_func(a, free_func);
    return a;
}

void
queue_pool_give(QueuePool *pool, GPtrArray *a)
{
    if (a == NULL)
        return;
    /* Frees the elements, in index order as g_ptr_array_unref() does. */
    g_ptr_array_set_size(a, 0);
    if (pool->n == QUEUE_POOL_MAX) {
        g_ptr_array_unref(a);
        return;
    }
    g_ptr_array_set_free_func(a, NULL);
    pool->spare[pool->n++] = a;
}

void
queue_pool_clear(QueuePool *pool)
{
    while (pool->n > 0)
        g_ptr_array_unref(pool->spare[--pool->n]);
}
