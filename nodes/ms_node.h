/* SPDX-License-Identifier: MIT
 * ms_node: the message store role: final delivery into mailboxes over SMTP
 * (the last hop from the MX), one mailbox per user, and the copies each
 * mailbox holds. POP3 access plugs in here. The mailboxes keep where each
 * copy is; the bytes are in the run's mail spool, on disk.
 */
#ifndef NODES_MS_NODE_H
#define NODES_MS_NODE_H

#include <glib.h>

#include "nodes/copies.h"
#include "nodes/mail_spool.h"
#include "nodes/node.h"

/* uid and msg_id live in the copy's own block: read them, never free or
 * replace them. */
typedef struct {
    char *uid;          /* unique id in the mailbox (UIDL, RFC 1939 7) */
    char *msg_id;       /* the tracker's id */
    MailSpoolRef spool; /* where the stored copy is in the run's spool (its size: length) */
    gboolean deleted;
    CopyKind kind;        /* MAILBOX, or JOURNAL in the journal mailbox */
    SimTime delivered_at; /* virtual time of delivery */
    gboolean retrieved;   /* sent whole to a client (RETR): "seen" */
} MsMessage;

/* The bytes of a stored copy (transfer full), read from the run's mail
 * spool: every reader of stored mail (POP3, exports, expectations) goes
 * through here. NULL with error when they cannot be read. */
GBytes *ms_node_message_bytes(Node *ms, const MsMessage *m, GError **error);
/* Stores bytes as a new copy in address's mailbox on ms, with the given
 * uid and tracker id, delivered now (no trace, no ledger: for tools and
 * tests that fill a mailbox). The copy (transfer none), or NULL with
 * error when there is no such mailbox or the spool refuses the write. */
MsMessage *ms_node_store(Node *ms, const char *address, const char *uid, const char *msg_id,
                         GBytes *bytes, GError **error);
/* Mailbox of address on this store (transfer none), NULL if none. */
GPtrArray *ms_node_mailbox(Node *ms, const char *address);
/* Messages left (not deleted) in address's mailbox on ms, or -1 when ms
 * is NULL, not a store, or holds no such mailbox. */
gint ms_node_mailbox_count(Node *ms, const char *address);
/* Sorted addresses of every mailbox (transfer full). */
char **ms_node_mailbox_names(Node *ms);
/* The store called name in w, or NULL when there is none. */
Node *ms_node_lookup(World *w, const char *name);
/* TRUE when node is a message store. */
gboolean ms_node_is_store(const Node *node);
/* The backup copies ms keeps (MsMessage*, transfer none), NULL without
 * `backup`. They never leave, whatever the users delete. */
GPtrArray *ms_node_backup(Node *ms);

#endif
