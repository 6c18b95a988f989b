/* SPDX-License-Identifier: MIT
 * node_fault: crash and full-disk faults (node_fault.h; world.c does links). A crash
 * kills the node's connections in the simulator (sim_host_crash), marks
 * the node down so that its queue stops trying, and a restart lets the
 * role pick up what its disk still holds (NodeClass.restart). A full disk
 * is answered the way Postfix does when the queue file system is short of
 * space: "452 4.3.1 Insufficient system storage" at MAIL (RFC 5321 4.2.3
 * code 452, RFC 3463 4.3.1 "mail system full"), a temporary refusal that
 * the client retries later.
 */
#include "nodes/node_fault.h"

#include "nodes/world_private.h"

static void
node_fault_crash(World *w, Node *n, gboolean crash)
{
    if (n->down == crash)
        return; /* crashing a crashed node (or restarting a running one) does nothing */
    guint killed = 0;
    n->down = crash;
    if (crash)
        killed = sim_host_crash(n->host);
    else
        sim_host_restart(n->host);
    SimTraceRec *r = world_trace(w, "fault", n->name);
    sim_trace_str(r, "state", crash ? "crash" : "restart");
    if (crash)
        sim_trace_int(r, "sessions", killed);
    sim_trace_end(r);
    if (!crash && n->klass->restart != NULL)
        n->klass->restart(n);
}

static void
node_fault_disk(World *w, Node *n, gboolean full)
{
    n->disk_full = full;
    SimTraceRec *r = world_trace(w, "fault", n->name);
    sim_trace_str(r, "state", full ? "disk_full" : "disk_ok");
    sim_trace_end(r);
}

void
node_fault_apply(World *w, const FaultSpec *f)
{
    Node *n = world_node(w, f->node);
    g_return_if_fail(n != NULL);
    if (f->has_crash)
        node_fault_crash(w, n, f->crash);
    if (f->has_disk_full)
        node_fault_disk(w, n, f->disk_full);
}

SmtpReply *
node_fault_storage_reply(Node *node)
{
    if (!node->disk_full)
        return NULL;
    /* RFC 5321 4.2.3: 452 Requested action not taken: insufficient
     * system storage; RFC 3463 4.3.1: mail system full. */
    return smtp_reply_new(452, "4.3.1", "Insufficient system storage");
}

gboolean
node_fault_role_ok(const FaultSpec *f, SpecRole role)
{
    gboolean store = role == SPEC_ROLE_MSA || role == SPEC_ROLE_MTA || role == SPEC_ROLE_MS;
    if (f->has_crash && !(store || role == SPEC_ROLE_DNS))
        return FALSE;
    if (f->has_disk_full && !store)
        return FALSE;
    return TRUE;
}
