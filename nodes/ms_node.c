/* SPDX-License-Identifier: MIT
 * ms_node: final delivery. RFC 5321 4.4: the delivering host adds
 * Return-Path with the reverse path; RFC 5321 4.2.2 / Postfix: unknown
 * users are refused at RCPT with 550 5.1.1.
 */
#include "nodes/ms_node.h"

#include <string.h>

#include "nodes/smtp_session.h"
#include "nodes/world_private.h"
#include "proto/message.h"
#include "proto/received.h"

typedef struct {
    GHashTable *mailboxes; /* lower-case address -> GPtrArray of MsMessage* */
    SmtpServerConfig cfg;
    guint64 uid_serial;
} MsNode;

static void
ms_message_free(MsMessage *m)
{
    g_free(m->uid);
    g_free(m->msg_id);
    g_bytes_unref(m->bytes);
    g_free(m);
}

static MsNode *
ms_node_priv(Node *node)
{
    return node->priv;
}

GPtrArray *
ms_node_mailbox(Node *ms, const char *address)
{
    g_autofree char *key = g_ascii_strdown(address, -1);
    return g_hash_table_lookup(ms_node_priv(ms)->mailboxes, key);
}

gboolean
ms_node_has_mailbox(Node *ms, const char *address)
{
    return ms_node_mailbox(ms, address) != NULL;
}

char **
ms_node_mailbox_names(Node *ms)
{
    guint n = 0;
    gpointer *keys = g_hash_table_get_keys_as_array(ms_node_priv(ms)->mailboxes, &n);
    char **out = g_new0(char *, n + 1);
    for (guint i = 0; i < n; i++)
        out[i] = g_strdup(keys[i]);
    g_free(keys);
    qsort(out, n, sizeof(char *), (int (*)(const void *, const void *))g_strcmp0);
    return out;
}

static void
ms_node_deliver(Node *node, SmtpServerSession *ss, const SmtpServerQuery *q)
{
    World *w = node->world;
    MsNode *ms = ms_node_priv(node);
    SimTime now = sim_world_now(w->sim);
    g_autofree char *qid = node_new_queue_id(node);
    const char *tag = tracker_conn_tag(w->tracker, smtp_server_session_conn_id(ss));
    TrackMsg *m = tag ? tracker_find(w->tracker, tag) : NULL;
    g_autofree char *own_id = NULL;
    if (m == NULL) {
        own_id = tracker_derive_id(w->tracker, node->name, qid);
        m = tracker_add(w->tracker, own_id, "mail", now);
        m->envelope_from = g_strdup(q->mail_from);
        m->original = g_bytes_ref(q->message);
    }
    g_autoptr(MailMessage) msg = mail_message_parse_bytes(q->message, NULL);
    MailReceivedInfo ri = {
        .helo = smtp_server_session_helo(ss),
        .client_name = smtp_server_session_client_node(ss),
        .client_ip = smtp_server_session_client_ip(ss),
        .by = node->hostname,
        .is_esmtp = smtp_server_session_is_esmtp(ss),
        .is_tls = q->is_tls,
        .is_auth = q->is_authenticated,
        .id = qid,
        .for_rcpt = q->rcpts && q->rcpts[0] && !q->rcpts[1] ? q->rcpts[0] : NULL,
        .time_unix = world_unix_now(w),
    };
    g_autofree char *received = mail_received_build(&ri);
    mail_message_prepend(msg, "Received", received);
    g_autofree char *rp = g_strdup_printf("<%s>", q->mail_from);
    mail_message_prepend(msg, "Return-Path", rp);
    g_autoptr(GBytes) copy = mail_message_serialize(msg);
    track_msg_add_hop(m, node->name, now, "deliver", "mailbox", (const char *const *)q->rcpts, qid)
        ->t_out = now;
    for (char **p = q->rcpts; p && *p; p++) {
        GPtrArray *box = ms_node_mailbox(node, *p);
        g_assert(box != NULL); /* RCPT checked it */
        MsMessage *mm = g_new0(MsMessage, 1);
        mm->uid = g_strdup_printf("%s.%" G_GUINT64_FORMAT, qid, ++ms->uid_serial);
        mm->msg_id = g_strdup(m->id);
        mm->bytes = g_bytes_ref(copy);
        g_ptr_array_add(box, mm);
        track_msg_set_status(m, *p, TRACK_STATUS_DELIVERED, 250, "delivered to mailbox",
                             node->name, now);
        world_note_copy(w, m->id, *p, copy);
        w->delivered++;
        SimTraceRec *tr = world_trace(w, "msg.deliver", node->name);
        sim_trace_str(tr, "msg", m->id);
        sim_trace_str(tr, "qid", qid);
        sim_trace_str(tr, "rcpt", *p);
        sim_trace_int(tr, "size", (gint64)g_bytes_get_size(copy));
        sim_trace_end(tr);
    }
    g_autoptr(SmtpReply) ok = smtp_reply_new(250, "2.0.0", "Ok: delivered as %s", qid);
    smtp_server_session_answer(ss, ok);
}

static void
ms_node_on_query(SmtpServerSession *ss, const SmtpServerQuery *q, gpointer user_data)
{
    Node *node = user_data;
    if (q->kind == SMTP_SERVER_QUERY_RCPT && !ms_node_has_mailbox(node, q->addr)) {
        /* Postfix: "User unknown in local recipient table". */
        g_autoptr(SmtpReply) r = smtp_reply_new(
            550, "5.1.1", "<%s>: Recipient address rejected: User unknown in local recipient table",
            q->addr);
        SimTraceRec *tr = world_trace(node->world, "msg.reject", node->name);
        sim_trace_str(tr, "rcpt", q->addr);
        sim_trace_int(tr, "code", 550);
        sim_trace_str(tr, "reason", "user unknown");
        sim_trace_end(tr);
        smtp_server_session_answer(ss, r);
        return;
    }
    if (q->kind == SMTP_SERVER_QUERY_DATA) {
        ms_node_deliver(node, ss, q);
        return;
    }
    smtp_server_session_answer(ss, NULL);
}

static const SmtpServerPolicy ms_node_policy = {
    .on_query = ms_node_on_query,
};

static void
ms_node_accept(SimListener *l, SimStream *s, gpointer user_data)
{
    Node *node = user_data;
    smtp_server_session_new(node, s, &ms_node_priv(node)->cfg, &ms_node_policy, node);
}

static void
ms_node_start(Node *node)
{
    const WorldSpec *spec = node->world->spec;
    MsNode *ms = ms_node_priv(node);
    for (guint i = 0; i < spec->users->len; i++) {
        const UserSpec *u = spec->users->pdata[i];
        if (g_strcmp0(world_spec_mailbox_node(spec, u->address), node->name) != 0)
            continue;
        g_hash_table_insert(ms->mailboxes, g_ascii_strdown(u->address, -1),
                            g_ptr_array_new_with_free_func((GDestroyNotify)ms_message_free));
    }
    /* A mua's user has a mailbox on the store the mua reads. */
    for (guint i = 0; i < spec->nodes->len; i++) {
        const NodeSpec *n = spec->nodes->pdata[i];
        if (n->role != SPEC_ROLE_MUA || n->user == NULL || g_strcmp0(n->ms, node->name) != 0)
            continue;
        g_autofree char *key = g_ascii_strdown(n->user, -1);
        if (!g_hash_table_contains(ms->mailboxes, key))
            g_hash_table_insert(ms->mailboxes, g_steal_pointer(&key),
                                g_ptr_array_new_with_free_func((GDestroyNotify)ms_message_free));
    }
    guint16 port = node->spec->smtp_port ? node->spec->smtp_port : 25;
    sim_net_listen(node->world->net, node->host, port, ms_node_accept, node, NULL);
}

static void
ms_node_free(Node *node)
{
    MsNode *ms = ms_node_priv(node);
    g_hash_table_unref(ms->mailboxes);
    g_free(ms);
}

static const NodeClass ms_node_class = {
    .kind = "ms",
    .start = ms_node_start,
    .free = ms_node_free,
};

Node *
ms_node_new(World *world, const NodeSpec *spec)
{
    Node *node = node_new(world, &ms_node_class, spec);
    MsNode *ms = g_new0(MsNode, 1);
    ms->mailboxes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify)g_ptr_array_unref);
    ms->cfg.hostname = node->hostname;
    ms->cfg.max_rcpts = spec->max_recipients;
    ms->cfg.max_size = spec->max_message_size;
    node->priv = ms;
    return node;
}
