/* SPDX-License-Identifier: MIT
 * queue_pool: spare pointer arrays a queue reuses. Every message and hop
 * makes an entry's recipient and delivery lists and each delivery's
 * recipient and host lists; taking them from a pool saves the two
 * allocations and two frees a new GPtrArray costs.
 */
#ifndef NODES_QUEUE_POOL_H
#define NODES_QUEUE_POOL_H

#include <glib.h>

/* The most spare arrays kept: a burst of deliveries leaves no more than
 * this behind (the memory stays bounded whatever the queue's peak). */
#define QUEUE_POOL_MAX 64

typedef struct {
    GPtrArray *spare[QUEUE_POOL_MAX];
    guint n;
} QueuePool;

/* An empty array whose elements free_func (nullable) frees, as
 * g_ptr_array_new_with_free_func() would give. */
GPtrArray *queue_pool_take(QueuePool *pool, GDestroyNotify free_func);
/* Frees a's elements with its free function and keeps a for the next
 * take, or unrefs it when the pool is full. a may be NULL. */
void queue_pool_give(QueuePool *pool, GPtrArray *a);
/* Frees the spare arrays; the pool is empty and usable again. */
void queue_pool_clear(QueuePool *pool);

#endif
