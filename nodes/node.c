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
    return node;
}

GRand *
node_rng(Node *node)
{
    if (node->rng == NULL)
        node->rng = sim_world_rng(node->world->sim, node->name);
    return node->rng;
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

/* printf's "%05X" (upper-case hex, at least 5 digits), without printf:
 * a queue id is made at every hop. Returns the digits written. */
static gsize
node_put_hex(char *out, guint64 v)
{
    char tmp[16];
    gsize n = 0;
    do {
        tmp[n++] = "0123456789ABCDEF"[v & 0xf];
        v >>= 4;
    } while (v != 0);
    gsize len = MAX(n, 5);
    for (gsize i = 0; i < len; i++)
        out[i] = i < len - n ? '0' : tmp[len - 1 - i];
    return len;
}

char *
node_new_queue_id(Node *node)
{
    /* Postfix-like short queue ids: a per-node prefix from the name's hash
     * and a serial. Deterministic, unique within the run. */
    if (!node->queue_prefix_known) {
        node->queue_prefix = (guint32)sim_fnv1a64(node->name) & 0xfffff;
        node->queue_prefix_known = TRUE;
    }
    char buf[5 + 16 + 1];
    gsize n = node_put_hex(buf, node->queue_prefix);
    n += node_put_hex(buf + n, (guint64)++node->queue_serial);
    return g_strndup(buf, n);
}

const char *
node_uint_str(guint v, char buf[NODE_UINT_STR_MAX])
{
    char *p = buf + NODE_UINT_STR_MAX - 1;
    *p = '\0';
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    return p;
}

const char *
node_ip(const Node *node)
{
    return node->spec->ips && node->spec->ips[0] ? node->spec->ips[0] : "0.0.0.0";
}
