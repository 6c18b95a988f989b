/* SPDX-License-Identifier: MIT
 * spammer_node: a host that only sends: it runs no server and answers
 * nothing. Scenario events use it as the client: `traffic` campaigns
 * (nodes/spam_campaign.c: forged headers, HELO and reverse paths, direct
 * to MX or through a relay), relay probing (`relay_test`) and raw
 * transactions (`raw_send`: SMTP smuggling). Its mail software is whatever
 * the event says. At start it names its role in the trace (`node.info`),
 * so that diagrams do not mistake it for a mail user agent.
 */
#include "nodes/node.h"

#include "nodes/world_private.h"

static void
spammer_node_start(Node *node)
{
    SimTraceRec *tr = world_trace(node->world, "node.info", node->name);
    sim_trace_str(tr, "role", "spammer");
    sim_trace_str(tr, "ip", node_ip(node));
    sim_trace_end(tr);
}

static const NodeClass spammer_node_class = {
    .kind = "spammer",
    .start = spammer_node_start,
};

Node *
spammer_node_new(World *world, const NodeSpec *spec)
{
    return node_new(world, &spammer_node_class, spec);
}
