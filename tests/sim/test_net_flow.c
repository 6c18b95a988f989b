/* SPDX-License-Identifier: MIT
 * Tests for sim_stream_bytes_in_flight(): what a writer fed from outside
 * the simulation (the real-socket bridge) reads to hold back. Bytes count
 * from the write until the other end receives them, handshake included.
 */
#include <string.h>

#include <glib.h>

#include "helper_net.h"

#define MS 1000

static void
test_in_flight(void)
{
    TEnv env;
    /* 1 ms latency, 1 Mbit/s: 1000 B take 8 ms to serialize. */
    tenv_init(&env, 1, 1 * MS, 1000000, 0);
    tenv_listen(&env, 25);
    tenv_connect(&env, 25);
    g_assert_cmpuint(sim_stream_bytes_in_flight(env.client.s), ==, 0);
    /* Written before the handshake: in flight until delivered. */
    char buf[1000];
    memset(buf, 'x', sizeof buf);
    sim_stream_write_data(env.client.s, buf, sizeof buf);
    sim_stream_write_data(env.client.s, buf, sizeof buf);
    g_assert_cmpuint(sim_stream_bytes_in_flight(env.client.s), ==, 2000);
    /* Connected at 2 ms, first 1000 B arrive at 2 + 8 + 1 = 11 ms. */
    sim_world_run(env.world, 10 * MS);
    g_assert_cmpuint(sim_stream_bytes_in_flight(env.client.s), ==, 2000);
    sim_world_run(env.world, 11 * MS);
    g_assert_cmpuint(sim_stream_bytes_in_flight(env.client.s), ==, 1000);
    sim_world_run(env.world, 19 * MS);
    g_assert_cmpuint(sim_stream_bytes_in_flight(env.client.s), ==, 0);
    g_assert_cmpuint(env.server.received->len, ==, 2000);
    g_assert_cmpuint(sim_stream_bytes_in_flight(env.server.s), ==, 0);
    tenv_clear(&env);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sim/net/flow/in-flight", test_in_flight);
    return g_test_run();
}
