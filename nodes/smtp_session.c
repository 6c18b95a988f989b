/* SPDX-License-Identifier: MIT
 * smtp_session: SimStream <-> SmtpServer / SmtpClient glue, with tracing.
 */
#include "nodes/smtp_session.h"

#include <string.h>

#include "nodes/world_private.h"

/* ------------------------------------------------------------------ */
/* server                                                             */

struct SmtpServerSession {
    Node *node;
    SimStream *stream;
    SmtpServer *eng;
    SmtpServerPolicy policy;
    gpointer user_data;
    gpointer data;
    GDestroyNotify data_destroy;
    guint32 query_id;
    gboolean pending;  /* a query waits for the policy */
    gboolean pumping;
    gboolean dead;     /* the stream is gone; free once no query is pending */
    gboolean esmtp;
    char *helo;
    char client_ip[16];
    const char *client_node;
    guint64 conn_id;
};

static void smtp_server_session_pump(SmtpServerSession *ss);

static void
smtp_server_session_free(SmtpServerSession *ss)
{
    if (ss->data_destroy)
        ss->data_destroy(ss->data);
    smtp_server_free(ss->eng);
    g_free(ss->helo);
    g_free(ss);
}

/* The stream is over: tell the policy once, free when no answer is owed. */
static void
smtp_server_session_end(SmtpServerSession *ss)
{
    if (ss->dead)
        return;
    ss->dead = TRUE;
    World *w = ss->node->world;
    SimTraceRec *r = world_trace(w, "conn.close", ss->node->name);
    sim_trace_int(r, "conn", (gint64)ss->conn_id);
    sim_trace_str(r, "side", "server");
    sim_trace_end(r);
    if (ss->stream) {
        sim_stream_close(ss->stream);
        ss->stream = NULL;
    }
    if (ss->policy.on_end)
        ss->policy.on_end(ss, ss->user_data);
    if (!ss->pending && !ss->pumping)
        smtp_server_session_free(ss);
}

static void
smtp_server_session_on_data(SimStream *s, GBytes *data, gpointer user_data)
{
    SmtpServerSession *ss = user_data;
    gsize len;
    const guint8 *p = g_bytes_get_data(data, &len);
    smtp_server_feed(ss->eng, p, len);
    smtp_server_session_pump(ss);
}

static void
smtp_server_session_on_eof(SimStream *s, gpointer user_data)
{
    SmtpServerSession *ss = user_data;
    smtp_server_feed_eof(ss->eng);
    smtp_server_session_pump(ss);
}

static void
smtp_server_session_on_reset(SimStream *s, gpointer user_data)
{
    smtp_server_session_end(user_data);
}

static const SimStreamHandler smtp_server_session_handler = {
    .on_data = smtp_server_session_on_data,
    .on_eof = smtp_server_session_on_eof,
    .on_reset = smtp_server_session_on_reset,
};

SmtpServerSession *
smtp_server_session_new(Node *node, SimStream *stream, const SmtpServerConfig *cfg,
                        const SmtpServerPolicy *policy, gpointer user_data)
{
    SmtpServerSession *ss = g_new0(SmtpServerSession, 1);
    ss->node = node;
    ss->stream = stream;
    ss->eng = smtp_server_new(cfg);
    ss->policy = *policy;
    ss->user_data = user_data;
    ss->conn_id = sim_stream_conn_id(stream);
    sim_ipv4_format(sim_stream_remote_addr(stream), ss->client_ip);
    SimHost *peer = sim_stream_remote_host(stream);
    ss->client_node = peer ? sim_host_name(peer) : NULL;
    sim_stream_set_handler(stream, &smtp_server_session_handler, ss);
    SimTraceRec *r = world_trace(node->world, "conn.accept", node->name);
    sim_trace_int(r, "conn", (gint64)ss->conn_id);
    sim_trace_str(r, "peer", ss->client_node ? ss->client_node : ss->client_ip);
    sim_trace_str(r, "ip", ss->client_ip);
    sim_trace_int(r, "port", sim_stream_local_port(stream));
    sim_trace_end(r);
    smtp_server_session_pump(ss);
    return ss;
}

static void
smtp_server_session_trace_cmd(SmtpServerSession *ss, const char *line)
{
    SimTraceRec *r = world_trace(ss->node->world, "smtp.cmd", ss->node->name);
    if (r == NULL)
        return;
    sim_trace_int(r, "conn", (gint64)ss->conn_id);
    sim_trace_str(r, "peer", ss->client_node ? ss->client_node : ss->client_ip);
    sim_trace_bytes(r, "line", (const guint8 *)line, strlen(line));
    sim_trace_end(r);
}

static void
smtp_server_session_pump(SmtpServerSession *ss)
{
    if (ss->pumping)
        return;
    ss->pumping = TRUE;
    SmtpServerAct act = {0};
    gboolean closing = FALSE;
    while (!ss->dead && smtp_server_poll(ss->eng, &act)) {
        switch (act.kind) {
        case SMTP_SERVER_ACT_SEND:
            if (ss->stream)
                sim_stream_write(ss->stream, act.bytes);
            break;
        case SMTP_SERVER_ACT_CMD:
            smtp_server_session_trace_cmd(ss, act.line);
            break;
        case SMTP_SERVER_ACT_QUERY:
            if (act.query.kind == SMTP_SERVER_QUERY_HELO ||
                act.query.kind == SMTP_SERVER_QUERY_EHLO) {
                g_free(ss->helo);
                ss->helo = g_strdup(act.query.name);
                ss->esmtp = act.query.kind == SMTP_SERVER_QUERY_EHLO;
            }
            ss->query_id = act.query.id;
            ss->pending = TRUE;
            ss->policy.on_query(ss, &act.query, ss->user_data);
            break;
        case SMTP_SERVER_ACT_STARTTLS:
            /* TODO(tls): switch the session to a TlsPipe here. Until then
             * STARTTLS is never advertised, so the engine cannot get here. */
            g_warning("%s: STARTTLS without a TLS layer", ss->node->name);
            closing = TRUE;
            break;
        case SMTP_SERVER_ACT_CLOSE:
            closing = TRUE;
            break;
        default:
            break;
        }
        smtp_server_act_clear(&act);
        if (closing)
            break;
    }
    ss->pumping = FALSE;
    if (closing)
        smtp_server_session_end(ss);
    else if (ss->dead && !ss->pending)
        smtp_server_session_free(ss);
}

void
smtp_server_session_answer(SmtpServerSession *ss, const SmtpReply *r)
{
    g_return_if_fail(ss != NULL && ss->pending);
    ss->pending = FALSE;
    if (ss->dead) {
        if (!ss->pumping)
            smtp_server_session_free(ss);
        return;
    }
    smtp_server_answer(ss->eng, ss->query_id, r);
    smtp_server_session_pump(ss);
}

Node *
smtp_server_session_node(const SmtpServerSession *ss)
{
    return ss->node;
}

guint64
smtp_server_session_conn_id(const SmtpServerSession *ss)
{
    return ss->conn_id;
}

const char *
smtp_server_session_client_ip(const SmtpServerSession *ss)
{
    return ss->client_ip;
}

const char *
smtp_server_session_client_node(const SmtpServerSession *ss)
{
    return ss->client_node;
}

const char *
smtp_server_session_helo(const SmtpServerSession *ss)
{
    return ss->helo;
}

gboolean
smtp_server_session_is_esmtp(const SmtpServerSession *ss)
{
    return ss->esmtp;
}

gboolean
smtp_server_session_is_tls(const SmtpServerSession *ss)
{
    return smtp_server_is_tls(ss->eng);
}

gboolean
smtp_server_session_is_auth(const SmtpServerSession *ss)
{
    return smtp_server_is_authenticated(ss->eng);
}

void
smtp_server_session_set_data(SmtpServerSession *ss, gpointer data, GDestroyNotify destroy)
{
    if (ss->data_destroy)
        ss->data_destroy(ss->data);
    ss->data = data;
    ss->data_destroy = destroy;
}

gpointer
smtp_server_session_get_data(const SmtpServerSession *ss)
{
    return ss->data;
}

/* ------------------------------------------------------------------ */
/* client                                                             */

struct SmtpClientSession {
    Node *node;
    SimStream *stream;
    SmtpClient *eng;
    SmtpClientDoneFunc done;
    gpointer user_data;
    gboolean decided;
    gboolean pumping;
    gboolean finished; /* CLOSE seen: free after the pump */
    char *peer;
    guint64 conn_id;
};

static void smtp_client_session_pump(SmtpClientSession *cs);

static void
smtp_client_session_free(SmtpClientSession *cs)
{
    tracker_untag_conn(cs->node->world->tracker, cs->conn_id);
    smtp_client_free(cs->eng);
    g_free(cs->peer);
    g_free(cs);
}

static void
smtp_client_session_on_data(SimStream *s, GBytes *data, gpointer user_data)
{
    SmtpClientSession *cs = user_data;
    gsize len;
    const guint8 *p = g_bytes_get_data(data, &len);
    smtp_client_feed(cs->eng, p, len);
    smtp_client_session_pump(cs);
}

static void
smtp_client_session_on_eof(SimStream *s, gpointer user_data)
{
    SmtpClientSession *cs = user_data;
    smtp_client_feed_eof(cs->eng);
    smtp_client_session_pump(cs);
}

static void
smtp_client_session_fail(SmtpClientSession *cs, const char *why)
{
    SimTraceRec *r = world_trace(cs->node->world, "conn.fail", cs->node->name);
    sim_trace_int(r, "conn", (gint64)cs->conn_id);
    sim_trace_str(r, "peer", cs->peer);
    sim_trace_str(r, "reason", why);
    sim_trace_end(r);
    if (cs->stream) {
        sim_stream_reset(cs->stream);
        cs->stream = NULL;
    }
    smtp_client_abort(cs->eng, why);
    smtp_client_session_pump(cs);
}

static void
smtp_client_session_on_reset(SimStream *s, gpointer user_data)
{
    smtp_client_session_fail(user_data, "connection reset");
}

static void
smtp_client_session_on_refused(SimStream *s, gpointer user_data)
{
    smtp_client_session_fail(user_data, "connection refused");
}

static void
smtp_client_session_on_timeout(SimStream *s, gpointer user_data)
{
    smtp_client_session_fail(user_data, "connection timed out");
}

static const SimStreamHandler smtp_client_session_handler = {
    .on_data = smtp_client_session_on_data,
    .on_eof = smtp_client_session_on_eof,
    .on_reset = smtp_client_session_on_reset,
    .on_refused = smtp_client_session_on_refused,
    .on_timeout = smtp_client_session_on_timeout,
};

SmtpClientSession *
smtp_client_session_start(Node *node, const char *ip, guint16 port, const char *peer_name,
                          const SmtpClientConfig *cfg, const char *msg_id,
                          SmtpClientDoneFunc done, gpointer user_data)
{
    World *w = node->world;
    SmtpClientSession *cs = g_new0(SmtpClientSession, 1);
    cs->node = node;
    cs->eng = smtp_client_new(cfg);
    cs->done = done;
    cs->user_data = user_data;
    cs->peer = g_strdup(peer_name ? peer_name : ip);
    cs->stream = sim_net_connect(w->net, node->host, ip, port, &smtp_client_session_handler, cs);
    cs->conn_id = sim_stream_conn_id(cs->stream);
    if (msg_id)
        tracker_tag_conn(w->tracker, cs->conn_id, msg_id);
    SimTraceRec *r = world_trace(w, "conn.open", node->name);
    sim_trace_int(r, "conn", (gint64)cs->conn_id);
    sim_trace_str(r, "peer", cs->peer);
    sim_trace_str(r, "ip", ip);
    sim_trace_int(r, "port", port);
    if (msg_id)
        sim_trace_str(r, "msg", msg_id);
    sim_trace_end(r);
    return cs;
}

static void
smtp_client_session_trace_reply(SmtpClientSession *cs, const SmtpReply *reply)
{
    SimTraceRec *r = world_trace(cs->node->world, "smtp.reply", cs->node->name);
    if (r == NULL)
        return;
    sim_trace_int(r, "conn", (gint64)cs->conn_id);
    sim_trace_str(r, "peer", cs->peer);
    sim_trace_int(r, "code", reply->code);
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
    sim_trace_end(r);
}

static void
smtp_client_session_pump(SmtpClientSession *cs)
{
    if (cs->pumping)
        return;
    cs->pumping = TRUE;
    SmtpClientAct act = {0};
    while (smtp_client_poll(cs->eng, &act)) {
        switch (act.kind) {
        case SMTP_CLIENT_ACT_SEND:
            if (cs->stream)
                sim_stream_write(cs->stream, act.bytes);
            break;
        case SMTP_CLIENT_ACT_REPLY:
            smtp_client_session_trace_reply(cs, act.reply);
            break;
        case SMTP_CLIENT_ACT_DONE:
            if (!cs->decided) {
                cs->decided = TRUE;
                cs->done(cs, act.outcome, cs->user_data);
            }
            break;
        case SMTP_CLIENT_ACT_QUERY:
            /* TODO(auth): answer AUTH_STEP from a SASL client. No AUTH is
             * configured yet, so the engine never asks. */
            smtp_client_answer_auth(cs->eng, act.query_id, NULL, TRUE);
            break;
        case SMTP_CLIENT_ACT_STARTTLS:
            smtp_client_abort(cs->eng, "no TLS layer");
            break;
        case SMTP_CLIENT_ACT_CLOSE:
            cs->finished = TRUE;
            break;
        default:
            break;
        }
        smtp_client_act_clear(&act);
    }
    cs->pumping = FALSE;
    if (cs->finished) {
        if (cs->stream) {
            sim_stream_close(cs->stream);
            cs->stream = NULL;
        }
        smtp_client_session_free(cs);
    }
}

guint64
smtp_client_session_conn_id(const SmtpClientSession *cs)
{
    return cs->conn_id;
}

const char *
smtp_client_session_peer(const SmtpClientSession *cs)
{
    return cs->peer;
}
