/* SPDX-License-Identifier: MIT
 * Tests for sim/event_heap and sim/world: (time, seq) order, FIFO ties,
 * lazy cancel with slot reuse, monotonic time, run/step/stop semantics.
 */
#include <glib.h>

#include "sim/event_heap.h"
#include "sim/world.h"

/* A no-op event body for heap-only tests (never run). */
static void
record_event(SimWorld *w, gpointer data)
{
}

typedef struct {
    GString *log;
    SimWorld *w;
} Ctx;

typedef struct {
    Ctx *ctx;
    char tag;
} Ev;

static void
ev_run(SimWorld *w, gpointer data)
{
    Ev *e = data;
    g_string_append_printf(e->ctx->log, "%c@%" G_GINT64_FORMAT ";", e->tag, sim_world_now(w));
}

static Ev *
ev_new(Ctx *ctx, char tag)
{
    Ev *e = g_new(Ev, 1);
    e->ctx = ctx;
    e->tag = tag;
    return e;
}

static void
test_heap_order_and_ties(void)
{
    g_autoptr(SimWorld) w = sim_world_new(1);
    Ctx ctx = {g_string_new(NULL), w};
    sim_world_schedule_at(w, 30, ev_run, ev_new(&ctx, 'a'), g_free);
    sim_world_schedule_at(w, 10, ev_run, ev_new(&ctx, 'b'), g_free);
    sim_world_schedule_at(w, 20, ev_run, ev_new(&ctx, 'c'), g_free);
    sim_world_schedule_at(w, 10, ev_run, ev_new(&ctx, 'd'), g_free);
    sim_world_schedule_at(w, 10, ev_run, ev_new(&ctx, 'e'), g_free);
    sim_world_schedule_at(w, 0, ev_run, ev_new(&ctx, 'f'), g_free);
    g_assert_cmpuint(sim_world_pending(w), ==, 6);
    g_assert_cmpuint(sim_world_run(w, SIM_TIME_NEVER), ==, 6);
    g_assert_cmpstr(ctx.log->str, ==, "f@0;b@10;d@10;e@10;c@20;a@30;");
    g_assert_cmpuint(sim_world_events_executed(w), ==, 6);
    g_assert_cmpint(sim_world_now(w), ==, 30);
    g_string_free(ctx.log, TRUE);
}

/* Many events with few distinct times: ties must stay FIFO at scale. */
static void
test_heap_ties_many(void)
{
    g_autoptr(SimEventHeap) h = sim_event_heap_new();
    for (guint i = 0; i < 5000; i++)
        sim_event_heap_push(h, (SimTime)((i * 7919u) % 13u), 0, record_event, GUINT_TO_POINTER(i),
                            NULL);
    SimTime last_t = -1;
    gint64 last_i = -1;
    SimEvent ev;
    guint n = 0;
    while (sim_event_heap_pop(h, &ev)) {
        guint i = GPOINTER_TO_UINT(ev.data);
        g_assert_cmpint(ev.time, >=, last_t);
        if (ev.time == last_t)
            g_assert_cmpint((gint64)i, >, last_i);
        last_t = ev.time;
        last_i = i;
        n++;
    }
    g_assert_cmpuint(n, ==, 5000);
}

static guint destroyed;

static void
count_destroy(gpointer data)
{
    destroyed++;
}

static void
test_cancel(void)
{
    g_autoptr(SimWorld) w = sim_world_new(1);
    Ctx ctx = {g_string_new(NULL), w};
    destroyed = 0;
    SimEventId a = sim_world_schedule_at(w, 10, ev_run, ev_new(&ctx, 'a'), g_free);
    SimEventId b = sim_world_schedule_at(w, 20, ev_run, ev_new(&ctx, 'b'), g_free);
    SimEventId c = sim_world_schedule_at(w, 30, ev_run, &ctx, count_destroy);
    g_assert_true(sim_world_is_pending(w, b));
    g_assert_true(sim_world_cancel(w, b));
    g_assert_false(sim_world_is_pending(w, b));
    g_assert_false(sim_world_cancel(w, b));
    g_assert_true(sim_world_cancel(w, c));
    g_assert_cmpuint(destroyed, ==, 1); /* destroy ran at cancel time */
    g_assert_false(sim_world_cancel(w, SIM_EVENT_ID_NONE));
    /* The freed slot is reused; the old id must not cancel the new event. */
    SimEventId d = sim_world_schedule_at(w, 25, ev_run, ev_new(&ctx, 'd'), g_free);
    g_assert_cmpuint(d, !=, b);
    g_assert_false(sim_world_cancel(w, b));
    g_assert_cmpuint(sim_world_pending(w), ==, 2);
    sim_world_run(w, SIM_TIME_NEVER);
    g_assert_cmpstr(ctx.log->str, ==, "a@10;d@25;");
    g_assert_false(sim_world_cancel(w, a)); /* already ran */
    g_assert_cmpuint(destroyed, ==, 1);
    g_string_free(ctx.log, TRUE);
}

/* Mass cancellation triggers compaction; survivors keep their order. */
static void
test_cancel_many(void)
{
    g_autoptr(SimEventHeap) h = sim_event_heap_new();
    GArray *ids = g_array_new(FALSE, FALSE, sizeof(SimEventId));
    for (guint i = 0; i < 2000; i++) {
        SimEventId id =
            sim_event_heap_push(h, (SimTime)(i % 50), 0, record_event, GUINT_TO_POINTER(i), NULL);
        g_array_append_val(ids, id);
    }
    for (guint i = 0; i < 2000; i++)
        if (i % 10 != 0)
            g_assert_true(sim_event_heap_cancel(h, g_array_index(ids, SimEventId, i)));
    /* Pushes after mass cancel go through compaction. */
    for (guint i = 2000; i < 2400; i++)
        sim_event_heap_push(h, 100, 0, record_event, GUINT_TO_POINTER(i), NULL);
    g_assert_cmpuint(sim_event_heap_size(h), ==, 600);
    SimEvent ev;
    SimTime last_t = -1;
    guint last_i = 0, n = 0;
    while (sim_event_heap_pop(h, &ev)) {
        guint i = GPOINTER_TO_UINT(ev.data);
        g_assert_true(i >= 2000 || i % 10 == 0);
        g_assert_cmpint(ev.time, >=, last_t);
        if (ev.time == last_t)
            g_assert_cmpuint(i, >, last_i);
        last_t = ev.time;
        last_i = i;
        n++;
    }
    g_assert_cmpuint(n, ==, 600);
    g_array_free(ids, TRUE);
}

static void
schedule_past(SimWorld *w, gpointer data)
{
    sim_world_schedule_at(w, sim_world_now(w) - 1, schedule_past, NULL, NULL);
}

static void
test_time_backwards(void)
{
    if (g_test_subprocess()) {
        g_autoptr(SimWorld) w = sim_world_new(1);
        sim_world_schedule_at(w, 100, schedule_past, NULL, NULL);
        sim_world_run(w, SIM_TIME_NEVER);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
}

static void
chain(SimWorld *w, gpointer data)
{
    Ctx *ctx = data;
    g_string_append_printf(ctx->log, "%" G_GINT64_FORMAT ";", sim_world_now(w));
    if (sim_world_now(w) == 20)
        sim_world_stop(w);
    sim_world_schedule_in(w, 10, chain, ctx, NULL);
}

static void
test_run_until_and_stop(void)
{
    g_autoptr(SimWorld) w = sim_world_new(1);
    Ctx ctx = {g_string_new(NULL), w};
    sim_world_schedule_at(w, 0, chain, &ctx, NULL);
    g_assert_cmpuint(sim_world_run(w, 15), ==, 2);
    g_assert_cmpint(sim_world_now(w), ==, 15);      /* advanced to until */
    g_assert_cmpuint(sim_world_run(w, 100), ==, 1); /* stopped at 20 */
    g_assert_true(sim_world_is_stopped(w));
    g_assert_cmpint(sim_world_now(w), ==, 20);
    g_assert_true(sim_world_step(w));
    g_assert_cmpint(sim_world_now(w), ==, 30);
    g_assert_cmpstr(ctx.log->str, ==, "0;10;20;30;");
    g_string_free(ctx.log, TRUE);
}

static void
test_destroy_on_free(void)
{
    destroyed = 0;
    SimWorld *w = sim_world_new(1);
    sim_world_schedule_at(w, 5, ev_run, NULL, count_destroy);
    sim_world_schedule_at(w, 6, ev_run, NULL, count_destroy);
    sim_world_free(w);
    g_assert_cmpuint(destroyed, ==, 2);
}

static void
test_time_format(void)
{
    char buf[SIM_TIME_FORMAT_MAX];
    gsize n;
    g_assert_cmpstr(sim_time_format(1250000, buf, &n), ==, "1.250000");
    g_assert_cmpuint(n, ==, 8);
    g_assert_cmpstr(sim_time_format(0, buf, NULL), ==, "0.000000");
    g_assert_cmpstr(sim_time_format(1, buf, NULL), ==, "0.000001");
    g_assert_cmpstr(sim_time_format(-1500000, buf, NULL), ==, "-1.500000");
    g_assert_cmpstr(sim_time_format(G_MAXINT64, buf, NULL), ==, "9223372036854.775807");
    g_assert_cmpstr(sim_time_format(G_MININT64, buf, NULL), ==, "-9223372036854.775808");
    g_assert_cmpint(sim_time_from_ms(1500), ==, 1500000);
}

static void
node_child(SimWorld *w, gpointer data)
{
    g_string_append_printf(data, "child:%u;", sim_world_current_node(w));
}

static void
node_parent(SimWorld *w, gpointer data)
{
    g_string_append_printf(data, "parent:%u;", sim_world_current_node(w));
    sim_world_schedule_in(w, 1, node_child, data, NULL);      /* inherits 7 */
    sim_world_schedule_node(w, 2, 9, node_child, data, NULL); /* explicit */
}

static void
test_event_node(void)
{
    g_autoptr(SimWorld) w = sim_world_new(1);
    GString *log = g_string_new(NULL);
    g_assert_cmpuint(sim_world_current_node(w), ==, SIM_NODE_NONE);
    sim_world_schedule_node(w, 0, 7, node_parent, log, NULL);
    sim_world_schedule_at(w, 5, node_child, log, NULL);
    sim_world_run(w, SIM_TIME_NEVER);
    g_assert_cmpstr(log->str, ==, "parent:7;child:7;child:9;child:4294967295;");
    g_assert_cmpuint(sim_world_current_node(w), ==, SIM_NODE_NONE);
    g_string_free(log, TRUE);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sim/event-heap/order-ties", test_heap_order_and_ties);
    g_test_add_func("/sim/event-heap/ties-many", test_heap_ties_many);
    g_test_add_func("/sim/event-heap/cancel", test_cancel);
    g_test_add_func("/sim/event-heap/cancel-many", test_cancel_many);
    g_test_add_func("/sim/world/time-backwards", test_time_backwards);
    g_test_add_func("/sim/world/run-until-stop", test_run_until_and_stop);
    g_test_add_func("/sim/world/destroy-on-free", test_destroy_on_free);
    g_test_add_func("/sim/time/format", test_time_format);
    g_test_add_func("/sim/world/event-node", test_event_node);
    return g_test_run();
}
