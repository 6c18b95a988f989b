/* SPDX-License-Identifier: MIT
 * Tests for node_rng() (nodes/node.h): a node's random stream is made on
 * first use and is the SimWorld's stream of the node's name, so its draws
 * do not depend on when (or whether) other streams were made first.
 */
#include <glib.h>

#include "helper_spec.h"
#include "nodes/node.h"
#include "nodes/world.h"
#include "nodes/world_private.h"

static World *
rng_world(WorldSpec *spec)
{
    test_spec_add_node(spec, SPEC_ROLE_MTA, "a.test", "192.0.2.1");
    test_spec_add_node(spec, SPEC_ROLE_MTA, "b.test", "192.0.2.2");
    g_autoptr(GError) error = NULL;
    World *w = world_new(spec, NULL, FALSE, 0, &error);
    g_assert_no_error(error);
    return w;
}

static void
test_node_rng(void)
{
    /* Two worlds of the same seed; in the second, b.test draws first. */
    WorldSpec *s1 = world_spec_new(), *s2 = world_spec_new();
    World *w1 = rng_world(s1), *w2 = rng_world(s2);
    Node *a1 = world_node(w1, "a.test");
    g_assert_null(a1->rng); /* nothing made before a draw */
    GRand *r = node_rng(a1);
    g_assert_nonnull(r);
    g_assert_true(node_rng(a1) == r);
    g_assert_true(sim_world_rng(w1->sim, "a.test") == r);
    guint32 first1 = g_rand_int(r);

    g_rand_int(node_rng(world_node(w2, "b.test")));
    guint32 first2 = g_rand_int(node_rng(world_node(w2, "a.test")));
    g_assert_cmpuint(first1, ==, first2);
    world_free(w1);
    world_free(w2);
    world_spec_free(s1);
    world_spec_free(s2);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/nodes/node/rng-on-first-use", test_node_rng);
    return g_test_run();
}
