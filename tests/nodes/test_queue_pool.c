/* SPDX-License-Identifier: MIT
 * Tests for the queue's pool of spare pointer arrays (nodes/queue_pool.c):
 * a reused array is empty and frees its elements with the free function
 * given at its new take, not the old one; a full pool frees what it is
 * given; clearing leaves a usable pool.
 */
#include <glib.h>

#include "nodes/queue_pool.h"

static guint pool_frees_a, pool_frees_b;

static void
count_free_a(gpointer p)
{
    pool_frees_a++;
    g_free(p);
}

static void
count_free_b(gpointer p)
{
    pool_frees_b++;
    g_free(p);
}

static void
test_pool_reuse_behaves_as_new(void)
{
    QueuePool pool = {0};
    pool_frees_a = pool_frees_b = 0;
    GPtrArray *a = queue_pool_take(&pool, count_free_a);
    g_assert_cmpuint(a->len, ==, 0);
    for (guint i = 0; i < 40; i++)
        g_ptr_array_add(a, g_strdup("x"));
    queue_pool_give(&pool, a);
    /* The elements are freed on give, with the array's free function. */
    g_assert_cmpuint(pool_frees_a, ==, 40);
    g_assert_cmpuint(pool.n, ==, 1);

    GPtrArray *b = queue_pool_take(&pool, count_free_b);
    g_assert_true(b == a); /* the same storage, reused */
    g_assert_cmpuint(pool.n, ==, 0);
    g_assert_cmpuint(b->len, ==, 0);
    g_ptr_array_add(b, g_strdup("y"));
    g_ptr_array_add(b, g_strdup("z"));
    g_assert_cmpstr(b->pdata[1], ==, "z");
    /* Removal uses the new take's free function, not the old one. */
    g_ptr_array_remove_index(b, 0);
    g_assert_cmpuint(pool_frees_b, ==, 1);
    g_assert_cmpuint(pool_frees_a, ==, 40);
    queue_pool_give(&pool, b);
    g_assert_cmpuint(pool_frees_b, ==, 2);

    /* Taken without a free function: its elements are borrowed. */
    static char borrowed[] = "kept";
    GPtrArray *c = queue_pool_take(&pool, NULL);
    g_ptr_array_add(c, borrowed);
    queue_pool_give(&pool, c);
    g_assert_cmpstr(borrowed, ==, "kept");
    g_assert_cmpuint(pool_frees_a + pool_frees_b, ==, 42);
    queue_pool_clear(&pool);
    g_assert_cmpuint(pool.n, ==, 0);
}

static void
test_pool_bounded(void)
{
    QueuePool pool = {0};
    pool_frees_a = 0;
    GPtrArray *held[QUEUE_POOL_MAX + 5];
    for (guint i = 0; i < G_N_ELEMENTS(held); i++) {
        held[i] = queue_pool_take(&pool, count_free_a);
        g_ptr_array_add(held[i], g_strdup("m"));
    }
    g_assert_cmpuint(pool.n, ==, 0);
    for (guint i = 0; i < G_N_ELEMENTS(held); i++)
        queue_pool_give(&pool, held[i]);
    /* Every element freed, whether its array was kept or not. */
    g_assert_cmpuint(pool_frees_a, ==, G_N_ELEMENTS(held));
    g_assert_cmpuint(pool.n, ==, QUEUE_POOL_MAX);
    queue_pool_give(&pool, NULL);
    g_assert_cmpuint(pool.n, ==, QUEUE_POOL_MAX);
    queue_pool_clear(&pool);
    g_assert_cmpuint(pool.n, ==, 0);
    /* Usable after clearing: a new array. */
    GPtrArray *a = queue_pool_take(&pool, NULL);
    g_assert_cmpuint(a->len, ==, 0);
    queue_pool_give(&pool, a);
    g_assert_cmpuint(pool.n, ==, 1);
    queue_pool_clear(&pool);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/queue_pool/reuse_behaves_as_new", test_pool_reuse_behaves_as_new);
    g_test_add_func("/queue_pool/bounded", test_pool_bounded);
    return g_test_run();
}
