/* SPDX-License-Identifier: MIT
 * session_stream: stream handlers, TLS carriage, conn.* records and the
 * server lifecycle shared by every session kind. TLS: RFC 3207 4.2 and
 * RFC 2595 4 (the switch, plaintext buffered at it is dropped and
 * counted), RFC 8446 6.1 (close_notify before FIN), RFC 2818 2.1 (HTTPS
 * from the first octet). It knows no protocol: the kind's ops do.
 */
#include "nodes/session_stream.h"

#include "nodes/conn_trace.h"
#include "nodes/session_tls.h"
#include "nodes/world_private.h"

/* --- the world's live sessions --- */

static void
session_stream_register(SessionStream *st)
{
    World *w = st->node->world;
    st->prev = NULL;
    st->next = w->sessions;
    if (w->sessions != NULL)
        w->sessions->prev = st;
    w->sessions = st;
    st->listed = TRUE;
}

void
session_stream_clear(SessionStream *st)
{
    if (st->listed) {
        World *w = st->node->world;
        if (st->prev != NULL)
            st->prev->next = st->next;
        else
            w->sessions = st->next;
        if (st->next != NULL)
            st->next->prev = st->prev;
        st->listed = FALSE;
    }
    g_clear_pointer(&st->tls, tls_pipe_free);
    g_clear_pointer(&st->peer, g_free);
    if (st->owned_free != NULL)
        st->owned_free(st->owned);
    st->owned = NULL;
    st->owned_free = NULL;
}

void
session_stream_own(SessionStream *st, gpointer data, GDestroyNotify destroy)
{
    st->owned = data;
    st->owned_free = destroy;
}

void
session_stream_free_all(World *w)
{
    /* Each free unlinks its session; no callback, no record: the run is
     * over and its trace complete. */
    while (w->sessions != NULL) {
        SessionStream *st = w->sessions;
        st->dropped = TRUE;
        st->ops->free(st);
        g_assert(w->sessions != st);
    }
}

/* --- TLS carriage --- */

void
session_stream_trace_tls(SessionStream *st)
{
    session_tls_trace(st->node, st->conn_id, st->is_server ? "server" : "client", st->peer, st->tls,
                      st->tls_discarded);
}

void
session_stream_start_tls_client(SessionStream *st, TlsContext *ctx, gsize discarded)
{
    st->tls_discarded = discarded;
    st->tls = tls_pipe_new_client(ctx, st->peer);
    session_tls_flush(st->tls, st->stream);
}

void
session_stream_start_tls_server(SessionStream *st, TlsContext *ctx, gsize discarded)
{
    st->tls = tls_pipe_new_server(ctx);
    st->tls_discarded = discarded;
}

/* Ciphertext from the peer: the handshake, then plaintext for the kind.
 * FALSE when a hook took over (no pump after it). */
static gboolean
session_stream_tls_in(SessionStream *st, const guint8 *p, gsize len)
{
    tls_pipe_feed(st->tls, p, len);
    session_tls_flush(st->tls, st->stream);
    if (tls_pipe_is_failed(st->tls) && !st->tls_up) {
        session_stream_trace_tls(st);
        st->ops->on_tls_fail(st);
        return FALSE;
    }
    if (!st->tls_up && tls_pipe_is_established(st->tls)) {
        st->tls_up = TRUE;
        if (st->ops->tls_switch)
            st->tls_discarded += st->ops->tls_switch(st);
        session_stream_trace_tls(st);
        if (st->ops->tls_accept && !st->ops->tls_accept(st))
            return TRUE;
    }
    g_autoptr(GBytes) plain = tls_pipe_read(st->tls);
    if (plain) {
        gsize n;
        const guint8 *d = g_bytes_get_data(plain, &n);
        st->ops->on_bytes(st, d, n);
    }
    if (tls_pipe_is_failed(st->tls) && st->ops->on_tls_lost) {
        st->ops->on_tls_lost(st);
        return FALSE;
    }
    return TRUE;
}

void
session_stream_send(SessionStream *st, GBytes *bytes)
{
    if (st->stream == NULL)
        return;
    if (st->tls == NULL) {
        sim_stream_write(st->stream, bytes);
        return;
    }
    gsize len;
    const guint8 *p = g_bytes_get_data(bytes, &len);
    tls_pipe_write(st->tls, p, len);
    session_tls_flush(st->tls, st->stream);
}

void
session_stream_close(SessionStream *st)
{
    if (st->stream == NULL)
        return;
    session_tls_close(st->tls, st->stream);
    sim_stream_close(st->stream);
    st->stream = NULL;
}

void
session_stream_close_plain(SessionStream *st)
{
    if (st->stream == NULL)
        return;
    sim_stream_close(st->stream);
    st->stream = NULL;
}

void
session_stream_fail(SessionStream *st, const char *why)
{
    conn_trace_fail(st->node, st->conn_id, st->peer, why);
    if (st->stream) {
        sim_stream_reset(st->stream);
        st->stream = NULL;
    }
    st->ops->on_fail(st, why);
    st->ops->pump(st);
}

/* --- stream handlers --- */

static void
session_stream_on_data(SimStream *s, GBytes *data, gpointer user_data)
{
    SessionStream *st = user_data;
    gsize len;
    const guint8 *p = g_bytes_get_data(data, &len);
    if (st->tls == NULL)
        st->ops->on_bytes(st, p, len);
    else if (!session_stream_tls_in(st, p, len))
        return;
    st->ops->pump(st);
}

static void
session_stream_on_eof(SimStream *s, gpointer user_data)
{
    SessionStream *st = user_data;
    st->ops->on_eof(st);
    st->ops->pump(st);
}

static void
session_stream_server_on_reset(SimStream *s, gpointer user_data)
{
    SessionStream *st = user_data;
    st->ops->on_fail(st, "connection reset");
}

static const SimStreamHandler session_stream_server_handler = {
    .on_data = session_stream_on_data,
    .on_eof = session_stream_on_eof,
    .on_reset = session_stream_server_on_reset,
};

static void
session_stream_on_reset(SimStream *s, gpointer user_data)
{
    session_stream_fail(user_data, "connection reset");
}

static void
session_stream_on_refused(SimStream *s, gpointer user_data)
{
    session_stream_fail(user_data, "connection refused");
}

static void
session_stream_on_timeout(SimStream *s, gpointer user_data)
{
    session_stream_fail(user_data, "connection timed out");
}

static const SimStreamHandler session_stream_client_handler = {
    .on_data = session_stream_on_data,
    .on_eof = session_stream_on_eof,
    .on_reset = session_stream_on_reset,
    .on_refused = session_stream_on_refused,
    .on_timeout = session_stream_on_timeout,
};

/* --- opening --- */

void
session_stream_connect(SessionStream *st, const SessionStreamOps *ops, Node *node, const char *ip,
                       guint16 port, const char *peer_name, const char *msg_id)
{
    World *w = node->world;
    st->ops = ops;
    st->node = node;
    st->peer = g_strdup(peer_name ? peer_name : ip);
    st->stream = sim_net_connect(w->net, node->host, ip, port, &session_stream_client_handler, st);
    st->conn_id = sim_stream_conn_id(st->stream);
    session_stream_register(st);
    conn_trace_open(node, st->conn_id, st->peer, ip, port, msg_id);
}

void
session_stream_accept(SessionStream *st, const SessionStreamOps *ops, Node *node, SimStream *stream)
{
    st->ops = ops;
    st->node = node;
    st->is_server = TRUE;
    st->stream = stream;
    st->conn_id = sim_stream_conn_id(stream);
    sim_ipv4_format(sim_stream_remote_addr(stream), st->client_ip);
    SimHost *peer = sim_stream_remote_host(stream);
    st->client_node = peer ? sim_host_name(peer) : NULL;
    st->peer = g_strdup(st->client_node ? st->client_node : st->client_ip);
    sim_stream_set_handler(stream, &session_stream_server_handler, st);
    session_stream_register(st);
    conn_trace_accept(node, st->conn_id, st->peer, st->client_ip, sim_stream_local_port(stream));
}

/* --- server lifecycle --- */

gboolean
session_stream_pump_begin(SessionStream *st)
{
    if (st->pumping)
        return FALSE;
    st->pumping = TRUE;
    return TRUE;
}

void
session_stream_pump_end(SessionStream *st, gboolean closing)
{
    st->pumping = FALSE;
    if (closing)
        session_stream_end(st);
    else if (st->dead && !st->pending)
        st->ops->free(st);
}

void
session_stream_end(SessionStream *st)
{
    if (st->dead)
        return;
    st->dead = TRUE;
    conn_trace_close(st->node, st->conn_id, "server");
    session_stream_close(st);
    if (st->ops->on_end)
        st->ops->on_end(st);
    if (!st->pending && !st->pumping)
        st->ops->free(st);
}

gboolean
session_stream_answer_begin(SessionStream *st)
{
    st->pending = FALSE;
    if (st->dead) {
        if (!st->pumping)
            st->ops->free(st);
        return FALSE;
    }
    return TRUE;
}
