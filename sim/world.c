/* SPDX-License-Identifier: MIT
 * world: virtual clock, event loop, named random streams and the trace.
 * Deterministic by construction: events at equal times run in scheduling
 * order, and every random draw comes from a GRand seeded from the run seed
 * and the FNV-1a hash of a stream name (STYLE 9). No wall clock here.
 */
#include "sim/world.h"

struct SimWorld {
    SimTime now;
    guint32 node; /* target of the running event */
    guint64 seed;
    SimEventHeap *events;
    guint64 executed;
    gboolean stopped;
    GHashTable *rngs; /* name -> GRand */
    SimTrace *trace;
};

SimWorld *
sim_world_new(guint64 seed)
{
    SimWorld *w = g_new0(SimWorld, 1);
    w->seed = seed;
    w->node = SIM_NODE_NONE;
    w->events = sim_event_heap_new();
    w->rngs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_rand_free);
    w->trace = sim_trace_new();
    return w;
}

void
sim_world_free(SimWorld *w)
{
    if (w == NULL)
        return;
    g_clear_pointer(&w->events, sim_event_heap_free);
    g_clear_pointer(&w->rngs, g_hash_table_unref);
    g_clear_pointer(&w->trace, sim_trace_free);
    g_free(w);
}

SimTime
sim_world_now(const SimWorld *w)
{
    return w->now;
}

guint64
sim_world_seed(const SimWorld *w)
{
    return w->seed;
}

/* The one path into the queue; the public schedulers call it directly
 * rather than through each other (one call less per scheduled event). */
static inline SimEventId
sim_world_push(SimWorld *w, SimTime at, guint32 node, SimEventFunc fn, gpointer data,
               GDestroyNotify destroy)
{
    /* Time never goes backwards (STYLE 9). */
    g_assert(at >= w->now);
    return sim_event_heap_push(w->events, at, node, fn, data, destroy);
}

SimEventId
sim_world_schedule_node(SimWorld *w, SimTime at, guint32 node, SimEventFunc fn, gpointer data,
                        GDestroyNotify destroy)
{
    g_return_val_if_fail(w != NULL && fn != NULL, SIM_EVENT_ID_NONE);
    return sim_world_push(w, at, node, fn, data, destroy);
}

SimEventId
sim_world_schedule_at(SimWorld *w, SimTime at, SimEventFunc fn, gpointer data,
                      GDestroyNotify destroy)
{
    g_return_val_if_fail(w != NULL && fn != NULL, SIM_EVENT_ID_NONE);
    return sim_world_push(w, at, w->node, fn, data, destroy);
}

guint32
sim_world_current_node(const SimWorld *w)
{
    return w->node;
}

SimEventId
sim_world_schedule_in(SimWorld *w, SimTime delay, SimEventFunc fn, gpointer data,
                      GDestroyNotify destroy)
{
    g_return_val_if_fail(w != NULL && fn != NULL, SIM_EVENT_ID_NONE);
    g_assert(delay >= 0 && delay <= SIM_TIME_NEVER - w->now);
    return sim_world_push(w, w->now + delay, w->node, fn, data, destroy);
}

gboolean
sim_world_cancel(SimWorld *w, SimEventId id)
{
    g_return_val_if_fail(w != NULL, FALSE);
    return sim_event_heap_cancel(w->events, id);
}

gboolean
sim_world_is_pending(SimWorld *w, SimEventId id)
{
    g_return_val_if_fail(w != NULL, FALSE);
    return sim_event_heap_is_pending(w->events, id);
}

static inline void
sim_world_exec(SimWorld *w, SimEvent *ev)
{
    g_assert(ev->time >= w->now);
    w->now = ev->time;
    w->node = ev->node;
    w->executed++;
    ev->fn(w, ev->data);
    if (ev->destroy != NULL)
        ev->destroy(ev->data);
    w->node = SIM_NODE_NONE;
}

gboolean
sim_world_step(SimWorld *w)
{
    g_return_val_if_fail(w != NULL, FALSE);
    SimEvent ev;
    if (!sim_event_heap_pop(w->events, &ev))
        return FALSE;
    sim_world_exec(w, &ev);
    return TRUE;
}

guint64
sim_world_run(SimWorld *w, SimTime until)
{
    g_return_val_if_fail(w != NULL, 0);
    guint64 start = w->executed;
    w->stopped = FALSE;
    SimEvent ev;
    while (!w->stopped && sim_event_heap_pop_until(w->events, until, &ev))
        sim_world_exec(w, &ev);
    if (!w->stopped && until != SIM_TIME_NEVER && until > w->now)
        w->now = until;
    return w->executed - start;
}

void
sim_world_stop(SimWorld *w)
{
    g_return_if_fail(w != NULL);
    w->stopped = TRUE;
}

gboolean
sim_world_is_stopped(const SimWorld *w)
{
    return w->stopped;
}

guint64
sim_world_events_executed(const SimWorld *w)
{
    return w->executed;
}

SimTime
sim_world_next_time(SimWorld *w)
{
    return sim_event_heap_peek_time(w->events);
}

guint
sim_world_pending(const SimWorld *w)
{
    return sim_event_heap_size(w->events);
}

guint64
sim_fnv1a64(const char *s)
{
    guint64 h = G_GUINT64_CONSTANT(0xcbf29ce484222325);
    for (const guchar *p = (const guchar *)s; *p != '\0'; p++) {
        h ^= *p;
        h *= G_GUINT64_CONSTANT(0x100000001b3);
    }
    return h;
}

/* splitmix64: spreads seed and hash bits over the four seed words. */
static guint64
sim_world_splitmix64(guint64 *state)
{
    guint64 z = (*state += G_GUINT64_CONSTANT(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

void
sim_world_stream_seed(guint64 seed, const char *name, guint32 out[4])
{
    /* Mix the seed first so (seed, name) pairs do not cancel out by xor. */
    guint64 st = seed;
    st = sim_world_splitmix64(&st) ^ sim_fnv1a64(name);
    guint64 a = sim_world_splitmix64(&st);
    guint64 b = sim_world_splitmix64(&st);
    out[0] = (guint32)a;
    out[1] = (guint32)(a >> 32);
    out[2] = (guint32)b;
    out[3] = (guint32)(b >> 32);
}

GRand *
sim_world_rng(SimWorld *w, const char *name)
{
    g_return_val_if_fail(w != NULL && name != NULL, NULL);
    GRand *r = g_hash_table_lookup(w->rngs, name);
    if (r == NULL) {
        guint32 seed[4];
        sim_world_stream_seed(w->seed, name, seed);
        r = g_rand_new_with_seed_array(seed, G_N_ELEMENTS(seed));
        g_hash_table_insert(w->rngs, g_strdup(name), r);
    }
    return r;
}

SimTrace *
sim_world_trace(SimWorld *w)
{
    return w->trace;
}

void
sim_world_set_trace(SimWorld *w, SimTrace *trace)
{
    g_return_if_fail(w != NULL && trace != NULL);
    if (trace == w->trace)
        return;
    sim_trace_free(w->trace);
    w->trace = trace;
}
