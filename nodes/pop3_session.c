/* SPDX-License-Identifier: MIT
 * pop3_session: SimStream <-> Pop3Server / Pop3Client glue, with tracing.
 * The trace shows each command line as an eavesdropper on the link sees
 * it (RFC 1939 section 13: USER/PASS crosses the wire in clear); a line
 * that carries a credential (PASS, APOP) is marked `secret` so that
 * readers can find or hide it. After STLS (RFC 2595 section 4) a TlsPipe
 * carries the session; credentials sent under TLS are then left out of
 * the trace (the wire held ciphertext), as for SMTP AUTH.
 */
#include "nodes/pop3_session.h"

#include <string.h>

#include "nodes/conn_trace.h"
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
    Node *node;
    SimStream *stream;
    Pop3Server *eng;
    Pop3ServerPolicy policy;
    gpointer user_data;
    gpointer data;
    GDestroyNotify data_destroy;
    guint32 query_id;
    gboolean pending; /* a query waits for the policy */
    gboolean pumping;
    gboolean dead;   /* the stream is gone; free once no query is pending */
    char *held_line; /* a command line not traced yet (see pump) */
    gboolean held_secret;
    char client_ip[16];
    const char *client_node;
    guint64 conn_id;
    TlsPipe *tls;        /* after STLS: ciphertext on the stream */
    gboolean tls_up;     /* handshake done and traced */
    gsize tls_discarded; /* plaintext dropped at the switch (RFC 2595 section 4) */
};

static void pop3_server_session_pump(Pop3ServerSession *ps);

static void
pop3_server_session_free(Pop3ServerSession *ps)
{
    if (ps->data_destroy)
        ps->data_destroy(ps->data);
    pop3_server_free(ps->eng);
    g_clear_pointer(&ps->tls, tls_pipe_free);
    g_free(ps->held_line);
    g_free(ps);
}

const char *
pop3_server_session_peer(const Pop3ServerSession *ps)
{
    return ps->client_node ? ps->client_node : ps->client_ip;
}

/* Traces the held command line, if any. */
static void
pop3_server_session_flush_cmd(Pop3ServerSession *ps, gboolean secret)
{
    if (ps->held_line == NULL)
        return;
    SimTraceRec *r = world_trace(ps->node->world, "pop3.cmd", ps->node->name);
    if (r != NULL) {
        sim_trace_int(r, "conn", (gint64)ps->conn_id);
        sim_trace_str(r, "peer", pop3_server_session_peer(ps));
        gboolean is_secret = secret || ps->held_secret;
        if (is_secret && ps->tls != NULL) {
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

/* The stream is over: tell the policy once, free when no answer is owed. */
static void
pop3_server_session_end(Pop3ServerSession *ps)
{
    if (ps->dead)
        return;
    ps->dead = TRUE;
    pop3_server_session_flush_cmd(ps, FALSE);
    conn_trace_close(ps->node, ps->conn_id, "server");
    if (ps->stream) {
        session_tls_close(ps->tls, ps->stream);
        sim_stream_close(ps->stream);
        ps->stream = NULL;
    }
    if (ps->policy.on_end)
        ps->policy.on_end(ps, ps->user_data);
    if (!ps->pending && !ps->pumping)
        pop3_server_session_free(ps);
}

/* Bytes to the client: through TLS once it is on. */
static void
pop3_server_session_send(Pop3ServerSession *ps, GBytes *bytes)
{
    if (ps->stream == NULL)
        return;
    if (ps->tls == NULL) {
        sim_stream_write(ps->stream, bytes);
        return;
    }
    gsize len;
    const guint8 *p = g_bytes_get_data(bytes, &len);
    tls_pipe_write(ps->tls, p, len);
    session_tls_flush(ps->tls, ps->stream);
}

/* Ciphertext from the client: the handshake, then plaintext for the
 * engine. FALSE when the session must end (handshake failed). */
static gboolean
pop3_server_session_tls_in(Pop3ServerSession *ps, const guint8 *p, gsize len)
{
    tls_pipe_feed(ps->tls, p, len);
    session_tls_flush(ps->tls, ps->stream);
    const char *peer = pop3_server_session_peer(ps);
    if (tls_pipe_is_failed(ps->tls) && !ps->tls_up) {
        session_tls_trace(ps->node, ps->conn_id, "server", peer, ps->tls, ps->tls_discarded);
        return FALSE;
    }
    if (!ps->tls_up && tls_pipe_is_established(ps->tls)) {
        /* RFC 2595 section 4: the session restarts in AUTHORIZATION. */
        ps->tls_up = TRUE;
        pop3_server_stls_done(ps->eng);
        session_tls_trace(ps->node, ps->conn_id, "server", peer, ps->tls, ps->tls_discarded);
    }
    g_autoptr(GBytes) plain = tls_pipe_read(ps->tls);
    if (plain) {
        gsize n;
        const guint8 *d = g_bytes_get_data(plain, &n);
        pop3_server_feed(ps->eng, d, n);
    }
    return !tls_pipe_is_failed(ps->tls);
}

static void
pop3_server_session_on_data(SimStream *s, GBytes *data, gpointer user_data)
{
    Pop3ServerSession *ps = user_data;
    gsize len;
    const guint8 *p = g_bytes_get_data(data, &len);
    /* The engine drops what comes after a close and counts what comes
     * while an STLS switch is due (RFC 2595 section 4). */
    if (ps->tls == NULL) {
        pop3_server_feed(ps->eng, p, len);
    } else if (!pop3_server_session_tls_in(ps, p, len)) {
        pop3_server_session_end(ps);
        return;
    }
    pop3_server_session_pump(ps);
}

static void
pop3_server_session_on_eof(SimStream *s, gpointer user_data)
{
    Pop3ServerSession *ps = user_data;
    pop3_server_feed_eof(ps->eng);
    pop3_server_session_pump(ps);
}

static void
pop3_server_session_on_reset(SimStream *s, gpointer user_data)
{
    pop3_server_session_end(user_data);
}

static const SimStreamHandler pop3_server_session_handler = {
    .on_data = pop3_server_session_on_data,
    .on_eof = pop3_server_session_on_eof,
    .on_reset = pop3_server_session_on_reset,
};

Pop3ServerSession *
pop3_server_session_new(Node *node, SimStream *stream, const Pop3ServerConfig *cfg,
                        const Pop3ServerPolicy *policy, gpointer user_data)
{
    Pop3ServerSession *ps = g_new0(Pop3ServerSession, 1);
    ps->node = node;
    ps->stream = stream;
    ps->eng = pop3_server_new(cfg);
    ps->policy = *policy;
    ps->user_data = user_data;
    ps->conn_id = sim_stream_conn_id(stream);
    sim_ipv4_format(sim_stream_remote_addr(stream), ps->client_ip);
    SimHost *peer = sim_stream_remote_host(stream);
    ps->client_node = peer ? sim_host_name(peer) : NULL;
    sim_stream_set_handler(stream, &pop3_server_session_handler, ps);
    conn_trace_accept(node, ps->conn_id, pop3_server_session_peer(ps), ps->client_ip,
                      sim_stream_local_port(stream));
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
        pop3_server_session_send(ps, act->bytes);
        return FALSE;
    case POP3_SERVER_ACT_CMD:
        /* Held until the next action: a line that the engine turns into
         * a credential check (PASS, APOP) is traced as secret. */
        ps->held_line = g_strdup(act->line);
        ps->held_secret = g_strcmp0(act->line, act->safe_line) != 0;
        return FALSE;
    case POP3_SERVER_ACT_QUERY:
        ps->query_id = act->query.id;
        ps->pending = TRUE;
        ps->policy.on_query(ps, &act->query, ps->user_data);
        return FALSE;
    case POP3_SERVER_ACT_STLS: {
        /* The +OK went out in clear; from here on the stream carries TLS. */
        TlsContext *ctx = world_tls_server_context(ps->node->world, ps->node);
        if (ctx == NULL) {
            g_warning("%s: STLS without a TLS context", ps->node->name);
            return TRUE;
        }
        ps->tls = tls_pipe_new_server(ctx);
        ps->tls_discarded = act->discarded;
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
    if (ps->pumping)
        return;
    ps->pumping = TRUE;
    Pop3ServerAct act = {0};
    gboolean closing = FALSE;
    while (!closing && !ps->dead && pop3_server_poll(ps->eng, &act)) {
        pop3_server_session_flush_cmd(ps, pop3_server_session_is_auth_query(&act));
        closing = pop3_server_session_act(ps, &act);
        pop3_server_act_clear(&act);
    }
    pop3_server_session_flush_cmd(ps, FALSE);
    ps->pumping = FALSE;
    if (closing)
        pop3_server_session_end(ps);
    else if (ps->dead && !ps->pending)
        pop3_server_session_free(ps);
}

void
pop3_server_session_answer(Pop3ServerSession *ps, const Pop3ServerAnswer *ans)
{
    g_return_if_fail(ps != NULL && ps->pending && ans != NULL);
    ps->pending = FALSE;
    if (ps->dead) {
        if (!ps->pumping)
            pop3_server_session_free(ps);
        return;
    }
    pop3_server_answer(ps->eng, ps->query_id, ans);
    pop3_server_session_pump(ps);
}

Node *
pop3_server_session_node(const Pop3ServerSession *ps)
{
    return ps->node;
}

guint64
pop3_server_session_conn_id(const Pop3ServerSession *ps)
{
    return ps->conn_id;
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
    Node *node;
    SimStream *stream;
    Pop3Client *eng;
    Pop3ClientCallbacks cb;
    gpointer user_data;
    gboolean decided;
    gboolean pumping;
    gboolean finished; /* CLOSE seen: free after the pump */
    char *peer;
    guint64 conn_id;
    SpecTlsLevel tls_level; /* verify and above: the certificate must verify */
    TlsPipe *tls;
    gboolean tls_up;
};

static void pop3_client_session_pump(Pop3ClientSession *cs);

static void
pop3_client_session_free(Pop3ClientSession *cs)
{
    pop3_session_untag_conn(cs->node->world, cs->conn_id);
    pop3_client_free(cs->eng);
    g_clear_pointer(&cs->tls, tls_pipe_free);
    g_free(cs->peer);
    g_free(cs);
}

/* The handshake failed or its certificate does not do for the level:
 * the client gives up and drops the connection (no QUIT in clear). */
static void
pop3_client_session_tls_fail(Pop3ClientSession *cs, const char *why)
{
    g_autofree char *reason = g_strdup_printf("TLS with %s: %s", cs->peer, why);
    pop3_client_abort(cs->eng, reason);
    if (cs->stream) {
        session_tls_close(cs->tls, cs->stream);
        sim_stream_close(cs->stream);
        cs->stream = NULL;
    }
}

/* Ciphertext from the server: the handshake, then plaintext for the engine. */
static void
pop3_client_session_tls_in(Pop3ClientSession *cs, const guint8 *p, gsize len)
{
    tls_pipe_feed(cs->tls, p, len);
    session_tls_flush(cs->tls, cs->stream);
    if (tls_pipe_is_failed(cs->tls) && !cs->tls_up) {
        session_tls_trace(cs->node, cs->conn_id, "client", cs->peer, cs->tls, 0);
        pop3_client_session_tls_fail(cs, tls_pipe_get_error(cs->tls));
        return;
    }
    if (!cs->tls_up && tls_pipe_is_established(cs->tls)) {
        cs->tls_up = TRUE;
        session_tls_trace(cs->node, cs->conn_id, "client", cs->peer, cs->tls, 0);
        /* RFC 2595 section 2.4: the client checks the server's identity;
         * at verify and secure an unverified certificate ends the fetch. */
        if (cs->tls_level >= SPEC_TLS_VERIFY && !session_tls_is_verified(cs->tls)) {
            const char *subject = tls_pipe_get_peer_subject(cs->tls);
            g_autofree char *why =
                g_strdup_printf("certificate not verified: %s",
                                subject ? tls_pipe_get_verify_string(cs->tls) : "no certificate");
            pop3_client_session_tls_fail(cs, why);
            return;
        }
        /* The engine asks CAPA again (RFC 2595 section 4). */
        pop3_client_stls_done(cs->eng);
    }
    g_autoptr(GBytes) plain = tls_pipe_read(cs->tls);
    if (plain) {
        gsize n;
        const guint8 *d = g_bytes_get_data(plain, &n);
        pop3_client_feed(cs->eng, d, n);
    }
}

static void
pop3_client_session_on_data(SimStream *s, GBytes *data, gpointer user_data)
{
    Pop3ClientSession *cs = user_data;
    gsize len;
    const guint8 *p = g_bytes_get_data(data, &len);
    if (cs->tls)
        pop3_client_session_tls_in(cs, p, len);
    else
        pop3_client_feed(cs->eng, p, len);
    pop3_client_session_pump(cs);
}

static void
pop3_client_session_on_eof(SimStream *s, gpointer user_data)
{
    Pop3ClientSession *cs = user_data;
    pop3_client_feed_eof(cs->eng);
    pop3_client_session_pump(cs);
}

static void
pop3_client_session_fail(Pop3ClientSession *cs, const char *why)
{
    conn_trace_fail(cs->node, cs->conn_id, cs->peer, why);
    if (cs->stream) {
        sim_stream_reset(cs->stream);
        cs->stream = NULL;
    }
    pop3_client_abort(cs->eng, why);
    pop3_client_session_pump(cs);
}

static void
pop3_client_session_on_reset(SimStream *s, gpointer user_data)
{
    pop3_client_session_fail(user_data, "connection reset");
}

static void
pop3_client_session_on_refused(SimStream *s, gpointer user_data)
{
    pop3_client_session_fail(user_data, "connection refused");
}

static void
pop3_client_session_on_timeout(SimStream *s, gpointer user_data)
{
    pop3_client_session_fail(user_data, "connection timed out");
}

static const SimStreamHandler pop3_client_session_handler = {
    .on_data = pop3_client_session_on_data,
    .on_eof = pop3_client_session_on_eof,
    .on_reset = pop3_client_session_on_reset,
    .on_refused = pop3_client_session_on_refused,
    .on_timeout = pop3_client_session_on_timeout,
};

Pop3ClientSession *
pop3_client_session_start(Node *node, const char *ip, guint16 port, const char *peer_name,
                          const Pop3ClientConfig *cfg, const Pop3ClientCallbacks *cb,
                          gpointer user_data)
{
    World *w = node->world;
    Pop3ClientSession *cs = g_new0(Pop3ClientSession, 1);
    cs->node = node;
    cs->eng = pop3_client_new(cfg);
    cs->cb = *cb;
    cs->user_data = user_data;
    cs->peer = g_strdup(peer_name ? peer_name : ip);
    cs->stream = sim_net_connect(w->net, node->host, ip, port, &pop3_client_session_handler, cs);
    cs->conn_id = sim_stream_conn_id(cs->stream);
    conn_trace_open(node, cs->conn_id, cs->peer, ip, port, NULL);
    return cs;
}

static void
pop3_client_session_trace_reply(Pop3ClientSession *cs, const Pop3ClientAct *act)
{
    SimTraceRec *r = world_trace(cs->node->world, "pop3.reply", cs->node->name);
    if (r == NULL)
        return;
    sim_trace_int(r, "conn", (gint64)cs->conn_id);
    sim_trace_str(r, "peer", cs->peer);
    sim_trace_bool(r, "ok", act->ok);
    sim_trace_bytes(r, "text", (const guint8 *)act->text, strlen(act->text));
    sim_trace_end(r);
}

static void
pop3_client_session_send(Pop3ClientSession *cs, GBytes *bytes)
{
    if (cs->stream == NULL)
        return;
    if (cs->tls == NULL) {
        sim_stream_write(cs->stream, bytes);
        return;
    }
    gsize len;
    const guint8 *p = g_bytes_get_data(bytes, &len);
    tls_pipe_write(cs->tls, p, len);
    session_tls_flush(cs->tls, cs->stream);
}

static void
pop3_client_session_act(Pop3ClientSession *cs, Pop3ClientAct *act)
{
    switch (act->kind) {
    case POP3_CLIENT_ACT_SEND:
        pop3_client_session_send(cs, act->bytes);
        break;
    case POP3_CLIENT_ACT_REPLY:
        pop3_client_session_trace_reply(cs, act);
        break;
    case POP3_CLIENT_ACT_MESSAGE:
        if (cs->cb.on_message)
            cs->cb.on_message(cs, act->msg, act->uid, act->bytes,
                              pop3_session_uid_tag(cs->node->world, cs->conn_id, act->uid),
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
        TlsContext *ctx = world_tls_pop3_client_context(cs->node->world, cs->node);
        if (ctx == NULL) {
            pop3_client_abort(cs->eng, "no TLS layer");
            break;
        }
        /* RFC 6066 3, RFC 6125: SNI and the name to verify are the store's. */
        cs->tls = tls_pipe_new_client(ctx, cs->peer);
        session_tls_flush(cs->tls, cs->stream);
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
    if (cs->pumping)
        return;
    cs->pumping = TRUE;
    Pop3ClientAct act = {0};
    while (pop3_client_poll(cs->eng, &act)) {
        pop3_client_session_act(cs, &act);
        pop3_client_act_clear(&act);
    }
    cs->pumping = FALSE;
    if (cs->finished) {
        if (cs->stream) {
            session_tls_close(cs->tls, cs->stream);
            sim_stream_close(cs->stream);
            cs->stream = NULL;
        }
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
    return cs->tls_up;
}

guint64
pop3_client_session_conn_id(const Pop3ClientSession *cs)
{
    return cs->conn_id;
}

const char *
pop3_client_session_peer(const Pop3ClientSession *cs)
{
    return cs->peer;
}
