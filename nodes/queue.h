/* SPDX-License-Identifier: MIT
 * queue: the outgoing mail queue of an MSA or MTA (DESIGN 4). A message is
 * durable once queued (the node answers 250 only after queue_submit()).
 * Each recipient is routed: to the store of a local domain, to a
 * relayhost, or by MX (RFC 5321 5.1: preference order, the next MX when a
 * host cannot be reached, the domain's A record when there is no MX).
 * Temporary failures are retried with exponential backoff; permanent
 * failures and expired messages are bounced with a DSN (RFC 3464) to the
 * reverse path, never to the null path (RFC 5321 6.1). DSN requests (RFC
 * 3461) are honoured: NOTIFY=SUCCESS gets a "delivered" report when this
 * node hands the message to its store, a "relayed" one when the next hop
 * does not take DSN parameters (which are otherwise passed on); NOTIFY
 * without FAILURE (NEVER) suppresses the failure report; DELAY (or no
 * NOTIFY) gets one "delayed" report once the message has waited the node's
 * delay_warning.
 */
#ifndef NODES_QUEUE_H
#define NODES_QUEUE_H

#include <glib.h>

#include "nodes/node.h"
#include "proto/smtp_dsn.h"

typedef struct Queue Queue;

Queue *queue_new(Node *node);
void queue_free(Queue *q);

/* Takes a message (data: a reference is taken). rcpts are copied. msg_id is
 * the tracker's id. Delivery starts at once (in a later event). */
void queue_submit(Queue *q, const char *msg_id, const char *queue_id, const char *mail_from,
                  const char *const *rcpts, GBytes *data);
/* A DSN request (RFC 3461 4) that came with the message. Zero: none. */
typedef struct {
    SmtpDsnRet ret;
    const char *envid;        /* nullable */
    const guint *notify;      /* nullable: parallel to rcpts, SmtpDsnNotify bits, 0 absent */
    const char *const *orcpt; /* nullable: parallel, "type;address" or "" */
} QueueDsn;

/* queue_submit() with the DSN request of the message (dsn nullable). */
void queue_submit_dsn(Queue *q, const char *msg_id, const char *queue_id, const char *mail_from,
                      const char *const *rcpts, GBytes *data, const QueueDsn *dsn);
/* Marks every recipient still queued in the tracker (end of run). */
void queue_finish(Queue *q);
guint queue_length(const Queue *q);

#endif
