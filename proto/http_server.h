/* SPDX-License-Identifier: MIT
 * http_server: sans-I/O HTTP/1.1 server engine (RFC 9112, RFC 9110). It
 * reads requests with an HttpReader, hands each one to the node as a
 * REQUEST action and writes the node's answer as a response with
 * Content-Length framing (RFC 9112 6.2). Requests are answered in order,
 * one at a time: a pipelined request waits in the buffer until the one
 * before it is answered (RFC 9112 9.3.2); more than one request's worth
 * of such input closes the connection after the pending response.
 * Connections persist unless
 * either side says "Connection: close" or the request is HTTP/1.0 without
 * keep-alive (RFC 9112 9.3, 9.6). Input that breaks the grammar or a
 * limit is answered by the engine itself (400, 413, 414, 431, 501, 505)
 * and the connection is closed. The engine has no clock: responses carry
 * no Date (RFC 9110 6.6.1). Not supported: Expect: 100-continue (the body
 * is awaited), upgrades, CONNECT, response trailers, chunked responses.
 */
#ifndef PROTO_HTTP_SERVER_H
#define PROTO_HTTP_SERVER_H

#include <glib.h>

#include "proto/http_parse.h"

typedef struct HttpServer HttpServer;

typedef enum {
    HTTP_SERVER_STATE_READING = 0, /* waiting for (the rest of) a request */
    HTTP_SERVER_STATE_WAITING,     /* a request waits for http_server_respond() */
    HTTP_SERVER_STATE_CLOSED,      /* CLOSE queued: nothing more */
} HttpServerState;

/* Zero-initialised means default everywhere; strings are copied. */
typedef struct {
    const char *server_name; /* Server field (RFC 9110 10.2.4); NULL: none */
    gsize max_body;          /* request body limit; 0: HTTP_BODY_MAX_DEFAULT */
    guint max_requests;      /* per connection, then close; 0: unlimited */
} HttpServerConfig;

typedef enum {
    HTTP_SERVER_ACT_NONE = 0, /* zero value only; poll() returned FALSE */
    HTTP_SERVER_ACT_SEND,     /* act->bytes (transfer full): write to the peer */
    HTTP_SERVER_ACT_REQUEST,  /* act->id, act->request (transfer full): answer with
                               * http_server_respond() */
    HTTP_SERVER_ACT_ERROR,    /* informational: the engine refused the input with
                               * act->status for act->text; its response is the next SEND */
    HTTP_SERVER_ACT_CLOSE,    /* close after the last SEND */
} HttpServerActKind;

typedef struct {
    HttpServerActKind kind;
    GBytes *bytes;        /* SEND */
    guint32 id;           /* REQUEST */
    HttpMessage *request; /* REQUEST */
    guint status;         /* ERROR */
    const char *text;     /* ERROR (static) */
} HttpServerAct;

/* A response; everything borrowed (transfer none). */
typedef struct {
    guint status;              /* 200..599 (1xx not allowed here) */
    const char *reason;        /* NULL: the standard phrase */
    const char *const *fields; /* nullable, NULL-terminated name, value, name, value...
                                * (no Content-Length, Transfer-Encoding or Connection:
                                * the engine writes those) */
    GBytes *body;              /* nullable: empty */
    gboolean close;            /* close the connection after this response */
} HttpResponse;

HttpServer *http_server_new(const HttpServerConfig *cfg);
void http_server_free(HttpServer *srv);

/* Bytes from the peer (copied). Ignored once closed. */
void http_server_feed(HttpServer *srv, const guint8 *buf, gsize len);
/* The peer closed its side: a pending request is still answered, then CLOSE. */
void http_server_feed_eof(HttpServer *srv);
/* The node gives up (timeout): CLOSE. */
void http_server_abort(HttpServer *srv);

/* Next action into *act (clear it with http_server_act_clear()). FALSE
 * when more input or a response is needed. */
gboolean http_server_poll(HttpServer *srv, HttpServerAct *act);
void http_server_act_clear(HttpServerAct *act);
/* One line for tests and traces (transfer full). */
char *http_server_act_to_string(const HttpServerAct *act);

/* Answers request id (legal once, in WAITING). A HEAD request gets the
 * head only (RFC 9110 9.3.2). */
void http_server_respond(HttpServer *srv, guint32 id, const HttpResponse *resp);

HttpServerState http_server_get_state(const HttpServer *srv);
const char *http_server_state_name(HttpServerState st);
/* Requests read on this connection so far. */
guint http_server_get_requests(const HttpServer *srv);
gboolean http_server_is_done(const HttpServer *srv);
gboolean http_server_wants_input(const HttpServer *srv);

/* Serializes a response head and body (transfer full); used by the engine
 * and by tests. connection (nullable): the Connection field value
 * ("close", "keep-alive"); head_only: no body (HEAD). */
GBytes *http_response_serialize(const HttpResponse *resp, const char *server_name,
                                const char *connection, gboolean head_only);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(HttpServer, http_server_free)

#endif
