/* SPDX-License-Identifier: MIT
 * Tests for sim/event_heap as a data structure: FIFO ties, cancellation of
 * the head, a middle and the last event, cancel after run, stale ids after
 * slot reuse, growth past several capacities, compaction, sequence
 * renumbering, and a randomized run against a sorted reference list.
 */
#include <glib.h>

#include "sim/event_heap-private.h"
#include "sim/event_heap.h"
#include "sim/world.h"

/* Never run: heap-level tests pop events and read their data. */
static void
noop_event(SimWorld *w, gpointer data)
{
}

static void
count_destroy(gpointer data)
{
    (*(guint *)data)++;
}

/* Pops everything and returns the data values (as uints) in pop order. */
static GArray *
drain(SimEventHeap *h)
{
    GArray *out = g_array_new(FALSE, FALSE, sizeof(guint));
    SimEvent ev;
    SimTime last = G_MININT64;
    guint last_v = 0;
    /* Values grow with push order in every test: equal times pop FIFO. */
    while (sim_event_heap_pop(h, &ev)) {
        guint v = GPOINTER_TO_UINT(ev.data);
        g_assert_cmpint(ev.time, >=, last);
        if (out->len > 0 && ev.time == last)
            g_assert_cmpuint(v, >, last_v);
        last = ev.time;
        last_v = v;
        g_array_append_val(out, v);
    }
    g_assert_cmpuint(sim_event_heap_size(h), ==, 0);
    return out;
}

static void
assert_order(GArray *got, const guint *want, guint n)
{
    g_assert_cmpuint(got->len, ==, n);
    for (guint i = 0; i < n; i++)
        g_assert_cmpuint(g_array_index(got, guint, i), ==, want[i]);
}

static void
test_ties_fifo_across_pops(void)
{
    g_autoptr(SimEventHeap) h = sim_event_heap_new();
    /* 1..3 at t=5, then pop one, then 4..5 at t=5 again: FIFO by push. */
    for (guint i = 1; i <= 3; i++)
        sim_event_heap_push(h, 5, 0, noop_event, GUINT_TO_POINTER(i), NULL);
    sim_event_heap_push(h, 7, 0, noop_event, GUINT_TO_POINTER(9), NULL);
    SimEvent ev;
    g_assert_true(sim_event_heap_pop(h, &ev));
    g_assert_cmpuint(GPOINTER_TO_UINT(ev.data), ==, 1);
    g_assert_cmpint(ev.time, ==, 5);
    sim_event_heap_push(h, 5, 0, noop_event, GUINT_TO_POINTER(4), NULL);
    sim_event_heap_push(h, 5, 0, noop_event, GUINT_TO_POINTER(5), NULL);
    g_autoptr(GArray) got = drain(h);
    static const guint want[] = {2, 3, 4, 5, 9};
    assert_order(got, want, G_N_ELEMENTS(want));
}

static void
test_cancel_head_middle_last(void)
{
    g_autoptr(SimEventHeap) h = sim_event_heap_new();
    guint destroyed[6] = {0};
    SimEventId id[6];
    for (guint i = 0; i < 6; i++)
        id[i] =
            sim_event_heap_push(h, 10 * (SimTime)i, 0, noop_event, &destroyed[i], count_destroy);
    g_assert_true(sim_event_heap_cancel(h, id[0])); /* head */
    g_assert_true(sim_event_heap_cancel(h, id[3])); /* middle */
    g_assert_true(sim_event_heap_cancel(h, id[5])); /* last */
    static const guint want_destroyed[] = {1, 0, 0, 1, 0, 1};
    for (guint i = 0; i < 6; i++) {
        g_assert_cmpuint(destroyed[i], ==, want_destroyed[i]);
        g_assert_cmpint(sim_event_heap_is_pending(h, id[i]), ==, !want_destroyed[i]);
    }
    g_assert_cmpuint(sim_event_heap_size(h), ==, 3);
    g_assert_cmpint(sim_event_heap_peek_time(h), ==, 10);
    SimEvent ev;
    static const guint want[] = {1, 2, 4};
    for (guint i = 0; i < 3; i++) {
        g_assert_true(sim_event_heap_pop(h, &ev));
        g_assert_cmpint(ev.time, ==, 10 * (SimTime)want[i]);
        g_assert_true(ev.data == &destroyed[want[i]]);
        g_assert_true(ev.destroy == count_destroy);
    }
    g_assert_false(sim_event_heap_pop(h, &ev));
    g_assert_cmpint(sim_event_heap_peek_time(h), ==, SIM_TIME_NEVER);
    /* Popped events' destroy notifies are the caller's to run. */
    for (guint i = 0; i < 6; i++)
        g_assert_cmpuint(destroyed[i], ==, want_destroyed[i]);
}

/* Pending events' destroy notifies run when the heap is freed. */
static void
test_free_destroys_pending(void)
{
    guint destroyed[3] = {0};
    SimEventHeap *h = sim_event_heap_new();
    SimEventId id[3];
    for (guint i = 0; i < 3; i++)
        id[i] = sim_event_heap_push(h, 1, 0, noop_event, &destroyed[i], count_destroy);
    g_assert_true(sim_event_heap_cancel(h, id[1]));
    SimEvent ev;
    g_assert_true(sim_event_heap_pop(h, &ev)); /* id[0], not destroyed by the heap */
    sim_event_heap_free(h);
    g_assert_cmpuint(destroyed[0], ==, 0);
    g_assert_cmpuint(destroyed[1], ==, 1);
    g_assert_cmpuint(destroyed[2], ==, 1);
}

static void
test_cancel_after_run_and_twice(void)
{
    g_autoptr(SimEventHeap) h = sim_event_heap_new();
    guint destroyed = 0;
    SimEventId a = sim_event_heap_push(h, 1, 0, noop_event, &destroyed, count_destroy);
    SimEventId b = sim_event_heap_push(h, 2, 0, noop_event, &destroyed, count_destroy);
    SimEvent ev;
    g_assert_true(sim_event_heap_pop(h, &ev));
    g_assert_false(sim_event_heap_is_pending(h, a));
    g_assert_false(sim_event_heap_cancel(h, a)); /* already popped */
    g_assert_true(sim_event_heap_cancel(h, b));
    g_assert_false(sim_event_heap_cancel(h, b)); /* already cancelled */
    g_assert_false(sim_event_heap_cancel(h, SIM_EVENT_ID_NONE));
    g_assert_false(sim_event_heap_cancel(h, G_GUINT64_CONSTANT(0x100000000) | 999));
    g_assert_cmpuint(destroyed, ==, 1); /* only b's, on cancel; a's is the caller's */
    /* Slots are reused: an old id must not reach the new event. */
    SimEventId c = sim_event_heap_push(h, 3, 0, noop_event, &destroyed, count_destroy);
    SimEventId d = sim_event_heap_push(h, 4, 0, noop_event, &destroyed, count_destroy);
    g_assert_false(sim_event_heap_cancel(h, a));
    g_assert_false(sim_event_heap_cancel(h, b));
    g_assert_true(sim_event_heap_is_pending(h, c));
    g_assert_true(sim_event_heap_is_pending(h, d));
    g_assert_cmpuint(sim_event_heap_size(h), ==, 2);
    g_assert_true(sim_event_heap_pop(h, &ev));
    g_assert_cmpint(ev.time, ==, 3);
}

/* A destroy notify that schedules: cancel must leave the heap consistent. */
typedef struct {
    SimEventHeap *h;
    guint pushed;
} Reentry;

static void
reentry_destroy(gpointer data)
{
    Reentry *r = data;
    for (guint i = 0; i < 200; i++) /* enough to grow the slot pool */
        sim_event_heap_push(r->h, 100 + i, 0, noop_event, GUINT_TO_POINTER(1000 + i), NULL);
    r->pushed += 200;
}

static void
test_cancel_destroy_reenters(void)
{
    g_autoptr(SimEventHeap) h = sim_event_heap_new();
    Reentry r = {h, 0};
    SimEventId id = sim_event_heap_push(h, 50, 0, noop_event, &r, reentry_destroy);
    sim_event_heap_push(h, 60, 0, noop_event, GUINT_TO_POINTER(1), NULL);
    g_assert_true(sim_event_heap_cancel(h, id));
    g_assert_cmpuint(r.pushed, ==, 200);
    g_assert_cmpuint(sim_event_heap_size(h), ==, 201);
    g_autoptr(GArray) got = drain(h);
    g_assert_cmpuint(got->len, ==, 201);
    g_assert_cmpuint(g_array_index(got, guint, 0), ==, 1);
    for (guint i = 1; i < got->len; i++)
        g_assert_cmpuint(g_array_index(got, guint, i), ==, 1000 + i - 1);
}

/* Grows past 64, 128, ... 16384 entries, with pops in between. */
static void
test_growth(void)
{
    g_autoptr(SimEventHeap) h = sim_event_heap_new();
    const guint n = 20000;
    for (guint i = 0; i < n; i++) {
        /* Descending times with ties: every push sifts to the top. */
        sim_event_heap_push(h, (SimTime)((n - i) / 3), 0, noop_event, GUINT_TO_POINTER(i), NULL);
        if (i % 1000 == 999) {
            SimEvent ev;
            g_assert_true(sim_event_heap_pop(h, &ev));
            /* The earliest is the first pushed of the smallest time. */
            SimTime t = (SimTime)((n - i) / 3);
            g_assert_cmpint(ev.time, ==, t);
            g_assert_cmpuint(GPOINTER_TO_UINT(ev.data), ==, MAX(0, (gint64)n - 3 * t - 2));
        }
    }
    g_assert_cmpuint(sim_event_heap_size(h), ==, n - n / 1000);
    g_autoptr(GArray) got = drain(h);
    g_assert_cmpuint(got->len, ==, n - n / 1000);
}

/* Cancels more than half, then pushes until the heap compacts. */
static void
test_compaction_keeps_order(void)
{
    g_autoptr(SimEventHeap) h = sim_event_heap_new();
    GArray *ids = g_array_new(FALSE, FALSE, sizeof(SimEventId));
    for (guint i = 0; i < 1024; i++) {
        SimEventId id =
            sim_event_heap_push(h, (SimTime)(i % 7), 0, noop_event, GUINT_TO_POINTER(i), NULL);
        g_array_append_val(ids, id);
    }
    for (guint i = 0; i < 1024; i++)
        if (i % 4 != 0)
            g_assert_true(sim_event_heap_cancel(h, g_array_index(ids, SimEventId, i)));
    g_assert_cmpuint(sim_event_heap_size(h), ==, 256);
    for (guint i = 1024; i < 3000; i++)
        sim_event_heap_push(h, (SimTime)(i % 7), 0, noop_event, GUINT_TO_POINTER(i), NULL);
    g_autoptr(GArray) got = drain(h);
    g_assert_cmpuint(got->len, ==, 256 + 1976);
    /* Expected: by time (i % 7), then by push order (i). */
    guint k = 0;
    for (SimTime t = 0; t < 7; t++)
        for (guint i = 0; i < 3000; i++)
            if ((SimTime)(i % 7) == t && (i >= 1024 || i % 4 == 0))
                g_assert_cmpuint(g_array_index(got, guint, k++), ==, i);
    g_assert_cmpuint(k, ==, got->len);
    g_array_free(ids, TRUE);
}

/* Sequences wrap at 2^32: renumbering must keep FIFO among equal times,
 * whether the old entries are below or above the new ones. */
static void
test_sequence_renumbering(void)
{
    g_autoptr(SimEventHeap) h = sim_event_heap_new();
    SimEventId cancelled = SIM_EVENT_ID_NONE;
    for (guint i = 0; i < 10; i++) {
        SimEventId id =
            sim_event_heap_push(h, (SimTime)(i % 2), 0, noop_event, GUINT_TO_POINTER(i), NULL);
        if (i == 4)
            cancelled = id;
    }
    g_assert_true(sim_event_heap_cancel(h, cancelled));
    sim_event_heap_set_next_seq(h, (G_GUINT64_CONSTANT(1) << 32) - 3);
    /* Three pushes fit, the fourth renumbers first. */
    for (guint i = 10; i < 20; i++)
        sim_event_heap_push(h, (SimTime)(i % 2), 0, noop_event, GUINT_TO_POINTER(i), NULL);
    g_assert_cmpuint(sim_event_heap_size(h), ==, 19);
    g_autoptr(GArray) got = drain(h);
    static const guint want[] = {0, 2, 6, 8, 10, 12, 14, 16, 18, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19};
    assert_order(got, want, G_N_ELEMENTS(want));
    /* An explicit renumber of an empty heap is harmless. */
    sim_event_heap_renumber(h);
    sim_event_heap_push(h, 3, 0, noop_event, GUINT_TO_POINTER(7), NULL);
    SimEvent ev;
    g_assert_true(sim_event_heap_pop(h, &ev));
    g_assert_cmpuint(GPOINTER_TO_UINT(ev.data), ==, 7);
}

static void
test_pop_until(void)
{
    g_autoptr(SimEventHeap) h = sim_event_heap_new();
    SimEventId a = sim_event_heap_push(h, 5, 0, noop_event, GUINT_TO_POINTER(1), NULL);
    sim_event_heap_push(h, 9, 0, noop_event, GUINT_TO_POINTER(2), NULL);
    SimEvent ev;
    g_assert_false(sim_event_heap_pop_until(h, 4, &ev));
    g_assert_cmpuint(sim_event_heap_size(h), ==, 2);
    g_assert_true(sim_event_heap_pop_until(h, 5, &ev));
    g_assert_cmpuint(GPOINTER_TO_UINT(ev.data), ==, 1);
    g_assert_false(sim_event_heap_is_pending(h, a));
    g_assert_false(sim_event_heap_pop_until(h, 8, &ev));
    g_assert_cmpint(sim_event_heap_peek_time(h), ==, 9);
    g_assert_true(sim_event_heap_pop_until(h, SIM_TIME_NEVER, &ev));
    g_assert_false(sim_event_heap_pop_until(h, SIM_TIME_NEVER, &ev));
}

/* Negative and extreme times keep their signed order. */
static void
test_time_extremes(void)
{
    g_autoptr(SimEventHeap) h = sim_event_heap_new();
    const SimTime t[] = {0, -1, SIM_TIME_NEVER, G_MININT64, 1, SIM_TIME_NEVER - 1};
    for (guint i = 0; i < G_N_ELEMENTS(t); i++)
        sim_event_heap_push(h, t[i], 0, noop_event, GUINT_TO_POINTER(i), NULL);
    g_autoptr(GArray) got = drain(h);
    static const guint want[] = {3, 1, 0, 4, 5, 2};
    assert_order(got, want, G_N_ELEMENTS(want));
}

/* Reference model: pending events as (time, seq, value), popped by sort. */
typedef struct {
    SimTime time;
    guint64 seq;
    guint value;
    SimEventId id;
} RefEvent;

static guint
ref_min(GArray *ref)
{
    guint best = 0;
    for (guint i = 1; i < ref->len; i++) {
        RefEvent *a = &g_array_index(ref, RefEvent, i), *b = &g_array_index(ref, RefEvent, best);
        if (a->time < b->time || (a->time == b->time && a->seq < b->seq))
            best = i;
    }
    return best;
}

static void
test_random_against_reference(void)
{
    g_autoptr(SimEventHeap) h = sim_event_heap_new();
    g_autoptr(GRand) r = g_rand_new_with_seed(20261129);
    GArray *ref = g_array_new(FALSE, FALSE, sizeof(RefEvent));
    guint64 seq = 0;
    SimTime now = 0;
    guint pops = 0, cancels = 0;
    for (guint op = 0; op < 6000; op++) {
        guint32 dice = g_rand_int_range(r, 0, 100);
        if (dice < 50 || ref->len == 0) {
            /* Few distinct delays, so ties are common. */
            SimTime t = now + g_rand_int_range(r, 0, 8) * 10;
            RefEvent e = {t, seq++, op, SIM_EVENT_ID_NONE};
            e.id = sim_event_heap_push(h, t, 0, noop_event, GUINT_TO_POINTER(op), NULL);
            g_array_append_val(ref, e);
        } else if (dice < 80) {
            guint m = ref_min(ref);
            RefEvent want = g_array_index(ref, RefEvent, m);
            g_assert_cmpint(sim_event_heap_peek_time(h), ==, want.time);
            SimEvent ev;
            g_assert_true(sim_event_heap_pop(h, &ev));
            g_assert_cmpint(ev.time, ==, want.time);
            g_assert_cmpuint(GPOINTER_TO_UINT(ev.data), ==, want.value);
            g_assert_false(sim_event_heap_is_pending(h, want.id));
            now = ev.time;
            g_array_remove_index(ref, m);
            pops++;
        } else {
            guint k = g_rand_int_range(r, 0, (gint32)ref->len);
            RefEvent e = g_array_index(ref, RefEvent, k);
            g_assert_true(sim_event_heap_is_pending(h, e.id));
            g_assert_true(sim_event_heap_cancel(h, e.id));
            g_assert_false(sim_event_heap_cancel(h, e.id));
            g_array_remove_index(ref, k);
            cancels++;
        }
        g_assert_cmpuint(sim_event_heap_size(h), ==, ref->len);
    }
    g_assert_cmpuint(pops, >, 1000);
    g_assert_cmpuint(cancels, >, 500);
    while (ref->len > 0) {
        guint m = ref_min(ref);
        SimEvent ev;
        g_assert_true(sim_event_heap_pop(h, &ev));
        g_assert_cmpuint(GPOINTER_TO_UINT(ev.data), ==, g_array_index(ref, RefEvent, m).value);
        g_array_remove_index(ref, m);
    }
    SimEvent ev;
    g_assert_false(sim_event_heap_pop(h, &ev));
    g_array_free(ref, TRUE);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sim/event-queue/ties-fifo-across-pops", test_ties_fifo_across_pops);
    g_test_add_func("/sim/event-queue/cancel-head-middle-last", test_cancel_head_middle_last);
    g_test_add_func("/sim/event-queue/free-destroys-pending", test_free_destroys_pending);
    g_test_add_func("/sim/event-queue/cancel-after-run", test_cancel_after_run_and_twice);
    g_test_add_func("/sim/event-queue/cancel-destroy-reenters", test_cancel_destroy_reenters);
    g_test_add_func("/sim/event-queue/growth", test_growth);
    g_test_add_func("/sim/event-queue/compaction", test_compaction_keeps_order);
    g_test_add_func("/sim/event-queue/renumbering", test_sequence_renumbering);
    g_test_add_func("/sim/event-queue/pop-until", test_pop_until);
    g_test_add_func("/sim/event-queue/time-extremes", test_time_extremes);
    g_test_add_func("/sim/event-queue/random-vs-reference", test_random_against_reference);
    return g_test_run();
}
