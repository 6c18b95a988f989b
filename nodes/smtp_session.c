/* SPDX-License-Identifier: MIT
 * smtp_session: SmtpServer / SmtpClient on a SessionStream, with tracing.
 * After STARTTLS (RFC 3207 4.2) the stream carries TLS (session_stream.c);
 * the handshake is traced as a summary, never with key material. AUTH
 * (RFC 4954) is answered in smtp_session_auth.c.
 */
#include "nodes/smtp_session.h"

#include <string.h>

#include "nodes/session_timeout.h"
#include "nodes/smtp_session_private.h"
#include "nodes/tls_setup.h"
#include "nodes/world_private.h"
#include "proto/tls_pipe.h"

/* ------------------------------------------------------------------ */
/* idle engines                                                       */

/* The engines of ended sessions wait in the world for the next sessions
 * (every message opens a connection per hop): their buffers and arrays
 * serve again instead of being freed and allocated anew. A reused engine
 * is what a new one is (smtp_server_reuse(), smtp_client_reuse()). */
#define SMTP_SESSION_IDLE_MAX 16

/* The engine goes to *idle (made with free_fn), or is freed when full. */
static void
smtp_session_idle_put(GPtrArray **idle, gpointer eng, GDestroyNotify free_fn)
{
    if (*idle == NULL)
        *idle = g_ptr_array_new_with_free_func(free_fn);
    if ((*idle)->len < SMTP_SESSION_IDLE_MAX)
        g_ptr_array_add(*idle, eng);
    else
        free_fn(eng);
}

/* (transfer full) The last idle engine, or NULL. */
static gpointer
smtp_session_idle_take(GPtrArray *idle)
{
    if (idle == NULL || idle->len == 0)
        return NULL;
    return g_ptr_array_steal_index_fast(idle, idle->len - 1);
}

/* The sessions' own structs: blocks big enough for either kind, zeroed
 * when taken, kept idle like the engines. */
#define SMTP_SESSION_BLOCK_SIZE MAX(sizeof(SmtpServerSession), sizeof(SmtpClientSession))

static gpointer
smtp_session_block_new(World *w)
{
    gpointer b = smtp_session_idle_take(w->idle_smtp_blocks);
    if (b == NULL)
        return g_malloc0(SMTP_SESSION_BLOCK_SIZE);
    memset(b, 0, SMTP_SESSION_BLOCK_SIZE);
    return b;
}

/* ------------------------------------------------------------------ */
/* server                                                             */

static void smtp_server_session_pump(SmtpServerSession *ss);

static void
smtp_server_session_free(SmtpServerSession *ss)
{
    session_timeout_unregister(ss->st.node->world, ss->st.conn_id);
    if (ss->data_destroy)
        ss->data_destroy(ss->data);
    smtp_session_idle_put(&ss->st.node->world->idle_smtp_servers, ss->eng,
                          (GDestroyNotify)smtp_server_free);
    session_stream_clear(&ss->st);
    smtp_server_session_auth_clear(ss);
    g_free(ss->helo);
    smtp_session_idle_put(&ss->st.node->world->idle_smtp_blocks, ss, g_free);
}

static void
smtp_server_session_st_bytes(SessionStream *st, const guint8 *p, gsize len)
{
    smtp_server_feed(((SmtpServerSession *)st)->eng, p, len);
}

static void
smtp_server_session_st_eof(SessionStream *st)
{
    smtp_server_feed_eof(((SmtpServerSession *)st)->eng);
}

static void
smtp_server_session_st_fail(SessionStream *st, const char *why)
{
    session_stream_end(st);
}

static void
smtp_server_session_st_end(SessionStream *st)
{
    SmtpServerSession *ss = (SmtpServerSession *)st;
    session_timeout_unregister(st->node->world, st->conn_id);
    if (ss->policy.on_end)
        ss->policy.on_end(ss, ss->user_data);
}

static void
smtp_server_session_st_pump(SessionStream *st)
{
    smtp_server_session_pump((SmtpServerSession *)st);
}

static gsize
smtp_server_session_st_tls_switch(SessionStream *st)
{
    return smtp_server_starttls_done(((SmtpServerSession *)st)->eng);
}

static void
smtp_server_session_st_free(SessionStream *st)
{
    smtp_server_session_free((SmtpServerSession *)st);
}

/* A handshake that fails or breaks ends the session. */
static const SessionStreamOps smtp_server_session_ops = {
    .on_bytes = smtp_server_session_st_bytes,
    .on_eof = smtp_server_session_st_eof,
    .on_fail = smtp_server_session_st_fail,
    .pump = smtp_server_session_st_pump,
    .tls_switch = smtp_server_session_st_tls_switch,
    .on_tls_fail = session_stream_end,
    .on_tls_lost = session_stream_end,
    .on_end = smtp_server_session_st_end,
    .free = smtp_server_session_st_free,
};

/* The driver's idle timer (session_timeout.h): "421 4.4.2 <host> Error:
 * timeout exceeded" (RFC 5321 4.5.3.2.7, 3.8), through TLS if it is on,
 * then close. Not while the node owes an answer. */
static gboolean
smtp_server_session_timeout(gpointer data)
{
    SmtpServerSession *ss = data;
    if (ss->st.dead || ss->st.pending || smtp_server_is_done(ss->eng))
        return FALSE;
    smtp_server_abort(ss->eng);
    smtp_server_session_pump(ss);
    return TRUE;
}

SmtpServerSession *
smtp_server_session_new(Node *node, SimStream *stream, const SmtpServerConfig *cfg,
                        const SmtpServerPolicy *policy, gpointer user_data)
{
    SmtpServerSession *ss = smtp_session_block_new(node->world);
    ss->eng = smtp_session_idle_take(node->world->idle_smtp_servers);
    if (ss->eng != NULL)
        smtp_server_reuse(ss->eng, cfg);
    else
        ss->eng = smtp_server_new(cfg);
    ss->policy = *policy;
    ss->user_data = user_data;
    ss->sasl_on = cfg->auth_mechs != NULL;
    session_stream_accept(&ss->st, &smtp_server_session_ops, node, stream);
    session_timeout_register(node, ss->st.conn_id, smtp_server_session_timeout, ss);
    smtp_server_session_pump(ss);
    return ss;
}

/* The command as it crossed the wire: in clear it is shown whole (labs
 * show sniffable AUTH); under TLS the wire held ciphertext, so credentials
 * are left out and only their size is given. */
static void
smtp_server_session_trace_cmd(SmtpServerSession *ss, const SmtpServerAct *act)
{
    SimTraceRec *r = world_trace(ss->st.node->world, "smtp.cmd", ss->st.node->name);
    if (r == NULL)
        return;
    sim_trace_int(r, "conn", (gint64)ss->st.conn_id);
    sim_trace_str(r, "peer", ss->st.peer);
    if (act->has_credentials && ss->st.tls != NULL) {
        sim_trace_str(r, "line", "(credentials)");
        sim_trace_int(r, "len", (gint64)strlen(act->line));
    } else {
        sim_trace_bytes(r, "line", (const guint8 *)act->line, strlen(act->line));
    }
    sim_trace_end(r);
}

static void
smtp_server_session_query(SmtpServerSession *ss, const SmtpServerQuery *q)
{
    if (q->kind == SMTP_SERVER_QUERY_HELO || q->kind == SMTP_SERVER_QUERY_EHLO) {
        g_free(ss->helo);
        ss->helo = g_strdup(q->name);
        ss->esmtp = q->kind == SMTP_SERVER_QUERY_EHLO;
    }
    ss->query_id = q->id;
    ss->st.pending = TRUE;
    if (ss->sasl_on &&
        (q->kind == SMTP_SERVER_QUERY_AUTH || q->kind == SMTP_SERVER_QUERY_AUTH_CONTINUE))
        smtp_server_session_auth(ss, q);
    else
        ss->policy.on_query(ss, q, ss->user_data);
}

/* One action; TRUE when the session must close. */
static gboolean
smtp_server_session_act(SmtpServerSession *ss, const SmtpServerAct *act)
{
    switch (act->kind) {
    case SMTP_SERVER_ACT_SEND:
        session_stream_send(&ss->st, act->bytes);
        return FALSE;
    case SMTP_SERVER_ACT_CMD:
        smtp_server_session_trace_cmd(ss, act);
        return FALSE;
    case SMTP_SERVER_ACT_QUERY:
        smtp_server_session_query(ss, &act->query);
        return FALSE;
    case SMTP_SERVER_ACT_STARTTLS: {
        /* The 220 went out in clear; from here on the stream carries TLS. */
        TlsContext *ctx = world_tls_server_context(ss->st.node->world, ss->st.node);
        if (ctx == NULL) {
            g_warning("%s: STARTTLS without a TLS context", ss->st.node->name);
            return TRUE;
        }
        session_stream_start_tls_server(&ss->st, ctx, act->discarded);
        return FALSE;
    }
    case SMTP_SERVER_ACT_CLOSE:
        return TRUE;
    default:
        return FALSE;
    }
}

static void
smtp_server_session_pump(SmtpServerSession *ss)
{
    if (!session_stream_pump_begin(&ss->st))
        return;
    SmtpServerAct act = {0};
    gboolean closing = FALSE;
    /* Command lines are only traced: not copied when the trace is off. */
    smtp_server_set_cmd_actions(ss->eng, world_tracing(ss->st.node->world));
    while (!closing && !ss->st.dead && smtp_server_poll(ss->eng, &act)) {
        closing = smtp_server_session_act(ss, &act);
        smtp_server_act_clear(&act);
    }
    session_stream_pump_end(&ss->st, closing);
}

void
smtp_server_session_answer(SmtpServerSession *ss, const SmtpReply *r)
{
    g_return_if_fail(ss != NULL && ss->st.pending);
    if (!session_stream_answer_begin(&ss->st))
        return;
    smtp_server_answer(ss->eng, ss->query_id, r);
    smtp_server_session_pump(ss);
}

Node *
smtp_server_session_node(const SmtpServerSession *ss)
{
    return ss->st.node;
}

guint64
smtp_server_session_conn_id(const SmtpServerSession *ss)
{
    return ss->st.conn_id;
}

const char *
smtp_server_session_client_ip(const SmtpServerSession *ss)
{
    return ss->st.client_ip;
}

const char *
smtp_server_session_client_node(const SmtpServerSession *ss)
{
    return ss->st.client_node;
}

const char *
smtp_server_session_helo(const SmtpServerSession *ss)
{
    return ss->helo;
}

gboolean
smtp_server_session_is_esmtp(const SmtpServerSession *ss)
{
    return ss->esmtp;
}

gboolean
smtp_server_session_is_tls(const SmtpServerSession *ss)
{
    return smtp_server_is_tls(ss->eng);
}

gboolean
smtp_server_session_is_auth(const SmtpServerSession *ss)
{
    return smtp_server_is_authenticated(ss->eng);
}

const char *
smtp_server_session_auth_user(const SmtpServerSession *ss)
{
    return smtp_server_is_authenticated(ss->eng) ? ss->auth_user : NULL;
}

void
smtp_server_session_set_data(SmtpServerSession *ss, gpointer data, GDestroyNotify destroy)
{
    if (ss->data_destroy)
        ss->data_destroy(ss->data);
    ss->data = data;
    ss->data_destroy = destroy;
}

gpointer
smtp_server_session_get_data(const SmtpServerSession *ss)
{
    return ss->data;
}

guint
smtp_server_session_count_message(SmtpServerSession *ss)
{
    return ss->messages++;
}

/* ------------------------------------------------------------------ */
/* client                                                             */

static void smtp_client_session_pump(SmtpClientSession *cs);

static void
smtp_client_session_free(SmtpClientSession *cs)
{
    /* The run ended before the outcome: nobody hears of it again. */
    if (cs->st.dropped && !cs->decided && cs->drop_notify != NULL)
        cs->drop_notify(cs->user_data);
    tracker_untag_conn(cs->st.node->world->tracker, cs->st.conn_id);
    smtp_session_idle_put(&cs->st.node->world->idle_smtp_clients, cs->eng,
                          (GDestroyNotify)smtp_client_free);
    session_stream_clear(&cs->st);
    smtp_client_session_auth_clear(cs);
    g_free(cs->fail_detail);
    smtp_session_idle_put(&cs->st.node->world->idle_smtp_blocks, cs, g_free);
}

static void
smtp_client_session_st_bytes(SessionStream *st, const guint8 *p, gsize len)
{
    smtp_client_feed(((SmtpClientSession *)st)->eng, p, len);
}

static void
smtp_client_session_st_eof(SessionStream *st)
{
    smtp_client_feed_eof(((SmtpClientSession *)st)->eng);
}

static void
smtp_client_session_st_fail(SessionStream *st, const char *why)
{
    smtp_client_abort(((SmtpClientSession *)st)->eng, why);
}

static void
smtp_client_session_st_pump(SessionStream *st)
{
    smtp_client_session_pump((SmtpClientSession *)st);
}

static gsize
smtp_client_session_st_tls_switch(SessionStream *st)
{
    smtp_client_starttls_done(((SmtpClientSession *)st)->eng);
    return 0;
}

/* The handshake failed: Postfix's "Server certificate not verified" and
 * the like; the queue retries later. */
static void
smtp_client_session_st_tls_fail(SessionStream *st)
{
    SmtpClientSession *cs = (SmtpClientSession *)st;
    cs->fail_detail = g_strdup_printf("4.7.5 TLS handshake with %s failed: %s", st->peer,
                                      tls_pipe_get_error(st->tls));
    smtp_client_abort(cs->eng, cs->fail_detail);
    session_stream_close_plain(st);
    smtp_client_session_pump(cs);
}

static void
smtp_client_session_st_free(SessionStream *st)
{
    smtp_client_session_free((SmtpClientSession *)st);
}

static const SessionStreamOps smtp_client_session_ops = {
    .on_bytes = smtp_client_session_st_bytes,
    .on_eof = smtp_client_session_st_eof,
    .on_fail = smtp_client_session_st_fail,
    .pump = smtp_client_session_st_pump,
    .tls_switch = smtp_client_session_st_tls_switch,
    .on_tls_fail = smtp_client_session_st_tls_fail,
    .free = smtp_client_session_st_free,
};

SmtpClientSession *
smtp_client_session_start(Node *node, const char *ip, guint16 port, const char *peer_name,
                          const SmtpClientConfig *cfg, const char *msg_id, SmtpClientDoneFunc done,
                          gpointer user_data)
{
    World *w = node->world;
    SmtpClientSession *cs = smtp_session_block_new(w);
    /* The node's TLS level (Postfix smtp_tls_security_level): may tries
     * STARTTLS when offered, encrypt and above insist on it. */
    SmtpClientConfig c = *cfg;
    if (world_tls_client_context(w, node) != NULL) {
        cs->tls_level = node->spec->tls.client;
        c.want_starttls = cs->tls_level >= SPEC_TLS_MAY;
        c.require_starttls = cs->tls_level >= SPEC_TLS_ENCRYPT;
    }
    cs->auth_mech = g_strdup(cfg->auth_mech);
    cs->eng = smtp_session_idle_take(node->world->idle_smtp_clients);
    if (cs->eng != NULL)
        smtp_client_reuse(cs->eng, &c);
    else
        cs->eng = smtp_client_new(&c);
    cs->done = done;
    cs->user_data = user_data;
    session_stream_connect(&cs->st, &smtp_client_session_ops, node, ip, port, peer_name, msg_id);
    if (msg_id)
        tracker_tag_conn(w->tracker, cs->st.conn_id, msg_id);
    return cs;
}

char *
smtp_session_reply_text(const SmtpReply *reply)
{
    GString *text = g_string_new(NULL);
    for (guint i = 0; i < reply->lines->len; i++) {
        if (i)
            g_string_append(text, " | ");
        if (reply->enhanced[0]) {
            g_string_append(text, reply->enhanced);
            g_string_append_c(text, ' ');
        }
        g_string_append(text, reply->lines->pdata[i]);
    }
    return g_string_free(text, FALSE);
}

static void
smtp_client_session_trace_reply(SmtpClientSession *cs, const SmtpReply *reply)
{
    SimTraceRec *r = world_trace(cs->st.node->world, "smtp.reply", cs->st.node->name);
    if (r == NULL)
        return;
    sim_trace_int(r, "conn", (gint64)cs->st.conn_id);
    sim_trace_str(r, "peer", cs->st.peer);
    sim_trace_int(r, "code", reply->code);
    g_autofree char *text = smtp_session_reply_text(reply);
    sim_trace_bytes(r, "text", (const guint8 *)text, strlen(text));
    sim_trace_end(r);
}

/* A TLS policy failure says why in Postfix's words (4.7.5, RFC 3207 4.1). */
static void
smtp_client_session_policy_detail(SmtpClientSession *cs, SmtpClientOutcome *o)
{
    if (cs->fail_detail) {
        /* The handshake failed: decided at the STARTTLS stage. */
        o->stage = SMTP_CLIENT_STAGE_STARTTLS;
        g_free(o->detail);
        o->detail = g_strdup(cs->fail_detail);
        return;
    }
    if (o->stage != SMTP_CLIENT_STAGE_STARTTLS || cs->tls_level < SPEC_TLS_ENCRYPT)
        return;
    g_free(o->detail);
    if (o->reply) {
        /* The queue reports the reply itself; keep the reason beside it. */
        g_autofree char *text = smtp_reply_to_string(o->reply);
        g_strchomp(text);
        o->detail = g_strdup_printf("4.7.5 TLS is required, but host %s refused to start TLS: %s",
                                    cs->st.peer, text);
    } else {
        o->detail =
            g_strdup_printf("4.7.5 TLS is required, but was not offered by host %s", cs->st.peer);
    }
}

/* tls.skipped: at level may the dialogue went on in clear text although
 * TLS was wanted (RFC 3207 6: STARTTLS stripped by an attacker looks the
 * same as a server without it). */
static void
smtp_client_session_trace_skipped(SmtpClientSession *cs, const SmtpClientOutcome *o)
{
    if (cs->tls_level != SPEC_TLS_MAY || cs->st.tls_up || o->stage < SMTP_CLIENT_STAGE_AUTH)
        return;
    SimTraceRec *r = world_trace(cs->st.node->world, "tls.skipped", cs->st.node->name);
    if (r == NULL)
        return;
    sim_trace_int(r, "conn", (gint64)cs->st.conn_id);
    sim_trace_str(r, "peer", cs->st.peer);
    sim_trace_str(r, "level", spec_tls_level_name(cs->tls_level));
    sim_trace_str(r, "reason",
                  smtp_client_server_has_ext(cs->eng, "STARTTLS") ? "refused" : "not offered");
    sim_trace_end(r);
}

static void
smtp_client_session_act(SmtpClientSession *cs, SmtpClientAct *act)
{
    switch (act->kind) {
    case SMTP_CLIENT_ACT_SEND:
        session_stream_send(&cs->st, act->bytes);
        break;
    case SMTP_CLIENT_ACT_REPLY:
        smtp_client_session_trace_reply(cs, act->reply);
        break;
    case SMTP_CLIENT_ACT_DONE:
        smtp_client_session_policy_detail(cs, act->outcome);
        if (!cs->decided) {
            smtp_client_session_trace_skipped(cs, act->outcome);
            cs->decided = TRUE;
            cs->done(cs, act->outcome, cs->user_data);
        }
        break;
    case SMTP_CLIENT_ACT_QUERY:
        smtp_client_session_auth_step(cs, act);
        break;
    case SMTP_CLIENT_ACT_STARTTLS: {
        TlsContext *ctx = world_tls_client_context(cs->st.node->world, cs->st.node);
        if (ctx == NULL) {
            smtp_client_abort(cs->eng, "no TLS layer");
            break;
        }
        /* RFC 6066 3, RFC 6125: SNI and the name to verify are the next hop's. */
        session_stream_start_tls_client(&cs->st, ctx, 0);
        break;
    }
    case SMTP_CLIENT_ACT_CLOSE:
        cs->finished = TRUE;
        break;
    default:
        break;
    }
}

static void
smtp_client_session_pump(SmtpClientSession *cs)
{
    if (!session_stream_pump_begin(&cs->st))
        return;
    SmtpClientAct act = {0};
    /* Replies are only traced: not reported when the trace is off. */
    smtp_client_set_reply_actions(cs->eng, world_tracing(cs->st.node->world));
    while (smtp_client_poll(cs->eng, &act)) {
        smtp_client_session_act(cs, &act);
        smtp_client_act_clear(&act);
    }
    cs->st.pumping = FALSE;
    if (cs->finished) {
        session_stream_close(&cs->st);
        smtp_client_session_free(cs);
    }
}

void
smtp_client_session_set_drop_notify(SmtpClientSession *cs, GDestroyNotify destroy)
{
    g_return_if_fail(cs != NULL);
    cs->drop_notify = destroy;
}

guint64
smtp_client_session_conn_id(const SmtpClientSession *cs)
{
    return cs->st.conn_id;
}

const char *
smtp_client_session_peer(const SmtpClientSession *cs)
{
    return cs->st.peer;
}

gboolean
smtp_server_session_is_closed(const SmtpServerSession *ss)
{
    return ss->st.dead;
}
