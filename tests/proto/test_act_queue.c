/* SPDX-License-Identifier: MIT
 * Tests for proto/act_queue.h: first-in first-out order across growth,
 * storage reused once drained, the size of the first allocation, and clear
 * with and without an item destructor.
 */
#include "proto/act_queue.h"

#include <glib.h>

typedef struct {
    guint n;
    char pad[60]; /* an item of about the size of an engine action */
} TestItem;

static void
test_first_cap(void)
{
    /* As many items as fit in ACT_QUEUE_FIRST_BYTES, at least 2, at most 16. */
    g_assert_cmpuint(act_queue_first_cap(1), ==, 16);
    g_assert_cmpuint(act_queue_first_cap(64), ==, ACT_QUEUE_FIRST_BYTES / 64);
    g_assert_cmpuint(act_queue_first_cap(256), ==, ACT_QUEUE_FIRST_BYTES / 256);
    g_assert_cmpuint(act_queue_first_cap(4096), ==, 2);
    g_assert_cmpuint(act_queue_first_cap(256) * 256, <=, ACT_QUEUE_FIRST_BYTES);
}

static void
test_fifo_growth(void)
{
    ActQueue q;
    act_queue_init(&q, sizeof(TestItem));
    g_assert_true(act_queue_is_empty(&q));
    guint first = act_queue_first_cap(sizeof(TestItem));
    /* Past the first allocation and two doublings, interleaving pops. */
    guint next_in = 0, next_out = 0;
    for (guint round = 0; round < 3; round++) {
        for (guint i = 0; i < first * 3 + round; i++) {
            TestItem *it = act_queue_push(&q);
            g_assert_cmpuint(it->n, ==, 0); /* zeroed */
            it->n = ++next_in;
        }
        for (guint i = 0; i < first; i++) {
            TestItem out;
            act_queue_pop(&q, &out);
            g_assert_cmpuint(out.n, ==, ++next_out);
        }
    }
    while (!act_queue_is_empty(&q)) {
        TestItem out;
        act_queue_pop(&q, &out);
        g_assert_cmpuint(out.n, ==, ++next_out);
    }
    g_assert_cmpuint(next_out, ==, next_in);
    /* Drained: the next push starts at the front of the same storage. */
    guint cap = q.cap;
    guint8 *items = q.items;
    TestItem *again = act_queue_push(&q);
    g_assert_true((guint8 *)again == items);
    g_assert_cmpuint(q.cap, ==, cap);
    act_queue_clear(&q, NULL, TRUE);
    g_assert_null(q.items);
    g_assert_cmpuint(q.cap, ==, 0);
    g_assert_true(act_queue_is_empty(&q));
}

static guint test_cleared;

static void
test_item_clear(gpointer p)
{
    TestItem *it = p;
    g_assert_cmpuint(it->n, >, 0);
    test_cleared++;
}

static void
test_clear(void)
{
    ActQueue q;
    act_queue_init(&q, sizeof(TestItem));
    for (guint i = 1; i <= 5; i++)
        ((TestItem *)act_queue_push(&q))->n = i;
    TestItem out;
    act_queue_pop(&q, &out);
    /* Only the items not yet popped are cleared; storage kept on request. */
    test_cleared = 0;
    act_queue_clear(&q, test_item_clear, FALSE);
    g_assert_cmpuint(test_cleared, ==, 4);
    g_assert_true(act_queue_is_empty(&q));
    g_assert_nonnull(q.items);
    ((TestItem *)act_queue_push(&q))->n = 9;
    act_queue_pop(&q, &out);
    g_assert_cmpuint(out.n, ==, 9);
    act_queue_clear(&q, test_item_clear, TRUE);
    g_assert_null(q.items);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/act-queue/first-cap", test_first_cap);
    g_test_add_func("/proto/act-queue/fifo-growth", test_fifo_growth);
    g_test_add_func("/proto/act-queue/clear", test_clear);
    return g_test_run();
}
