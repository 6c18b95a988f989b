/* SPDX-License-Identifier: MIT
 * spammer_node: a host that only sends: it runs no server and answers
 * nothing. Scenario events (relay_test, raw_send) use it as the client:
 * relay probing, direct-to-MX spam, SMTP smuggling. Its mail software is
 * whatever the event writes, byte for byte (nodes/raw_send.c).
 */
#include "nodes/node.h"

static const NodeClass spammer_node_class = {
    .kind = "spammer",
};

Node *
spammer_node_new(World *world, const NodeSpec *spec)
{
    return node_new(world, &spammer_node_class, spec);
}
