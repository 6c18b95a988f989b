/* SPDX-License-Identifier: MIT
 * mua_node: the user's mail client. It writes the message (RFC 5322 3.6:
 * From, To, Cc, Subject, Date in virtual time, Message-ID; Bcc recipients
 * go in the envelope only, RFC 5322 3.6.3), submits it to its MSA over
 * ESMTP on the submission port (RFC 6409), and answers a message it
 * received with In-Reply-To and References (RFC 5322 3.6.4). Scenario
 * headers are written as given, forged ones included. It fetches its mail
 * from its store over POP3 (RFC 1939): with keep, only unique-ids it has
 * not seen yet (UIDL, section 7) and nothing is deleted; without keep,
 * everything is retrieved and deleted. Fetched copies stay in its inbox.
 */
#include <string.h>

#include "nodes/client_refusal.h"
#include "nodes/copies_private.h"
#include "nodes/mua_inbox.h"
#include "nodes/mua_mdn.h"
#include "nodes/mua_smime.h"
#include "nodes/pop3_session.h"
#include "nodes/smtp_session.h"
#include "nodes/world_private.h"
#include "proto/address.h"
#include "proto/mail_date.h"
#include "proto/message.h"
#include "proto/message_id.h"

typedef struct {
    char *msg_id;
    Node *node;
    gboolean dsn_requested; /* the send event asked for DSN (RFC 3461) */
} MuaSubmit;

typedef struct {
    GHashTable *seen; /* unique-ids already retrieved (UIDL, keep) */
    MuaInbox *inbox;  /* the fetched copies it keeps */
    GHashTable *mdn_answered; /* Message-IDs answered with an MDN */
} MuaNode;

static MuaNode *
mua_node_priv(Node *node)
{
    return node->priv;
}

static const char *
mua_node_domain(Node *node)
{
    const char *user = node->spec->user;
    const char *at = user ? strrchr(user, '@') : NULL;
    return at ? at + 1 : node->hostname;
}

/* The message: head (its fields and the empty line) followed by the body
 * text with every line ending made CRLF, ending in CRLF. Sized first, then
 * copied line by line into one buffer: it runs for every message composed. */
static GBytes *
mua_node_with_body_crlf(GBytes *head, const char *text)
{
    const char *p = text ? text : "";
    gsize len = strlen(p), bare = 0, head_len = 0;
    const guint8 *h = g_bytes_get_data(head, &head_len);
    /* A bare LF gets its CR (RFC 5322 2.3). */
    for (const char *lf = memchr(p, '\n', len); lf != NULL;
         lf = memchr(lf + 1, '\n', len - (gsize)(lf + 1 - p)))
        bare += lf == p || lf[-1] != '\r';
    gboolean add_end = len == 0 || p[len - 1] != '\n';
    gsize out_len = head_len + len + bare + (add_end ? 2 : 0);
    char *out = g_malloc(out_len + 1), *o = out;
    if (head_len > 0) {
        memcpy(o, h, head_len);
        o += head_len;
    }
    const char *line = p;
    for (const char *lf = memchr(p, '\n', len); lf != NULL;
         lf = memchr(lf + 1, '\n', len - (gsize)(lf + 1 - p))) {
        gboolean is_bare = lf == p || lf[-1] != '\r';
        memcpy(o, line, (gsize)(lf - line));
        o += lf - line;
        if (is_bare)
            *o++ = '\r';
        *o++ = '\n';
        line = lf + 1;
    }
    memcpy(o, line, len - (gsize)(line - p));
    o += len - (gsize)(line - p);
    if (add_end) {
        memcpy(o, "\r\n", 2);
        o += 2;
    }
    g_assert((gsize)(o - out) == out_len);
    return g_bytes_new_take(out, out_len);
}

static char *
mua_node_join(char **addrs)
{
    return addrs && addrs[0] ? g_strjoinv(", ", addrs) : NULL;
}

static void
mua_submit_free(gpointer data)
{
    MuaSubmit *sub = data;
    g_free(sub->msg_id);
    g_free(sub);
}

static void
mua_node_on_done(SmtpClientSession *cs, const SmtpClientOutcome *o, gpointer user_data)
{
    MuaSubmit *sub = user_data;
    Node *node = sub->node;
    World *w = node->world;
    SimTime now = sim_world_now(w->sim);
    TrackMsg *m = tracker_find(w->tracker, sub->msg_id);
    TrackHop *h = m ? track_msg_open_hop(m, node->name) : NULL;
    if (h)
        h->t_out = now;
    if (sub->dsn_requested && !o->dsn_offered && !o->connection_failure) {
        /* RFC 3461 4: parameters only go to a server that advertises DSN. */
        SimTraceRec *tr = world_trace(w, "dsn.suppressed", node->name);
        sim_trace_str(tr, "msg", sub->msg_id);
        sim_trace_str(tr, "reason", "the MSA does not advertise DSN: the request was not sent");
        sim_trace_end(tr);
    }
    client_refusal_record(node, m, sub->msg_id, cs, o, NULL, NULL);
    mua_submit_free(sub);
}

/* Submits bytes for the envelope to the MSA and records the first hop. */
static void
mua_node_submit(Node *node, TrackMsg *m, const char *mail_from, char **rcpts, GBytes *bytes,
                const SendSpec *send)
{
    World *w = node->world;
    const NodeSpec *spec = node->spec;
    Node *msa = world_node(w, spec->msa);
    SimTime now = sim_world_now(w->sim);
    track_msg_add_hop(m, node->name, now, "submit", "ESMTP", (const char *const *)rcpts, NULL);
    SimTraceRec *tr = world_trace(w, "msg.submit", node->name);
    sim_trace_str(tr, "msg", m->id);
    sim_trace_str(tr, "from", mail_from);
    sim_trace_int(tr, "rcpts", g_strv_length(rcpts));
    sim_trace_int(tr, "size", (gint64)g_bytes_get_size(bytes));
    sim_trace_str(tr, "msa", spec->msa);
    sim_trace_end(tr);
    MuaSubmit *sub = g_new0(MuaSubmit, 1);
    sub->msg_id = g_strdup(m->id);
    sub->node = node;
    sub->dsn_requested = send && (send->notify || send->ret || send->envid);
    /* RFC 6409 4.3 / RFC 4954: the user's login is the mail address. */
    const AuthSpec *auth = &spec->auth;
    /* RFC 3461: the user's DSN request, the same NOTIFY for every recipient. */
    guint n = g_strv_length(rcpts);
    g_autofree guint *notify = g_new0(guint, n + 1);
    /* RFC 3461 4.2: with a DSN request, ORCPT records each address as the
     * user wrote it, to come back in the reports; none without one. */
    gboolean dsn = send && (send->notify || send->ret || send->envid);
    g_autoptr(GPtrArray) orcpt = dsn ? g_ptr_array_new_with_free_func(g_free) : NULL;
    for (guint i = 0; i < n; i++) {
        notify[i] = send ? send->notify : 0;
        if (orcpt != NULL)
            g_ptr_array_add(orcpt, g_strconcat("rfc822;", rcpts[i], NULL));
    }
    if (orcpt != NULL)
        g_ptr_array_add(orcpt, NULL);
    SmtpClientConfig cfg = {
        .dsn_ret = send ? send->ret : SMTP_DSN_RET_NONE,
        .dsn_envid = send ? send->envid : NULL,
        .rcpt_notify = notify,
        .rcpt_orcpt = orcpt != NULL ? (const char *const *)orcpt->pdata : NULL,
        .helo_name = node->hostname,
        .reverse_path = mail_from,
        .recipients = (const char *const *)rcpts,
        .message = bytes,
        .auth_mech = auth->mechanism,
        .require_auth = auth->mechanism != NULL,
        .force_auth = auth->force,
    };
    guint16 port = msa->spec->submission_port ? msa->spec->submission_port : 587;
    SmtpClientSession *cs = smtp_client_session_start(node, node_ip(msa), port, msa->name, &cfg,
                                                      m->id, mua_node_on_done, sub);
    smtp_client_session_set_drop_notify(cs, mua_submit_free);
    if (auth->mechanism != NULL) {
        const char *password =
            spec->password ? spec->password : world_spec_user_password(w->spec, spec->user);
        smtp_client_session_set_login(cs, spec->user, password);
    }
}

void
mua_node_submit_report(Node *node, const char *id, const char *kind, const char *parent,
                       const char *rcpt, const char *message_id, GBytes *bytes)
{
    World *w = node->world;
    TrackMsg *m = tracker_add(w->tracker, id, kind, sim_world_now(w->sim));
    m->parent = g_strdup(parent);
    m->from = g_strdup(node->spec->user);
    m->envelope_from = g_strdup("");
    m->subject = g_strdup("Disposition notification");
    m->message_id = g_strdup(message_id);
    m->original = g_bytes_ref(bytes);
    track_msg_rcpt(m, rcpt);
    char *rcpts[] = {(char *)rcpt, NULL};
    /* RFC 8098 3: the envelope sender of an MDN is null. */
    mua_node_submit(node, m, "", rcpts, bytes, NULL);
}

typedef struct {
    const char *id;
    const char *kind;
    const char *parent;
    char **to, **cc, **bcc;
    const char *subject;
    const char *body;
    const GPtrArray *headers; /* SpecHeader*, nullable */
    const char *in_reply_to;
    const char *references;
    const char *envelope_from;
    const SendSpec *send; /* nullable: receipts and DSN requests */
    SpecSmimeMode smime;
} MuaCompose;

static void
mua_node_compose_and_submit(Node *node, const MuaCompose *c)
{
    World *w = node->world;
    const char *user = node->spec->user;
    g_autoptr(MailMessage) msg = mail_message_new();
    g_autofree char *date = mail_date_format(world_unix_now(w), 0);
    g_autofree char *qid = node_new_queue_id(node);
    g_autofree char *mid = mail_message_id_make(qid, mua_node_domain(node));
    g_autofree char *to = mua_node_join(c->to);
    g_autofree char *cc = mua_node_join(c->cc);
    /* RFC 5322 3.6.2: Sender names the agent when it is not the author. */
    const char *author = c->send && c->send->on_behalf_of ? c->send->on_behalf_of : user;
    mail_message_append(msg, "From", author);
    if (g_ascii_strcasecmp(author, user) != 0)
        mail_message_append(msg, "Sender", user);
    if (to)
        mail_message_append(msg, "To", to);
    if (cc)
        mail_message_append(msg, "Cc", cc);
    mail_message_append(msg, "Subject", c->subject ? c->subject : "");
    mail_message_append(msg, "Date", date);
    mail_message_append(msg, "Message-ID", mid);
    if (c->in_reply_to)
        mail_message_append(msg, "In-Reply-To", c->in_reply_to);
    if (c->references)
        mail_message_append(msg, "References", c->references);
    if (c->send && c->send->receipt) /* RFC 8098 2.1: a read receipt request */
        mail_message_append(msg, "Disposition-Notification-To", user);
    if (c->send && c->send->return_receipt_to) /* pre-standard, never in an RFC */
        mail_message_append(msg, "Return-Receipt-To", user);
    mail_message_append(msg, "MIME-Version", "1.0");
    mail_message_append(msg, "Content-Type", "text/plain; charset=us-ascii");
    /* Scenario headers replace the MUA's own of the same name (a forged
     * From, Date...), except trace fields, which are prepended as written. */
    for (guint i = 0; c->headers && i < c->headers->len; i++) {
        const SpecHeader *h = c->headers->pdata[i];
        if (g_ascii_strcasecmp(h->name, "Received") == 0)
            mail_message_prepend(msg, h->name, h->value);
        else if (mail_message_get(msg, h->name))
            mail_message_set(msg, h->name, h->value);
        else
            mail_message_append(msg, h->name, h->value);
    }
    /* The fields (folded, CR and LF in values made spaces) and the empty
     * line are CRLF already, and so is the body once converted: the body
     * is written after them once instead of being copied into msg first. */
    g_autoptr(GBytes) head = mail_message_serialize_crlf(msg);
    g_autoptr(GBytes) bytes = mua_node_with_body_crlf(head, c->body);

    /* Borrowed from c: the submission copies what it keeps. */
    GPtrArray *rcpts = g_ptr_array_new();
    for (char **lists[] = {c->to, c->cc, c->bcc}, ***l = lists; l < lists + 3; l++)
        for (char **p = *l; p && *p; p++)
            g_ptr_array_add(rcpts, *p);
    g_ptr_array_add(rcpts, NULL);
    const char *mail_from = c->envelope_from ? c->envelope_from : user;

    TrackMsg *m = tracker_add(w->tracker, c->id, c->kind, sim_world_now(w->sim));
    m->parent = g_strdup(c->parent);
    m->from = g_strdup(mail_message_get(msg, "From"));
    m->envelope_from = g_strdup(mail_from);
    m->subject = g_strdup(c->subject);
    m->message_id = g_strdup(mail_message_get(msg, "Message-ID"));
    for (guint i = 0; rcpts->pdata[i]; i++)
        track_msg_rcpt(m, rcpts->pdata[i]);
    /* RFC 8551: protected after it is written, before it leaves. */
    g_autoptr(GBytes) sent = mua_smime_protect(node, m, c->smime, (char **)rcpts->pdata, bytes);
    /* m->original stays NULL: the stores keep what arrived, and a long run
     * would otherwise hold every message it composed twice (tracker.h). */
    if (sent != NULL)
        mua_node_submit(node, m, mail_from, (char **)rcpts->pdata, sent, c->send);
    g_ptr_array_unref(rcpts);
}

void
mua_node_send(Node *node, const SendSpec *send)
{
    MuaCompose c = {
        .id = send->id,
        .kind = "mail",
        .to = send->to,
        .cc = send->cc,
        .bcc = send->bcc,
        .subject = send->subject,
        .body = send->body ? send->body : "Hello.\n",
        .headers = send->headers,
        .envelope_from = send->envelope_from,
        .send = send,
        .smime = send->smime,
    };
    mua_node_compose_and_submit(node, &c);
}

/* The first address of a header value (transfer full), or NULL. */
static char *
mua_node_first_address(const char *value)
{
    if (value == NULL)
        return NULL;
    g_autoptr(GPtrArray) list = mail_address_list_parse(value, NULL);
    if (list == NULL)
        return NULL;
    g_autoptr(GPtrArray) flat = mail_address_list_flatten(list);
    if (flat == NULL || flat->len == 0)
        return NULL;
    return g_strdup(((MailMailbox *)flat->pdata[0])->addr);
}

void
mua_node_reply(Node *node, const ReplySpec *reply)
{
    World *w = node->world;
    const char *user = node->spec->user;
    /* The copy the user fetched, else the one in the mailbox. */
    g_autoptr(GBytes) copy = mua_inbox_copy(mua_node_priv(node)->inbox, w->spool, reply->to, NULL);
    if (copy == NULL)
        copy = world_copy_read(w, reply->to, user, NULL);
    if (copy == NULL) {
        /* The user has nothing to answer: the message never reached them. */
        SimTraceRec *tr = world_trace(w, "mua.error", node->name);
        sim_trace_str(tr, "reply", reply->id);
        sim_trace_str(tr, "reason", "the message to answer is not in the user's mailbox");
        sim_trace_str(tr, "to", reply->to);
        sim_trace_end(tr);
        TrackMsg *m = tracker_add(w->tracker, reply->id, "reply", sim_world_now(w->sim));
        m->parent = g_strdup(reply->to);
        return;
    }
    g_autoptr(MailMessage) orig = mail_message_parse_bytes(copy, NULL);
    /* RFC 5322 3.6.3: replies go to Reply-To when present, else From. */
    g_autofree char *to_addr = mua_node_first_address(mail_message_get(orig, "Reply-To"));
    if (to_addr == NULL)
        to_addr = mua_node_first_address(mail_message_get(orig, "From"));
    const char *osubj = mail_message_get(orig, "Subject");
    g_autofree char *subject =
        reply->subject ? g_strdup(reply->subject)
        : osubj && g_ascii_strncasecmp(osubj, "Re:", 3) == 0 ? g_strdup(osubj)
                                                            : g_strdup_printf("Re: %s", osubj ? osubj : "");
    const char *omid = mail_message_get(orig, "Message-ID");
    const char *orefs = mail_message_get(orig, "References");
    /* RFC 5322 3.6.4: References = parent's References + parent's id. */
    g_autofree char *refs = omid ? (orefs ? g_strdup_printf("%s %s", orefs, omid) : g_strdup(omid))
                                 : NULL;
    char *to[] = {to_addr, NULL};
    char *none[] = {NULL};
    MuaCompose c = {
        .id = reply->id,
        .kind = "reply",
        .parent = reply->to,
        .to = to_addr ? to : none,
        .cc = none,
        .bcc = none,
        .subject = subject,
        .body = reply->body ? reply->body : "Thanks, got it.\n",
        .in_reply_to = omid,
        .references = refs,
        .smime = reply->smime,
    };
    mua_node_compose_and_submit(node, &c);
}

static void
mua_node_on_fetched(Pop3ClientSession *cs, guint msg, const char *uid, GBytes *bytes,
                    const char *msg_id, gpointer user_data)
{
    Node *node = user_data;
    World *w = node->world;
    MuaNode *mua = mua_node_priv(node);
    SimTime now = sim_world_now(w->sim);
    mua_inbox_add(mua->inbox, world_spool(w, NULL), msg_id, bytes);
    if (uid != NULL)
        g_hash_table_add(mua->seen, g_strdup(uid));
    if (msg_id != NULL)
        copies_hold(w, msg_id, node->name, COPY_KIND_CLIENT, node->spec->user);
    TrackMsg *m = msg_id ? tracker_find(w->tracker, msg_id) : NULL;
    if (m != NULL) {
        const char *rcpts[] = {node->spec->user, NULL};
        track_msg_add_hop(m, node->name, now, "fetch", "POP3", rcpts, NULL)->t_out = now;
    }
    SimTraceRec *tr = world_trace(w, "msg.fetch", node->name);
    if (msg_id != NULL)
        sim_trace_str(tr, "msg", msg_id);
    if (uid != NULL)
        sim_trace_str(tr, "uid", uid);
    sim_trace_int(tr, "size", (gint64)g_bytes_get_size(bytes));
    sim_trace_str(tr, "by", node->name);
    sim_trace_str(tr, "ms", pop3_client_session_peer(cs));
    sim_trace_end(tr);
    mua_smime_on_fetch(node, msg_id, bytes);
    /* The user reads it: a read-receipt request is decided now. */
    mua_mdn_consider(node, mua->mdn_answered, msg_id, bytes);
}

static void
mua_node_on_fetch_done(Pop3ClientSession *cs, gboolean ok, guint retrieved, guint deleted,
                       const char *reason, gpointer user_data)
{
    Node *node = user_data;
    SimTraceRec *tr = world_trace(node->world, "pop3.done", node->name);
    sim_trace_int(tr, "conn", (gint64)pop3_client_session_conn_id(cs));
    sim_trace_str(tr, "peer", pop3_client_session_peer(cs));
    sim_trace_bool(tr, "ok", ok);
    sim_trace_int(tr, "retrieved", retrieved);
    sim_trace_int(tr, "deleted", deleted);
    if (reason != NULL)
        sim_trace_str(tr, "reason", reason);
    sim_trace_end(tr);
}

static const Pop3ClientCallbacks mua_node_fetch_callbacks = {
    .on_message = mua_node_on_fetched,
    .on_done = mua_node_on_fetch_done,
};

/* The unique-ids seen so far, sorted (transfer container: borrowed strings). */
static const char **
mua_node_seen_uids(Node *node)
{
    guint n = 0;
    const char **uids =
        (const char **)g_hash_table_get_keys_as_array(mua_node_priv(node)->seen, &n);
    qsort(uids, n, sizeof(char *), (int (*)(const void *, const void *))g_strcmp0);
    return uids;
}

void
mua_node_fetch(Node *node, const FetchSpec *fetch)
{
    World *w = node->world;
    const NodeSpec *spec = node->spec;
    gboolean keep = fetch->has_keep ? fetch->keep : spec->keep;
    SpecTlsLevel tls = fetch->has_tls ? fetch->tls : spec->tls.pop3;
    Node *ms = world_node(w, spec->ms);
    const char *password =
        spec->password ? spec->password : world_spec_user_password(w->spec, spec->user);
    SimTraceRec *tr = world_trace(w, "mua.fetch", node->name);
    sim_trace_str(tr, "ms", spec->ms ? spec->ms : "");
    sim_trace_bool(tr, "keep", keep);
    if (tls != SPEC_TLS_NONE)
        sim_trace_str(tr, "tls", spec_tls_level_name(tls));
    sim_trace_str(tr, "status",
                  ms == NULL         ? "no message store"
                  : password == NULL ? "no password"
                                     : "POP3");
    sim_trace_end(tr);
    if (ms == NULL || password == NULL)
        return;
    g_autofree const char **seen = mua_node_seen_uids(node);
    Pop3ClientConfig cfg = {
        .user = spec->user,
        .password = password,
        .keep = keep,
        .seen_uids = keep ? seen : NULL,
        /* RFC 2595 section 4: may uses STLS when CAPA lists it, encrypt and
         * above give up (QUIT, before any credential) when it does not. */
        .want_stls = tls >= SPEC_TLS_MAY,
        .require_stls = tls >= SPEC_TLS_ENCRYPT,
    };
    guint16 port = ms->spec->pop3_port ? ms->spec->pop3_port : 110;
    Pop3ClientSession *cs = pop3_client_session_start(node, node_ip(ms), port, ms->name, &cfg,
                                                      &mua_node_fetch_callbacks, node);
    pop3_client_session_set_tls_level(cs, tls);
}

static void
mua_node_free(Node *node)
{
    MuaNode *mua = mua_node_priv(node);
    g_hash_table_unref(mua->seen);
    mua_inbox_free(mua->inbox);
    g_hash_table_unref(mua->mdn_answered);
    g_free(mua);
}

static const NodeClass mua_node_class = {
    .kind = "mua",
    .free = mua_node_free,
};

Node *
mua_node_new(World *world, const NodeSpec *spec)
{
    Node *node = node_new(world, &mua_node_class, spec);
    MuaNode *mua = g_new0(MuaNode, 1);
    mua->seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    mua->inbox = mua_inbox_new();
    mua->mdn_answered = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    node->priv = mua;
    return node;
}
