/* SPDX-License-Identifier: MIT
 * node_fault: the faults of a scenario's `fault` events. A link goes down
 * or up; a node crashes and restarts (its disk, the queue and the
 * mailboxes, survives; every session it had in flight dies, and a crashed
 * dns node makes every lookup time out); a node's disk fills up, and it
 * refuses new mail with 452 4.3.1 (RFC 5321 4.2.3, RFC 3463 4.3.1) until
 * the disk is freed. Each fault is traced as a `fault` record.
 */
#ifndef NODES_NODE_FAULT_H
#define NODES_NODE_FAULT_H

#include <glib.h>

#include "nodes/node.h"
#include "proto/smtp_reply.h"

/* Applies a node fault event now (f->node set; links are world.c's). */
void node_fault_apply(World *w, const FaultSpec *f);

/* The refusal a node with a full disk gives to MAIL (transfer full), or
 * NULL when it has room. */
SmtpReply *node_fault_storage_reply(Node *node);

/* TRUE if a fault of this kind may hit a node of this role: crash for
 * msa, mta, ms and dns; disk_full for msa, mta and ms. */
gboolean node_fault_role_ok(const FaultSpec *f, SpecRole role);

#endif
