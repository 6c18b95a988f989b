/* SPDX-License-Identifier: MIT
 * pop3_session: Pop3Server / Pop3Client on a SessionStream, with tracing.
 * The trace shows each command line as an eavesdropper on the link sees
 * it (RFC 1939 section 13: USER/PASS crosses the wire in clear); a line
 * that carries a credential (PASS, APOP) is marked `secret` so that
 * readers can find or hide it. After STLS (RFC 2595 section 4) a TlsPipe
 * carries the session; credentials sent under TLS are then left out of
 * the trace (the wire held ciphertext), as for SMTP AUTH.
 */
#include "nodes/pop3_session.h"

#include <string.h>

#include "nodes/session_stream.h"
#include "nodes/session_timeout.h"
#include "nodes/session_tls.h"
#include "nodes/tls_setup.h"
#include "nodes/world_private.h"

/* ------------------------------------------------------------------ */
/* message tags: conn id -> (uid -> msg id)                           */

void
pop3_session_tag_uid(World *w, guint64 conn_id, const char *uid, const char *msg_id)
{
    g_return_if_fail(w != NULL && uid != NULL && msg_id != NULL);
    if (w->pop3_tags == NULL)
        w->pop3_tags = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                             (GDestroyNotify)g_hash_table_unref);
    gint64 key = (gint64)conn_id;
    GHashTable *uids = g_hash_table_lookup(w->pop3_tags, &key);
    if (uids == NULL) {
        uids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        g_hash_table_insert(w->pop3_tags, g_memdup2(&key, sizeof key), uids);
    }
    g_hash_table_replace(uids, g_strdup(uid), g_strdup(msg_id));
}

const char *
pop3_session_uid_tag(World *w, guint64 conn_id, const char *uid)
{
    if (w->pop3_tags == NULL || uid == NULL)
        return NULL;
    gint64 key = (gint64)conn_id;
    GHashTable *uids = g_hash_table_lookup(w->pop3_tags, &key);
    return uids ? g_hash_table_lookup(uids, uid) : NULL;
}

static void
pop3_session_untag_conn(World *w, guint64 conn_id)
{
    gint64 key = (gint64)conn_id;
    if (w->pop3_tags != NULL)
        g_hash_table_remove(w->pop3_tags, &key);
}

/* ------------------------------------------------------------------ */
/* server                                                             */
struct Pop3ServerSession {
    SessionStream st; /* first: the ops get it back by a cast */
    Pop3Server *eng;
    Pop3ServerPolicy policy;
    gpointer user_data;
    gpointer data;
    GDestroyNotify data_destroy;
    guint32 query_id;
    char *held_line; /* a command line not traced yet (see pump) */
    gboolean held_secret;
};

static void pop3_server_session_pump(Pop3ServerSession *ps);

static void
pop3_server_session_free(Pop3ServerSession *ps)
{
    session_timeout_unregister(ps->st.node->world, ps->st.conn_id);
    if (ps->data_destroy)
        ps->data_destroy(ps->data);
    pop3_server_free(ps->eng);
    session_stream_clear(&ps->st);
    g_free(ps->held_line);
    g_free(ps);
}

const char *
pop3_server_session_peer(const Pop3ServerSession *ps)
{
    return ps->st.peer;
}

/* Traces the held command line, if any. */
static void
pop3_server_session_flush_cmd(Pop3ServerSession *ps, gboolean secret)
{
    if (ps->held_line == NULL)
        return;
    SimTraceRec *r = world_trace(ps->st.node->world, "pop3.cmd", ps->st.node->name);
    if (r != NULL) {
        sim_trace_int(r, "conn", (gint64)ps->st.conn_id);
        sim_trace_str(r, "peer", pop3_server_session_peer(ps));
        gboolean is_secret = secret || ps->held_secret;
        if (is_secret && ps->st.tls != NULL) {
            /* Ciphertext on the wire: the size only. */
            sim_trace_str(r, "line", "(credentials)");
            sim_trace_int(r, "len", (gint64)strlen(ps->held_line));
        } else {
            sim_trace_bytes(r, "line", (const guint8 *)ps->held_line, strlen(ps->held_line));
        }
        if (is_secret)
            sim_trace_bool(r, "secret", TRUE);
        sim_trace_end(r);
    }
    g_clear_pointer(&ps->held_line, g_free);
}

/* The stream is over: the held line first, then the shared end. */
static void
pop3_server_session_end(SessionStream *st)
{
    if (!st->dead)
        pop3_server_session_flush_cmd((Pop3ServerSession *)st, FALSE);
    session_stream_end(st);
}

static void
pop3_server_session_st_bytes(SessionStream *st, const guint8 *p, gsize len)
{
    /* The engine drops what comes after a close and counts what comes
     * while an STLS switch is due (RFC 2595 section 4). */
    pop3_server_feed(((Pop3ServerSession *)st)->eng, p, len);
}

static void
pop3_server_session_st_eof(SessionStream *st)
{
    pop3_server_feed_eof(((Pop3ServerSession *)st)->eng);
}

static void
pop3_server_session_st_fail(SessionStream *st, const char *why)
{
    pop3_server_session_end(st);
}

static void
pop3_server_session_st_pump(SessionStream *st)
{
    pop3_server_session_pump((Pop3ServerSession *)st);
}

/* RFC 2595 section 4: the session restarts in AUTHORIZATION. */
static gsize
pop3_server_session_st_tls_switch(SessionStream *st)
{
    pop3_server_stls_done(((Pop3ServerSession *)st)->eng);
    return 0;
}

static void
pop3_server_session_st_end(SessionStream *st)
{
    Pop3ServerSession *ps = (Pop3ServerSession *)st;
    session_timeout_unregister(st->node->world, st->conn_id);
    if (ps->policy.on_end)
        ps->policy.on_end(ps, ps->user_data);
}

static void
pop3_server_session_st_free(SessionStream *st)
{
    pop3_server_session_free((Pop3ServerSession *)st);
}

/* A handshake that fails or breaks ends the session. */
static const SessionStreamOps pop3_server_session_ops = {
    .on_bytes = pop3_server_session_st_bytes,
    .on_eof = pop3_server_session_st_eof,
    .on_fail = pop3_server_session_st_fail,
    .pump = pop3_server_session_st_pump,
    .tls_switch = pop3_server_session_st_tls_switch,
    .on_tls_fail = pop3_server_session_end,
    .on_tls_lost = pop3_server_session_end,
    .on_end = pop3_server_session_st_end,
    .free = pop3_server_session_st_free,
};

/* The driver's idle timer (session_timeout.h): "-ERR Disconnected for
 * inactivity", through TLS if it is on, then close (RFC 1939 section 3:
 * no UPDATE). Not while the node owes an answer. */
static gboolean
pop3_server_session_timeout(gpointer data)
{
    Pop3ServerSession *ps = data;
    if (ps->st.dead || ps->st.pending || pop3_server_is_done(ps->eng))
        return FALSE;
    pop3_server_timeout(ps->eng);
    pop3_server_session_pump(ps);
    return TRUE;
}

Pop3ServerSession *
pop3_server_session_new(Node *node, SimStream *stream, const Pop3ServerConfig *cfg,
                        const Pop3ServerPolicy *policy, gpointer user_data)
{
    Pop3ServerSession *ps = g_new0(Pop3ServerSession, 1);
    ps->eng = pop3_server_new(cfg);
    ps->policy = *policy;
    ps->user_data = user_data;
    session_stream_accept(&ps->st, &pop3_server_session_ops, node, stream);
    session_timeout_register(node, ps->st.conn_id, pop3_server_session_timeout, ps);
    pop3_server_session_pump(ps);
    return ps;
}

static gboolean
pop3_server_session_is_auth_query(const Pop3ServerAct *act)
{
    return act->kind == POP3_SERVER_ACT_QUERY &&
           (act->query.kind == POP3_QUERY_AUTH_USERPASS || act->query.kind == POP3_QUERY_AUTH_APOP);
}

/* One action; returns TRUE when the session must close. */
static gboolean
pop3_server_session_act(Pop3ServerSession *ps, Pop3ServerAct *act)
{
    switch (act->kind) {
    case POP3_SERVER_ACT_SEND:
        session_stream_send(&ps->st, act->bytes);
        return FALSE;
    case POP3_SERVER_ACT_CMD:
        /* Held until the next action: a line that the engine turns into
         * a credential check (PASS, APOP) is traced as secret. */
        ps->held_line = g_strdup(act->line);
        ps->held_secret = g_strcmp0(act->line, act->safe_line) != 0;
        return FALSE;
    case POP3_SERVER_ACT_QUERY:
        ps->query_id = act->query.id;
        ps->st.pending = TRUE;
        ps->policy.on_query(ps, &act->query, ps->user_data);
        return FALSE;
    case POP3_SERVER_ACT_STLS: {
        /* The +OK went out in clear; from here on the stream carries TLS. */
        TlsContext *ctx = world_tls_server_context(ps->st.node->world, ps->st.node);
        if (ctx == NULL) {
            g_warning("%s: STLS without a TLS context", ps->st.node->name);
            return TRUE;
        }
        session_stream_start_tls_server(&ps->st, ctx, act->discarded);
        return FALSE;
    }
    case POP3_SERVER_ACT_CLOSE:
        return TRUE;
    default:
        return FALSE;
    }
}

static void
pop3_server_session_pump(Pop3ServerSession *ps)
{
    if (!session_stream_pump_begin(&ps->st))
        return;
    Pop3ServerAct act = {0};
    gboolean closing = FALSE;
    while (!closing && !ps->st.dead && pop3_server_poll(ps->eng, &act)) {
        pop3_server_session_flush_cmd(ps, pop3_server_session_is_auth_query(&act));
        closing = pop3_server_session_act(ps, &act);
        pop3_server_act_clear(&act);
    }
    pop3_server_session_flush_cmd(ps, FALSE);
    session_stream_pump_end(&ps->st, closing);
}

void
pop3_server_session_answer(Pop3ServerSession *ps, const Pop3ServerAnswer *ans)
{
    g_return_if_fail(ps != NULL && ps->st.pending && ans != NULL);
    if (!session_stream_answer_begin(&ps->st))
        return;
    pop3_server_answer(ps->eng, ps->query_id, ans);
    pop3_server_session_pump(ps);
}

/* A delayed answer (the event owns it). If the run ends first, the event
 * is dropped and the world's teardown frees the session. */
typedef struct {
    Pop3ServerSession *ps;
    Pop3AnswerVerdict verdict;
    char *text;
    gboolean close;
} Pop3ServerLater;

static void
pop3_server_session_later_fire(SimWorld *sim, gpointer data)
{
    Pop3ServerLater *l = data;
    Pop3ServerAnswer a = {.verdict = l->verdict, .text = l->text, .close = l->close};
    pop3_server_session_answer(l->ps, &a);
}

static void
pop3_server_session_later_free(gpointer data)
{
    Pop3ServerLater *l = data;
    g_free(l->text);
    g_free(l);
}

void
pop3_server_session_answer_later(Pop3ServerSession *ps, const Pop3ServerAnswer *ans, SimTime delay)
{
    g_return_if_fail(ps != NULL && ps->st.pending && ans != NULL);
    g_return_if_fail(ans->secret == NULL && ans->msgs == NULL && ans->message == NULL);
    Pop3ServerLater *l = g_new0(Pop3ServerLater, 1);
    l->ps = ps;
    l->verdict = ans->verdict;
    l->text = g_strdup(ans->text);
    l->close = ans->close;
    sim_world_schedule_in(ps->st.node->world->sim, MAX(delay, 0), pop3_server_session_later_fire, l,
                          pop3_server_session_later_free);
}

Node *
pop3_server_session_node(const Pop3ServerSession *ps)
{
    return ps->st.node;
}

guint64
pop3_server_session_conn_id(const Pop3ServerSession *ps)
{
    return ps->st.conn_id;
}

void
pop3_server_session_set_data(Pop3ServerSession *ps, gpointer data, GDestroyNotify destroy)
{
    if (ps->data_destroy)
        ps->data_destroy(ps->data);
    ps->data = data;
    ps->data_destroy = destroy;
}

gpointer
pop3_server_session_get_data(const Pop3ServerSession *ps)
{
    return ps->data;
}

/* ------------------------------------------------------------------ */
/* client                                                             */

struct Pop3ClientSession {
    SessionStream st; /* first: the ops get it back by a cast */
    Pop3Client *eng;
    Pop3ClientCallbacks cb;
    gpointer user_data;
    gboolean decided;
    gboolean finished;      /* CLOSE seen: free after the pump */
    SpecTlsLevel tls_level; /* verify and above: the certificate must verify */
};

static void pop3_client_session_pump(Pop3ClientSession *cs);

static void
pop3_client_session_free(Pop3ClientSession *cs)
{
    /* The run ended before on_done: nothing else is called any more. */
    if (cs->st.dropped && !cs->decided && cs->cb.on_drop)
        cs->cb.on_drop(cs->user_data);
    pop3_session_untag_conn(cs->st.node->world, cs->st.conn_id);
    pop3_client_free(cs->eng);
    session_stream_clear(&cs->st);
    g_free(cs);
}

/* The handshake failed or its certificate does not do for the level:
 * the client gives up and drops the connection (no QUIT in clear). */
static void
pop3_client_session_tls_fail(Pop3ClientSession *cs, const char *why)
{
    g_autofree char *reason = g_strdup_printf("TLS with %s: %s", cs->st.peer, why);
    pop3_client_abort(cs->eng, reason);
    session_stream_close(&cs->st);
}

static void
pop3_client_session_st_tls_fail(SessionStream *st)
{
    Pop3ClientSession *cs = (Pop3ClientSession *)st;
    pop3_client_session_tls_fail(cs, tls_pipe_get_error(st->tls));
    pop3_client_session_pump(cs);
}

/* RFC 2595 section 2.4: the client checks the server's identity; at
 * verify and secure an unverified certificate ends the fetch. */
static gboolean
pop3_client_session_st_tls_accept(SessionStream *st)
{
    Pop3ClientSession *cs = (Pop3ClientSession *)st;
    if (cs->tls_level >= SPEC_TLS_VERIFY && !session_tls_is_verified(st->tls)) {
        const char *subject = tls_pipe_get_peer_subject(st->tls);
        g_autofree char *why =
            g_strdup_printf("certificate not verified: %s",
                            subject ? tls_pipe_get_verify_string(st->tls) : "no certificate");
        pop3_client_session_tls_fail(cs, why);
        return FALSE;
    }
    /* The engine asks CAPA again (RFC 2595 section 4). */
    pop3_client_stls_done(cs->eng);
    return TRUE;
}

static void
pop3_client_session_st_bytes(SessionStream *st, const guint8 *p, gsize len)
{
    pop3_client_feed(((Pop3ClientSession *)st)->eng, p, len);
}

static void
pop3_client_session_st_eof(SessionStream *st)
{
    pop3_client_feed_eof(((Pop3ClientSession *)st)->eng);
}

static void
pop3_client_session_st_fail(SessionStream *st, const char *why)
{
    pop3_client_abort(((Pop3ClientSession *)st)->eng, why);
}

static void
pop3_client_session_st_pump(SessionStream *st)
{
    pop3_client_session_pump((Pop3ClientSession *)st);
}

static void
pop3_client_session_st_free(SessionStream *st)
{
    pop3_client_session_free((Pop3ClientSession *)st);
}

static const SessionStreamOps pop3_client_session_ops = {
    .on_bytes = pop3_client_session_st_bytes,
    .on_eof = pop3_client_session_st_eof,
    .on_fail = pop3_client_session_st_fail,
    .pump = pop3_client_session_st_pump,
    .tls_accept = pop3_client_session_st_tls_accept,
    .on_tls_fail = pop3_client_session_st_tls_fail,
    .free = pop3_client_session_st_free,
};

Pop3ClientSession *
pop3_client_session_start(Node *node, const char *ip, guint16 port, const char *peer_name,
                          const Pop3ClientConfig *cfg, const Pop3ClientCallbacks *cb,
                          gpointer user_data)
{
    Pop3ClientSession *cs = g_new0(Pop3ClientSession, 1);
    cs->eng = pop3_client_new(cfg);
    cs->cb = *cb;
    cs->user_data = user_data;
    session_stream_connect(&cs->st, &pop3_client_session_ops, node, ip, port, peer_name, NULL);
    return cs;
}

static void
pop3_client_session_trace_reply(Pop3ClientSession *cs, const Pop3ClientAct *act)
{
    SimTraceRec *r = world_trace(cs->st.node->world, "pop3.reply", cs->st.node->name);
    if (r == NULL)
        return;
    sim_trace_int(r, "conn", (gint64)cs->st.conn_id);
    sim_trace_str(r, "peer", cs->st.peer);
    sim_trace_bool(r, "ok", act->ok);
    sim_trace_bytes(r, "text", (const guint8 *)act->text, strlen(act->text));
    sim_trace_end(r);
}

static void
pop3_client_session_act(Pop3ClientSession *cs, Pop3ClientAct *act)
{
    switch (act->kind) {
    case POP3_CLIENT_ACT_SEND:
        session_stream_send(&cs->st, act->bytes);
        break;
    case POP3_CLIENT_ACT_REPLY:
        pop3_client_session_trace_reply(cs, act);
        break;
    case POP3_CLIENT_ACT_MESSAGE:
        if (cs->cb.on_message)
            cs->cb.on_message(cs, act->msg, act->uid, act->bytes,
                              pop3_session_uid_tag(cs->st.node->world, cs->st.conn_id, act->uid),
                              cs->user_data);
        break;
    case POP3_CLIENT_ACT_DONE:
        if (!cs->decided) {
            cs->decided = TRUE;
            if (cs->cb.on_done)
                cs->cb.on_done(cs, act->ok, act->retrieved, act->deleted, act->text, cs->user_data);
        }
        break;
    case POP3_CLIENT_ACT_STLS: {
        TlsContext *ctx = world_tls_pop3_client_context(cs->st.node->world, cs->st.node);
        if (ctx == NULL) {
            pop3_client_abort(cs->eng, "no TLS layer");
            break;
        }
        /* RFC 6066 3, RFC 6125: SNI and the name to verify are the store's. */
        session_stream_start_tls_client(&cs->st, ctx, 0);
        break;
    }
    case POP3_CLIENT_ACT_CLOSE:
        cs->finished = TRUE;
        break;
    default:
        break;
    }
}

static void
pop3_client_session_pump(Pop3ClientSession *cs)
{
    if (!session_stream_pump_begin(&cs->st))
        return;
    Pop3ClientAct act = {0};
    while (pop3_client_poll(cs->eng, &act)) {
        pop3_client_session_act(cs, &act);
        pop3_client_act_clear(&act);
    }
    cs->st.pumping = FALSE;
    if (cs->finished) {
        session_stream_close(&cs->st);
        pop3_client_session_free(cs);
    }
}

void
pop3_client_session_set_tls_level(Pop3ClientSession *cs, SpecTlsLevel level)
{
    g_return_if_fail(cs != NULL);
    cs->tls_level = level;
}

gboolean
pop3_client_session_is_tls(const Pop3ClientSession *cs)
{
    return cs->st.tls_up;
}

guint64
pop3_client_session_conn_id(const Pop3ClientSession *cs)
{
    return cs->st.conn_id;
}

const char *
pop3_client_session_peer(const Pop3ClientSession *cs)
{
    return cs->st.peer;
}
