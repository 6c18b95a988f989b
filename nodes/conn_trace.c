/* SPDX-License-Identifier: MIT
 * conn_trace: connection lifecycle records (docs/trace.md, "Connections").
 */
#include "nodes/conn_trace.h"

#include "nodes/world_private.h"

void
conn_trace_open(Node *node, guint64 conn, const char *peer, const char *ip, guint16 port,
                const char *msg_id)
{
    SimTraceRec *r = world_trace(node->world, "conn.open", node->name);
    sim_trace_int(r, "conn", (gint64)conn);
    sim_trace_str(r, "peer", peer);
    sim_trace_str(r, "ip", ip);
    sim_trace_int(r, "port", port);
    if (msg_id)
        sim_trace_str(r, "msg", msg_id);
    sim_trace_end(r);
}

void
conn_trace_accept(Node *node, guint64 conn, const char *peer, const char *ip, guint16 port)
{
    SimTraceRec *r = world_trace(node->world, "conn.accept", node->name);
    sim_trace_int(r, "conn", (gint64)conn);
    sim_trace_str(r, "peer", peer);
    sim_trace_str(r, "ip", ip);
    sim_trace_int(r, "port", port);
    sim_trace_end(r);
}

void
conn_trace_close(Node *node, guint64 conn, const char *side)
{
    SimTraceRec *r = world_trace(node->world, "conn.close", node->name);
    sim_trace_int(r, "conn", (gint64)conn);
    sim_trace_str(r, "side", side);
    sim_trace_end(r);
}

void
conn_trace_fail(Node *node, guint64 conn, const char *peer, const char *why)
{
    SimTraceRec *r = world_trace(node->world, "conn.fail", node->name);
    sim_trace_int(r, "conn", (gint64)conn);
    sim_trace_str(r, "peer", peer);
    sim_trace_str(r, "reason", why);
    sim_trace_end(r);
}
