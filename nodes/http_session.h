/* SPDX-License-Identifier: MIT
 * http_session: where a simulated stream meets an HTTP engine (DESIGN 4
 * "sessions"), server and client side, as smtp_session does for SMTP.
 * With tls set the stream carries TLS from the first octet (HTTPS, RFC
 * 2818: no upgrade step) through a TlsPipe with the node's contexts from
 * tls_setup.h. The server side hands each request to the node's policy
 * and writes its response; the client side sends the node's requests and
 * reports each response. Traces: http.request on the server (as the wire
 * shows it; under TLS the body is left out), http.response on the client,
 * http.error when the server engine refuses input, tls.handshake, and
 * conn.open/accept/close/fail. Sessions free themselves once closed.
 */
#ifndef NODES_HTTP_SESSION_H
#define NODES_HTTP_SESSION_H

#include <glib.h>

#include "nodes/node.h"
#include "proto/http_client.h"
#include "proto/http_server.h"
#include "sim/net.h"

/* --- server --- */
typedef struct HttpServerSession HttpServerSession;

typedef struct {
    /* A request (req valid during the call only); answer now or later
     * with http_server_session_respond(). */
    void (*on_request)(HttpServerSession *hs, guint32 id, const HttpMessage *req,
                       gpointer user_data);
    /* The session ended; hs is freed after this and after the pending
     * response, if any. */
    void (*on_end)(HttpServerSession *hs, gpointer user_data);
} HttpServerPolicy;

/* Takes over an accepted stream (transfer full). cfg is copied by the
 * engine. tls: HTTPS (needs the node's server TLS context). */
HttpServerSession *http_server_session_new(Node *node, SimStream *stream,
                                           const HttpServerConfig *cfg, gboolean tls,
                                           const HttpServerPolicy *policy, gpointer user_data);
/* Answers request id (resp: transfer none). Legal once per request, also
 * after the stream died (the session is then freed). */
void http_server_session_respond(HttpServerSession *hs, guint32 id, const HttpResponse *resp);
guint64 http_server_session_conn_id(const HttpServerSession *hs);
/* The client's node name, or its address (transfer none). */
const char *http_server_session_peer(const HttpServerSession *hs);
gboolean http_server_session_is_tls(const HttpServerSession *hs);

/* --- client --- */
typedef struct HttpClientSession HttpClientSession;

typedef struct {
    /* The response to request id (resp: transfer none, valid during the
     * call), or resp NULL and why when it failed. */
    void (*on_response)(HttpClientSession *cs, guint32 id, const HttpMessage *resp, const char *why,
                        gpointer user_data);
    /* The connection is over (exactly once); cs is freed after this. */
    void (*on_closed)(HttpClientSession *cs, gpointer user_data);
    /* (optional) The run ended with the connection open: free user_data;
     * neither callback above is called any more. */
    void (*on_drop)(gpointer user_data);
} HttpClientCallbacks;

/* Connects from node to ip:port (tls: HTTPS, peer_name is the name
 * verified). msg_id (nullable) is the tracked message the connection
 * carries (conn.open's msg). cfg copied, callbacks copied. */
HttpClientSession *http_client_session_start(Node *node, const char *ip, guint16 port,
                                             const char *peer_name, gboolean tls,
                                             const char *msg_id, const HttpClientConfig *cfg,
                                             const HttpClientCallbacks *cb, gpointer user_data);
/* Sends a request; its id, or 0 when the connection is closing. */
guint32 http_client_session_request(HttpClientSession *cs, const HttpRequest *req);
/* Closes the connection once nothing is outstanding (now if idle). */
void http_client_session_close(HttpClientSession *cs);
guint64 http_client_session_conn_id(const HttpClientSession *cs);
const char *http_client_session_peer(const HttpClientSession *cs);

#endif
