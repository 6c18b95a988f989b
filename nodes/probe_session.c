/* SPDX-License-Identifier: MIT
 * probe_session: SimStream <-> SmtpProbe glue, with tracing (the client
 * half of smtp_session.c for scripted clients).
 */
#include "nodes/probe_session.h"

#include <string.h>

#include "nodes/conn_trace.h"
#include "nodes/session_tls.h"
#include "nodes/smtp_session.h"
#include "nodes/tls_setup.h"
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
    TlsPipe *tls; /* after STARTTLS: ciphertext on the stream */
    gboolean tls_up;
    gsize tls_discarded;
};

static void probe_session_pump(ProbeSession *ps);

static void
probe_session_tls_flush(ProbeSession *ps)
{
    GBytes *out;
    while ((out = tls_pipe_take_output(ps->tls)) != NULL) {
        if (ps->stream)
            sim_stream_write(ps->stream, out);
        g_bytes_unref(out);
    }
}

static void probe_session_fail(ProbeSession *ps, const char *why);

/* Ciphertext from the server: the handshake, then the plaintext replies.
 * FALSE when the handshake failed and ps is gone. */
static gboolean
probe_session_tls_in(ProbeSession *ps, const guint8 *p, gsize len)
{
    tls_pipe_feed(ps->tls, p, len);
    probe_session_tls_flush(ps);
    if (!ps->tls_up && tls_pipe_is_failed(ps->tls)) {
        session_tls_trace(ps->node, ps->conn_id, "client", ps->peer, ps->tls, ps->tls_discarded);
        probe_session_fail(ps, "TLS handshake failed");
        return FALSE;
    }
    if (!ps->tls_up && tls_pipe_is_established(ps->tls)) {
        ps->tls_up = TRUE;
        ps->tls_discarded += smtp_probe_starttls_done(ps->probe);
        session_tls_trace(ps->node, ps->conn_id, "client", ps->peer, ps->tls, ps->tls_discarded);
    }
    g_autoptr(GBytes) plain = tls_pipe_read(ps->tls);
    if (plain) {
        gsize n;
        const guint8 *d = g_bytes_get_data(plain, &n);
        smtp_probe_feed(ps->probe, d, n);
    }
    return TRUE;
}

static void
probe_session_on_data(SimStream *s, GBytes *data, gpointer user_data)
{
    ProbeSession *ps = user_data;
    gsize len;
    const guint8 *p = g_bytes_get_data(data, &len);
    if (ps->tls) {
        if (!probe_session_tls_in(ps, p, len))
            return;
    } else
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
            if (ps->tls) {
                gsize n;
                const guint8 *d = g_bytes_get_data(act.bytes, &n);
                tls_pipe_write(ps->tls, d, n);
                probe_session_tls_flush(ps);
            } else if (ps->stream) {
                sim_stream_write(ps->stream, act.bytes);
            }
            break;
        case SMTP_PROBE_ACT_STARTTLS: {
            TlsContext *ctx = world_tls_client_context(ps->node->world, ps->node);
            if (ctx == NULL || ps->stream == NULL) {
                smtp_probe_abort(ps->probe); /* no TLS layer on this node */
                break;
            }
            /* RFC 6066 3: SNI is the server's name. */
            ps->tls_discarded = act.discarded;
            ps->tls = tls_pipe_new_client(ctx, ps->peer);
            probe_session_tls_flush(ps);
            break;
        }
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
        if (ps->tls && tls_pipe_is_established(ps->tls)) {
            tls_pipe_close(ps->tls); /* close_notify, RFC 8446 6.1 */
            probe_session_tls_flush(ps);
        }
        sim_stream_close(ps->stream);
        ps->stream = NULL;
    }
    conn_trace_close(ps->node, ps->conn_id, "client");
    if (ps->handler.on_closed)
        ps->handler.on_closed(ps, ps->last_step, ps->completed, ps->user_data);
    smtp_probe_free(ps->probe);
    g_clear_pointer(&ps->tls, tls_pipe_free);
    g_free(ps->peer);
    g_free(ps);
}
