/* SPDX-License-Identifier: MIT
 * http_client: sans-I/O HTTP/1.1 client engine (RFC 9112, RFC 9110). The
 * node asks for requests; the engine writes them (Host, Content-Length,
 * RFC 9112 3.2 and 6.2) and reads the responses in order with an
 * HttpReader (Content-Length, chunked, or up to the close; none after
 * HEAD, 204, 304). Several requests may be outstanding (pipelining, RFC
 * 9112 9.3.2). Interim 1xx responses are skipped. When the server says
 * "Connection: close" or closes, requests not answered fail. Not
 * supported: 100-continue, upgrades, redirects (the node follows them).
 */
#ifndef PROTO_HTTP_CLIENT_H
#define PROTO_HTTP_CLIENT_H

#include <glib.h>

#include "proto/http_parse.h"

typedef struct HttpClient HttpClient;

/* Zero-initialised means default; strings are copied. */
typedef struct {
    const char *host;       /* Host field value (RFC 9112 3.2), required */
    const char *user_agent; /* nullable: no User-Agent */
    gsize max_body;         /* response body limit; 0: HTTP_BODY_MAX_DEFAULT */
} HttpClientConfig;

/* A request; everything borrowed (transfer none). */
typedef struct {
    const char *method;        /* "GET", "POST", "HEAD"... */
    const char *target;        /* origin-form: "/inbox?x=1" */
    const char *const *fields; /* nullable, NULL-terminated name, value pairs (no Host,
                                * Content-Length, Transfer-Encoding or Connection) */
    GBytes *body;              /* nullable; a POST without one sends Content-Length: 0 */
    gboolean close;            /* ask the server to close after answering */
} HttpRequest;

typedef enum {
    HTTP_CLIENT_ACT_NONE = 0, /* zero value only */
    HTTP_CLIENT_ACT_SEND,     /* act->bytes (transfer full): write to the server */
    HTTP_CLIENT_ACT_RESPONSE, /* act->id, act->response (transfer full) */
    HTTP_CLIENT_ACT_FAILED,   /* act->id: no response will come; act->text why */
    HTTP_CLIENT_ACT_CLOSE,    /* the connection is over: close it */
} HttpClientActKind;

typedef struct {
    HttpClientActKind kind;
    GBytes *bytes;         /* SEND */
    guint32 id;            /* RESPONSE, FAILED */
    HttpMessage *response; /* RESPONSE */
    const char *text;      /* FAILED (static) */
} HttpClientAct;

HttpClient *http_client_new(const HttpClientConfig *cfg);
void http_client_free(HttpClient *cli);

/* Queues a request (its SEND follows). Returns its id (> 0), or 0 when
 * the connection is closing or closed. */
guint32 http_client_request(HttpClient *cli, const HttpRequest *req);
/* Bytes from the server (copied). */
void http_client_feed(HttpClient *cli, const guint8 *buf, gsize len);
/* The server closed. */
void http_client_feed_eof(HttpClient *cli);
/* The node gives up: outstanding requests fail, CLOSE. */
void http_client_abort(HttpClient *cli, const char *why);

gboolean http_client_poll(HttpClient *cli, HttpClientAct *act);
void http_client_act_clear(HttpClientAct *act);
char *http_client_act_to_string(const HttpClientAct *act);

/* Requests sent and not answered yet. */
guint http_client_outstanding(const HttpClient *cli);
/* TRUE once CLOSE has been queued. */
gboolean http_client_is_closed(const HttpClient *cli);

/* Serializes a request (transfer full); used by the engine and tests. */
GBytes *http_request_serialize(const HttpRequest *req, const char *host, const char *user_agent);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(HttpClient, http_client_free)

#endif
