/* SPDX-License-Identifier: MIT
 * http_server: the HTTP/1.1 server state machine (RFC 9112 9 connection
 * management; RFC 9110 15 status codes). READING -> a request -> WAITING
 * -> respond -> READING again on a persistent connection, or CLOSED.
 * Errors in the request are answered here with a response that closes
 * the connection (RFC 9112 9.6: "Connection: close"), as llhttp-based
 * servers do.
 */
#include "proto/http_server.h"

#include <string.h>

#include "proto/act_queue.h"

struct HttpServer {
    HttpServerState state;
    char *server_name;
    guint max_requests;
    HttpReader *reader;
    ActQueue acts;
    guint32 next_id;
    guint32 pending_id;
    gboolean pending_is_head;
    gboolean pending_keep; /* the request lets the connection persist */
    gboolean pending_is_10;
    guint requests;
    gsize max_buffer;  /* pipelined input kept while a request waits */
    gboolean overflow; /* more was sent: close after the pending response */
};

static const char *const http_server_state_names[] = {
    [HTTP_SERVER_STATE_READING] = "READING",
    [HTTP_SERVER_STATE_WAITING] = "WAITING",
    [HTTP_SERVER_STATE_CLOSED] = "CLOSED",
};

const char *
http_server_state_name(HttpServerState st)
{
    return (guint)st < G_N_ELEMENTS(http_server_state_names) ? http_server_state_names[st] : "?";
}

HttpServer *
http_server_new(const HttpServerConfig *cfg)
{
    g_return_val_if_fail(cfg != NULL, NULL);
    HttpServer *srv = g_new0(HttpServer, 1);
    srv->server_name = g_strdup(cfg->server_name);
    srv->max_requests = cfg->max_requests;
    srv->reader = http_reader_new(HTTP_ROLE_REQUEST, cfg->max_body);
    /* Room for one more whole request behind the one being answered. */
    srv->max_buffer = HTTP_HEAD_MAX + (cfg->max_body ? cfg->max_body : HTTP_BODY_MAX_DEFAULT);
    act_queue_init(&srv->acts, sizeof(HttpServerAct));
    return srv;
}

void
http_server_act_clear(HttpServerAct *act)
{
    if (act == NULL)
        return;
    g_clear_pointer(&act->bytes, g_bytes_unref);
    g_clear_pointer(&act->request, http_message_free);
    memset(act, 0, sizeof *act);
}

void
http_server_free(HttpServer *srv)
{
    if (srv == NULL)
        return;
    act_queue_clear(&srv->acts, (GDestroyNotify)http_server_act_clear, TRUE);
    http_reader_free(srv->reader);
    g_free(srv->server_name);
    g_free(srv);
}

/* All transitions go through here (STYLE 8). */
static void
http_server_enter_state(HttpServer *srv, HttpServerState st)
{
    g_debug("http_server: %s -> %s", http_server_state_name(srv->state),
            http_server_state_name(st));
    srv->state = st;
}

static void
http_server_push_send(HttpServer *srv, GBytes *bytes)
{
    HttpServerAct *a = act_queue_push(&srv->acts);
    a->kind = HTTP_SERVER_ACT_SEND;
    a->bytes = bytes;
}

static void
http_server_push_close(HttpServer *srv)
{
    HttpServerAct *a = act_queue_push(&srv->acts);
    a->kind = HTTP_SERVER_ACT_CLOSE;
    http_server_enter_state(srv, HTTP_SERVER_STATE_CLOSED);
}

void
http_server_feed(HttpServer *srv, const guint8 *buf, gsize len)
{
    g_return_if_fail(srv != NULL && (buf != NULL || len == 0));
    if (srv->state == HTTP_SERVER_STATE_CLOSED || srv->overflow)
        return;
    /* RFC 9112 9.3.2: a server may close instead of queueing more
     * pipelined requests; keep memory bounded while one waits. */
    if (srv->state == HTTP_SERVER_STATE_WAITING &&
        http_reader_pending(srv->reader) + len > srv->max_buffer) {
        srv->overflow = TRUE;
        return;
    }
    http_reader_feed(srv->reader, buf, len);
}

void
http_server_feed_eof(HttpServer *srv)
{
    g_return_if_fail(srv != NULL);
    http_reader_feed_eof(srv->reader);
}

void
http_server_abort(HttpServer *srv)
{
    g_return_if_fail(srv != NULL);
    if (srv->state != HTTP_SERVER_STATE_CLOSED)
        http_server_push_close(srv);
}

static gboolean
http_server_field_ok(const char *name, const char *value)
{
    if (name == NULL || *name == '\0' || value == NULL || !http_field_value_ok(value))
        return FALSE;
    for (const char *p = name; *p; p++)
        if (!http_is_tchar((guchar)*p))
            return FALSE;
    /* The engine owns the framing and connection fields (RFC 9112 6). */
    static const char *const owned[] = {"Content-Length", "Transfer-Encoding", "Connection"};
    for (guint i = 0; i < G_N_ELEMENTS(owned); i++)
        if (g_ascii_strcasecmp(name, owned[i]) == 0)
            return FALSE;
    return TRUE;
}

GBytes *
http_response_serialize(const HttpResponse *resp, const char *server_name, const char *connection,
                        gboolean head_only)
{
    g_return_val_if_fail(resp != NULL && resp->status >= 200 && resp->status <= 599, NULL);
    GString *out = g_string_new(NULL);
    /* RFC 9110 6.2: a server sends its own highest version. */
    g_string_append_printf(out, "HTTP/1.1 %u %s\r\n", resp->status,
                           resp->reason ? resp->reason : http_status_reason(resp->status));
    if (server_name)
        g_string_append_printf(out, "Server: %s\r\n", server_name);
    for (guint i = 0; resp->fields && resp->fields[i]; i += 2) {
        g_return_val_if_fail(http_server_field_ok(resp->fields[i], resp->fields[i + 1]), NULL);
        g_string_append_printf(out, "%s: %s\r\n", resp->fields[i], resp->fields[i + 1]);
    }
    gsize blen = resp->body ? g_bytes_get_size(resp->body) : 0;
    /* RFC 9110 8.6: no Content-Length in 204 (and 304 keeps its own). */
    if (resp->status != 204 && resp->status != 304)
        g_string_append_printf(out, "Content-Length: %" G_GSIZE_FORMAT "\r\n", blen);
    if (connection)
        g_string_append_printf(out, "Connection: %s\r\n", connection);
    g_string_append(out, "\r\n");
    if (!head_only && blen > 0 && resp->status != 204 && resp->status != 304)
        g_string_append_len(out, g_bytes_get_data(resp->body, NULL), (gssize)blen);
    gsize len = out->len;
    return g_bytes_new_take(g_string_free(out, FALSE), len);
}

/* The engine's own answer to bad input; the connection closes after it. */
static void
http_server_refuse(HttpServer *srv, guint status, const char *why)
{
    HttpServerAct *a = act_queue_push(&srv->acts);
    a->kind = HTTP_SERVER_ACT_ERROR;
    a->status = status;
    a->text = why;
    g_autofree char *text = g_strdup_printf("%s\n", why);
    g_autoptr(GBytes) body = g_bytes_new(text, strlen(text));
    const char *fields[] = {"Content-Type", "text/plain; charset=us-ascii", NULL};
    HttpResponse resp = {.status = status, .fields = fields, .body = body};
    http_server_push_send(srv, http_response_serialize(&resp, srv->server_name, "close", FALSE));
    http_server_push_close(srv);
}

/* READING: parse the next request, if a whole one is buffered. */
static void
http_server_read(HttpServer *srv)
{
    HttpMessage *req = NULL;
    switch (http_reader_next(srv->reader, &req)) {
    case HTTP_READER_NONE:
        return;
    case HTTP_READER_EOF:
        http_server_push_close(srv);
        return;
    case HTTP_READER_ERROR: {
        const char *why = NULL;
        guint status = http_reader_get_error(srv->reader, &why);
        http_server_refuse(srv, status, why);
        return;
    }
    case HTTP_READER_MESSAGE:
        break;
    }
    srv->requests++;
    srv->pending_id = ++srv->next_id;
    srv->pending_is_head = strcmp(req->method, "HEAD") == 0;
    srv->pending_keep = http_message_keeps_alive(req);
    srv->pending_is_10 = req->minor == 0;
    HttpServerAct *a = act_queue_push(&srv->acts);
    a->kind = HTTP_SERVER_ACT_REQUEST;
    a->id = srv->pending_id;
    a->request = req;
    http_server_enter_state(srv, HTTP_SERVER_STATE_WAITING);
}

gboolean
http_server_poll(HttpServer *srv, HttpServerAct *act)
{
    g_return_val_if_fail(srv != NULL && act != NULL, FALSE);
    memset(act, 0, sizeof *act);
    if (act_queue_is_empty(&srv->acts) && srv->state == HTTP_SERVER_STATE_READING)
        http_server_read(srv);
    if (act_queue_is_empty(&srv->acts))
        return FALSE;
    act_queue_pop(&srv->acts, act);
    return TRUE;
}

void
http_server_respond(HttpServer *srv, guint32 id, const HttpResponse *resp)
{
    g_return_if_fail(srv != NULL && resp != NULL);
    g_return_if_fail(srv->state == HTTP_SERVER_STATE_WAITING && id == srv->pending_id);
    gboolean keep = srv->pending_keep && !resp->close && !srv->overflow &&
                    (srv->max_requests == 0 || srv->requests < srv->max_requests);
    /* RFC 9112 9.6: say "close" when closing; 9.3 C.2.2: an HTTP/1.0
     * client that asked for keep-alive is told it holds. */
    const char *connection = !keep ? "close" : srv->pending_is_10 ? "keep-alive" : NULL;
    GBytes *bytes =
        http_response_serialize(resp, srv->server_name, connection, srv->pending_is_head);
    g_return_if_fail(bytes != NULL);
    http_server_push_send(srv, bytes);
    if (keep)
        http_server_enter_state(srv, HTTP_SERVER_STATE_READING);
    else
        http_server_push_close(srv);
}

char *
http_server_act_to_string(const HttpServerAct *act)
{
    switch (act->kind) {
    case HTTP_SERVER_ACT_SEND: {
        gsize len;
        const char *p = g_bytes_get_data(act->bytes, &len);
        const char *eol = memchr(p, '\r', len);
        return g_strdup_printf("SEND %" G_GSIZE_FORMAT " %.*s", len,
                               (int)(eol ? (gsize)(eol - p) : len), p);
    }
    case HTTP_SERVER_ACT_REQUEST:
        return g_strdup_printf("REQUEST %u %s %s body=%" G_GSIZE_FORMAT, act->id,
                               act->request->method, act->request->target,
                               g_bytes_get_size(act->request->body));
    case HTTP_SERVER_ACT_ERROR:
        return g_strdup_printf("ERROR %u %s", act->status, act->text);
    case HTTP_SERVER_ACT_CLOSE:
        return g_strdup("CLOSE");
    case HTTP_SERVER_ACT_NONE:
        break;
    }
    return g_strdup("NONE");
}

HttpServerState
http_server_get_state(const HttpServer *srv)
{
    return srv->state;
}

guint
http_server_get_requests(const HttpServer *srv)
{
    return srv->requests;
}

gboolean
http_server_is_done(const HttpServer *srv)
{
    return srv->state == HTTP_SERVER_STATE_CLOSED && act_queue_is_empty(&srv->acts);
}

gboolean
http_server_wants_input(const HttpServer *srv)
{
    return srv->state != HTTP_SERVER_STATE_CLOSED;
}
