/* SPDX-License-Identifier: MIT
 * queue_dsn: the reports a queue entry owes (RFC 3464 format): a bounce
 * for failed recipients, sent to the reverse path and never to <> (RFC
 * 5321 6.1); "delivered"/"relayed" reports and "delayed" warnings as the
 * recipients' NOTIFY asks (RFC 3461 4.1, 5.2.2, 6.2); a report not sent is
 * traced as dsn.suppressed.
 */
#include "nodes/queue_private.h"

#include <string.h>

#include "nodes/world_private.h"
#include "proto/dsn.h"
#include "proto/message_id.h"

/* dsn.suppressed: a report that is not sent, and why. */
static void
queue_trace_suppressed(QueueEntry *e, const char *rcpt, const char *action, const char *reason)
{
    Node *node = e->queue->node;
    SimTraceRec *tr = world_trace(node->world, "dsn.suppressed", node->name);
    sim_trace_str(tr, "msg", e->msg_id);
    if (rcpt)
        sim_trace_str(tr, "rcpt", rcpt);
    if (action)
        sim_trace_str(tr, "action", action);
    sim_trace_str(tr, "reason", reason);
    sim_trace_end(tr);
}

/* RFC 3461 4.1: does the recipient's NOTIFY ask for a report of action?
 * Absent NOTIFY means FAILURE,DELAY (the MTA's default, as Postfix's). */
static gboolean
queue_rcpt_wants(const QueueRcpt *r, const char *action)
{
    guint n = r->notify ? r->notify : SMTP_DSN_NOTIFY_FAILURE | SMTP_DSN_NOTIFY_DELAY;
    if (strcmp(action, "failed") == 0)
        return (n & SMTP_DSN_NOTIFY_FAILURE) != 0;
    if (strcmp(action, "delayed") == 0)
        return (n & SMTP_DSN_NOTIFY_DELAY) != 0;
    return (n & SMTP_DSN_NOTIFY_SUCCESS) != 0; /* delivered, relayed */
}

/* TRUE when r is owed a report of action (failed or delayed); else the
 * report r's NOTIFY turned down (NEVER, or a list without it: RFC 3461
 * 4.1) is traced as dsn.suppressed. */
static gboolean
queue_rcpt_owed(QueueEntry *e, const QueueRcpt *r, const char *action)
{
    if (queue_rcpt_wants(r, action))
        return TRUE;
    g_autofree char *n = smtp_dsn_notify_format(r->notify);
    g_autofree char *why = g_strdup_printf("NOTIFY=%s (RFC 3461 4.1)", n);
    queue_trace_suppressed(e, r->address, action, why);
    return FALSE;
}

/* Tracks, traces and queues a report written by queue_report(). */
static void
queue_report_send(QueueEntry *e, GPtrArray *rcpts, const char *first, const char *qid,
                  const char *mid, const char *from, GBytes *dsn)
{
    Queue *q = e->queue;
    Node *node = q->node;
    World *w = node->world;
    SimTime now = sim_world_now(w->sim);
    gboolean failed = g_strcmp0(first, "failed") == 0;
    g_autofree char *suffix = failed ? g_strdup("dsn") : g_strdup_printf("dsn-%s", first);
    g_autofree char *dsn_id = tracker_derive_id(w->tracker, e->msg_id, suffix);
    /* Kind "dsn" is a bounce; the other reports are "report". */
    TrackMsg *dm = tracker_add(w->tracker, dsn_id, failed ? "dsn" : "report", now);
    dm->parent = g_strdup(e->msg_id);
    dm->from = g_strdup(from);
    dm->envelope_from = g_strdup("");
    dm->subject = g_strdup(failed ? "Undelivered Mail Returned to Sender" : "Mail Delivery Report");
    dm->message_id = g_strdup(mid);
    dm->original = g_bytes_ref(dsn);
    const char *to[] = {e->mail_from, NULL};
    track_msg_rcpt(dm, e->mail_from);
    track_msg_add_hop(dm, node->name, now, failed ? "bounce" : "report", "DSN (RFC 3464)", to, qid);
    SimTraceRec *tr = world_trace(w, "msg.dsn", node->name);
    sim_trace_str(tr, "msg", dsn_id);
    sim_trace_str(tr, "about", e->msg_id);
    sim_trace_str(tr, "to", e->mail_from);
    sim_trace_str(tr, "action", first);
    g_autoptr(GString) list = g_string_new(NULL);
    for (guint i = 0; i < rcpts->len; i++)
        g_string_append_printf(list, "%s%s", i ? "," : "", ((QueueRcpt *)rcpts->pdata[i])->address);
    sim_trace_str(tr, "rcpts", list->str);
    if (e->envid)
        sim_trace_str(tr, "envid", e->envid);
    sim_trace_end(tr);
    queue_submit(q, dsn_id, qid, "", to, dsn);
}

/* Writes one report (RFC 3464) about rcpts (QueueRcpt*) to the reverse path
 * and queues it; each recipient's action is action, or its own success
 * action when action is NULL. */
static void
queue_report(QueueEntry *e, GPtrArray *rcpts, const char *action)
{
    Node *node = e->queue->node;
    World *w = node->world;
    const char *first = action ? action : ((QueueRcpt *)rcpts->pdata[0])->success;
    if (e->mail_from[0] == '\0') {
        /* RFC 5321 6.1: never bounce a bounce (null reverse path). */
        queue_trace_suppressed(e, NULL, first, "null reverse path");
        return;
    }
    DsnRecipient *rc = g_new0(DsnRecipient, rcpts->len);
    for (guint i = 0; i < rcpts->len; i++) {
        QueueRcpt *r = rcpts->pdata[i];
        rc[i].address = r->address;
        rc[i].action = action ? action : r->success;
        gboolean failed = g_strcmp0(rc[i].action, "failed") == 0;
        gboolean delayed = g_strcmp0(rc[i].action, "delayed") == 0;
        rc[i].status = failed    ? (r->last_status[0] ? r->last_status : "5.0.0")
                       : delayed ? (r->last_status[0] == '4' ? r->last_status : "4.0.0")
                                 : "2.0.0";
        rc[i].remote_mta = r->remote;
        rc[i].diagnostic = r->last_reply;
        rc[i].original_recipient = r->orcpt[0] ? r->orcpt : NULL;
    }
    g_autofree char *qid = node_new_queue_id(node);
    g_autofree char *mid = mail_message_id_make(qid, node->hostname);
    g_autofree char *from = g_strdup_printf("MAILER-DAEMON@%s", node->hostname);
    g_autofree char *boundary = g_strdup_printf("%s/%s", qid, node->hostname);
    DsnInfo info = {
        .reporting_mta = node->hostname,
        .from = from,
        .to = e->mail_from,
        .message_id = mid,
        .boundary = boundary,
        .date_unix = world_unix_now(w),
        .arrival_unix = e->arrived_unix,
        .original_envelope_id = e->qid,
        .rcpts = rc,
        .n_rcpts = rcpts->len,
        .original = e->data,
        .envid = e->envid,
        /* RFC 3461 4.3: RET=FULL returns the message with a failure report
         * only; other reports carry the header section. */
        .return_full = e->ret == SMTP_DSN_RET_FULL && g_strcmp0(first, "failed") == 0,
    };
    g_autoptr(GBytes) dsn = dsn_build(&info);
    g_free(rc);
    queue_report_send(e, rcpts, first, qid, mid, from, dsn);
}

void
queue_bounce(QueueEntry *e, GPtrArray *failed)
{
    Queue *q = e->queue;
    Node *node = q->node;
    World *w = node->world;
    SimTime now = sim_world_now(w->sim);
    TrackMsg *m = tracker_find(w->tracker, e->msg_id);
    g_autoptr(GPtrArray) wanted = g_ptr_array_new();
    for (guint i = 0; i < failed->len; i++) {
        QueueRcpt *r = failed->pdata[i];
        if (m)
            track_msg_set_status(m, r->address, TRACK_STATUS_BOUNCED, r->last_code, r->last_reply,
                                 node->name, now);
        SimTraceRec *tr = world_trace(w, "msg.bounce", node->name);
        sim_trace_str(tr, "msg", e->msg_id);
        sim_trace_str(tr, "qid", e->qid);
        sim_trace_str(tr, "rcpt", r->address);
        sim_trace_str(tr, "status", r->last_status);
        sim_trace_str(tr, "reason", r->last_reply);
        sim_trace_end(tr);
        if (queue_rcpt_owed(e, r, "failed"))
            g_ptr_array_add(wanted, r);
    }
    if (wanted->len > 0)
        queue_report(e, wanted, "failed");
}

void
queue_report_success(QueueEntry *e)
{
    g_autoptr(GPtrArray) done = NULL; /* most attempts owe no report */
    for (guint i = 0; i < e->rcpts->len; i++) {
        QueueRcpt *r = e->rcpts->pdata[i];
        if (r->success == NULL || !queue_rcpt_wants(r, r->success))
            continue;
        if (done == NULL)
            done = g_ptr_array_new();
        g_ptr_array_add(done, r);
    }
    if (done != NULL)
        queue_report(e, done, NULL);
    for (guint i = 0; i < e->rcpts->len; i++)
        ((QueueRcpt *)e->rcpts->pdata[i])->success = NULL;
}

void
queue_delay_event(SimWorld *sim, gpointer data)
{
    QueueEntry *e = data;
    e->delay_ev = 0;
    g_autoptr(GPtrArray) late = g_ptr_array_new();
    for (guint i = 0; i < e->rcpts->len; i++) {
        QueueRcpt *r = e->rcpts->pdata[i];
        if (r->state != QUEUE_RCPT_PENDING)
            continue;
        if (queue_rcpt_owed(e, r, "delayed"))
            g_ptr_array_add(late, r);
    }
    if (late->len > 0)
        queue_report(e, late, "delayed");
}
