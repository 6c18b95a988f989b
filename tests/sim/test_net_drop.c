/* SPDX-License-Identifier: MIT
 * Tests for sim/net on_drop: a stream end still held when the net is
 * freed (the run ended mid-connection) tells its holder once, so that a
 * session can free itself; an end released before is never told, and a
 * handler without on_drop is simply forgotten.
 */
#include <glib.h>

#include "sim/net.h"
#include "sim/world.h"

typedef struct {
    guint drops;
    guint accepted;
    SimStream *server;
} DropLog;

static void
drop_on_drop(SimStream *s, gpointer user_data)
{
    ((DropLog *)user_data)->drops++;
}

static const SimStreamHandler drop_handler = {.on_drop = drop_on_drop};

static void
drop_accept(SimListener *l, SimStream *s, gpointer user_data)
{
    DropLog *log = user_data;
    log->accepted++;
    log->server = s;
    sim_stream_set_handler(s, &drop_handler, log);
}

/* Two hosts on one link, b listening on 25; runs until the handshake is
 * over, then frees the net with both ends held unless release says. */
static void
drop_run(gboolean release_client, gboolean release_server, DropLog *client, DropLog *server)
{
    SimWorld *w = sim_world_new(1);
    SimNet *net = sim_net_new(w);
    SimHost *a = sim_net_add_host(net, "a");
    SimHost *b = sim_net_add_host(net, "b");
    g_assert_true(sim_host_add_address(a, "10.0.0.1"));
    g_assert_true(sim_host_add_address(b, "10.0.0.2"));
    g_assert_nonnull(sim_net_listen(net, b, 25, drop_accept, server, NULL));
    SimStream *c = sim_net_connect(net, a, "10.0.0.2", 25, &drop_handler, client);
    sim_stream_write_data(c, (const guint8 *)"HELO\r\n", 6);
    sim_world_run(w, 10 * G_USEC_PER_SEC);
    g_assert_cmpuint(server->accepted, ==, 1);
    if (release_client)
        sim_stream_close(c);
    if (release_server)
        sim_stream_reset(server->server);
    g_assert_cmpuint(client->drops + server->drops, ==, 0);
    sim_net_free(net);
    sim_world_free(w);
}

static void
test_drop_held(void)
{
    DropLog client = {0}, server = {0};
    drop_run(FALSE, FALSE, &client, &server);
    g_assert_cmpuint(client.drops, ==, 1);
    g_assert_cmpuint(server.drops, ==, 1);
}

static void
test_drop_released(void)
{
    DropLog client = {0}, server = {0};
    drop_run(TRUE, FALSE, &client, &server);
    g_assert_cmpuint(client.drops, ==, 0);
    g_assert_cmpuint(server.drops, ==, 1);
    DropLog c2 = {0}, s2 = {0};
    drop_run(TRUE, TRUE, &c2, &s2);
    g_assert_cmpuint(c2.drops + s2.drops, ==, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sim/net/drop/held", test_drop_held);
    g_test_add_func("/sim/net/drop/released", test_drop_released);
    return g_test_run();
}
