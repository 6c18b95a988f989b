/* SPDX-License-Identifier: MIT
 * spam_verdict: the end-of-run account of every campaign message, one
 * `spam.verdict` record per recipient, read from the tracker (never from
 * node internals): the verdict (delivered, rejected, bounced, queued), the
 * node where it stopped, the deciding reply code and text, the SMTP stage
 * when the spammer's own session was refused, the path it took, and for a
 * bounce the DSN that went back to the forged envelope sender (RFC 3464;
 * backscatter when that sender is an innocent victim) and where it ended.
 */
#include "nodes/spam_campaign.h"

#include <string.h>

#include "nodes/world_private.h"

const char *
spam_campaign_stop_node(const TrackMsg *m, const TrackRcpt *r)
{
    if (r->status == TRACK_STATUS_DELIVERED && r->mailbox_node)
        return r->mailbox_node;
    if (r->where)
        return r->where;
    /* Still on its way: the last node that held it. */
    for (guint i = m->hops->len; i > 0; i--) {
        const TrackHop *h = m->hops->pdata[i - 1];
        if (h->rcpts == NULL || h->rcpts[0] == NULL ||
            g_strv_contains((const char *const *)h->rcpts, r->address))
            return h->node;
    }
    return NULL;
}

static void
spam_verdict_trace_dsn(SimTraceRec *tr, const TrackMsg *dsn)
{
    if (dsn == NULL || dsn->rcpts->len == 0)
        return;
    const TrackRcpt *dr = dsn->rcpts->pdata[0];
    sim_trace_str(tr, "dsn", dsn->id);
    sim_trace_str(tr, "dsn_to", dr->address);
    sim_trace_str(tr, "dsn_verdict", track_status_name(dr->status));
    const char *where = spam_campaign_stop_node(dsn, dr);
    if (where)
        sim_trace_str(tr, "dsn_node", where);
}

static void
spam_verdict_one(World *w, const TrackMsg *m, const TrackRcpt *r, GHashTable *dsns)
{
    const char *spammer = m->hops->len ? ((const TrackHop *)m->hops->pdata[0])->node : NULL;
    const char *stop = spam_campaign_stop_node(m, r);
    SimTraceRec *tr = world_trace(w, "spam.verdict", stop ? stop : spammer);
    if (tr == NULL)
        return;
    sim_trace_str(tr, "msg", m->id);
    const char *campaign = track_msg_get_note(m, spammer, "campaign");
    if (campaign)
        sim_trace_str(tr, "campaign", campaign);
    if (spammer)
        sim_trace_str(tr, "spammer", spammer);
    sim_trace_str(tr, "rcpt", r->address);
    sim_trace_str(tr, "sender", m->envelope_from ? m->envelope_from : "");
    /* Not yet decided when the run ended: still in some queue. */
    TrackStatus st = r->status == TRACK_STATUS_PENDING ? TRACK_STATUS_QUEUED : r->status;
    sim_trace_str(tr, "verdict", track_status_name(st));
    sim_trace_int(tr, "code", r->code);
    sim_trace_str(tr, "reason", r->reply ? r->reply : "");
    const char *stage = track_msg_get_note(m, spammer, "stage");
    if (stage && st == TRACK_STATUS_REJECTED)
        sim_trace_str(tr, "stage", stage);
    g_auto(GStrv) path = track_msg_path(m, r->address);
    g_autofree char *joined = g_strjoinv(",", path);
    sim_trace_str(tr, "path", joined);
    char buf[SIM_TIME_FORMAT_MAX];
    sim_trace_str(tr, "decided",
                  st == TRACK_STATUS_QUEUED ? "" : sim_time_format(r->at, buf, NULL));
    if (st == TRACK_STATUS_BOUNCED)
        spam_verdict_trace_dsn(tr, g_hash_table_lookup(dsns, m->id));
    sim_trace_end(tr);
}

void
spam_campaign_report(World *w)
{
    const GPtrArray *msgs = tracker_messages(w->tracker);
    /* The first DSN a queue wrote about each message (tracker kind "dsn",
     * parent: the message). */
    g_autoptr(GHashTable) dsns = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < msgs->len; i++) {
        const TrackMsg *d = msgs->pdata[i];
        if (d->parent && g_strcmp0(d->kind, "dsn") == 0 && !g_hash_table_contains(dsns, d->parent))
            g_hash_table_insert(dsns, d->parent, (gpointer)d);
    }
    for (guint i = 0; i < msgs->len; i++) {
        const TrackMsg *m = msgs->pdata[i];
        if (g_strcmp0(m->kind, SPAM_TRACK_KIND) != 0)
            continue;
        for (guint k = 0; k < m->rcpts->len; k++)
            spam_verdict_one(w, m, m->rcpts->pdata[k], dsns);
    }
}
