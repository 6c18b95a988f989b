/* SPDX-License-Identifier: MIT
 * ms_node_private: the store's data, shared by ms_node.c (delivery, POP3)
 * and ms_archive.c (journal and backup copies). Not for app/.
 */
#ifndef NODES_MS_NODE_PRIVATE_H
#define NODES_MS_NODE_PRIVATE_H

#include <glib.h>

#include "nodes/ms_node.h"
#include "nodes/queue.h"
#include "proto/smtp_server.h"

typedef struct {
    GHashTable *mailboxes; /* lower-case address -> GPtrArray of MsMessage* */
    GHashTable *locked;    /* lower-case addresses of maildrops in a POP3 session */
    SmtpServerConfig cfg;
    guint64 uid_serial;
    GPtrArray *backup;    /* MsMessage*, nullable: the backup copies (ms_archive.c) */
    Queue *journal_queue; /* nullable: journal copies for another store (ms_archive.c) */
} MsNode;

void ms_message_free(MsMessage *m);
/* A new stored copy with a fresh unique-id (transfer full); ref says
 * where its bytes are in the run's spool. */
MsMessage *ms_message_new(Node *node, const char *qid, const char *msg_id,
                          const MailSpoolRef *ref, CopyKind kind);
/* Keeps the copies nobody asked for: one in the journal mailbox per
 * delivery (journal; sent over SMTP when the mailbox is on another
 * store) and one backup per mailbox copy (backup). rcpts are the
 * mailboxes just delivered to; copy is what they got, stored at ref in
 * the spool. A journal copy the spool refuses is traced (store.error). */
void ms_archive_deliver(Node *node, const char *qid, const char *msg_id, const char *mail_from,
                        char *const *rcpts, GBytes *copy, const MailSpoolRef *ref);
/* Traces that the spool refused a copy of msg_id (nullable). */
void ms_node_trace_spool_error(Node *node, const char *msg_id, const GError *error);
/* Creates the journal mailbox and the backup at start. */
void ms_archive_start(Node *node);

#endif
