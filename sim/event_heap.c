/* SPDX-License-Identifier: MIT
 * event_heap: binary min-heap on (time, seq) over 24-byte entries, with event
 * bodies in a pooled slot array and a free list (no malloc per event once
 * warm). Lazy cancel: a slot's generation is bumped when it is cancelled or
 * popped, and heap entries whose generation no longer matches are stale.
 * When stale entries outnumber live ones the heap is rebuilt in O(n).
 */
#include "sim/event_heap.h"

typedef struct {
    SimTime time;
    guint64 seq;
    guint32 slot;
    guint32 gen;
} SimHeapEntry;

typedef struct {
    SimEventFunc fn;
    gpointer data;
    GDestroyNotify destroy;
    guint32 gen;       /* current generation, never 0 once used */
    guint32 next_free; /* free-list link when the slot is free */
    guint32 node;
    gboolean live;
} SimHeapSlot;

#define SIM_EVENT_HEAP_NO_SLOT G_MAXUINT32

struct SimEventHeap {
    SimHeapEntry *heap;
    guint n, cap;
    SimHeapSlot *slots;
    guint n_slots, slot_cap;
    guint32 free_head;
    guint live;
    guint64 next_seq;
};

static inline gboolean
sim_event_heap_less(const SimHeapEntry *a, const SimHeapEntry *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static inline gboolean
sim_event_heap_entry_is_live(const SimEventHeap *h, const SimHeapEntry *e)
{
    return h->slots[e->slot].gen == e->gen;
}

SimEventHeap *
sim_event_heap_new(void)
{
    SimEventHeap *h = g_new0(SimEventHeap, 1);
    h->free_head = SIM_EVENT_HEAP_NO_SLOT;
    return h;
}

void
sim_event_heap_free(SimEventHeap *h)
{
    if (h == NULL)
        return;
    for (guint i = 0; i < h->n_slots; i++) {
        SimHeapSlot *s = &h->slots[i];
        if (s->live && s->destroy != NULL)
            s->destroy(s->data);
    }
    g_free(h->heap);
    g_free(h->slots);
    g_free(h);
}

static void
sim_event_heap_sift_up(SimEventHeap *h, guint i)
{
    SimHeapEntry e = h->heap[i];
    while (i > 0) {
        guint p = (i - 1) / 2;
        if (!sim_event_heap_less(&e, &h->heap[p]))
            break;
        h->heap[i] = h->heap[p];
        i = p;
    }
    h->heap[i] = e;
}

static void
sim_event_heap_sift_down(SimEventHeap *h, guint i)
{
    SimHeapEntry e = h->heap[i];
    guint n = h->n;
    for (;;) {
        guint c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && sim_event_heap_less(&h->heap[c + 1], &h->heap[c]))
            c++;
        if (!sim_event_heap_less(&h->heap[c], &e))
            break;
        h->heap[i] = h->heap[c];
        i = c;
    }
    h->heap[i] = e;
}

static guint32
sim_event_heap_alloc_slot(SimEventHeap *h)
{
    if (h->free_head != SIM_EVENT_HEAP_NO_SLOT) {
        guint32 s = h->free_head;
        h->free_head = h->slots[s].next_free;
        return s;
    }
    if (h->n_slots == h->slot_cap) {
        h->slot_cap = h->slot_cap ? h->slot_cap * 2 : 64;
        h->slots = g_renew(SimHeapSlot, h->slots, h->slot_cap);
    }
    g_assert(h->n_slots < SIM_EVENT_HEAP_NO_SLOT);
    guint32 s = h->n_slots++;
    h->slots[s].gen = 0;
    return s;
}

/* Retires a slot: its generation moves on, so its heap entry goes stale. */
static void
sim_event_heap_release_slot(SimEventHeap *h, guint32 slot)
{
    SimHeapSlot *s = &h->slots[slot];
    s->live = FALSE;
    s->gen++;
    if (s->gen == 0) /* generation 0 is never handed out */
        s->gen = 1;
    s->next_free = h->free_head;
    h->free_head = slot;
    h->live--;
}

/* Drops stale entries and re-heapifies (Floyd), keeping (time, seq) order. */
static void
sim_event_heap_compact(SimEventHeap *h)
{
    guint w = 0;
    for (guint r = 0; r < h->n; r++)
        if (sim_event_heap_entry_is_live(h, &h->heap[r]))
            h->heap[w++] = h->heap[r];
    h->n = w;
    for (guint i = h->n / 2; i-- > 0;)
        sim_event_heap_sift_down(h, i);
}

SimEventId
sim_event_heap_push(SimEventHeap *h, SimTime t, guint32 node, SimEventFunc fn, gpointer data,
                    GDestroyNotify destroy)
{
    g_return_val_if_fail(h != NULL && fn != NULL, SIM_EVENT_ID_NONE);
    if (h->n == h->cap) {
        if (h->n > 64 && h->n - h->live > h->live)
            sim_event_heap_compact(h);
        if (h->n == h->cap) {
            h->cap = h->cap ? h->cap * 2 : 64;
            h->heap = g_renew(SimHeapEntry, h->heap, h->cap);
        }
    }
    guint32 slot = sim_event_heap_alloc_slot(h);
    SimHeapSlot *s = &h->slots[slot];
    if (s->gen == 0)
        s->gen = 1;
    s->fn = fn;
    s->node = node;
    s->data = data;
    s->destroy = destroy;
    s->live = TRUE;
    h->live++;
    h->heap[h->n] = (SimHeapEntry){.time = t, .seq = h->next_seq++, .slot = slot, .gen = s->gen};
    sim_event_heap_sift_up(h, h->n++);
    return ((SimEventId)s->gen << 32) | slot;
}

static SimHeapSlot *
sim_event_heap_lookup(const SimEventHeap *h, SimEventId id)
{
    guint32 slot = (guint32)(id & G_MAXUINT32);
    guint32 gen = (guint32)(id >> 32);
    if (id == SIM_EVENT_ID_NONE || slot >= h->n_slots)
        return NULL;
    SimHeapSlot *s = &h->slots[slot];
    return s->live && s->gen == gen ? s : NULL;
}

gboolean
sim_event_heap_cancel(SimEventHeap *h, SimEventId id)
{
    g_return_val_if_fail(h != NULL, FALSE);
    SimHeapSlot *s = sim_event_heap_lookup(h, id);
    if (s == NULL)
        return FALSE;
    GDestroyNotify destroy = s->destroy;
    gpointer data = s->data;
    sim_event_heap_release_slot(h, (guint32)(id & G_MAXUINT32));
    /* After release: a destroy notify may schedule or cancel events. */
    if (destroy != NULL)
        destroy(data);
    return TRUE;
}

gboolean
sim_event_heap_is_pending(const SimEventHeap *h, SimEventId id)
{
    g_return_val_if_fail(h != NULL, FALSE);
    return sim_event_heap_lookup(h, id) != NULL;
}

static void
sim_event_heap_remove_top(SimEventHeap *h)
{
    h->heap[0] = h->heap[--h->n];
    if (h->n > 0)
        sim_event_heap_sift_down(h, 0);
}

SimTime
sim_event_heap_peek_time(SimEventHeap *h)
{
    g_return_val_if_fail(h != NULL, SIM_TIME_NEVER);
    while (h->n > 0 && !sim_event_heap_entry_is_live(h, &h->heap[0]))
        sim_event_heap_remove_top(h);
    return h->n > 0 ? h->heap[0].time : SIM_TIME_NEVER;
}

gboolean
sim_event_heap_pop(SimEventHeap *h, SimEvent *out)
{
    g_return_val_if_fail(h != NULL && out != NULL, FALSE);
    while (h->n > 0) {
        SimHeapEntry top = h->heap[0];
        sim_event_heap_remove_top(h);
        if (!sim_event_heap_entry_is_live(h, &top))
            continue;
        SimHeapSlot *s = &h->slots[top.slot];
        out->time = top.time;
        out->node = s->node;
        out->fn = s->fn;
        out->data = s->data;
        out->destroy = s->destroy;
        sim_event_heap_release_slot(h, top.slot);
        return TRUE;
    }
    return FALSE;
}

guint
sim_event_heap_size(const SimEventHeap *h)
{
    g_return_val_if_fail(h != NULL, 0);
    return h->live;
}
