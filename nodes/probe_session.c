/* SPDX-License-Identifier: MIT
 * probe_session: SimStream <-> SmtpProbe glue, with tracing (the client
 * half of smtp_session.c for scripted clients).
 */
#include "nodes/probe_session.h"

#include <string.h>

#include "nodes/conn_trace.h"
#include "nodes/world_private.h"

struct ProbeSession {
    Node *node;
    SimStream *stream;
    SmtpProbe *probe;
    ProbeSessionHandler handler;
    gpointer user_data;
    char *peer;
    guint64 conn_id;
    int last_step;
    gboolean completed;
    gboolean pumping;
    gboolean closed;
};

static void probe_session_pump(ProbeSession *ps);

static void
probe_session_on_data(SimStream *s, GBytes *data, gpointer user_data)
{
    ProbeSession *ps = user_data;
    gsize len;
    const guint8 *p = g_bytes_get_data(data, &len);
    smtp_probe_feed(ps->probe, p, len);
    probe_session_pump(ps);
}

static void
probe_session_on_eof(SimStream *s, gpointer user_data)
{
    ProbeSession *ps = user_data;
    smtp_probe_feed_eof(ps->probe);
    probe_session_pump(ps);
}

static void
probe_session_fail(ProbeSession *ps, const char *why)
{
    conn_trace_fail(ps->node, ps->conn_id, ps->peer, why);
    if (ps->stream) {
        sim_stream_reset(ps->stream);
        ps->stream = NULL;
    }
    smtp_probe_abort(ps->probe);
    probe_session_pump(ps);
}

static void
probe_session_on_reset(SimStream *s, gpointer user_data)
{
    probe_session_fail(user_data, "connection reset");
}

static void
probe_session_on_refused(SimStream *s, gpointer user_data)
{
    probe_session_fail(user_data, "connection refused");
}

static void
probe_session_on_timeout(SimStream *s, gpointer user_data)
{
    probe_session_fail(user_data, "connection timed out");
}

static const SimStreamHandler probe_session_stream_handler = {
    .on_data = probe_session_on_data,
    .on_eof = probe_session_on_eof,
    .on_reset = probe_session_on_reset,
    .on_refused = probe_session_on_refused,
    .on_timeout = probe_session_on_timeout,
};

ProbeSession *
probe_session_start(Node *node, const char *ip, guint16 port, const char *peer, SmtpProbe *probe,
                    const ProbeSessionHandler *handler, gpointer user_data)
{
    World *w = node->world;
    ProbeSession *ps = g_new0(ProbeSession, 1);
    ps->node = node;
    ps->probe = probe;
    ps->handler = *handler;
    ps->user_data = user_data;
    ps->peer = g_strdup(peer ? peer : ip);
    ps->last_step = SMTP_PROBE_STEP_GREETING;
    ps->stream = sim_net_connect(w->net, node->host, ip, port, &probe_session_stream_handler, ps);
    ps->conn_id = sim_stream_conn_id(ps->stream);
    conn_trace_open(node, ps->conn_id, ps->peer, ip, port, NULL);
    return ps;
}

guint64
probe_session_conn_id(const ProbeSession *ps)
{
    return ps->conn_id;
}

static void
probe_session_trace_reply(ProbeSession *ps, int step, const SmtpReply *reply)
{
    SimTraceRec *r = world_trace(ps->node->world, "smtp.reply", ps->node->name);
    if (r == NULL)
        return;
    sim_trace_int(r, "conn", (gint64)ps->conn_id);
    sim_trace_str(r, "peer", ps->peer);
    sim_trace_int(r, "code", reply->code);
    /* The same text form as smtp_session.c: enhanced code first, lines
     * joined with " | ". */
    GString *text = g_string_new(NULL);
    for (guint i = 0; i < reply->lines->len; i++) {
        if (i)
            g_string_append(text, " | ");
        if (reply->enhanced[0]) {
            g_string_append(text, reply->enhanced);
            g_string_append_c(text, ' ');
        }
        g_string_append(text, reply->lines->pdata[i]);
    }
    sim_trace_bytes(r, "text", (const guint8 *)text->str, text->len);
    g_string_free(text, TRUE);
    sim_trace_int(r, "step", step);
    sim_trace_end(r);
}

static void
probe_session_pump(ProbeSession *ps)
{
    if (ps->pumping)
        return;
    ps->pumping = TRUE;
    SmtpProbeAct act = {0};
    while (smtp_probe_poll(ps->probe, &act)) {
        switch (act.kind) {
        case SMTP_PROBE_ACT_SEND:
            if (ps->stream)
                sim_stream_write(ps->stream, act.bytes);
            break;
        case SMTP_PROBE_ACT_REPLY:
            probe_session_trace_reply(ps, act.step, act.reply);
            if (ps->handler.on_reply)
                ps->handler.on_reply(ps, act.step, act.reply, ps->user_data);
            break;
        case SMTP_PROBE_ACT_DONE:
            ps->last_step = act.step;
            ps->completed = act.completed;
            break;
        case SMTP_PROBE_ACT_CLOSE:
            ps->closed = TRUE;
            break;
        default:
            break;
        }
        smtp_probe_act_clear(&act);
    }
    ps->pumping = FALSE;
    if (!ps->closed)
        return;
    if (ps->stream) {
        sim_stream_close(ps->stream);
        ps->stream = NULL;
    }
    conn_trace_close(ps->node, ps->conn_id, "client");
    if (ps->handler.on_closed)
        ps->handler.on_closed(ps, ps->last_step, ps->completed, ps->user_data);
    smtp_probe_free(ps->probe);
    g_free(ps->peer);
    g_free(ps);
}
