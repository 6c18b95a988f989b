/* SPDX-License-Identifier: MIT
 * session_tls: the TLS carriage shared by the SMTP and POP3 sessions
 * (RFC 3207 STARTTLS, RFC 2595 STLS): once the engine asks for the layer
 * switch, a TlsPipe sits between the stream (ciphertext) and the engine
 * (plaintext). These helpers move the pipe's ciphertext to the stream,
 * send close_notify and write the tls.handshake summary (never key
 * material: DESIGN 6, STYLE 10).
 */
#ifndef NODES_SESSION_TLS_H
#define NODES_SESSION_TLS_H

#include <glib.h>

#include "nodes/node.h"
#include "proto/tls_pipe.h"
#include "sim/net.h"

/* Writes whatever ciphertext tls has for the peer to stream (nullable:
 * the ciphertext is then dropped). */
void session_tls_flush(TlsPipe *tls, SimStream *stream);
/* Sends close_notify (RFC 8446 6.1) when the pipe is established; both
 * arguments nullable. */
void session_tls_close(TlsPipe *tls, SimStream *stream);
/* A client's view: the handshake is done, the server sent a certificate,
 * it chains to the scenario CA and names the peer (RFC 6125). */
gboolean session_tls_is_verified(const TlsPipe *tls);
/* tls.handshake record of node on connection conn_id; side is "client" or
 * "server"; discarded counts plaintext dropped at the switch. */
void session_tls_trace(Node *node, guint64 conn_id, const char *side, const char *peer,
                       TlsPipe *tls, gsize discarded);

#endif
