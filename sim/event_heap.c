/* SPDX-License-Identifier: MIT
 * event_heap: 4-ary implicit min-heap of 128-bit keys packing (time,
 * insertion sequence, slot): one unsigned compare orders two events, ties
 * run FIFO, and the slot finds the event body in a pooled array with a free
 * list (no malloc per event once warm). A popped root is refilled by the next
 * push. Lazy cancel: a cancelled slot stays reserved until its stale entry
 * leaves the heap; the heap is compacted when stale entries outnumber live ones.
 */
#include "sim/event_heap.h"

#include <stdlib.h>

#include "sim/event_heap-private.h"

/* (time ^ 2^63) << 64 | seq << 32 | slot: one unsigned compare orders by
 * (time, seq); seq is unique among entries, the slot finds the event. */
__extension__ typedef unsigned __int128 SimHeapEntry;

/* A slot is pending (fn != NULL, its entry in the heap), cancelled (fn NULL,
 * its stale entry still in the heap) or free (fn NULL, on the free list). */
typedef struct {
    SimEventFunc fn;
    gpointer data;
    GDestroyNotify destroy;
    guint32 node;
    guint32 gen;       /* id generation, moves on when the event runs or is cancelled */
    guint32 next_free; /* free-list link when the slot is free */
} SimHeapSlot;

#define SIM_EVENT_HEAP_NO_SLOT G_MAXUINT32
#define SIM_EVENT_HEAP_ARITY 4u
#define SIM_EVENT_HEAP_TIME_BIAS (G_GUINT64_CONSTANT(1) << 63)
/* Sequences are 32 bits wide in an entry; at the limit they are renumbered. */
#define SIM_EVENT_HEAP_SEQ_LIMIT (G_GUINT64_CONSTANT(1) << 32)

struct SimEventHeap {
    SimHeapEntry *heap;
    guint n, cap;
    /* The root was popped and not refilled yet: heap[0] is a hole. A handler
     * usually schedules, and its push fills the hole with one sift-down
     * instead of a refill with the last entry plus a sift-up. */
    gboolean hole;
    SimHeapSlot *slots;
    guint n_slots, slot_cap;
    guint32 free_head;
    guint live;  /* pending events */
    guint stale; /* cancelled entries still in the heap */
    guint64 next_seq;
};

/* One 128-bit compare: no branch for the predictor to miss in a sift. */
static inline gboolean
sim_event_heap_less(const SimHeapEntry *a, const SimHeapEntry *b)
{
    return *a < *b;
}

static inline SimHeapEntry
sim_event_heap_entry(SimTime t, guint64 seq, guint32 slot)
{
    guint64 hi = (guint64)t ^ SIM_EVENT_HEAP_TIME_BIAS; /* signed order as unsigned */
    return ((SimHeapEntry)hi << 64) | (seq << 32) | slot;
}

static inline SimTime
sim_event_heap_entry_time(const SimHeapEntry *e)
{
    return (SimTime)((guint64)(*e >> 64) ^ SIM_EVENT_HEAP_TIME_BIAS);
}

static inline guint32
sim_event_heap_entry_slot(const SimHeapEntry *e)
{
    return (guint32)*e;
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
        if (s->fn != NULL && s->destroy != NULL)
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
        guint p = (i - 1) / SIM_EVENT_HEAP_ARITY;
        if (!sim_event_heap_less(&e, &h->heap[p]))
            break;
        h->heap[i] = h->heap[p];
        i = p;
    }
    h->heap[i] = e;
}

/* Index of the least of the children first..first+3 (all present). The
 * selects compile to conditional moves: no branch to mispredict. */
static inline guint
sim_event_heap_min4(const SimHeapEntry *heap, guint first)
{
    guint a = sim_event_heap_less(&heap[first + 1], &heap[first]) ? first + 1 : first;
    guint b = sim_event_heap_less(&heap[first + 3], &heap[first + 2]) ? first + 3 : first + 2;
    return sim_event_heap_less(&heap[b], &heap[a]) ? b : a;
}

/* Index of the least child of i among n entries, or 0 when i is a leaf. */
static inline guint
sim_event_heap_least_child(const SimHeapEntry *heap, guint n, guint i)
{
    guint c = SIM_EVENT_HEAP_ARITY * i + 1;
    if (c + SIM_EVENT_HEAP_ARITY <= n)
        return sim_event_heap_min4(heap, c);
    if (c >= n)
        return 0;
    guint m = c;
    for (guint k = c + 1; k < n; k++)
        if (sim_event_heap_less(&heap[k], &heap[m]))
            m = k;
    return m;
}

static void
sim_event_heap_sift_down(SimEventHeap *h, guint i)
{
    SimHeapEntry *heap = h->heap;
    SimHeapEntry e = heap[i];
    guint m;
    while ((m = sim_event_heap_least_child(heap, h->n, i)) != 0 &&
           sim_event_heap_less(&heap[m], &e)) {
        heap[i] = heap[m];
        i = m;
    }
    heap[i] = e;
}

/* Fills the hole at the root with e: walks the hole down to a leaf along the
 * least children, then sifts e up from there. For the last entry, which
 * belongs near the bottom, this saves a compare per level over a top-down
 * sift. */
static void
sim_event_heap_fill_root(SimEventHeap *h, SimHeapEntry e)
{
    SimHeapEntry *heap = h->heap;
    guint i = 0, m;
    while ((m = sim_event_heap_least_child(heap, h->n, i)) != 0) {
        heap[i] = heap[m];
        i = m;
    }
    while (i > 0) {
        guint p = (i - 1) / SIM_EVENT_HEAP_ARITY;
        if (!sim_event_heap_less(&e, &heap[p]))
            break;
        heap[i] = heap[p];
        i = p;
    }
    heap[i] = e;
}

/* Refills a popped root with the last entry. */
static void
sim_event_heap_settle(SimEventHeap *h)
{
    if (!h->hole)
        return;
    h->hole = FALSE;
    h->n--;
    if (h->n > 0)
        sim_event_heap_fill_root(h, h->heap[h->n]);
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

static inline void
sim_event_heap_free_slot(SimEventHeap *h, guint32 slot)
{
    h->slots[slot].next_free = h->free_head;
    h->free_head = slot;
}

/* Invalidates the ids of a slot's event (it ran or was cancelled). */
static inline void
sim_event_heap_retire(SimHeapSlot *s)
{
    s->fn = NULL;
    s->gen++;
    if (s->gen == 0) /* generation 0 is never handed out */
        s->gen = 1;
}

/* Drops stale entries (freeing their slots) and re-heapifies (Floyd). */
static void
sim_event_heap_compact(SimEventHeap *h)
{
    sim_event_heap_settle(h);
    guint w = 0;
    for (guint r = 0; r < h->n; r++) {
        guint32 slot = sim_event_heap_entry_slot(&h->heap[r]);
        if (h->slots[slot].fn != NULL)
            h->heap[w++] = h->heap[r];
        else
            sim_event_heap_free_slot(h, slot);
    }
    h->n = w;
    h->stale = 0;
    if (h->n > 1)
        for (guint i = (h->n - 2) / SIM_EVENT_HEAP_ARITY + 1; i-- > 0;)
            sim_event_heap_sift_down(h, i);
}

static int
sim_event_heap_cmp(const void *a, const void *b)
{
    const SimHeapEntry *x = a, *y = b;
    return *x < *y ? -1 : *x > *y ? 1 : 0;
}

void
sim_event_heap_renumber(SimEventHeap *h)
{
    g_return_if_fail(h != NULL);
    sim_event_heap_compact(h);
    /* A sorted array is a heap; numbering it in order keeps every tie's
     * relative order, so renumbering never changes what runs when. */
    qsort(h->heap, h->n, sizeof *h->heap, sim_event_heap_cmp);
    for (guint i = 0; i < h->n; i++)
        h->heap[i] = sim_event_heap_entry(sim_event_heap_entry_time(&h->heap[i]), i,
                                          sim_event_heap_entry_slot(&h->heap[i]));
    h->next_seq = h->n;
}

void
sim_event_heap_set_next_seq(SimEventHeap *h, guint64 seq)
{
    g_return_if_fail(h != NULL && seq >= h->next_seq && seq <= SIM_EVENT_HEAP_SEQ_LIMIT);
    h->next_seq = seq;
}

static void
sim_event_heap_grow(SimEventHeap *h)
{
    if (h->n > 64 && h->stale > h->live)
        sim_event_heap_compact(h);
    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 64;
        h->heap = g_renew(SimHeapEntry, h->heap, h->cap);
    }
}

SimEventId
sim_event_heap_push(SimEventHeap *h, SimTime t, guint32 node, SimEventFunc fn, gpointer data,
                    GDestroyNotify destroy)
{
    g_return_val_if_fail(h != NULL && fn != NULL, SIM_EVENT_ID_NONE);
    if (G_UNLIKELY(h->next_seq == SIM_EVENT_HEAP_SEQ_LIMIT))
        sim_event_heap_renumber(h);
    guint32 slot = sim_event_heap_alloc_slot(h);
    SimHeapSlot *s = &h->slots[slot];
    if (s->gen == 0)
        s->gen = 1;
    s->fn = fn;
    s->node = node;
    s->data = data;
    s->destroy = destroy;
    h->live++;
    SimHeapEntry e = sim_event_heap_entry(t, h->next_seq++, slot);
    if (h->hole) {
        h->hole = FALSE;
        h->heap[0] = e;
        sim_event_heap_sift_down(h, 0);
    } else {
        if (h->n == h->cap)
            sim_event_heap_grow(h);
        h->heap[h->n] = e;
        sim_event_heap_sift_up(h, h->n++);
    }
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
    return s->fn != NULL && s->gen == gen ? s : NULL;
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
    sim_event_heap_retire(s);
    h->live--;
    h->stale++;
    /* After retiring: a destroy notify may schedule or cancel events. */
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

/* Settles the root and drops stale entries from it: afterwards heap[0] is
 * the earliest pending event, or the heap is empty. */
static inline void
sim_event_heap_settle_live(SimEventHeap *h)
{
    for (;;) {
        sim_event_heap_settle(h);
        if (h->n == 0)
            return;
        guint32 slot = sim_event_heap_entry_slot(&h->heap[0]);
        if (h->slots[slot].fn != NULL)
            return;
        sim_event_heap_free_slot(h, slot);
        h->stale--;
        h->hole = TRUE;
    }
}

SimTime
sim_event_heap_peek_time(SimEventHeap *h)
{
    g_return_val_if_fail(h != NULL, SIM_TIME_NEVER);
    sim_event_heap_settle_live(h);
    return h->n > 0 ? sim_event_heap_entry_time(&h->heap[0]) : SIM_TIME_NEVER;
}

gboolean
sim_event_heap_pop_until(SimEventHeap *h, SimTime until, SimEvent *out)
{
    g_return_val_if_fail(h != NULL && out != NULL, FALSE);
    sim_event_heap_settle_live(h);
    if (h->n == 0 || sim_event_heap_entry_time(&h->heap[0]) > until)
        return FALSE;
    guint32 slot = sim_event_heap_entry_slot(&h->heap[0]);
    SimHeapSlot *s = &h->slots[slot];
    out->time = sim_event_heap_entry_time(&h->heap[0]);
    out->node = s->node;
    out->fn = s->fn;
    out->data = s->data;
    out->destroy = s->destroy;
    sim_event_heap_retire(s);
    sim_event_heap_free_slot(h, slot);
    h->live--;
    h->hole = TRUE;
    return TRUE;
}

gboolean
sim_event_heap_pop(SimEventHeap *h, SimEvent *out)
{
    return sim_event_heap_pop_until(h, SIM_TIME_NEVER, out);
}

guint
sim_event_heap_size(const SimEventHeap *h)
{
    g_return_val_if_fail(h != NULL, 0);
    return h->live;
}
