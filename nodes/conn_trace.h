/* SPDX-License-Identifier: MIT
 * conn_trace: the conn.* records of docs/trace.md, written in one place for
 * every session kind (SMTP, POP3, the relay-test client), so their fields
 * and order cannot drift apart.
 */
#ifndef NODES_CONN_TRACE_H
#define NODES_CONN_TRACE_H

#include <glib.h>

#include "nodes/node.h"

/* conn.open at the client; msg_id (nullable) is the message it carries. */
void conn_trace_open(Node *node, guint64 conn, const char *peer, const char *ip, guint16 port,
                     const char *msg_id);
/* conn.accept at the server; port is the local (listening) port. */
void conn_trace_accept(Node *node, guint64 conn, const char *peer, const char *ip, guint16 port);
/* conn.close; side is "server" or "client". */
void conn_trace_close(Node *node, guint64 conn, const char *side);
/* conn.fail at the client: refused, timed out or reset. */
void conn_trace_fail(Node *node, guint64 conn, const char *peer, const char *why);

#endif
