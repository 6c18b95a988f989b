/* SPDX-License-Identifier: MIT
 * event_heap: the simulator's event queue. A 4-ary min-heap of 16-byte
 * entries ordered by (time, insertion sequence), so events at equal times run
 * in the order they were scheduled (ns-3 uid, OMNeT++ insertOrder). Event
 * bodies live in a pooled array with a free list: no allocation per event
 * once the pool is warm. Cancelling is lazy: an id carries its slot and a
 * generation; a cancelled event's stale heap entry is skipped when it reaches
 * the top, and its slot is recycled then. It knows nothing of nodes or links.
 */
#ifndef SIM_EVENT_HEAP_H
#define SIM_EVENT_HEAP_H

#include <glib.h>

#include "sim/sim_time.h"

typedef struct SimWorld SimWorld;

/* An event's action. world is the world running it, data the pointer given
 * when it was scheduled. The data's destroy notify runs after fn returns. */
typedef void (*SimEventFunc)(SimWorld *world, gpointer data);

/* Identifies a scheduled event: (generation << 32) | slot. 0 is never a
 * valid id (generations start at 1), so 0 can mean "no event". */
typedef guint64 SimEventId;
#define SIM_EVENT_ID_NONE ((SimEventId)0)

/* Target node of an event (STYLE 9): an opaque id chosen by the caller
 * (the net uses host ids); SIM_NODE_NONE when none. */
#define SIM_NODE_NONE G_MAXUINT32

/* A popped event, handed to the caller who runs it. */
typedef struct {
    SimTime time;
    guint32 node;
    SimEventFunc fn;
    gpointer data;
    GDestroyNotify destroy; /* (nullable) for data */
} SimEvent;

typedef struct SimEventHeap SimEventHeap;

SimEventHeap *sim_event_heap_new(void);
/* Frees the heap; runs the destroy notify of every pending event. */
void sim_event_heap_free(SimEventHeap *h);

/* Schedules fn(world, data) at time t for node. data is owned by the event
 * (destroy, nullable, runs after the event ran or when it is cancelled). */
SimEventId sim_event_heap_push(SimEventHeap *h, SimTime t, guint32 node, SimEventFunc fn,
                               gpointer data, GDestroyNotify destroy);
/* Cancels a pending event and runs its destroy notify now. Returns FALSE if
 * id is not pending (already run, already cancelled, or NONE). */
gboolean sim_event_heap_cancel(SimEventHeap *h, SimEventId id);
/* TRUE if id is scheduled and has not run or been cancelled. */
gboolean sim_event_heap_is_pending(const SimEventHeap *h, SimEventId id);
/* Removes the earliest live event into *out (the caller runs it and then
 * its destroy notify). Returns FALSE when no live event is left. */
gboolean sim_event_heap_pop(SimEventHeap *h, SimEvent *out);
/* Same, only if the earliest live event's time is <= until; FALSE (nothing
 * removed) otherwise. One call per event for a run loop. */
gboolean sim_event_heap_pop_until(SimEventHeap *h, SimTime until, SimEvent *out);
/* Time of the earliest live event, SIM_TIME_NEVER if none. Drops stale
 * (cancelled) entries from the top, hence not const. */
SimTime sim_event_heap_peek_time(SimEventHeap *h);
/* Number of live (scheduled, not cancelled) events. */
guint sim_event_heap_size(const SimEventHeap *h);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimEventHeap, sim_event_heap_free)

#endif
