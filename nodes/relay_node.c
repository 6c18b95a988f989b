/* SPDX-License-Identifier: MIT
 * relay_node: the msa and mta roles. Both are an SMTP server in front of a
 * queue: the MSA listens on the submission port (RFC 6409) and completes
 * the message (Message-ID, Date: RFC 6409 8.2, 8.3); the MTA listens on 25
 * and applies the relay policy in Postfix's vocabulary: mail for its own
 * domains (local_domains, relay.domains) is accepted from anyone, mail for
 * elsewhere only from trusted networks (reject_unauth_destination: "554
 * 5.7.1 Relay access denied"). Each accepts by prepending a Received field
 * (RFC 5321 4.4) and making the message durable in its queue before 250.
 * Security comes from the node's tls and auth settings: STARTTLS offered
 * or required (RFC 3207), SMTP AUTH offered, required or TLS-only (RFC
 * 4954), and Postfix's reject_sender_login_mismatch for MAIL FROM and the
 * From field (RFC 6409 6.1: the MSA may check the sender is the user's).
 */
#include <string.h>

#include "nodes/dnsbl_gate.h"
#include "nodes/node.h"
#include "nodes/node_fault.h"
#include "nodes/queue.h"
#include "nodes/relay_policy.h"
#include "nodes/sender_auth.h"
#include "nodes/smtp_session.h"
#include "nodes/tamper.h"
#include "nodes/tls_setup.h"
#include "nodes/world_private.h"
#include "proto/address.h"
#include "proto/mail_date.h"
#include "proto/message.h"
#include "proto/message_id.h"
#include "proto/message_scan.h"
#include "proto/received.h"

typedef struct {
    Queue *queue;
    gboolean is_msa;
    SmtpServerConfig cfg;
    RelayPolicy *policy;
    SenderAuth *auth; /* nullable: DKIM signing, SPF/DKIM/DMARC checks */
    DnsblGate *dnsbl; /* nullable: no lists */
} RelayNode;

static RelayNode *
relay_node_priv(Node *node)
{
    return node->priv;
}

/* TRUE when the message has its Date and Message-ID (RFC 6409 8.2, 8.3)
 * and no mbox line for the parser to keep above a new field: the Received
 * field then simply goes in front of its bytes. */
static gboolean
relay_node_is_complete(GBytes *message)
{
    static const char *const needed[] = {"Date", "Message-ID"};
    guint counts[G_N_ELEMENTS(needed)];
    gsize len;
    const guint8 *d = g_bytes_get_data(message, &len);
    if (mail_message_scan_has_unix_from(d, len))
        return FALSE;
    mail_message_scan_count_all(d, len, needed, G_N_ELEMENTS(needed), counts);
    return counts[0] > 0 && counts[1] > 0;
}

/* The message as the next hop will see it: with our Received on top, and
 * for submission the fields the MUA left out. */
static GBytes *
relay_node_stamp(Node *node, SmtpServerSession *ss, const SmtpServerQuery *q, const char *qid)
{
    World *w = node->world;
    RelayNode *rn = relay_node_priv(node);
    gint64 now = world_unix_now(w);
    /* Only the MSA completes the message (RFC 6409 8); a relay adds its
     * trace field in front of the bytes it got, without parsing them, and
     * so does an MSA given a complete message. */
    g_autoptr(MailMessage) msg =
        rn->is_msa && !relay_node_is_complete(q->message) ? mail_message_parse_bytes(q->message, NULL)
                                                          : NULL;
    if (msg != NULL) {
        if (mail_message_get(msg, "Date") == NULL) {
            g_autofree char *date = mail_date_format(now, 0);
            mail_message_append(msg, "Date", date);
        }
        if (mail_message_get(msg, "Message-ID") == NULL) {
            g_autofree char *mid = mail_message_id_make(qid, node->hostname);
            mail_message_append(msg, "Message-ID", mid);
        }
    }
    const char *client_node = smtp_server_session_client_node(ss);
    MailReceivedInfo ri = {
        .helo = smtp_server_session_helo(ss),
        .client_name = client_node,
        .client_ip = smtp_server_session_client_ip(ss),
        .by = node->hostname,
        .is_esmtp = smtp_server_session_is_esmtp(ss),
        .is_tls = q->is_tls,
        .is_auth = q->is_authenticated,
        .id = qid,
        .for_rcpt = q->rcpts && q->rcpts[0] && !q->rcpts[1] ? q->rcpts[0] : NULL,
        .time_unix = now,
    };
    g_autofree char *received = mail_received_build(&ri);
    if (msg == NULL)
        return mail_message_bytes_prepend(q->message, "Received", received);
    mail_message_prepend(msg, "Received", received);
    return mail_message_serialize(msg);
}

static void
relay_node_on_data(Node *node, SmtpServerSession *ss, const SmtpServerQuery *q)
{
    World *w = node->world;
    RelayNode *rn = relay_node_priv(node);
    SimTime now = sim_world_now(w->sim);
    if (node->down || smtp_server_session_is_closed(ss)) {
        /* The client left (or this node crashed) while the checks ran: no
         * 250 can reach it, so nothing is queued; the client still has
         * the message and tries again (RFC 5321 6.1: responsibility is
         * taken with the 250 reply). */
        g_autoptr(SmtpReply) lost = smtp_reply_new(451, "4.3.0", "Local error, try again");
        smtp_server_session_answer(ss, lost);
        return;
    }
    g_autofree char *qid = node_new_queue_id(node);
    const char *tag = tracker_conn_tag(w->tracker, smtp_server_session_conn_id(ss));
    g_autofree char *msg_id = NULL;
    TrackMsg *m = tag ? tracker_find(w->tracker, tag) : NULL;
    /* Another copy of the same message may be here already (one per
     * next-hop group, or a retry after a lost reply): it is still that
     * message, tracked under its id. */
    if (smtp_server_session_count_message(ss) > 0)
        m = NULL; /* a second message on one connection (smuggled): its own */
    if (m == NULL) {
        /* Mail from outside the tracked world: track it from here. */
        msg_id = tracker_derive_id(w->tracker, node->name, qid);
        m = tracker_add(w->tracker, msg_id, "mail", now);
        m->envelope_from = g_strdup(q->mail_from);
        m->original = g_bytes_ref(q->message);
        for (char **p = q->rcpts; p && *p; p++)
            track_msg_rcpt(m, *p);
    }
    g_autoptr(GBytes) stamped =
        sender_auth_sign(rn->auth, m->id, relay_node_stamp(node, ss, q, qid));
    const char *proto = mail_received_protocol(smtp_server_session_is_esmtp(ss), q->is_tls,
                                               q->is_authenticated);
    const char *client = smtp_server_session_client_node(ss);
    if (client == NULL)
        client = smtp_server_session_client_ip(ss);
    if (client == NULL)
        client = "";
    /* "ESMTP from NAME" on the stack (the tracker keeps its own copy). */
    char buf[256];
    g_autofree char *heap = NULL;
    gsize pl = strlen(proto), cl = strlen(client);
    char *detail = pl + 6 + cl < sizeof buf ? buf : (heap = g_malloc(pl + 6 + cl + 1));
    memcpy(detail, proto, pl);
    memcpy(detail + pl, " from ", 6);
    memcpy(detail + pl + 6, client, cl + 1);
    track_msg_add_hop(m, node->name, now, "accept", detail, (const char *const *)q->rcpts, qid)
        ->tls_in = q->is_tls;
    /* Recipients rewritten by a misconfigured address trick go where the
     * trick says (relay_policy_route); no copy of the list without one. */
    g_autoptr(GPtrArray) routed = NULL;
    for (char **r = q->rcpts; r && *r; r++) {
        const char *to = relay_policy_route(rn->policy, ss, *r);
        if (to != NULL && routed == NULL) {
            routed = g_ptr_array_new();
            for (char **k = q->rcpts; k < r; k++)
                g_ptr_array_add(routed, *k);
        }
        if (routed != NULL)
            g_ptr_array_add(routed, (gpointer)(to ? to : *r));
    }
    if (routed != NULL)
        g_ptr_array_add(routed, NULL);
    static const char *const no_rcpts[] = {NULL};
    const char *const *rcpts = routed != NULL  ? (const char *const *)routed->pdata
                               : q->rcpts != NULL ? (const char *const *)q->rcpts
                                                  : no_rcpts;
    stamped = tamper_apply(node, m->id, stamped);
    QueueDsn dsn = {
        .ret = q->dsn_ret,
        .envid = q->dsn_envid,
        .notify = q->rcpt_notify,
        .orcpt = (const char *const *)q->rcpt_orcpt,
    };
    queue_submit_dsn(rn->queue, m->id, qid, q->mail_from, rcpts, stamped, &dsn);
    SimTraceRec *tr = world_trace(w, "msg.accept", node->name);
    sim_trace_str(tr, "msg", m->id);
    sim_trace_str(tr, "qid", qid);
    sim_trace_str(tr, "from", q->mail_from);
    sim_trace_int(tr, "rcpts", q->rcpts ? g_strv_length(q->rcpts) : 0);
    sim_trace_int(tr, "size", (gint64)g_bytes_get_size(stamped));
    sim_trace_str(tr, "proto", proto);
    sim_trace_end(tr);
    /* RFC 5321 4.1.1.4: 250 only once the message is safe (queued). */
    g_autoptr(SmtpReply) ok = smtp_reply_new_text(250, "2.0.0", "Ok: queued as ", qid);
    smtp_server_session_answer(ss, ok);
}

static void
relay_node_trace_reject(Node *node, SmtpServerSession *ss, const char *key, const char *value,
                        const SmtpReply *r)
{
    const char *tag = tracker_conn_tag(node->world->tracker, smtp_server_session_conn_id(ss));
    SimTraceRec *tr = world_trace(node->world, "msg.reject", node->name);
    if (tag)
        sim_trace_str(tr, "msg", tag);
    sim_trace_str(tr, key, value);
    sim_trace_int(tr, "code", r->code);
    sim_trace_str(tr, "reason", smtp_reply_text(r));
    sim_trace_end(tr);
}

/* reject_sender_login_mismatch at MAIL: an authenticated user sends as
 * itself only; an address that belongs to a login needs that login. */
static SmtpReply *
relay_node_check_sender(Node *node, SmtpServerSession *ss, const char *addr)
{
    if (!node->spec->auth.sender_login_match || addr == NULL || addr[0] == '\0')
        return NULL;
    const char *login = smtp_server_session_auth_user(ss);
    if (login == NULL) {
        if (world_spec_find_user(node->world->spec, addr) == NULL)
            return NULL;
        return smtp_reply_new(553, "5.7.1", "<%s>: Sender address rejected: not logged in", addr);
    }
    if (g_ascii_strcasecmp(login, addr) == 0)
        return NULL;
    return smtp_reply_new(553, "5.7.1", "<%s>: Sender address rejected: not owned by user %s", addr,
                          login);
}

/* The first address of the Sender field, or NULL (transfer full). */
static char *
relay_node_sender_address(const MailMessage *msg)
{
    const char *v = msg ? mail_message_get(msg, "Sender") : NULL;
    g_autoptr(GPtrArray) list = v ? mail_address_list_parse(v, NULL) : NULL;
    g_autoptr(GPtrArray) flat = list ? mail_address_list_flatten(list) : NULL;
    return flat && flat->len > 0 ? g_strdup(((MailMailbox *)flat->pdata[0])->addr) : NULL;
}

/* The same rule for the From field at the end of DATA. */
static SmtpReply *
relay_node_check_from(Node *node, SmtpServerSession *ss, const SmtpServerQuery *q)
{
    const char *login = smtp_server_session_auth_user(ss);
    if (!node->spec->auth.sender_login_match || login == NULL)
        return NULL;
    g_autoptr(MailMessage) msg = mail_message_parse_bytes(q->message, NULL);
    /* RFC 5322 3.6.2: a Sender that is the login vouches for the From
     * (a secretary sending for her boss). */
    g_autofree char *sender = relay_node_sender_address(msg);
    if (sender && g_ascii_strcasecmp(sender, login) == 0)
        return NULL;
    const char *from = msg ? mail_message_get(msg, "From") : NULL;
    g_autoptr(GPtrArray) list = from ? mail_address_list_parse(from, NULL) : NULL;
    g_autoptr(GPtrArray) flat = list ? mail_address_list_flatten(list) : NULL;
    for (guint i = 0; flat && i < flat->len; i++) {
        const char *a = ((MailMailbox *)flat->pdata[i])->addr;
        if (g_ascii_strcasecmp(a, login) != 0)
            return smtp_reply_new(553, "5.7.1", "<%s>: From address rejected: not owned by user %s",
                                  a, login);
    }
    if (flat == NULL || flat->len == 0)
        return smtp_reply_new(553, "5.7.1", "From address rejected: none that user %s owns", login);
    return NULL;
}

static void
relay_node_on_query(SmtpServerSession *ss, const SmtpServerQuery *q, gpointer user_data)
{
    Node *node = user_data;
    RelayNode *rn = relay_node_priv(node);
    switch (q->kind) {
    case SMTP_SERVER_QUERY_CONNECT:
        dnsbl_gate_on_connect(rn->dnsbl, ss); /* answers now or after DNS */
        break;
    case SMTP_SERVER_QUERY_MAIL: {
        g_autoptr(SmtpReply) r = node_fault_storage_reply(node);
        if (r == NULL)
            r = relay_node_check_sender(node, ss, q->addr);
        if (r) {
            relay_node_trace_reject(node, ss, "from", q->addr, r);
            smtp_server_session_answer(ss, r);
        } else if (!sender_auth_on_mail(rn->auth, ss, q)) {
            smtp_server_session_answer(ss, NULL);
        }
        break;
    }
    case SMTP_SERVER_QUERY_RCPT: {
        g_autoptr(SmtpReply) r =
            dnsbl_gate_check_rcpt(rn->dnsbl, ss, relay_policy_is_role_account(rn->policy, q));
        if (r == NULL)
            r = relay_policy_check_rcpt(rn->policy, ss, q);
        if (r)
            relay_node_trace_reject(node, ss, "rcpt", q->addr, r);
        smtp_server_session_answer(ss, r);
        break;
    }
    case SMTP_SERVER_QUERY_DATA: {
        g_autoptr(SmtpReply) r = relay_node_check_from(node, ss, q);
        if (r) {
            relay_node_trace_reject(node, ss, "from", q->mail_from, r);
            smtp_server_session_answer(ss, r);
            break;
        }
        r = relay_policy_check_data(rn->policy, q);
        if (r)
            smtp_server_session_answer(ss, r);
        else
            sender_auth_on_data(rn->auth, node, ss, q, relay_node_on_data);
        break;
    }
    default:
        smtp_server_session_answer(ss, NULL);
        break;
    }
}

static void
relay_node_on_end(SmtpServerSession *ss, gpointer user_data)
{
    RelayNode *rn = relay_node_priv(user_data);
    relay_policy_forget(rn->policy, ss);
    dnsbl_gate_forget(rn->dnsbl, ss);
}

static const SmtpServerPolicy relay_node_policy = {
    .on_query = relay_node_on_query,
    .on_end = relay_node_on_end,
};

static void
relay_node_accept(SimListener *l, SimStream *s, gpointer user_data)
{
    Node *node = user_data;
    smtp_server_session_new(node, s, &relay_node_priv(node)->cfg, &relay_node_policy, node);
}

static void
relay_node_start(Node *node)
{
    RelayNode *rn = relay_node_priv(node);
    const NodeSpec *spec = node->spec;
    /* The scenario CA exists now: offer STARTTLS if this node has a certificate. */
    rn->cfg.starttls_offered = world_tls_server_context(node->world, node) != NULL;
    rn->cfg.tls_required = rn->cfg.starttls_offered && spec->tls.server == SPEC_TLS_ENCRYPT;
    rn->cfg.auth_mechs = (const char *const *)spec->auth.mechanisms;
    rn->cfg.auth_requires_tls = spec->auth.tls_only;
    rn->cfg.auth_required = spec->auth.required && spec->auth.mechanisms != NULL;
    guint16 port = rn->is_msa ? node->spec->submission_port : node->spec->smtp_port;
    if (port == 0)
        port = rn->is_msa ? 587 : 25;
    sim_net_listen(node->world->net, node->host, port, relay_node_accept, node, NULL);
}

static void
relay_node_finish(Node *node)
{
    queue_finish(relay_node_priv(node)->queue);
}

/* Back up after a crash: what the queue held on disk is tried again. */
static void
relay_node_restart(Node *node)
{
    queue_resume(relay_node_priv(node)->queue);
}

static void
relay_node_free(Node *node)
{
    RelayNode *rn = relay_node_priv(node);
    queue_free(rn->queue);
    relay_policy_free(rn->policy);
    sender_auth_free(rn->auth);
    dnsbl_gate_free(rn->dnsbl);
    g_free(rn);
}

static const NodeClass relay_node_msa_class = {
    .kind = "msa",
    .start = relay_node_start,
    .finish = relay_node_finish,
    .free = relay_node_free,
    .restart = relay_node_restart,
};

static const NodeClass relay_node_mta_class = {
    .kind = "mta",
    .start = relay_node_start,
    .finish = relay_node_finish,
    .free = relay_node_free,
    .restart = relay_node_restart,
};

Node *
relay_node_new(World *world, const NodeSpec *spec)
{
    gboolean is_msa = spec->role == SPEC_ROLE_MSA;
    Node *node = node_new(world, is_msa ? &relay_node_msa_class : &relay_node_mta_class, spec);
    RelayNode *rn = g_new0(RelayNode, 1);
    rn->is_msa = is_msa;
    rn->queue = queue_new(node);
    rn->policy = relay_policy_new(node);
    rn->cfg.hostname = node->hostname;
    rn->cfg.max_rcpts = spec->max_recipients;
    rn->cfg.max_size = spec->max_message_size;
    rn->cfg.data_end = spec->data_end;
    /* An MTA reads source routes and lets the policy ignore them (RFC 5321
     * 3.6.1, Postfix) or, misconfigured, follow them. */
    rn->cfg.accept_source_routes = !is_msa;
    rn->cfg.dsn_offered = spec->dsn_offered; /* RFC 3461 */
    rn->dnsbl = dnsbl_gate_new(node);
    node->priv = rn;
    rn->auth = sender_auth_new(node);
    return node;
}
