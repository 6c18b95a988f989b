/* SPDX-License-Identifier: MIT
 * webmail_mua: the virtual MUA inside a webmail server. It reads a user's
 * store over POP3 (RFC 1939, keeping the mail there: UIDL, section 7) and
 * writes and submits messages (RFC 5322 3.6: From, To, Cc, Subject, Date
 * in virtual time, Message-ID; Bcc in the envelope only, 3.6.3) to its MSA
 * on the submission port with SMTP AUTH (RFC 6409, RFC 4954) — with the
 * user's own password, which the server therefore holds.
 */
#include "nodes/webmail_node.h"

#include <string.h>

#include "nodes/client_refusal.h"
#include "nodes/pop3_session.h"
#include "nodes/smtp_session.h"
#include "nodes/world_private.h"
#include "proto/mail_date.h"
#include "proto/message.h"
#include "proto/message_id.h"

struct WebmailBox {
    GPtrArray *msgs;  /* WebmailMsg*, in fetch order */
    GHashTable *seen; /* uids held */
};

static void
webmail_msg_free(WebmailMsg *m)
{
    g_free(m->uid);
    g_free(m->msg_id);
    g_bytes_unref(m->bytes);
    g_free(m);
}

WebmailBox *
webmail_box_new(void)
{
    WebmailBox *box = g_new0(WebmailBox, 1);
    box->msgs = g_ptr_array_new_with_free_func((GDestroyNotify)webmail_msg_free);
    box->seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return box;
}

void
webmail_box_free(WebmailBox *box)
{
    if (box == NULL)
        return;
    g_ptr_array_unref(box->msgs);
    g_hash_table_unref(box->seen);
    g_free(box);
}

guint
webmail_box_count(const WebmailBox *box)
{
    return box->msgs->len;
}

const WebmailMsg *
webmail_box_get(const WebmailBox *box, guint i)
{
    return i < box->msgs->len ? box->msgs->pdata[i] : NULL;
}

void
webmail_trace_handle(Node *node, const char *user, const char *what, const char *msg_id, gsize size,
                     gint tls)
{
    SimTraceRec *r = world_trace(node->world, "webmail.handle", node->name);
    sim_trace_str(r, "user", user);
    sim_trace_str(r, "what", what);
    if (msg_id)
        sim_trace_str(r, "msg", msg_id);
    if (size > 0)
        sim_trace_int(r, "size", (gint64)size);
    /* The browser link may be encrypted; the server still reads it all. */
    if (tls >= 0)
        sim_trace_bool(r, "browser_tls", tls != 0);
    sim_trace_bool(r, "cleartext_at_server", TRUE);
    sim_trace_end(r);
}

/* ------------------------------------------------------------------ */
/* reading: POP3                                                      */

typedef struct {
    Node *node;
    WebmailBox *box;
    char *user;
    WebmailDoneFunc done;
    gpointer user_data;
} WebmailFetch;

static void
webmail_fetch_free(gpointer data)
{
    WebmailFetch *f = data;
    g_free(f->user);
    g_free(f);
}

static void
webmail_mua_on_message(Pop3ClientSession *cs, guint msg, const char *uid, GBytes *bytes,
                       const char *msg_id, gpointer user_data)
{
    WebmailFetch *f = user_data;
    World *w = f->node->world;
    SimTime now = sim_world_now(w->sim);
    WebmailMsg *m = g_new0(WebmailMsg, 1);
    m->uid = g_strdup(uid);
    m->msg_id = g_strdup(msg_id);
    m->bytes = g_bytes_ref(bytes);
    g_ptr_array_add(f->box->msgs, m);
    if (uid)
        g_hash_table_add(f->box->seen, g_strdup(uid));
    TrackMsg *tm = msg_id ? tracker_find(w->tracker, msg_id) : NULL;
    if (tm != NULL) {
        const char *rcpts[] = {f->user, NULL};
        track_msg_add_hop(tm, f->node->name, now, "fetch", "POP3", rcpts, NULL)->t_out = now;
    }
    SimTraceRec *tr = world_trace(w, "msg.fetch", f->node->name);
    if (msg_id != NULL)
        sim_trace_str(tr, "msg", msg_id);
    if (uid != NULL)
        sim_trace_str(tr, "uid", uid);
    sim_trace_int(tr, "size", (gint64)g_bytes_get_size(bytes));
    sim_trace_str(tr, "by", f->node->name);
    sim_trace_str(tr, "ms", pop3_client_session_peer(cs));
    sim_trace_end(tr);
    webmail_trace_handle(f->node, f->user, "message", msg_id, g_bytes_get_size(bytes), -1);
}

static void
webmail_mua_on_fetch_done(Pop3ClientSession *cs, gboolean ok, guint retrieved, guint deleted,
                          const char *reason, gpointer user_data)
{
    WebmailFetch *f = user_data;
    SimTraceRec *tr = world_trace(f->node->world, "pop3.done", f->node->name);
    sim_trace_int(tr, "conn", (gint64)pop3_client_session_conn_id(cs));
    sim_trace_str(tr, "peer", pop3_client_session_peer(cs));
    sim_trace_bool(tr, "ok", ok);
    sim_trace_int(tr, "retrieved", retrieved);
    sim_trace_int(tr, "deleted", deleted);
    if (reason != NULL)
        sim_trace_str(tr, "reason", reason);
    sim_trace_end(tr);
    f->done(ok, reason, f->user_data);
    webmail_fetch_free(f);
}

static const Pop3ClientCallbacks webmail_mua_fetch_callbacks = {
    .on_message = webmail_mua_on_message,
    .on_done = webmail_mua_on_fetch_done,
    .on_drop = webmail_fetch_free, /* the run ended: the node answers its requests */
};

void
webmail_mua_fetch(Node *node, WebmailBox *box, const char *user, const char *password,
                  WebmailDoneFunc done, gpointer user_data)
{
    World *w = node->world;
    const char *ms_name = node->spec->ms ? node->spec->ms : world_spec_mailbox_node(w->spec, user);
    Node *ms = world_node(w, ms_name);
    if (ms == NULL || ms->spec->role != SPEC_ROLE_MS) {
        done(FALSE, "no message store for this user", user_data);
        return;
    }
    guint n = 0;
    g_autofree const char **seen = (const char **)g_hash_table_get_keys_as_array(box->seen, &n);
    qsort(seen, n, sizeof(char *), (int (*)(const void *, const void *))g_strcmp0);
    Pop3ClientConfig cfg = {
        .user = user,
        .password = password,
        .keep = TRUE,
        .seen_uids = seen,
    };
    WebmailFetch *f = g_new0(WebmailFetch, 1);
    f->node = node;
    f->box = box;
    f->user = g_strdup(user);
    f->done = done;
    f->user_data = user_data;
    guint16 port = ms->spec->pop3_port ? ms->spec->pop3_port : 110;
    pop3_client_session_start(node, node_ip(ms), port, ms->name, &cfg, &webmail_mua_fetch_callbacks,
                              f);
}

/* ------------------------------------------------------------------ */
/* writing: SMTP submission                                           */

typedef struct {
    Node *node;
    char *msg_id;
    WebmailDoneFunc done;
    gpointer user_data;
} WebmailSubmit;

static void
webmail_submit_free(gpointer data)
{
    WebmailSubmit *sub = data;
    g_free(sub->msg_id);
    g_free(sub);
}

/* "a@x, b@y" -> recipients appended to rcpts (copied, trimmed). */
static void
webmail_mua_split(const char *list, GPtrArray *rcpts)
{
    if (list == NULL)
        return;
    g_auto(GStrv) parts = g_strsplit_set(list, ",;", -1);
    for (char **p = parts; *p; p++) {
        char *a = g_strstrip(*p);
        if (*a)
            g_ptr_array_add(rcpts, g_strdup(a));
    }
}

/* Body text with every line ending made CRLF, ending in CRLF (RFC 5322 2.3). */
static GBytes *
webmail_mua_body(const char *text)
{
    GString *s = g_string_new(NULL);
    for (const char *p = text ? text : ""; *p; p++) {
        if (*p == '\r' && p[1] == '\n')
            continue;
        if (*p == '\n' || *p == '\r')
            g_string_append(s, "\r\n");
        else
            g_string_append_c(s, *p);
    }
    if (s->len < 2 || s->str[s->len - 1] != '\n')
        g_string_append(s, "\r\n");
    gsize len = s->len;
    return g_bytes_new_take(g_string_free(s, FALSE), len);
}

static void
webmail_mua_on_sent(SmtpClientSession *cs, const SmtpClientOutcome *o, gpointer user_data)
{
    WebmailSubmit *sub = user_data;
    World *w = sub->node->world;
    SimTime now = sim_world_now(w->sim);
    TrackMsg *m = tracker_find(w->tracker, sub->msg_id);
    TrackHop *h = m ? track_msg_open_hop(m, sub->node->name) : NULL;
    if (h)
        h->t_out = now;
    guint refused = client_refusal_record(sub->node, m, sub->msg_id, cs, o, NULL, NULL);
    gboolean ok = o->result == SMTP_CLIENT_RESULT_DELIVERED;
    sub->done(ok,
              ok        ? NULL
              : refused ? "the MSA refused the message"
                        : "submission failed",
              sub->user_data);
    webmail_submit_free(sub);
}

static char *
webmail_mua_join(GPtrArray *list)
{
    g_ptr_array_add(list, NULL);
    char *s = g_strjoinv(", ", (char **)list->pdata);
    g_ptr_array_remove_index(list, list->len - 1);
    return s;
}

/* The message as RFC 5322 text (transfer full). */
static GBytes *
webmail_mua_compose(Node *node, const WebmailCompose *c, GPtrArray *to, GPtrArray *cc)
{
    World *w = node->world;
    const char *at = strrchr(c->user, '@');
    g_autoptr(MailMessage) msg = mail_message_new();
    g_autofree char *date = mail_date_format(world_unix_now(w), 0);
    g_autofree char *qid = node_new_queue_id(node);
    g_autofree char *mid = mail_message_id_make(qid, at ? at + 1 : node->hostname);
    mail_message_append(msg, "From", c->user);
    if (to->len > 0) {
        g_autofree char *s = webmail_mua_join(to);
        mail_message_append(msg, "To", s);
    }
    if (cc->len > 0) {
        g_autofree char *s = webmail_mua_join(cc);
        mail_message_append(msg, "Cc", s);
    }
    mail_message_append(msg, "Subject", c->subject ? c->subject : "");
    mail_message_append(msg, "Date", date);
    mail_message_append(msg, "Message-ID", mid);
    mail_message_append(msg, "MIME-Version", "1.0");
    mail_message_append(msg, "Content-Type", "text/plain; charset=utf-8");
    g_autoptr(GBytes) body = webmail_mua_body(c->body);
    mail_message_set_body(msg, g_bytes_get_data(body, NULL), g_bytes_get_size(body));
    return mail_message_serialize_crlf(msg);
}

gboolean
webmail_mua_send(Node *node, const WebmailCompose *c, WebmailDoneFunc done, gpointer user_data)
{
    World *w = node->world;
    g_autoptr(GPtrArray) to = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) cc = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) rcpts = g_ptr_array_new_with_free_func(g_free);
    webmail_mua_split(c->to, to);
    webmail_mua_split(c->cc, cc);
    webmail_mua_split(c->to, rcpts);
    webmail_mua_split(c->cc, rcpts);
    webmail_mua_split(c->bcc, rcpts);
    if (rcpts->len == 0)
        return FALSE;
    g_autoptr(GBytes) bytes = webmail_mua_compose(node, c, to, cc);
    SimTime now = sim_world_now(w->sim);
    g_autofree char *id =
        c->msg_id ? g_strdup(c->msg_id) : tracker_derive_id(w->tracker, node->name, "web");
    TrackMsg *m = tracker_find(w->tracker, id);
    if (m == NULL)
        m = tracker_add(w->tracker, id, "mail", now);
    g_autoptr(MailMessage) parsed = mail_message_parse_bytes(bytes, NULL);
    g_free(m->from);
    m->from = g_strdup(c->user);
    g_free(m->envelope_from);
    m->envelope_from = g_strdup(c->user);
    g_free(m->subject);
    m->subject = g_strdup(c->subject);
    g_free(m->message_id);
    m->message_id = g_strdup(parsed ? mail_message_get(parsed, "Message-ID") : NULL);
    if (m->original == NULL)
        m->original = g_bytes_ref(bytes);
    for (guint i = 0; i < rcpts->len; i++)
        track_msg_rcpt(m, rcpts->pdata[i]);
    g_ptr_array_add(rcpts, NULL);
    /* The copy reached the server over HTTPS or HTTP (exposure.c reads this). */
    track_msg_add_hop(m, node->name, now, "submit", "ESMTP", (const char *const *)rcpts->pdata,
                      NULL)
        ->tls_in = c->tls;
    webmail_trace_handle(node, c->user, "message", id, g_bytes_get_size(bytes), -1);
    /* The server took the message from the browser (viz draws this hop). */
    g_autofree char *qid = node_new_queue_id(node);
    SimTraceRec *acc = world_trace(w, "msg.accept", node->name);
    sim_trace_str(acc, "msg", id);
    sim_trace_str(acc, "qid", qid);
    sim_trace_str(acc, "from", c->user);
    sim_trace_int(acc, "rcpts", rcpts->len - 1);
    sim_trace_int(acc, "size", (gint64)g_bytes_get_size(bytes));
    sim_trace_str(acc, "proto", c->tls ? "HTTPS" : "HTTP");
    sim_trace_end(acc);
    Node *msa = world_node(w, node->spec->msa);
    SimTraceRec *tr = world_trace(w, "msg.submit", node->name);
    sim_trace_str(tr, "msg", id);
    sim_trace_str(tr, "from", c->user);
    sim_trace_int(tr, "rcpts", rcpts->len - 1);
    sim_trace_int(tr, "size", (gint64)g_bytes_get_size(bytes));
    sim_trace_str(tr, "msa", node->spec->msa);
    sim_trace_end(tr);
    /* RFC 4954: the server logs in as the user, with the user's password. */
    const char *mech = node->spec->auth.mechanism ? node->spec->auth.mechanism : "PLAIN";
    SmtpClientConfig cfg = {
        .helo_name = node->hostname,
        .reverse_path = c->user,
        .recipients = (const char *const *)rcpts->pdata,
        .message = bytes,
        .auth_mech = mech,
        .require_auth = TRUE,
        .force_auth = node->spec->auth.force,
    };
    WebmailSubmit *sub = g_new0(WebmailSubmit, 1);
    sub->node = node;
    sub->msg_id = g_strdup(id);
    sub->done = done;
    sub->user_data = user_data;
    guint16 port = msa->spec->submission_port ? msa->spec->submission_port : 587;
    SmtpClientSession *cs = smtp_client_session_start(node, node_ip(msa), port, msa->name, &cfg, id,
                                                      webmail_mua_on_sent, sub);
    smtp_client_session_set_drop_notify(cs, webmail_submit_free);
    smtp_client_session_set_login(cs, c->user, c->password);
    return TRUE;
}
