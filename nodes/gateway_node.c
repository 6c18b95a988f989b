/* SPDX-License-Identifier: MIT
 * gateway_node: the gateway role (see gateway_node.h). The node itself is
 * a relay (relay_node.c): it accepts mail like an mta and queues it; its
 * queue routes every non-local recipient to the stand-in host of the real
 * server (queue.c), which it reaches by name without DNS. Stand-in
 * addresses come from 198.18.0.0/15 (RFC 2544 26.2, never routed).
 */
#include "nodes/gateway_node.h"

#include "nodes/world_private.h"

/* 198.18.0.1: the first stand-in address. */
#define GATEWAY_PEER_FIRST_ADDR 0xC6120001u
#define GATEWAY_PEER_LAST_ADDR 0xC613FFFEu

Node *
gateway_node_new(World *world, const NodeSpec *spec)
{
    g_return_val_if_fail(spec->connect != NULL, NULL);
    return relay_node_new(world, spec);
}

static void
gateway_node_add_peer(World *w, const char *name)
{
    if (sim_net_host_by_name(w->net, name) != NULL)
        return;
    SimHost *h = sim_net_add_host(w->net, name);
    for (guint32 a = GATEWAY_PEER_FIRST_ADDR; a <= GATEWAY_PEER_LAST_ADDR; a++) {
        if (sim_net_host_by_addr(w->net, a) == NULL) {
            sim_host_add_address_u32(h, a);
            return;
        }
    }
}

void
gateway_nodes_add_peers(World *world)
{
    for (guint i = 0; i < world->nodes->len; i++) {
        Node *n = world->nodes->pdata[i];
        if (n->spec->role == SPEC_ROLE_GATEWAY && n->spec->connect != NULL)
            gateway_node_add_peer(world, n->spec->connect);
    }
}

SimHost *
world_gateway_peer(World *world, const char *node_name)
{
    Node *n = world_node(world, node_name);
    if (n == NULL || n->spec->role != SPEC_ROLE_GATEWAY || n->spec->connect == NULL)
        return NULL;
    return sim_net_host_by_name(world->net, n->spec->connect);
}
