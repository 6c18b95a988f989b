/* SPDX-License-Identifier: MIT
 * node: what every simulated host of the MHS has in common (DESIGN 4): a
 * name, a role, its simulator host, the world it lives in, its random
 * stream, and a plain-C vtable per role (STYLE 9). Roles: mua, msa, mta,
 * ms, dns. Nodes never parse wire bytes: engines in proto/ do.
 */
#ifndef NODES_NODE_H
#define NODES_NODE_H

#include <glib.h>

#include "nodes/world_spec.h"
#include "sim/net.h"
#include "sim/world.h"

typedef struct World World;
typedef struct Node Node;

typedef struct {
    const char *kind;                  /* "mua", "mta", ... */
    void (*start)(Node *node);         /* listen, schedule: called once before the run */
    void (*finish)(Node *node);        /* the run ended: report what is still queued */
    void (*free)(Node *node);          /* frees the role's data (node->priv) */
    void (*restart)(Node *node);       /* nullable: back up after a crash (node_fault.h) */
} NodeClass;

struct Node {
    const NodeClass *klass;
    World *world;
    const NodeSpec *spec; /* borrowed from the world's spec */
    char *name;
    char *hostname;       /* the name it uses in greetings and Received */
    SimHost *host;
    GRand *rng;           /* read it with node_rng(): made on first use */
    guint64 queue_serial; /* for queue ids */
    guint32 queue_prefix; /* for queue ids: from the name's hash, found once */
    gboolean queue_prefix_known; /* queue_prefix is set */
    gpointer priv;        /* role data */
    gboolean down;        /* crashed (node_fault.h): no sessions, the queue waits */
    gboolean disk_full;   /* refuses new mail with 452 4.3.1 (node_fault.h) */
};

/* This node's random stream (borrowed from the SimWorld, named by the
 * node), made on first use: a stream's draws depend only on its name and
 * the seed, and a GRand holds 2.5 KB, so nodes that never draw (most mail
 * clients of a campus) keep none. */
GRand *node_rng(Node *node);

/* Allocates a node of class klass for spec; the role constructor fills priv. */
Node *node_new(World *world, const NodeClass *klass, const NodeSpec *spec);
void node_free(Node *node);

/* A new queue id for this node: deterministic, unique in the run (transfer full). */
char *node_new_queue_id(Node *node);
/* v in decimal, as printf's "%u" writes it, in buf (returned). For keys
 * and names made once per message, without printf. */
#define NODE_UINT_STR_MAX 11
const char *node_uint_str(guint v, char buf[NODE_UINT_STR_MAX]);
/* The node's first IPv4 address as text. */
const char *node_ip(const Node *node);

/* Role constructors (one file each). */
Node *mua_node_new(World *world, const NodeSpec *spec);
Node *relay_node_new(World *world, const NodeSpec *spec); /* msa and mta */
Node *ms_node_new(World *world, const NodeSpec *spec);
Node *dns_node_new(World *world, const NodeSpec *spec);
Node *eavesdropper_node_new(World *world, const NodeSpec *spec);
Node *spammer_node_new(World *world, const NodeSpec *spec);
Node *mitm_node_new(World *world, const NodeSpec *spec);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Node, node_free)

#endif
