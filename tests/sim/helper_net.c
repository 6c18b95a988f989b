/* SPDX-License-Identifier: MIT
 * Test helper for sim/net: a two-host network and a recording peer that
 * logs every stream callback as "t:name:event[:detail];".
 */
#include "helper_net.h"

#include <string.h>

static void
tpeer_log(TPeer *p, const char *what, const char *detail)
{
    g_string_append_printf(p->log, "%" G_GINT64_FORMAT ":%s:%s", sim_world_now(p->env->world),
                           p->name, what);
    if (detail != NULL)
        g_string_append_printf(p->log, ":%s", detail);
    g_string_append_c(p->log, ';');
}

static void
tpeer_on_connected(SimStream *s, gpointer ud)
{
    TPeer *p = ud;
    tpeer_log(p, "connected", NULL);
    if (p->on_connected != NULL)
        p->on_connected(p);
}

static void
tpeer_on_data(SimStream *s, GBytes *data, gpointer ud)
{
    TPeer *p = ud;
    gsize n;
    const char *d = g_bytes_get_data(data, &n);
    g_autofree char *txt = n <= 32 ? g_strndup(d, n) : g_strdup_printf("%" G_GSIZE_FORMAT "B", n);
    tpeer_log(p, "data", txt);
    g_string_append_len(p->received, d, (gssize)n);
    if (p->on_data != NULL)
        p->on_data(p, data);
}

static void
tpeer_on_eof(SimStream *s, gpointer ud)
{
    TPeer *p = ud;
    tpeer_log(p, "eof", NULL);
    if (p->close_on_eof) {
        sim_stream_close(s);
        p->s = NULL;
    }
}

static void
tpeer_dead(TPeer *p, const char *what)
{
    tpeer_log(p, what, NULL);
    sim_stream_close(p->s);
    p->s = NULL;
}

static void
tpeer_on_reset(SimStream *s, gpointer ud)
{
    tpeer_dead(ud, "reset");
}

static void
tpeer_on_refused(SimStream *s, gpointer ud)
{
    tpeer_dead(ud, "refused");
}

static void
tpeer_on_timeout(SimStream *s, gpointer ud)
{
    tpeer_dead(ud, "timeout");
}

const SimStreamHandler tpeer_handler = {
    .on_connected = tpeer_on_connected,
    .on_data = tpeer_on_data,
    .on_eof = tpeer_on_eof,
    .on_reset = tpeer_on_reset,
    .on_refused = tpeer_on_refused,
    .on_timeout = tpeer_on_timeout,
};

static void
tenv_accept(SimListener *l, SimStream *s, gpointer ud)
{
    TEnv *env = ud;
    TPeer *p = &env->server;
    p->s = s;
    tpeer_log(p, "accept", NULL);
    sim_stream_set_handler(s, &tpeer_handler, p);
}

void
tenv_init(TEnv *env, guint64 seed, SimTime latency, guint64 bandwidth, SimTime jitter)
{
    memset(env, 0, sizeof *env);
    env->log = g_string_new(NULL);
    env->world = sim_world_new(seed);
    env->net = sim_net_new(env->world);
    env->a = sim_net_add_host(env->net, "a");
    env->b = sim_net_add_host(env->net, "b");
    g_assert_true(sim_host_add_address(env->a, "10.0.0.1"));
    g_assert_true(sim_host_add_address(env->b, "10.0.0.2"));
    env->link = sim_net_link(env->net, env->a, env->b);
    SimLinkParams p = {.latency = latency, .bandwidth = bandwidth, .jitter = jitter};
    sim_link_set_params(env->link, &p);
    TPeer *peers[2] = {&env->client, &env->server};
    const char *names[2] = {"c", "s"};
    for (int i = 0; i < 2; i++) {
        peers[i]->env = env;
        peers[i]->name = names[i];
        peers[i]->log = env->log;
        peers[i]->received = g_string_new(NULL);
    }
}

void
tenv_listen(TEnv *env, guint16 port)
{
    env->listener = sim_net_listen(env->net, env->b, port, tenv_accept, env, NULL);
    g_assert_nonnull(env->listener);
}

void
tenv_connect(TEnv *env, guint16 port)
{
    env->client.s =
        sim_net_connect(env->net, env->a, "10.0.0.2", port, &tpeer_handler, &env->client);
}

void
tenv_clear(TEnv *env)
{
    if (env->client.s != NULL)
        sim_stream_close(env->client.s);
    if (env->server.s != NULL)
        sim_stream_close(env->server.s);
    sim_net_free(env->net);
    sim_world_free(env->world);
    g_string_free(env->log, TRUE);
    g_string_free(env->client.received, TRUE);
    g_string_free(env->server.received, TRUE);
}
