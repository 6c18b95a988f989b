/* SPDX-License-Identifier: MIT
 * Tests for sim_host_crash() / sim_host_restart(): a crash kills the
 * host's ends at once (on_reset, or on_refused for a connect still
 * waiting) and resets their peers, bytes sent before the crash still
 * arrive first (a direction is a FIFO), connects to a crashed host time
 * out, and after a restart it accepts again. Timings by hand: latency
 * 10 ms, unlimited bandwidth.
 */
#include <glib.h>

#include "helper_net.h"
#include "sim/net.h"

#define MS SIM_TIME_MS

static TEnv *crash_env;

static void
crash_b_now(SimWorld *w, gpointer data)
{
    g_assert_cmpuint(sim_host_crash(crash_env->b), ==, GPOINTER_TO_UINT(data));
    g_assert_true(sim_host_is_down(crash_env->b));
}

/* Connected at 20 ms, accepted at 30 ms; b crashes at 50 ms: its end is
 * reset at once, the client learns one latency later. */
static void
test_crash_established(void)
{
    TEnv env;
    tenv_init(&env, 1, 10 * MS, 0, 0);
    crash_env = &env;
    tenv_listen(&env, 25);
    tenv_connect(&env, 25);
    sim_world_schedule_at(env.world, 50 * MS, crash_b_now, GUINT_TO_POINTER(1), NULL);
    sim_world_run(env.world, SIM_TIME_NEVER);
    g_assert_cmpstr(env.log->str, ==,
                    "20000:c:connected;30000:s:accept;50000:s:reset;60000:c:reset;");
    g_assert_cmpuint(sim_net_n_conns(env.net), ==, 0);
    tenv_clear(&env);
}

/* The server answers and crashes in the same event: the answer is on the
 * wire before the RST and arrives first (RFC 1047: a 250 sent is a 250
 * received, unless the link itself breaks). */
static void
server_greets_and_crashes(TPeer *p, GBytes *data)
{
    sim_stream_write_data(p->s, "250 ok", 6);
    g_assert_cmpuint(sim_host_crash(p->env->b), ==, 1);
}

static void
client_says_hello(TPeer *p)
{
    sim_stream_write_data(p->s, "DATA", 4);
}

static void
test_crash_after_answer(void)
{
    TEnv env;
    tenv_init(&env, 1, 10 * MS, 0, 0);
    tenv_listen(&env, 25);
    env.client.on_connected = client_says_hello;
    env.server.on_data = server_greets_and_crashes;
    tenv_connect(&env, 25);
    sim_world_run(env.world, SIM_TIME_NEVER);
    g_assert_cmpstr(env.log->str, ==,
                    "20000:c:connected;30000:s:accept;30000:s:data:DATA;30000:s:reset;"
                    "40000:c:data:250 ok;40000:c:reset;");
    tenv_clear(&env);
}

/* A crashed host answers nothing: the connect times out (1 s here);
 * after the restart the same connect succeeds. */
static void
restart_b(SimWorld *w, gpointer data)
{
    sim_host_restart(crash_env->b);
    g_assert_false(sim_host_is_down(crash_env->b));
}

static void
connect_again(SimWorld *w, gpointer data)
{
    TEnv *env = data;
    env->client.s = sim_net_connect(env->net, env->a, "10.0.0.2", 25, &tpeer_handler, &env->client);
}

static void
test_down_then_restart(void)
{
    TEnv env;
    tenv_init(&env, 1, 10 * MS, 0, 0);
    crash_env = &env;
    sim_net_set_connect_timeout(env.net, 1000 * MS);
    tenv_listen(&env, 25);
    g_assert_cmpuint(sim_host_crash(env.b), ==, 0); /* nothing to kill */
    tenv_connect(&env, 25);
    sim_world_schedule_at(env.world, 2000 * MS, restart_b, NULL, NULL);
    sim_world_schedule_at(env.world, 3000 * MS, connect_again, &env, NULL);
    sim_world_run(env.world, SIM_TIME_NEVER);
    g_assert_cmpstr(env.log->str, ==, "1000000:c:timeout;3020000:c:connected;3030000:s:accept;");
    tenv_clear(&env);
}

/* The client's host crashes while its SYN is on the way: the connect
 * fails at once (refused), the late SYN-ACK is answered by RST, the
 * server never accepts, and nothing is left over. */
static void
crash_a_now(SimWorld *w, gpointer data)
{
    g_assert_cmpuint(sim_host_crash(crash_env->a), ==, 1);
}

static void
test_crash_while_connecting(void)
{
    TEnv env;
    tenv_init(&env, 1, 10 * MS, 0, 0);
    crash_env = &env;
    tenv_listen(&env, 25);
    tenv_connect(&env, 25);
    sim_world_schedule_at(env.world, 5 * MS, crash_a_now, NULL, NULL);
    sim_world_run(env.world, SIM_TIME_NEVER);
    g_assert_cmpstr(env.log->str, ==, "5000:c:refused;");
    g_assert_cmpuint(sim_net_n_conns(env.net), ==, 0);
    tenv_clear(&env);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sim/net/crash/established", test_crash_established);
    g_test_add_func("/sim/net/crash/after-answer", test_crash_after_answer);
    g_test_add_func("/sim/net/crash/down-then-restart", test_down_then_restart);
    g_test_add_func("/sim/net/crash/while-connecting", test_crash_while_connecting);
    return g_test_run();
}
