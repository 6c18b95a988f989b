/* SPDX-License-Identifier: MIT
 * Tests for the per-end ring of segments in flight in sim/net_stream:
 * more segments in flight than the ring holds without the heap, growth
 * while the ring's head has wrapped, and reuse after it drained. Bytes
 * must arrive whole and in write order with the timing of the link.
 */
#include <string.h>

#include <glib.h>

#include "helper_net.h"
#include "sim/net.h"

#define MS SIM_TIME_MS

static void
write_tagged(SimStream *s, guint from, guint n)
{
    for (guint i = from; i < from + n; i++) {
        char buf[8];
        g_snprintf(buf, sizeof buf, "%03u|", i);
        sim_stream_write_data(s, buf, 4);
    }
}

static char *
expected(guint n)
{
    GString *want = g_string_new(NULL);
    for (guint i = 0; i < n; i++)
        g_string_append_printf(want, "%03u|", i);
    return g_string_free(want, FALSE);
}

static void
write_six(TPeer *p)
{
    write_tagged(p->s, 0, 6);
}

static void
write_late(SimWorld *w, gpointer data)
{
    TEnv *env = data;
    /* Some of the first six were delivered (the head moved), the rest
     * are still in flight: these 60 make the ring grow past its wrap. */
    write_tagged(env->client.s, 6, 60);
}

static void
write_after_drain(SimWorld *w, gpointer data)
{
    TEnv *env = data;
    write_tagged(env->client.s, 66, 3);
}

/* 4 bytes at 3,200 bit/s take 10 ms each: the first six (written at 20
 * ms) arrive at 40, 50, ... 90 ms; at 55 ms three of them were delivered. */
static void
test_ring_grows_after_wrap(void)
{
    TEnv env;
    tenv_init(&env, 1, 10 * MS, 3200, 0);
    tenv_listen(&env, 25);
    env.client.on_connected = write_six;
    tenv_connect(&env, 25);
    sim_world_schedule_in(env.world, 55 * MS, write_late, &env, NULL);
    sim_world_schedule_in(env.world, 2000 * MS, write_after_drain, &env, NULL);
    sim_world_run(env.world, SIM_TIME_NEVER);
    g_autofree char *want = expected(69);
    g_assert_cmpstr(env.server.received->str, ==, want);
    g_assert_true(g_str_has_prefix(env.log->str, "20000:c:connected;30000:s:accept;"
                                                 "40000:s:data:000|;50000:s:data:001|;"));
    /* 66 segments back to back: the last at 40 + 65 * 10 ms. */
    g_assert_nonnull(strstr(env.log->str, "690000:s:data:065|;"));
    /* After the drain: written at 2 s, 10 ms each plus 10 ms latency. */
    g_assert_true(g_str_has_suffix(env.log->str, "2020000:s:data:066|;2030000:s:data:067|;"
                                                 "2040000:s:data:068|;"));
    tenv_clear(&env);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sim/net/ring/grows-after-wrap", test_ring_grows_after_wrap);
    return g_test_run();
}
