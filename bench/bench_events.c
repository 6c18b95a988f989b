/* SPDX-License-Identifier: MIT
 * bench_events: null-event throughput of the simulator's event queue in the
 * classic hold model (pop the earliest event, push one at now + random
 * delay, N events pending), against a bare binary heap of (time, seq) pairs
 * doing the same. Prints events per second for both and their ratio.
 * Usage: bench_events [PENDING [EVENTS]] (defaults 1000, 10000000).
 */
#include <stdlib.h>

#include <glib.h>

#include "sim/world.h"

typedef struct {
    guint64 state;
    guint64 remaining;
} BenchCtx;

/* xorshift64*: cheap, so the queue dominates the measurement. */
static inline guint64
bench_rand(guint64 *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * G_GUINT64_CONSTANT(2685821657736338717);
}

static void
bench_hold(SimWorld *w, gpointer data)
{
    BenchCtx *ctx = data;
    if (--ctx->remaining == 0) {
        sim_world_stop(w);
        return;
    }
    sim_world_schedule_in(w, (SimTime)(bench_rand(&ctx->state) % 1000u), bench_hold, ctx, NULL);
}

static double
bench_sim(guint pending, guint64 events)
{
    g_autoptr(SimWorld) w = sim_world_new(1);
    BenchCtx ctx = {.state = 88172645463325252u, .remaining = events};
    for (guint i = 0; i < pending; i++)
        sim_world_schedule_at(w, (SimTime)(bench_rand(&ctx.state) % 1000u), bench_hold, &ctx,
                              NULL);
    gint64 t0 = g_get_monotonic_time();
    guint64 n = sim_world_run(w, SIM_TIME_NEVER);
    gint64 t1 = g_get_monotonic_time();
    g_assert(n == events);
    return (double)n / ((double)(t1 - t0) / 1e6);
}

typedef struct {
    gint64 time;
    guint64 seq;
} BareEntry;

static inline gboolean
bare_less(const BareEntry *a, const BareEntry *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static void
bare_push(BareEntry *h, guint *n, BareEntry e)
{
    guint i = (*n)++;
    while (i > 0) {
        guint p = (i - 1) / 2;
        if (!bare_less(&e, &h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = e;
}

static BareEntry
bare_pop(BareEntry *h, guint *n)
{
    BareEntry top = h[0], e = h[--(*n)];
    guint i = 0;
    for (;;) {
        guint c = 2 * i + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && bare_less(&h[c + 1], &h[c]))
            c++;
        if (!bare_less(&h[c], &e))
            break;
        h[i] = h[c];
        i = c;
    }
    if (*n > 0)
        h[i] = e;
    return top;
}

static double
bench_bare(guint pending, guint64 events, gint64 *checksum)
{
    BareEntry *h = g_new(BareEntry, pending + 1);
    guint n = 0;
    guint64 seq = 0, state = 88172645463325252u;
    for (guint i = 0; i < pending; i++)
        bare_push(h, &n, (BareEntry){(gint64)(bench_rand(&state) % 1000u), seq++});
    gint64 t0 = g_get_monotonic_time();
    gint64 now = 0;
    for (guint64 k = 0; k < events; k++) {
        BareEntry e = bare_pop(h, &n);
        now = e.time;
        bare_push(h, &n, (BareEntry){now + (gint64)(bench_rand(&state) % 1000u), seq++});
    }
    gint64 t1 = g_get_monotonic_time();
    *checksum = now;
    g_free(h);
    return (double)events / ((double)(t1 - t0) / 1e6);
}

int
main(int argc, char **argv)
{
    guint pending = argc > 1 ? (guint)strtoul(argv[1], NULL, 10) : 1000;
    guint64 events = argc > 2 ? g_ascii_strtoull(argv[2], NULL, 10) : 10000000;
    if (pending == 0 || events == 0) {
        g_printerr("usage: bench_events [PENDING [EVENTS]]\n");
        return 2;
    }
    gint64 sum;
    double sim = bench_sim(pending, events);
    double bare = bench_bare(pending, events, &sum);
    g_print("pending=%u events=%" G_GUINT64_FORMAT "\n", pending, events);
    g_print("sim queue:  %.0f events/s\n", sim);
    g_print("bare heap:  %.0f events/s (end time %" G_GINT64_FORMAT ")\n", bare, sum);
    g_print("ratio:      %.2f\n", sim / bare);
    return 0;
}
