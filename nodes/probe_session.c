/* SPDX-License-Identifier: MIT
 * probe_session: SmtpProbe on a SessionStream, with tracing (the client
 * half of smtp_session.c for scripted clients). STARTTLS (RFC 3207) as the
 * script says; a failed handshake fails the connection.
 */
#include "nodes/probe_session.h"

#include <string.h>

#include "nodes/conn_trace.h"
#include "nodes/session_stream.h"
#include "nodes/smtp_session.h"
#include "nodes/tls_setup.h"
#include "nodes/world_private.h"

struct ProbeSession {
    SessionStream st; /* first: the ops get it back by a cast */
    SmtpProbe *probe;
    ProbeSessionHandler handler;
    gpointer user_data;
    int last_step;
    gboolean completed;
    gboolean closed;
};

static void probe_session_pump(ProbeSession *ps);

static void
probe_session_free(ProbeSession *ps)
{
    smtp_probe_free(ps->probe);
    session_stream_clear(&ps->st);
    g_free(ps);
}

static void
probe_session_st_bytes(SessionStream *st, const guint8 *p, gsize len)
{
    smtp_probe_feed(((ProbeSession *)st)->probe, p, len);
}

static void
probe_session_st_eof(SessionStream *st)
{
    smtp_probe_feed_eof(((ProbeSession *)st)->probe);
}

static void
probe_session_st_fail(SessionStream *st, const char *why)
{
    smtp_probe_abort(((ProbeSession *)st)->probe);
}

static void
probe_session_st_pump(SessionStream *st)
{
    probe_session_pump((ProbeSession *)st);
}

static gsize
probe_session_st_tls_switch(SessionStream *st)
{
    return smtp_probe_starttls_done(((ProbeSession *)st)->probe);
}

static void
probe_session_st_tls_fail(SessionStream *st)
{
    session_stream_fail(st, "TLS handshake failed");
}

static void
probe_session_st_free(SessionStream *st)
{
    probe_session_free((ProbeSession *)st);
}

static const SessionStreamOps probe_session_ops = {
    .on_bytes = probe_session_st_bytes,
    .on_eof = probe_session_st_eof,
    .on_fail = probe_session_st_fail,
    .pump = probe_session_st_pump,
    .tls_switch = probe_session_st_tls_switch,
    .on_tls_fail = probe_session_st_tls_fail,
    .free = probe_session_st_free,
};

ProbeSession *
probe_session_start(Node *node, const char *ip, guint16 port, const char *peer, SmtpProbe *probe,
                    const ProbeSessionHandler *handler, gpointer user_data)
{
    ProbeSession *ps = g_new0(ProbeSession, 1);
    ps->probe = probe;
    ps->handler = *handler;
    ps->user_data = user_data;
    ps->last_step = SMTP_PROBE_STEP_GREETING;
    session_stream_connect(&ps->st, &probe_session_ops, node, ip, port, peer, NULL);
    return ps;
}

void
probe_session_set_user_data_free(ProbeSession *ps, GDestroyNotify destroy)
{
    g_return_if_fail(ps != NULL);
    session_stream_own(&ps->st, ps->user_data, destroy);
}

guint64
probe_session_conn_id(const ProbeSession *ps)
{
    return ps->st.conn_id;
}

static void
probe_session_trace_reply(ProbeSession *ps, int step, const SmtpReply *reply)
{
    SimTraceRec *r = world_trace(ps->st.node->world, "smtp.reply", ps->st.node->name);
    if (r == NULL)
        return;
    sim_trace_int(r, "conn", (gint64)ps->st.conn_id);
    sim_trace_str(r, "peer", ps->st.peer);
    sim_trace_int(r, "code", reply->code);
    g_autofree char *text = smtp_session_reply_text(reply);
    sim_trace_bytes(r, "text", (const guint8 *)text, strlen(text));
    sim_trace_int(r, "step", step);
    sim_trace_end(r);
}

static void
probe_session_act(ProbeSession *ps, SmtpProbeAct *act)
{
    switch (act->kind) {
    case SMTP_PROBE_ACT_SEND:
        session_stream_send(&ps->st, act->bytes);
        break;
    case SMTP_PROBE_ACT_STARTTLS: {
        TlsContext *ctx = world_tls_client_context(ps->st.node->world, ps->st.node);
        if (ctx == NULL || ps->st.stream == NULL) {
            smtp_probe_abort(ps->probe); /* no TLS layer on this node */
            break;
        }
        /* RFC 6066 3: SNI is the server's name. */
        session_stream_start_tls_client(&ps->st, ctx, act->discarded);
        break;
    }
    case SMTP_PROBE_ACT_REPLY:
        probe_session_trace_reply(ps, act->step, act->reply);
        if (ps->handler.on_reply)
            ps->handler.on_reply(ps, act->step, act->reply, ps->user_data);
        break;
    case SMTP_PROBE_ACT_DONE:
        ps->last_step = act->step;
        ps->completed = act->completed;
        break;
    case SMTP_PROBE_ACT_CLOSE:
        ps->closed = TRUE;
        break;
    default:
        break;
    }
}

static void
probe_session_pump(ProbeSession *ps)
{
    if (!session_stream_pump_begin(&ps->st))
        return;
    SmtpProbeAct act = {0};
    while (smtp_probe_poll(ps->probe, &act)) {
        probe_session_act(ps, &act);
        smtp_probe_act_clear(&act);
    }
    ps->st.pumping = FALSE;
    if (!ps->closed)
        return;
    session_stream_close(&ps->st);
    conn_trace_close(ps->st.node, ps->st.conn_id, "client");
    if (ps->handler.on_closed)
        ps->handler.on_closed(ps, ps->last_step, ps->completed, ps->user_data);
    probe_session_free(ps);
}
