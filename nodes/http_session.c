/* SPDX-License-Identifier: MIT
 * http_session: HttpServer / HttpClient on a SessionStream, with tracing.
 * HTTPS (RFC 2818 2.1): the client starts the TLS handshake as soon as the
 * connection is up, the server answers it, and HTTP flows inside; the
 * handshake is traced as a summary, never with key material (STYLE 10).
 */
#include "nodes/http_session.h"

#include <string.h>

#include "nodes/conn_trace.h"
#include "nodes/session_stream.h"
#include "nodes/tls_setup.h"
#include "nodes/world_private.h"
#include "proto/tls_pipe.h"

/* ------------------------------------------------------------------ */
/* server                                                             */

struct HttpServerSession {
    SessionStream st; /* first: the ops get it back by a cast */
    HttpServer *eng;
    HttpServerPolicy policy;
    gpointer user_data;
    guint32 pending_id; /* the request st.pending waits for */
};

static void http_server_session_pump(HttpServerSession *hs);

static void
http_server_session_free(HttpServerSession *hs)
{
    http_server_free(hs->eng);
    session_stream_clear(&hs->st);
    g_free(hs);
}

const char *
http_server_session_peer(const HttpServerSession *hs)
{
    return hs->st.peer;
}

static void
http_server_session_st_bytes(SessionStream *st, const guint8 *p, gsize len)
{
    http_server_feed(((HttpServerSession *)st)->eng, p, len);
}

static void
http_server_session_st_eof(SessionStream *st)
{
    http_server_feed_eof(((HttpServerSession *)st)->eng);
}

static void
http_server_session_st_fail(SessionStream *st, const char *why)
{
    session_stream_end(st);
}

static void
http_server_session_st_pump(SessionStream *st)
{
    http_server_session_pump((HttpServerSession *)st);
}

/* The handshake failed or TLS broke: the engine stops. */
static void
http_server_session_st_tls_fail(SessionStream *st)
{
    HttpServerSession *hs = (HttpServerSession *)st;
    http_server_abort(hs->eng);
    http_server_session_pump(hs);
}

static void
http_server_session_st_end(SessionStream *st)
{
    HttpServerSession *hs = (HttpServerSession *)st;
    if (hs->policy.on_end)
        hs->policy.on_end(hs, hs->user_data);
}

static void
http_server_session_st_free(SessionStream *st)
{
    http_server_session_free((HttpServerSession *)st);
}

static const SessionStreamOps http_server_session_ops = {
    .on_bytes = http_server_session_st_bytes,
    .on_eof = http_server_session_st_eof,
    .on_fail = http_server_session_st_fail,
    .pump = http_server_session_st_pump,
    .on_tls_fail = http_server_session_st_tls_fail,
    .on_tls_lost = http_server_session_st_tls_fail,
    .on_end = http_server_session_st_end,
    .free = http_server_session_st_free,
};

HttpServerSession *
http_server_session_new(Node *node, SimStream *stream, const HttpServerConfig *cfg, gboolean tls,
                        const HttpServerPolicy *policy, gpointer user_data)
{
    HttpServerSession *hs = g_new0(HttpServerSession, 1);
    hs->eng = http_server_new(cfg);
    hs->policy = *policy;
    hs->user_data = user_data;
    session_stream_accept(&hs->st, &http_server_session_ops, node, stream);
    if (tls) {
        TlsContext *ctx = world_tls_server_context(node->world, node);
        if (ctx != NULL)
            session_stream_start_tls_server(&hs->st, ctx, 0);
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
    SimTraceRec *r = world_trace(hs->st.node->world, "http.request", hs->st.node->name);
    if (r == NULL)
        return;
    g_autofree char *line =
        g_strdup_printf("%s %s HTTP/1.%u", req->method, req->target, req->minor);
    sim_trace_int(r, "conn", (gint64)hs->st.conn_id);
    sim_trace_str(r, "peer", http_server_session_peer(hs));
    sim_trace_bytes(r, "line", (const guint8 *)line, strlen(line));
    sim_trace_str(r, "method", req->method);
    sim_trace_bytes(r, "target", (const guint8 *)req->target, strlen(req->target));
    sim_trace_int(r, "size", (gint64)g_bytes_get_size(req->body));
    sim_trace_bool(r, "tls", hs->st.tls != NULL);
    sim_trace_end(r);
}

static void
http_server_session_trace_error(HttpServerSession *hs, const HttpServerAct *act)
{
    SimTraceRec *r = world_trace(hs->st.node->world, "http.error", hs->st.node->name);
    sim_trace_int(r, "conn", (gint64)hs->st.conn_id);
    sim_trace_str(r, "peer", http_server_session_peer(hs));
    sim_trace_int(r, "code", act->status);
    sim_trace_str(r, "reason", act->text);
    sim_trace_end(r);
}

static void
http_server_session_pump(HttpServerSession *hs)
{
    if (!session_stream_pump_begin(&hs->st))
        return;
    HttpServerAct act = {0};
    gboolean closing = FALSE;
    while (!closing && !hs->st.dead && http_server_poll(hs->eng, &act)) {
        switch (act.kind) {
        case HTTP_SERVER_ACT_SEND:
            session_stream_send(&hs->st, act.bytes);
            break;
        case HTTP_SERVER_ACT_REQUEST:
            http_server_session_trace_request(hs, act.request);
            hs->st.pending = TRUE;
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
    session_stream_pump_end(&hs->st, closing);
}

void
http_server_session_respond(HttpServerSession *hs, guint32 id, const HttpResponse *resp)
{
    g_return_if_fail(hs != NULL && hs->st.pending && id == hs->pending_id && resp != NULL);
    if (!session_stream_answer_begin(&hs->st))
        return;
    http_server_respond(hs->eng, id, resp);
    http_server_session_pump(hs);
}

guint64
http_server_session_conn_id(const HttpServerSession *hs)
{
    return hs->st.conn_id;
}

gboolean
http_server_session_is_tls(const HttpServerSession *hs)
{
    return hs->st.tls != NULL;
}

/* ------------------------------------------------------------------ */
/* client                                                             */

struct HttpClientSession {
    SessionStream st; /* first: the ops get it back by a cast */
    HttpClient *eng;
    HttpClientCallbacks cb;
    gpointer user_data;
    gboolean close_wanted;
    gboolean finished;
    GHashTable *targets; /* request id -> "METHOD target" (for the trace) */
};

static void http_client_session_pump(HttpClientSession *cs);

static void
http_client_session_free(HttpClientSession *cs)
{
    /* The run ended with the connection open: no callback any more. */
    if (cs->st.dropped && cs->cb.on_drop)
        cs->cb.on_drop(cs->user_data);
    http_client_free(cs->eng);
    session_stream_clear(&cs->st);
    g_hash_table_unref(cs->targets);
    g_free(cs);
}

static void
http_client_session_st_bytes(SessionStream *st, const guint8 *p, gsize len)
{
    http_client_feed(((HttpClientSession *)st)->eng, p, len);
}

static void
http_client_session_st_eof(SessionStream *st)
{
    http_client_feed_eof(((HttpClientSession *)st)->eng);
}

static void
http_client_session_st_fail(SessionStream *st, const char *why)
{
    http_client_abort(((HttpClientSession *)st)->eng, why);
}

static void
http_client_session_st_pump(SessionStream *st)
{
    http_client_session_pump((HttpClientSession *)st);
}

/* The handshake failed or TLS broke: every request fails with its error. */
static void
http_client_session_st_tls_fail(SessionStream *st)
{
    HttpClientSession *cs = (HttpClientSession *)st;
    http_client_abort(cs->eng, tls_pipe_get_error(st->tls));
    http_client_session_pump(cs);
}

static void
http_client_session_st_free(SessionStream *st)
{
    http_client_session_free((HttpClientSession *)st);
}

static const SessionStreamOps http_client_session_ops = {
    .on_bytes = http_client_session_st_bytes,
    .on_eof = http_client_session_st_eof,
    .on_fail = http_client_session_st_fail,
    .pump = http_client_session_st_pump,
    .on_tls_fail = http_client_session_st_tls_fail,
    .on_tls_lost = http_client_session_st_tls_fail,
    .free = http_client_session_st_free,
};

HttpClientSession *
http_client_session_start(Node *node, const char *ip, guint16 port, const char *peer_name,
                          gboolean tls, const char *msg_id, const HttpClientConfig *cfg,
                          const HttpClientCallbacks *cb, gpointer user_data)
{
    HttpClientSession *cs = g_new0(HttpClientSession, 1);
    cs->eng = http_client_new(cfg);
    cs->cb = *cb;
    cs->user_data = user_data;
    cs->targets = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    session_stream_connect(&cs->st, &http_client_session_ops, node, ip, port, peer_name, msg_id);
    if (tls) {
        TlsContext *ctx = world_tls_client_context(node->world, node);
        if (ctx == NULL) {
            http_client_abort(cs->eng, "no TLS client context");
        } else {
            /* RFC 2818 2.1: the ClientHello goes first; it waits for the
             * TCP handshake in the stream. */
            session_stream_start_tls_client(&cs->st, ctx, 0);
        }
    }
    return cs;
}

static void
http_client_session_trace_response(HttpClientSession *cs, guint32 id, const HttpMessage *resp,
                                   const char *why)
{
    SimTraceRec *r = world_trace(cs->st.node->world, "http.response", cs->st.node->name);
    if (r == NULL)
        return;
    const char *req = g_hash_table_lookup(cs->targets, GUINT_TO_POINTER(id));
    sim_trace_int(r, "conn", (gint64)cs->st.conn_id);
    sim_trace_str(r, "peer", cs->st.peer);
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
    sim_trace_bool(r, "tls", cs->st.tls != NULL);
    sim_trace_end(r);
}

static void
http_client_session_act(HttpClientSession *cs, HttpClientAct *act)
{
    switch (act->kind) {
    case HTTP_CLIENT_ACT_SEND:
        session_stream_send(&cs->st, act->bytes);
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
    if (!session_stream_pump_begin(&cs->st))
        return;
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
    cs->st.pumping = FALSE;
    if (cs->finished) {
        if (cs->st.stream)
            conn_trace_close(cs->st.node, cs->st.conn_id, "client");
        session_stream_close(&cs->st);
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
    return cs->st.conn_id;
}

const char *
http_client_session_peer(const HttpClientSession *cs)
{
    return cs->st.peer;
}
