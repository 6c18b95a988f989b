/* SPDX-License-Identifier: MIT
 * session_timeout: the idle timeout of server sessions, for a driver that
 * measures idleness outside virtual time (the wall clock of `mhs serve`,
 * app/bridge.h). A server session registers its connection; the driver
 * asks it to time out, and the session's engine says goodbye in its own
 * protocol, through TLS when the session runs over TLS (SMTP "421 4.4.2",
 * RFC 5321 4.5.3.2.7 and 3.8; POP3 "-ERR", RFC 1939 3), then closes. The
 * bridge itself cannot: after STARTTLS or STLS a line in clear would break
 * the TLS stream.
 */
#ifndef NODES_SESSION_TIMEOUT_H
#define NODES_SESSION_TIMEOUT_H

#include <glib.h>

#include "nodes/node.h"
#include "nodes/world.h"

/* Sends the session's goodbye and closes it; FALSE when it cannot now (a
 * decision of the node is pending, or it is closing already). */
typedef gboolean (*SessionTimeoutFunc)(gpointer session);

/* Registers session (borrowed) of node as the server side of conn_id. */
void session_timeout_register(Node *node, guint64 conn_id, SessionTimeoutFunc fn, gpointer session);
/* Forgets conn_id (a no-op when not registered). */
void session_timeout_unregister(World *w, guint64 conn_id);
/* Times out the server session of conn_id: TRUE when one said goodbye
 * and is closing (its bytes and FIN then cross the link in virtual
 * time), traced as conn.timeout; FALSE when no registered session
 * could. */
gboolean world_conn_timeout(World *w, guint64 conn_id);

#endif
