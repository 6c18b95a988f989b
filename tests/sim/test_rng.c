/* SPDX-License-Identifier: MIT
 * Tests for sim/world random streams: one GRand per name, seeded from the
 * run seed and FNV-1a of the name, so streams are independent of creation
 * order and of other names (adding a node changes no one else's draws).
 */
#include <string.h>

#include <glib.h>

#include "sim/world.h"

static void
draw(GRand *r, guint32 *out, guint n)
{
    for (guint i = 0; i < n; i++)
        out[i] = g_rand_int(r);
}

static void
test_fnv1a(void)
{
    /* FNV-1a 64 reference values (draft-eastlake-fnv). */
    g_assert_cmphex(sim_fnv1a64(""), ==, G_GUINT64_CONSTANT(0xcbf29ce484222325));
    g_assert_cmphex(sim_fnv1a64("a"), ==, G_GUINT64_CONSTANT(0xaf63dc4c8601ec8c));
    g_assert_cmphex(sim_fnv1a64("foobar"), ==, G_GUINT64_CONSTANT(0x85944171f73967e8));
}

static void
test_independent_of_others(void)
{
    guint32 x[8], y[8], z[8];
    g_autoptr(SimWorld) w1 = sim_world_new(42);
    draw(sim_world_rng(w1, "mx1"), x, 8);

    /* Another world, same seed: other streams created and drawn first. */
    g_autoptr(SimWorld) w2 = sim_world_new(42);
    guint32 junk[8];
    draw(sim_world_rng(w2, "spammer"), junk, 8);
    draw(sim_world_rng(w2, "link:a|b"), junk, 3);
    draw(sim_world_rng(w2, "mx1"), y, 8);
    g_assert_cmpmem(x, sizeof x, y, sizeof y);

    /* The same GRand is returned for a name (it is not re-seeded). */
    g_assert_true(sim_world_rng(w2, "mx1") == sim_world_rng(w2, "mx1"));
    draw(sim_world_rng(w2, "mx1"), z, 8);
    g_assert_true(memcmp(y, z, sizeof y) != 0);
}

static void
test_differs_by_name_and_seed(void)
{
    guint32 a[8], b[8], c[8];
    g_autoptr(SimWorld) w = sim_world_new(42);
    draw(sim_world_rng(w, "mx1"), a, 8);
    draw(sim_world_rng(w, "mx2"), b, 8);
    g_assert_true(memcmp(a, b, sizeof a) != 0);
    g_autoptr(SimWorld) w2 = sim_world_new(43);
    draw(sim_world_rng(w2, "mx1"), c, 8);
    g_assert_true(memcmp(a, c, sizeof a) != 0);
    g_assert_cmpuint(sim_world_seed(w2), ==, 43);
    /* The seed words are a pure function of (seed, name). */
    guint32 s1[4], s2[4];
    sim_world_stream_seed(42, "mx1", s1);
    sim_world_stream_seed(42, "mx1", s2);
    g_assert_cmpmem(s1, sizeof s1, s2, sizeof s2);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sim/rng/fnv1a", test_fnv1a);
    g_test_add_func("/sim/rng/independent", test_independent_of_others);
    g_test_add_func("/sim/rng/differs", test_differs_by_name_and_seed);
    return g_test_run();
}
