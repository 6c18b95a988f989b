/* SPDX-License-Identifier: MIT
 * session_timeout: conn id -> server session that can time out (see
 * session_timeout.h). The table lives in the World and is freed with it.
 */
#include "nodes/session_timeout.h"

#include "nodes/world_private.h"

typedef struct {
    gint64 conn_id; /* the table's key points here: one allocation per entry */
    Node *node;
    SessionTimeoutFunc fn;
    gpointer session;
} SessionTimeout;

void
session_timeout_register(Node *node, guint64 conn_id, SessionTimeoutFunc fn, gpointer session)
{
    g_return_if_fail(node != NULL && fn != NULL && session != NULL);
    World *w = node->world;
    if (w->session_timeouts == NULL)
        w->session_timeouts = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
    SessionTimeout *st = g_new0(SessionTimeout, 1);
    st->conn_id = (gint64)conn_id;
    st->node = node;
    st->fn = fn;
    st->session = session;
    g_hash_table_replace(w->session_timeouts, &st->conn_id, st);
}

void
session_timeout_unregister(World *w, guint64 conn_id)
{
    gint64 key = (gint64)conn_id;
    if (w != NULL && w->session_timeouts != NULL)
        g_hash_table_remove(w->session_timeouts, &key);
}

gboolean
world_conn_timeout(World *w, guint64 conn_id)
{
    g_return_val_if_fail(w != NULL, FALSE);
    gint64 key = (gint64)conn_id;
    SessionTimeout *st =
        w->session_timeouts ? g_hash_table_lookup(w->session_timeouts, &key) : NULL;
    if (st == NULL)
        return FALSE;
    /* The call may end the session, which unregisters st: copy first. */
    SessionTimeout call = *st;
    if (!call.fn(call.session))
        return FALSE;
    SimTraceRec *r = world_trace(w, "conn.timeout", call.node->name);
    sim_trace_int(r, "conn", (gint64)conn_id);
    sim_trace_end(r);
    return TRUE;
}
