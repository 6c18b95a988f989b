/* SPDX-License-Identifier: MIT
 * http_session: SimStream <-> HttpServer / HttpClient glue, with tracing.
 * HTTPS (RFC 2818 2.1): the client starts the TLS handshake as soon as the
 * connection is up, the server answers it, and HTTP flows inside; the
 * handshake is traced as a summary, never with key material (STYLE 10).
 */
#include "nodes/http_session.h"

#include <string.h>

#include "nodes/conn_trace.h"
#include "nodes/tls_setup.h"
#include "nodes/world_private.h"
#include "proto/tls_pipe.h"

/* ------------------------------------------------------------------ */
/* TLS, both sides                                                    */

static void
http_session_tls_flush(TlsPipe *tls, SimStream *stream)
{
    GBytes *out;
    while ((out = tls_pipe_take_output(tls)) != NULL) {
        if (stream)
            sim_stream_write(stream, out);
        g_bytes_unref(out);
    }
}

static void
http_session_send(TlsPipe *tls, SimStream *stream, GBytes *bytes)
{
    if (stream == NULL)
        return;
    if (tls == NULL) {
        sim_stream_write(stream, bytes);
        return;
    }
    gsize len;
    const guint8 *p = g_bytes_get_data(bytes, &len);
    tls_pipe_write(tls, p, len);
    http_session_tls_flush(tls, stream);
}

/* Sends close_notify (RFC 8446 6.1) and closes the stream. */
static void
http_session_close_stream(TlsPipe *tls, SimStream *stream)
{
    if (stream == NULL)
        return;
    if (tls && tls_pipe_is_established(tls)) {
        tls_pipe_close(tls);
        http_session_tls_flush(tls, stream);
    }
    sim_stream_close(stream);
}

/* tls.handshake, with the fields smtp_session writes (docs/trace.md). */
static void
http_session_tls_trace(Node *node, guint64 conn_id, const char *side, const char *peer,
                       TlsPipe *tls)
{
    SimTraceRec *r = world_trace(node->world, "tls.handshake", node->name);
    if (r == NULL)
        return;
    gboolean ok = tls_pipe_is_established(tls);
    sim_trace_int(r, "conn", (gint64)conn_id);
    sim_trace_str(r, "side", side);
    sim_trace_str(r, "peer", peer);
    sim_trace_str(r, "result", ok ? "ok" : "failed");
    if (ok) {
        sim_trace_str(r, "version", tls_pipe_get_version(tls));
        sim_trace_str(r, "cipher", tls_pipe_get_cipher(tls));
        sim_trace_bool(r, "resumed", tls_pipe_is_resumed(tls));
    } else {
        sim_trace_str(r, "error", tls_pipe_get_error(tls));
    }
    const char *subject = tls_pipe_get_peer_subject(tls);
    if (subject)
        sim_trace_str(r, "peer_subject", subject);
    if (strcmp(side, "client") == 0) {
        long vr = tls_pipe_get_verify_result(tls);
        sim_trace_bool(r, "verified", ok && subject != NULL && vr == 0);
        sim_trace_str(r, "verify",
                      subject == NULL && ok ? "no certificate" : tls_pipe_get_verify_string(tls));
    }
    sim_trace_end(r);
}

/* Ciphertext in; plaintext (transfer full, nullable) out. *failed when
 * the handshake broke; the handshake is traced once. */
static GBytes *
http_session_tls_in(Node *node, guint64 conn_id, const char *side, const char *peer, TlsPipe *tls,
                    SimStream *stream, gboolean *tls_up, const guint8 *p, gsize len,
                    gboolean *failed)
{
    tls_pipe_feed(tls, p, len);
    http_session_tls_flush(tls, stream);
    *failed = tls_pipe_is_failed(tls);
    if (*failed && !*tls_up) {
        http_session_tls_trace(node, conn_id, side, peer, tls);
        return NULL;
    }
    if (!*tls_up && tls_pipe_is_established(tls)) {
        *tls_up = TRUE;
        http_session_tls_trace(node, conn_id, side, peer, tls);
    }
    return tls_pipe_read(tls);
}

/* ------------------------------------------------------------------ */
/* server                                                             */

struct HttpServerSession {
    Node *node;
    SimStream *stream;
    HttpServer *eng;
    HttpServerPolicy policy;
    gpointer user_data;
    TlsPipe *tls;
    gboolean tls_up;
    gboolean pending; /* a request waits for the policy */
    guint32 pending_id;
    gboolean pumping;
    gboolean dead;
    char client_ip[16];
    const char *client_node;
    guint64 conn_id;
};

static void http_server_session_pump(HttpServerSession *hs);

static void
http_server_session_free(HttpServerSession *hs)
{
    http_server_free(hs->eng);
    g_clear_pointer(&hs->tls, tls_pipe_free);
    g_free(hs);
}

const char *
http_server_session_peer(const HttpServerSession *hs)
{
    return hs->client_node ? hs->client_node : hs->client_ip;
}

static void
http_server_session_end(HttpServerSession *hs)
{
    if (hs->dead)
        return;
    hs->dead = TRUE;
    conn_trace_close(hs->node, hs->conn_id, "server");
    http_session_close_stream(hs->tls, hs->stream);
    hs->stream = NULL;
    if (hs->policy.on_end)
        hs->policy.on_end(hs, hs->user_data);
    if (!hs->pending && !hs->pumping)
        http_server_session_free(hs);
}

static void
http_server_session_on_data(SimStream *s, GBytes *data, gpointer user_data)
{
    HttpServerSession *hs = user_data;
    gsize len;
    const guint8 *p = g_bytes_get_data(data, &len);
    if (hs->tls == NULL) {
        http_server_feed(hs->eng, p, len);
    } else {
        gboolean failed = FALSE;
        g_autoptr(GBytes) plain =
            http_session_tls_in(hs->node, hs->conn_id, "server", http_server_session_peer(hs),
                                hs->tls, hs->stream, &hs->tls_up, p, len, &failed);
        if (plain)
            http_server_feed(hs->eng, g_bytes_get_data(plain, NULL), g_bytes_get_size(plain));
        if (failed) {
            http_server_abort(hs->eng);
        }
    }
    http_server_session_pump(hs);
}

static void
http_server_session_on_eof(SimStream *s, gpointer user_data)
{
    HttpServerSession *hs = user_data;
    http_server_feed_eof(hs->eng);
    http_server_session_pump(hs);
}

static void
http_server_session_on_reset(SimStream *s, gpointer user_data)
{
    http_server_session_end(user_data);
}

static const SimStreamHandler http_server_session_handler = {
    .on_data = http_server_session_on_data,
    .on_eof = http_server_session_on_eof,
    .on_reset = http_server_session_on_reset,
};

HttpServerSession *
http_server_session_new(Node *node, SimStream *stream, const HttpServerConfig *cfg, gboolean tls,
                        const HttpServerPolicy *policy, gpointer user_data)
{
    HttpServerSession *hs = g_new0(HttpServerSession, 1);
    hs->node = node;
    hs->stream = stream;
    hs->eng = http_server_new(cfg);
    hs->policy = *policy;
    hs->user_data = user_data;
    hs->conn_id = sim_stream_conn_id(stream);
    sim_ipv4_format(sim_stream_remote_addr(stream), hs->client_ip);
    SimHost *peer = sim_stream_remote_host(stream);
    hs->client_node = peer ? sim_host_name(peer) : NULL;
    sim_stream_set_handler(stream, &http_server_session_handler, hs);
    conn_trace_accept(node, hs->conn_id, http_server_session_peer(hs), hs->client_ip,
                      sim_stream_local_port(stream));
    if (tls) {
        TlsContext *ctx = world_tls_server_context(node->world, node);
        if (ctx != NULL)
            hs->tls = tls_pipe_new_server(ctx);
        else
            http_server_abort(hs->eng);
    }
    http_server_session_pump(hs);
    return hs;
}

/* The request as it crossed the wire: line and size; the body itself is
 * the node's business (webmail.handle says what it read). */
static void
http_server_session_trace_request(HttpServerSession *hs, const HttpMessage *req)
{
    SimTraceRec *r = world_trace(hs->node->world, "http.request", hs->node->name);
    if (r == NULL)
        return;
    g_autofree char *line =
        g_strdup_printf("%s %s HTTP/1.%u", req->method, req->target, req->minor);
    sim_trace_int(r, "conn", (gint64)hs->conn_id);
    sim_trace_str(r, "peer", http_server_session_peer(hs));
    sim_trace_bytes(r, "line", (const guint8 *)line, strlen(line));
    sim_trace_str(r, "method", req->method);
    sim_trace_bytes(r, "target", (const guint8 *)req->target, strlen(req->target));
    sim_trace_int(r, "size", (gint64)g_bytes_get_size(req->body));
    sim_trace_bool(r, "tls", hs->tls != NULL);
    sim_trace_end(r);
}

static void
http_server_session_trace_error(HttpServerSession *hs, const HttpServerAct *act)
{
    SimTraceRec *r = world_trace(hs->node->world, "http.error", hs->node->name);
    sim_trace_int(r, "conn", (gint64)hs->conn_id);
    sim_trace_str(r, "peer", http_server_session_peer(hs));
    sim_trace_int(r, "code", act->status);
    sim_trace_str(r, "reason", act->text);
    sim_trace_end(r);
}

static void
http_server_session_pump(HttpServerSession *hs)
{
    if (hs->pumping)
        return;
    hs->pumping = TRUE;
    HttpServerAct act = {0};
    gboolean closing = FALSE;
    while (!closing && !hs->dead && http_server_poll(hs->eng, &act)) {
        switch (act.kind) {
        case HTTP_SERVER_ACT_SEND:
            http_session_send(hs->tls, hs->stream, act.bytes);
            break;
        case HTTP_SERVER_ACT_REQUEST:
            http_server_session_trace_request(hs, act.request);
            hs->pending = TRUE;
            hs->pending_id = act.id;
            hs->policy.on_request(hs, act.id, act.request, hs->user_data);
            break;
        case HTTP_SERVER_ACT_ERROR:
            http_server_session_trace_error(hs, &act);
            break;
        case HTTP_SERVER_ACT_CLOSE:
            closing = TRUE;
            break;
        default:
            break;
        }
        http_server_act_clear(&act);
    }
    hs->pumping = FALSE;
    if (closing)
        http_server_session_end(hs);
    else if (hs->dead && !hs->pending)
        http_server_session_free(hs);
}

void
http_server_session_respond(HttpServerSession *hs, guint32 id, const HttpResponse *resp)
{
    g_return_if_fail(hs != NULL && hs->pending && id == hs->pending_id && resp != NULL);
    hs->pending = FALSE;
    if (hs->dead) {
        if (!hs->pumping)
            http_server_session_free(hs);
        return;
    }
    http_server_respond(hs->eng, id, resp);
    http_server_session_pump(hs);
}

guint64
http_server_session_conn_id(const HttpServerSession *hs)
{
    return hs->conn_id;
}

gboolean
http_server_session_is_tls(const HttpServerSession *hs)
{
    return hs->tls != NULL;
}

/* ------------------------------------------------------------------ */
/* client                                                             */

struct HttpClientSession {
    Node *node;
    SimStream *stream;
    HttpClient *eng;
    HttpClientCallbacks cb;
    gpointer user_data;
    TlsPipe *tls;
    gboolean tls_up;
    gboolean close_wanted;
    gboolean finished;
    gboolean pumping;
    char *peer;
    guint64 conn_id;
    GHashTable *targets; /* request id -> "METHOD target" (for the trace) */
};

static void http_client_session_pump(HttpClientSession *cs);

static void
http_client_session_free(HttpClientSession *cs)
{
    http_client_free(cs->eng);
    g_clear_pointer(&cs->tls, tls_pipe_free);
    g_hash_table_unref(cs->targets);
    g_free(cs->peer);
    g_free(cs);
}

static void
http_client_session_on_data(SimStream *s, GBytes *data, gpointer user_data)
{
    HttpClientSession *cs = user_data;
    gsize len;
    const guint8 *p = g_bytes_get_data(data, &len);
    if (cs->tls == NULL) {
        http_client_feed(cs->eng, p, len);
    } else {
        gboolean failed = FALSE;
        g_autoptr(GBytes) plain =
            http_session_tls_in(cs->node, cs->conn_id, "client", cs->peer, cs->tls, cs->stream,
                                &cs->tls_up, p, len, &failed);
        if (plain)
            http_client_feed(cs->eng, g_bytes_get_data(plain, NULL), g_bytes_get_size(plain));
        if (failed)
            http_client_abort(cs->eng, tls_pipe_get_error(cs->tls));
    }
    http_client_session_pump(cs);
}

static void
http_client_session_on_eof(SimStream *s, gpointer user_data)
{
    HttpClientSession *cs = user_data;
    http_client_feed_eof(cs->eng);
    http_client_session_pump(cs);
}

static void
http_client_session_fail(HttpClientSession *cs, const char *why)
{
    conn_trace_fail(cs->node, cs->conn_id, cs->peer, why);
    if (cs->stream) {
        sim_stream_reset(cs->stream);
        cs->stream = NULL;
    }
    http_client_abort(cs->eng, why);
    http_client_session_pump(cs);
}

static void
http_client_session_on_reset(SimStream *s, gpointer user_data)
{
    http_client_session_fail(user_data, "connection reset");
}

static void
http_client_session_on_refused(SimStream *s, gpointer user_data)
{
    http_client_session_fail(user_data, "connection refused");
}

static void
http_client_session_on_timeout(SimStream *s, gpointer user_data)
{
    http_client_session_fail(user_data, "connection timed out");
}

static const SimStreamHandler http_client_session_handler = {
    .on_data = http_client_session_on_data,
    .on_eof = http_client_session_on_eof,
    .on_reset = http_client_session_on_reset,
    .on_refused = http_client_session_on_refused,
    .on_timeout = http_client_session_on_timeout,
};

HttpClientSession *
http_client_session_start(Node *node, const char *ip, guint16 port, const char *peer_name,
                          gboolean tls, const char *msg_id, const HttpClientConfig *cfg,
                          const HttpClientCallbacks *cb, gpointer user_data)
{
    World *w = node->world;
    HttpClientSession *cs = g_new0(HttpClientSession, 1);
    cs->node = node;
    cs->eng = http_client_new(cfg);
    cs->cb = *cb;
    cs->user_data = user_data;
    cs->peer = g_strdup(peer_name ? peer_name : ip);
    cs->targets = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    cs->stream = sim_net_connect(w->net, node->host, ip, port, &http_client_session_handler, cs);
    cs->conn_id = sim_stream_conn_id(cs->stream);
    conn_trace_open(node, cs->conn_id, cs->peer, ip, port, msg_id);
    if (tls) {
        TlsContext *ctx = world_tls_client_context(w, node);
        if (ctx == NULL) {
            http_client_abort(cs->eng, "no TLS client context");
        } else {
            /* RFC 2818 2.1: the ClientHello goes first; it waits for the
             * TCP handshake in the stream. */
            cs->tls = tls_pipe_new_client(ctx, cs->peer);
            http_session_tls_flush(cs->tls, cs->stream);
        }
    }
    return cs;
}

static void
http_client_session_trace_response(HttpClientSession *cs, guint32 id, const HttpMessage *resp,
                                   const char *why)
{
    SimTraceRec *r = world_trace(cs->node->world, "http.response", cs->node->name);
    if (r == NULL)
        return;
    const char *req = g_hash_table_lookup(cs->targets, GUINT_TO_POINTER(id));
    sim_trace_int(r, "conn", (gint64)cs->conn_id);
    sim_trace_str(r, "peer", cs->peer);
    if (req)
        sim_trace_bytes(r, "request", (const guint8 *)req, strlen(req));
    if (resp != NULL) {
        sim_trace_int(r, "code", resp->status);
        sim_trace_bytes(r, "text", (const guint8 *)resp->reason, strlen(resp->reason));
        sim_trace_int(r, "size", (gint64)g_bytes_get_size(resp->body));
    } else {
        sim_trace_int(r, "code", 0);
        sim_trace_str(r, "text", why ? why : "failed");
    }
    sim_trace_bool(r, "tls", cs->tls != NULL);
    sim_trace_end(r);
}

static void
http_client_session_act(HttpClientSession *cs, HttpClientAct *act)
{
    switch (act->kind) {
    case HTTP_CLIENT_ACT_SEND:
        http_session_send(cs->tls, cs->stream, act->bytes);
        break;
    case HTTP_CLIENT_ACT_RESPONSE:
    case HTTP_CLIENT_ACT_FAILED:
        http_client_session_trace_response(cs, act->id, act->response, act->text);
        if (cs->cb.on_response)
            cs->cb.on_response(cs, act->id, act->response, act->text, cs->user_data);
        break;
    case HTTP_CLIENT_ACT_CLOSE:
        cs->finished = TRUE;
        break;
    default:
        break;
    }
}

static void
http_client_session_pump(HttpClientSession *cs)
{
    if (cs->pumping)
        return;
    cs->pumping = TRUE;
    HttpClientAct act = {0};
    for (;;) {
        while (http_client_poll(cs->eng, &act)) {
            http_client_session_act(cs, &act);
            http_client_act_clear(&act);
        }
        if (cs->close_wanted && !cs->finished && http_client_outstanding(cs->eng) == 0) {
            http_client_abort(cs->eng, "closed by the client");
            continue;
        }
        break;
    }
    cs->pumping = FALSE;
    if (cs->finished) {
        if (cs->stream)
            conn_trace_close(cs->node, cs->conn_id, "client");
        http_session_close_stream(cs->tls, cs->stream);
        cs->stream = NULL;
        if (cs->cb.on_closed)
            cs->cb.on_closed(cs, cs->user_data);
        http_client_session_free(cs);
    }
}

guint32
http_client_session_request(HttpClientSession *cs, const HttpRequest *req)
{
    g_return_val_if_fail(cs != NULL && req != NULL, 0);
    guint32 id = http_client_request(cs->eng, req);
    if (id != 0)
        g_hash_table_insert(cs->targets, GUINT_TO_POINTER(id),
                            g_strdup_printf("%s %s", req->method, req->target));
    http_client_session_pump(cs);
    return id;
}

void
http_client_session_close(HttpClientSession *cs)
{
    g_return_if_fail(cs != NULL);
    cs->close_wanted = TRUE;
    http_client_session_pump(cs);
}

guint64
http_client_session_conn_id(const HttpClientSession *cs)
{
    return cs->conn_id;
}

const char *
http_client_session_peer(const HttpClientSession *cs)
{
    return cs->peer;
}
