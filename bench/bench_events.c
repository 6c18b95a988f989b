/* SPDX-License-Identifier: MIT
 * bench_events: null-event throughput of the simulator's event queue in the
 * classic hold model (pop the earliest event, push one at now + random
 * delay, N events pending), against a bare binary heap of (time, seq) pairs
 * doing the same. Prints events per second for both and their ratio.
 * Then a stream workload: sessions that connect, exchange 10 small
 * request/reply pairs and close (about what one SMTP hop costs), reporting
 * sessions and segments per second.
 * Usage: bench_events [PENDING [EVENTS]] (defaults 1000, 10000000).
 */
#include <stdlib.h>

#include <glib.h>

#include "sim/net.h"
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
        sim_world_schedule_at(w, (SimTime)(bench_rand(&ctx.state) % 1000u), bench_hold, &ctx, NULL);
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

/* --- streams --- */

#define BENCH_ROUNDS 10

typedef struct {
    SimNet *net;
    SimHost *client, *server;
    GBytes *req, *rep;
    guint64 sessions_left, sessions_done;
} StreamBench;

typedef struct {
    StreamBench *b;
    guint rounds;
} Session;

static void bench_session_start(StreamBench *b);

static void
bench_srv_data(SimStream *s, GBytes *data, gpointer ud)
{
    StreamBench *b = ud;
    sim_stream_write(s, b->rep);
}

static void
bench_srv_eof(SimStream *s, gpointer ud)
{
    sim_stream_close(s);
}

static const SimStreamHandler bench_srv_handler = {.on_data = bench_srv_data,
                                                   .on_eof = bench_srv_eof};

static void
bench_accept(SimListener *l, SimStream *s, gpointer ud)
{
    sim_stream_set_handler(s, &bench_srv_handler, ud);
}

static void
bench_cli_connected(SimStream *s, gpointer ud)
{
    Session *ss = ud;
    sim_stream_write(s, ss->b->req);
}

static void
bench_cli_data(SimStream *s, GBytes *data, gpointer ud)
{
    Session *ss = ud;
    if (++ss->rounds < BENCH_ROUNDS) {
        sim_stream_write(s, ss->b->req);
        return;
    }
    StreamBench *b = ss->b;
    sim_stream_close(s);
    g_free(ss);
    b->sessions_done++;
    bench_session_start(b);
}

static const SimStreamHandler bench_cli_handler = {.on_connected = bench_cli_connected,
                                                   .on_data = bench_cli_data};

static void
bench_session_start(StreamBench *b)
{
    if (b->sessions_left == 0)
        return;
    b->sessions_left--;
    Session *ss = g_new0(Session, 1);
    ss->b = b;
    sim_net_connect_addr(b->net, b->client, sim_host_address(b->server), 25, &bench_cli_handler,
                         ss);
}

static void
bench_streams(guint64 sessions, guint parallel)
{
    g_autoptr(SimWorld) w = sim_world_new(1);
    StreamBench b = {.net = sim_net_new(w), .sessions_left = sessions};
    b.client = sim_net_add_host(b.net, "client");
    b.server = sim_net_add_host(b.net, "server");
    sim_host_add_address(b.client, "10.0.0.1");
    sim_host_add_address(b.server, "10.0.0.2");
    SimLinkParams p = {.latency = SIM_TIME_MS, .bandwidth = 100000000};
    sim_net_set_default(b.net, &p);
    b.req = g_bytes_new_static("RCPT TO:<bob@example.com>\r\n", 27);
    b.rep = g_bytes_new_static("250 2.1.5 Ok\r\n", 15);
    sim_net_listen(b.net, b.server, 25, bench_accept, &b, NULL);
    for (guint i = 0; i < parallel; i++)
        bench_session_start(&b);
    gint64 t0 = g_get_monotonic_time();
    guint64 n = sim_world_run(w, SIM_TIME_NEVER);
    gint64 t1 = g_get_monotonic_time();
    double secs = (double)(t1 - t0) / 1e6;
    g_assert(b.sessions_done == sessions && sim_net_n_conns(b.net) == 0);
    g_print("streams:    %.0f sessions/s (%d round trips each), %.0f events/s\n",
            (double)sessions / secs, BENCH_ROUNDS, (double)n / secs);
    sim_net_free(b.net);
    g_bytes_unref(b.req);
    g_bytes_unref(b.rep);
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
    bench_streams(200000, 100);
    return 0;
}
