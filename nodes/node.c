/* SPDX-License-Identifier: MIT
 * node: the common part of every role.
 */
#include "nodes/node.h"

#include "nodes/world_private.h"

Node *
node_new(World *world, const NodeClass *klass, const NodeSpec *spec)
{
    Node *node = g_new0(Node, 1);
    node->klass = klass;
    node->world = world;
    node->spec = spec;
    node->name = g_strdup(spec->name);
    node->hostname = g_strdup(spec->hostname ? spec->hostname : spec->name);
    node->host = sim_net_add_host(world->net, spec->name);
    for (char **ip = spec->ips; ip && *ip; ip++)
        sim_host_add_address(node->host, *ip);
    node->rng = sim_world_rng(world->sim, spec->name);
    return node;
}

void
node_free(Node *node)
{
    if (node == NULL)
        return;
    if (node->klass->free)
        node->klass->free(node);
    g_free(node->name);
    g_free(node->hostname);
    g_free(node);
}

char *
node_new_queue_id(Node *node)
{
    /* Postfix-like short queue ids: a per-node prefix from the name's hash
     * and a serial. Deterministic, unique within the run. */
    guint32 h = (guint32)sim_fnv1a64(node->name);
    return g_strdup_printf("%05X%05" G_GINT64_MODIFIER "X", h & 0xfffff, ++node->queue_serial);
}

const char *
node_ip(const Node *node)
{
    return node->spec->ips && node->spec->ips[0] ? node->spec->ips[0] : "0.0.0.0";
}
