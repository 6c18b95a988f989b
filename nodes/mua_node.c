/* SPDX-License-Identifier: MIT
 * mua_node: the user's mail client. It writes the message (RFC 5322 3.6:
 * From, To, Cc, Subject, Date in virtual time, Message-ID; Bcc recipients
 * go in the envelope only, RFC 5322 3.6.3), submits it to its MSA over
 * ESMTP on the submission port (RFC 6409), and answers a message it
 * received with In-Reply-To and References (RFC 5322 3.6.4). Scenario
 * headers are written as given, forged ones included.
 */
#include <string.h>

#include "nodes/smtp_session.h"
#include "nodes/world_private.h"
#include "proto/address.h"
#include "proto/mail_date.h"
#include "proto/message.h"
#include "proto/message_id.h"

typedef struct {
    char *msg_id;
    Node *node;
} MuaSubmit;

static const char *
mua_node_domain(Node *node)
{
    const char *user = node->spec->user;
    const char *at = user ? strrchr(user, '@') : NULL;
    return at ? at + 1 : node->hostname;
}

/* Body text with every line ending made CRLF, ending in CRLF. */
static GBytes *
mua_node_body_crlf(const char *text)
{
    GString *s = g_string_new(NULL);
    for (const char *p = text ? text : ""; *p; p++) {
        if (*p == '\n' && (s->len == 0 || s->str[s->len - 1] != '\r'))
            g_string_append_c(s, '\r');
        g_string_append_c(s, *p);
    }
    if (s->len < 2 || s->str[s->len - 1] != '\n')
        g_string_append(s, "\r\n");
    gsize len = s->len;
    return g_bytes_new_take(g_string_free(s, FALSE), len);
}

static char *
mua_node_join(char **addrs)
{
    return addrs && addrs[0] ? g_strjoinv(", ", addrs) : NULL;
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
    for (guint i = 0; m && o->recipients && o->recipients[i]; i++) {
        if (o->rcpt_results[i] == SMTP_CLIENT_RESULT_DELIVERED)
            continue;
        const SmtpReply *r = o->rcpt_replies[i] ? o->rcpt_replies[i] : o->reply;
        g_autofree char *text = r ? smtp_reply_to_string(r) : g_strdup(o->detail);
        if (text)
            g_strchomp(text);
        track_msg_set_status(m, o->recipients[i], TRACK_STATUS_REJECTED, r ? r->code : 0, text,
                             smtp_client_session_peer(cs), now);
        SimTraceRec *tr = world_trace(w, "msg.reject", node->name);
        sim_trace_str(tr, "msg", sub->msg_id);
        sim_trace_str(tr, "rcpt", o->recipients[i]);
        sim_trace_int(tr, "code", r ? r->code : 0);
        sim_trace_str(tr, "reason", text ? text : "");
        sim_trace_str(tr, "by", smtp_client_session_peer(cs));
        sim_trace_end(tr);
    }
    g_free(sub->msg_id);
    g_free(sub);
}

/* Submits bytes for the envelope to the MSA and records the first hop. */
static void
mua_node_submit(Node *node, TrackMsg *m, const char *mail_from, char **rcpts, GBytes *bytes)
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
    /* RFC 6409 4.3 / RFC 4954: the user's login is the mail address. */
    const AuthSpec *auth = &spec->auth;
    SmtpClientConfig cfg = {
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
    if (auth->mechanism != NULL) {
        const char *password =
            spec->password ? spec->password : world_spec_user_password(w->spec, spec->user);
        smtp_client_session_set_login(cs, spec->user, password);
    }
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
    mail_message_append(msg, "From", user);
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
    g_autoptr(GBytes) body = mua_node_body_crlf(c->body);
    gsize blen;
    const guint8 *bp = g_bytes_get_data(body, &blen);
    mail_message_set_body(msg, bp, blen);
    g_autoptr(GBytes) bytes = mail_message_serialize_crlf(msg);

    GPtrArray *rcpts = g_ptr_array_new_with_free_func(g_free);
    for (char **lists[] = {c->to, c->cc, c->bcc}, ***l = lists; l < lists + 3; l++)
        for (char **p = *l; p && *p; p++)
            g_ptr_array_add(rcpts, g_strdup(*p));
    g_ptr_array_add(rcpts, NULL);
    const char *mail_from = c->envelope_from ? c->envelope_from : user;

    TrackMsg *m = tracker_add(w->tracker, c->id, c->kind, sim_world_now(w->sim));
    m->parent = g_strdup(c->parent);
    m->from = g_strdup(mail_message_get(msg, "From"));
    m->envelope_from = g_strdup(mail_from);
    m->subject = g_strdup(c->subject);
    m->message_id = g_strdup(mail_message_get(msg, "Message-ID"));
    m->original = g_bytes_ref(bytes);
    for (guint i = 0; rcpts->pdata[i]; i++)
        track_msg_rcpt(m, rcpts->pdata[i]);
    mua_node_submit(node, m, mail_from, (char **)rcpts->pdata, bytes);
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
    g_autofree char *key = g_strdup_printf("%s\n%s", reply->to, user);
    g_autofree char *lkey = g_ascii_strdown(key, -1);
    GBytes *copy = g_hash_table_lookup(w->copies, lkey);
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
    };
    mua_node_compose_and_submit(node, &c);
}

void
mua_node_fetch(Node *node, const FetchSpec *fetch)
{
    /* TODO(pop3): fetch over POP3 from the MS (the POP3 engine plugs in
     * here). Until then the event is recorded and nothing is fetched. */
    SimTraceRec *tr = world_trace(node->world, "mua.fetch", node->name);
    sim_trace_str(tr, "ms", node->spec->ms ? node->spec->ms : "");
    sim_trace_bool(tr, "keep", fetch->has_keep ? fetch->keep : node->spec->keep);
    sim_trace_str(tr, "status", "POP3 not available in this build");
    sim_trace_end(tr);
}

static const NodeClass mua_node_class = {
    .kind = "mua",
};

Node *
mua_node_new(World *world, const NodeSpec *spec)
{
    return node_new(world, &mua_node_class, spec);
}
