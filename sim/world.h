/* SPDX-License-Identifier: MIT
 * world: the simulation world. Owns virtual time, the event queue, the run's
 * seeded random streams and the trace. There is no global world: every call
 * takes a SimWorld * (STYLE 9). Time never goes backwards (asserted).
 * Randomness comes only from sim_world_rng(): one GRand per named stream,
 * seeded from the run seed and a stable FNV-1a hash of the name, so adding
 * a node never changes another node's draws.
 */
#ifndef SIM_WORLD_H
#define SIM_WORLD_H

#include <glib.h>

#include "sim/event_heap.h"
#include "sim/sim_time.h"
#include "sim/trace.h"

typedef struct SimWorld SimWorld;

/* A world at time 0 with no events, an empty trace (no sinks) and the given
 * run seed. */
SimWorld *sim_world_new(guint64 seed);
/* Frees the world; pending events are dropped (their destroy notifies run).
 * Free objects that schedule events (SimNet) after the world stops running
 * and before or after this call, never during a run. */
void sim_world_free(SimWorld *w);

SimTime sim_world_now(const SimWorld *w);
guint64 sim_world_seed(const SimWorld *w);

/* Schedules fn(w, data) at absolute time at (>= now; asserted). data is
 * owned by the event: destroy (nullable) runs after fn, or on cancel, or
 * when the world is freed. Returns an id for sim_world_cancel(). The event
 * targets the node of the event running now (sim_world_current_node()),
 * like an ns-3 context; use sim_world_schedule_node() to name another. */
SimEventId sim_world_schedule_at(SimWorld *w, SimTime at, SimEventFunc fn, gpointer data,
                                 GDestroyNotify destroy);
/* Same, targeting node (SIM_NODE_NONE: none). */
SimEventId sim_world_schedule_node(SimWorld *w, SimTime at, guint32 node, SimEventFunc fn,
                                   gpointer data, GDestroyNotify destroy);
/* Same, at now + delay (delay >= 0). */
SimEventId sim_world_schedule_in(SimWorld *w, SimTime delay, SimEventFunc fn, gpointer data,
                                 GDestroyNotify destroy);
/* Cancels a pending event (its destroy notify runs now). FALSE if it already
 * ran or was cancelled. Safe with SIM_EVENT_ID_NONE. */
gboolean sim_world_cancel(SimWorld *w, SimEventId id);
gboolean sim_world_is_pending(SimWorld *w, SimEventId id);

/* Runs the earliest event (advancing time to it). FALSE if none is left. */
gboolean sim_world_step(SimWorld *w);
/* Runs events in order while their time is <= until and sim_world_stop()
 * was not called, then (unless stopped) advances now to until, if until is
 * not SIM_TIME_NEVER. Clears the stop flag on entry. Returns the number of
 * events run by this call. */
guint64 sim_world_run(SimWorld *w, SimTime until);
/* Target node of the event being run (SIM_NODE_NONE outside events). */
guint32 sim_world_current_node(const SimWorld *w);
/* Asks sim_world_run() to return after the current event. */
void sim_world_stop(SimWorld *w);
gboolean sim_world_is_stopped(const SimWorld *w);

/* Events run since the world was created. */
guint64 sim_world_events_executed(const SimWorld *w);
/* Events scheduled and not yet run or cancelled. */
guint sim_world_pending(const SimWorld *w);

/* The random stream called name (a node name, "link:a|b", ...), created on
 * first use with seed sim_world_stream_seed(seed, name). (transfer none):
 * owned by the world; callers may cache it for the world's lifetime. The
 * name lookup is a hash lookup: cache the GRand, don't call this per draw. */
GRand *sim_world_rng(SimWorld *w, const char *name);
/* The 32-bit words that seed stream name: run seed mixed with FNV-1a of name. */
void sim_world_stream_seed(guint64 seed, const char *name, guint32 out[4]);
/* FNV-1a 64-bit hash of a string (stable across runs and machines). */
guint64 sim_fnv1a64(const char *s);

/* The trace of the run (transfer none, never NULL: an empty trace with no
 * sinks until sim_world_set_trace()). */
SimTrace *sim_world_trace(SimWorld *w);
/* Replaces the trace (transfer full); the old one is freed. */
void sim_world_set_trace(SimWorld *w, SimTrace *trace);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimWorld, sim_world_free)

#endif
