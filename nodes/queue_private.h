/* SPDX-License-Identifier: MIT
 * queue_private: the queue's entries and recipients, shared by
 * nodes/queue.c (routing, attempts, retries) and nodes/queue_dsn.c (the
 * reports a settled or late entry owes).
 */
#ifndef NODES_QUEUE_PRIVATE_H
#define NODES_QUEUE_PRIVATE_H

#include <glib.h>

#include "nodes/queue.h"
#include "nodes/queue_pool.h"
#include "proto/smtp_dsn.h"
#include "sim/world.h"

typedef enum {
    QUEUE_RCPT_PENDING = 0,
    QUEUE_RCPT_SENT,
    QUEUE_RCPT_FAILED,
} QueueRcptState;

/* address and orcpt live in the same allocation, after the struct. */
typedef struct {
    char *address;
    QueueRcptState state;
    char *last_reply;   /* nullable: the last reply or reason */
    char last_status[16]; /* enhanced status for a DSN, "" when none (in the struct:
                             set at every attempt) */
    char *remote;       /* nullable: the host that answered last */
    guint last_code;
    gboolean in_flight;
    guint notify;        /* RFC 3461 NOTIFY bits, 0 absent */
    char *orcpt;         /* "type;address" or "" */
    const char *success; /* "delivered"/"relayed" report owed (RFC 3461 5.2.2), or NULL */
} QueueRcpt;

typedef struct QueueEntry QueueEntry;
struct QueueEntry {
    Queue *queue;
    char *qid; /* qid, msg_id and mail_from live after the struct, in its allocation */
    char *msg_id;
    char *mail_from;
    GPtrArray *rcpts;   /* QueueRcpt* */
    GBytes *data;
    SimTime arrived;
    gint64 arrived_unix;
    guint attempts;
    guint groups_open;  /* deliveries of this attempt still running */
    GPtrArray *deliveries; /* QueueDelivery* owned: those running (freed with the entry) */
    SimEventId retry_ev;
    SmtpDsnRet ret;      /* RFC 3461 RET */
    char *envid;         /* nullable: RFC 3461 ENVID */
    SimEventId delay_ev; /* the delay_warning check */
};

struct Queue {
    Node *node;
    GPtrArray *entries; /* QueueEntry* owned, arrival order */
    QueuePool pool;     /* spare arrays for entries and deliveries */
};

/* queue_dsn.c. Bounces failed (QueueRcpt*, FAILED): tracked as bounced,
 * and one failure report (RFC 3464) for those whose NOTIFY asks for it. */
void queue_bounce(QueueEntry *e, GPtrArray *failed);
/* RFC 3461 5.2.2 / 6.2: the success reports owed after an attempt. */
void queue_report_success(QueueEntry *e);
/* The delay_warning event of e (data): one "delayed" report (RFC 3464
 * 2.3.3) for the recipients still queued whose NOTIFY allows it. */
void queue_delay_event(SimWorld *sim, gpointer data);

#endif
