/* SPDX-License-Identifier: MIT
 * act_queue: the first-in first-out queue of fixed-size items (actions,
 * expected replies) inside the protocol engines. Items are stored by value
 * in one array that is reused once drained, so a push or a pop costs no
 * allocation: engines push several actions for every line they read.
 * Private to proto/ (not for callers of the engines).
 */
#ifndef PROTO_ACT_QUEUE_H
#define PROTO_ACT_QUEUE_H

#include <string.h>

#include <glib.h>

typedef struct {
    guint8 *items;
    gsize item_size;
    guint head; /* first item not yet popped */
    guint len;  /* items pushed (popped ones included) */
    guint cap;
} ActQueue;

static inline void
act_queue_init(ActQueue *q, gsize item_size)
{
    memset(q, 0, sizeof *q);
    q->item_size = item_size;
}

static inline gboolean
act_queue_is_empty(const ActQueue *q)
{
    return q->head == q->len;
}

/* Octets of the first allocation: every session makes one, and glibc
 * serves a request under about 1000 octets from its fast per-size bins,
 * while a larger one takes the slower general path. */
#define ACT_QUEUE_FIRST_BYTES 768

/* Items in the first allocation: as many as fit, 2 to 16. */
static inline guint
act_queue_first_cap(gsize item_size)
{
    return (guint)CLAMP(ACT_QUEUE_FIRST_BYTES / item_size, 2, 16);
}

/* A new zeroed item at the tail, valid until the next push. */
static inline gpointer
act_queue_push(ActQueue *q)
{
    if (q->len == q->cap) {
        q->cap = q->cap ? q->cap * 2 : act_queue_first_cap(q->item_size);
        q->items = g_realloc_n(q->items, q->cap, q->item_size);
    }
    gpointer it = q->items + (gsize)q->len++ * q->item_size;
    memset(it, 0, q->item_size);
    return it;
}

/* Moves the head item to out (item_size octets); the queue must not be empty. */
static inline void
act_queue_pop(ActQueue *q, gpointer out)
{
    g_assert(!act_queue_is_empty(q));
    memcpy(out, q->items + (gsize)q->head++ * q->item_size, q->item_size);
    if (act_queue_is_empty(q))
        q->head = q->len = 0;
}

/* Drops every item not yet popped, calling clear (nullable) on each, and
 * frees the storage with free_storage TRUE. */
static inline void
act_queue_clear(ActQueue *q, GDestroyNotify clear, gboolean free_storage)
{
    for (guint i = q->head; clear != NULL && i < q->len; i++)
        clear(q->items + (gsize)i * q->item_size);
    q->head = q->len = 0;
    if (free_storage) {
        g_clear_pointer(&q->items, g_free);
        q->cap = 0;
    }
}

#endif
