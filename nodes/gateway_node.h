/* SPDX-License-Identifier: MIT
 * gateway_node: the gateway role, an mta whose outgoing SMTP goes to a
 * real server (its `connect` value, "host:port"). Inside the simulation
 * the real server is a host of the network named after that value, with an
 * address of the benchmarking range 198.18.0.0/15 (RFC 2544), listening on
 * nothing: the real-socket bridge of `mhs serve` (app/) listens on its
 * port 25 and carries each connection to the real server. Under `mhs run`
 * nothing listens there, so connections are refused and the mail is
 * deferred, retried and finally bounced like for any unreachable next hop.
 */
#ifndef NODES_GATEWAY_NODE_H
#define NODES_GATEWAY_NODE_H

#include <glib.h>

#include "nodes/node.h"
#include "sim/net.h"

/* The port the gateway connects to on the real server's stand-in host. */
#define GATEWAY_PEER_PORT 25

/* An mta-like node for a gateway spec (spec->connect set). */
Node *gateway_node_new(World *world, const NodeSpec *spec);
/* Adds the stand-in host of every gateway's real server (once per distinct
 * `connect` value), after every node has its addresses. */
void gateway_nodes_add_peers(World *world);
/* (transfer none, nullable) The stand-in host of gateway node_name's real
 * server; NULL when node_name is not a gateway. */
SimHost *world_gateway_peer(World *world, const char *node_name);

#endif
