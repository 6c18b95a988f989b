/* SPDX-License-Identifier: MIT
 * smtp_session: SimStream <-> SmtpServer / SmtpClient glue, with tracing.
 * After STARTTLS (RFC 3207 4.2) a TlsPipe sits between the stream
 * (ciphertext) and the engine (plaintext); the handshake is traced as a
 * summary, never with key material. AUTH (RFC 4954) is answered here with
 * a SaslServer on the server side and a SaslClient on the client side.
 */
#include "nodes/smtp_session.h"

#include <string.h>

#include "nodes/conn_trace.h"
#include "nodes/session_tls.h"
#include "nodes/tls_setup.h"
#include "nodes/world_private.h"
#include "proto/sasl.h"
#include "proto/tls_pipe.h"

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
    gboolean sasl_on;    /* AUTH queries are answered here */
    TlsPipe *tls;        /* after STARTTLS: ciphertext on the stream */
    gboolean tls_up;     /* handshake done and traced */
    gsize tls_discarded; /* plaintext dropped after STARTTLS (RFC 3207 4.2) */
    SaslServer *sasl;    /* the AUTH exchange in progress */
    char *sasl_authcid;  /* who is trying (from the mechanism) */
    char *auth_user;     /* authenticated login, or NULL */
    guint auth_failures; /* failed AUTH exchanges in this session */
};

static void smtp_server_session_pump(SmtpServerSession *ss);
static void smtp_server_session_auth(SmtpServerSession *ss, const SmtpServerQuery *q);

static void
smtp_server_session_free(SmtpServerSession *ss)
{
    if (ss->data_destroy)
        ss->data_destroy(ss->data);
    smtp_server_free(ss->eng);
    g_clear_pointer(&ss->tls, tls_pipe_free);
    g_clear_pointer(&ss->sasl, sasl_server_free);
    g_free(ss->sasl_authcid);
    g_free(ss->auth_user);
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
    conn_trace_close(ss->node, ss->conn_id, "server");
    if (ss->stream) {
        session_tls_close(ss->tls, ss->stream);
        sim_stream_close(ss->stream);
        ss->stream = NULL;
    }
    if (ss->policy.on_end)
        ss->policy.on_end(ss, ss->user_data);
    if (!ss->pending && !ss->pumping)
        smtp_server_session_free(ss);
}

/* Bytes to the client: through TLS once it is on. */
static void
smtp_server_session_send(SmtpServerSession *ss, GBytes *bytes)
{
    if (ss->stream == NULL)
        return;
    if (ss->tls == NULL) {
        sim_stream_write(ss->stream, bytes);
        return;
    }
    gsize len;
    const guint8 *p = g_bytes_get_data(bytes, &len);
    tls_pipe_write(ss->tls, p, len);
    session_tls_flush(ss->tls, ss->stream);
}

/* Ciphertext from the client: drive the handshake, then hand plaintext
 * to the engine. FALSE when the session must end (handshake failed). */
static gboolean
smtp_server_session_tls_in(SmtpServerSession *ss, const guint8 *p, gsize len)
{
    tls_pipe_feed(ss->tls, p, len);
    session_tls_flush(ss->tls, ss->stream);
    const char *peer = ss->client_node ? ss->client_node : ss->client_ip;
    if (tls_pipe_is_failed(ss->tls) && !ss->tls_up) {
        session_tls_trace(ss->node, ss->conn_id, "server", peer, ss->tls, ss->tls_discarded);
        return FALSE;
    }
    if (!ss->tls_up && tls_pipe_is_established(ss->tls)) {
        ss->tls_up = TRUE;
        ss->tls_discarded += smtp_server_starttls_done(ss->eng);
        session_tls_trace(ss->node, ss->conn_id, "server", peer, ss->tls, ss->tls_discarded);
    }
    g_autoptr(GBytes) plain = tls_pipe_read(ss->tls);
    if (plain) {
        gsize n;
        const guint8 *d = g_bytes_get_data(plain, &n);
        smtp_server_feed(ss->eng, d, n);
    }
    return !tls_pipe_is_failed(ss->tls);
}

static void
smtp_server_session_on_data(SimStream *s, GBytes *data, gpointer user_data)
{
    SmtpServerSession *ss = user_data;
    gsize len;
    const guint8 *p = g_bytes_get_data(data, &len);
    if (ss->tls == NULL)
        smtp_server_feed(ss->eng, p, len);
    else if (!smtp_server_session_tls_in(ss, p, len)) {
        smtp_server_session_end(ss);
        return;
    }
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
    ss->sasl_on = cfg->auth_mechs != NULL;
    ss->conn_id = sim_stream_conn_id(stream);
    sim_ipv4_format(sim_stream_remote_addr(stream), ss->client_ip);
    SimHost *peer = sim_stream_remote_host(stream);
    ss->client_node = peer ? sim_host_name(peer) : NULL;
    sim_stream_set_handler(stream, &smtp_server_session_handler, ss);
    conn_trace_accept(node, ss->conn_id, ss->client_node ? ss->client_node : ss->client_ip, ss->client_ip,
                      sim_stream_local_port(stream));
    smtp_server_session_pump(ss);
    return ss;
}

/* The command as it crossed the wire: in clear it is shown whole (labs
 * show sniffable AUTH); under TLS the wire held ciphertext, so credentials
 * are left out and only their size is given. */
static void
smtp_server_session_trace_cmd(SmtpServerSession *ss, const SmtpServerAct *act)
{
    SimTraceRec *r = world_trace(ss->node->world, "smtp.cmd", ss->node->name);
    if (r == NULL)
        return;
    sim_trace_int(r, "conn", (gint64)ss->conn_id);
    sim_trace_str(r, "peer", ss->client_node ? ss->client_node : ss->client_ip);
    if (act->has_credentials && ss->tls != NULL) {
        sim_trace_str(r, "line", "(credentials)");
        sim_trace_int(r, "len", (gint64)strlen(act->line));
    } else {
        sim_trace_bytes(r, "line", (const guint8 *)act->line, strlen(act->line));
    }
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
            smtp_server_session_send(ss, act.bytes);
            break;
        case SMTP_SERVER_ACT_CMD:
            smtp_server_session_trace_cmd(ss, &act);
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
            if (ss->sasl_on && (act.query.kind == SMTP_SERVER_QUERY_AUTH ||
                                act.query.kind == SMTP_SERVER_QUERY_AUTH_CONTINUE))
                smtp_server_session_auth(ss, &act.query);
            else
                ss->policy.on_query(ss, &act.query, ss->user_data);
            break;
        case SMTP_SERVER_ACT_STARTTLS: {
            /* The 220 went out in clear; from here on the stream carries TLS. */
            TlsContext *ctx = world_tls_server_context(ss->node->world, ss->node);
            if (ctx == NULL) {
                g_warning("%s: STARTTLS without a TLS context", ss->node->name);
                closing = TRUE;
                break;
            }
            ss->tls = tls_pipe_new_server(ctx);
            ss->tls_discarded = act.discarded;
            break;
        }
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

const char *
smtp_server_session_auth_user(const SmtpServerSession *ss)
{
    return smtp_server_is_authenticated(ss->eng) ? ss->auth_user : NULL;
}

/* auth.attempt: who, how and the outcome; never the password. */
static void
smtp_server_session_auth_trace(SmtpServerSession *ss, SaslMech mech, const char *result,
                               const char *reason)
{
    SimTraceRec *r = world_trace(ss->node->world, "auth.attempt", ss->node->name);
    if (r == NULL)
        return;
    sim_trace_int(r, "conn", (gint64)ss->conn_id);
    sim_trace_str(r, "peer", ss->client_node ? ss->client_node : ss->client_ip);
    sim_trace_str(r, "mechanism", sasl_mech_name(mech));
    sim_trace_str(r, "user", ss->sasl_authcid ? ss->sasl_authcid : "");
    sim_trace_str(r, "result", result);
    if (reason)
        sim_trace_str(r, "reason", reason);
    sim_trace_bool(r, "tls", smtp_server_is_tls(ss->eng));
    /* RFC 4954 4: PLAIN and LOGIN carry the password itself; CRAM-MD5 and
     * DIGEST-MD5 make the server keep a cleartext-equivalent secret. */
    sim_trace_str(r, "secret",
                  sasl_mech_needs_cleartext_secret(mech) ? "cleartext-equivalent" : "password");
    if (sasl_mech_is_plaintext(mech) && !smtp_server_is_tls(ss->eng))
        sim_trace_bool(r, "exposed", TRUE);
    sim_trace_end(r);
}

/* Runs the SASL server until it needs the client again; the reply for the
 * engine (transfer full). */
static SmtpReply *
smtp_server_session_sasl_reply(SmtpServerSession *ss, SaslServerAct *sa)
{
    const WorldSpec *spec = ss->node->world->spec;
    SaslMech mech = sasl_server_get_mech(ss->sasl);
    while (sa->kind == SASL_SERVER_ACT_NEED_SECRET) {
        g_free(ss->sasl_authcid);
        ss->sasl_authcid = g_strdup(sa->authcid);
        const char *secret = world_spec_user_password(spec, sa->authcid);
        gboolean authz_ok = sa->authzid == NULL || sa->authzid[0] == '\0' ||
                            g_ascii_strcasecmp(sa->authzid, sa->authcid) == 0;
        sasl_server_act_clear(sa);
        sasl_server_answer_secret(ss->sasl, secret, authz_ok, sa);
    }
    switch (sa->kind) {
    case SASL_SERVER_ACT_CHALLENGE: {
        gsize n = 0;
        const guint8 *d = sa->data ? g_bytes_get_data(sa->data, &n) : NULL;
        g_autofree char *b64 = sasl_line_encode(d, n);
        return smtp_reply_new(334, NULL, "%s", b64);
    }
    case SASL_SERVER_ACT_SUCCESS:
        g_free(ss->sasl_authcid);
        ss->sasl_authcid = g_strdup(sa->authcid);
        g_free(ss->auth_user);
        ss->auth_user = g_strdup(sa->authcid);
        smtp_server_session_auth_trace(ss, mech, "success", NULL);
        return smtp_reply_new(235, "2.7.0", "Authentication successful");
    case SASL_SERVER_ACT_FAILURE:
        smtp_server_session_auth_trace(ss, mech, "failure", sasl_failure_name(sa->reason));
        switch (sa->reason) {
        case SASL_FAIL_CANCELLED:
            return smtp_reply_new(501, "5.7.0", "Authentication aborted");
        case SASL_FAIL_MALFORMED:
        case SASL_FAIL_UNEXPECTED_INITIAL:
            return smtp_reply_new(501, "5.5.2", "Error: malformed authentication data");
        default: /* RFC 4954 6 */
            return smtp_reply_new(535, "5.7.8", "Error: authentication failed");
        }
    default:
        g_assert_not_reached();
    }
}

static guint
smtp_server_session_auth_max(const SmtpServerSession *ss)
{
    guint max = ss->node->spec->auth.max_failures;
    return max > 0 ? max : 3;
}

static void
smtp_server_session_lockout_fire(SimWorld *sim, gpointer data)
{
    SmtpServerSession *ss = data;
    g_autoptr(SmtpReply) r = smtp_reply_new(421, "4.7.0", "%s Error: too many authentication "
                                            "failures", ss->node->hostname);
    smtp_server_session_answer(ss, r);
}

/* Too many failed AUTH exchanges (a password guesser): answer the last one
 * with 421 after a delay, which closes the session (RFC 5321 4.2.2,
 * Postfix smtpd_hard_error_limit with smtpd_error_sleep_time). */
static void
smtp_server_session_auth_lockout(SmtpServerSession *ss)
{
    SimTraceRec *r = world_trace(ss->node->world, "auth.limit", ss->node->name);
    sim_trace_int(r, "conn", (gint64)ss->conn_id);
    sim_trace_str(r, "peer", ss->client_node ? ss->client_node : ss->client_ip);
    sim_trace_int(r, "failures", ss->auth_failures);
    sim_trace_end(r);
    gint64 delay = ss->node->spec->auth.failure_delay;
    sim_world_schedule_in(ss->node->world->sim, delay > 0 ? delay : 0,
                          smtp_server_session_lockout_fire, ss, NULL);
}

/* QUERY AUTH / AUTH_CONTINUE (RFC 4954 4): one SASL step, answered now. */
static void
smtp_server_session_auth(SmtpServerSession *ss, const SmtpServerQuery *q)
{
    static const guint8 empty[1];
    SaslServerAct sa = {0};
    gsize n = 0;
    const guint8 *d = q->auth_data ? g_bytes_get_data(q->auth_data, &n) : NULL;
    if (q->auth_data && d == NULL)
        d = empty; /* "=": an empty initial response, not none */
    if (q->kind == SMTP_SERVER_QUERY_AUTH) {
        g_clear_pointer(&ss->sasl, sasl_server_free);
        g_clear_pointer(&ss->sasl_authcid, g_free);
        SaslServerConfig sc = {
            .hostname = ss->node->hostname,
            .rand = ss->node->rng,
            .timestamp = world_unix_now(ss->node->world),
        };
        ss->sasl = sasl_server_new(sasl_mech_from_name(q->mech), &sc);
        if (ss->sasl == NULL) {
            g_autoptr(SmtpReply) r =
                smtp_reply_new(504, "5.5.4", "Unrecognized authentication type");
            smtp_server_session_answer(ss, r);
            return;
        }
        sasl_server_start(ss->sasl, d, n, &sa);
    } else if (ss->sasl != NULL && !sasl_server_is_done(ss->sasl)) {
        sasl_server_step(ss->sasl, d ? d : empty, n, &sa);
    } else {
        g_autoptr(SmtpReply) r = smtp_reply_new(503, "5.5.1", "Error: no AUTH in progress");
        smtp_server_session_answer(ss, r);
        return;
    }
    g_autoptr(SmtpReply) r = smtp_server_session_sasl_reply(ss, &sa);
    gboolean failed = sa.kind == SASL_SERVER_ACT_FAILURE;
    sasl_server_act_clear(&sa);
    if (failed && ++ss->auth_failures >= smtp_server_session_auth_max(ss)) {
        smtp_server_session_auth_lockout(ss);
        return;
    }
    smtp_server_session_answer(ss, r);
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
    SpecTlsLevel tls_level; /* this node's smtp_tls_security_level */
    TlsPipe *tls;
    gboolean tls_up;
    char *fail_detail; /* (nullable) a TLS policy reason for the outcome */
    char *auth_mech;   /* (nullable) AUTH with this mechanism */
    char *auth_user;
    char *auth_password;
    SaslClient *sasl;
};

static void smtp_client_session_pump(SmtpClientSession *cs);

static void
smtp_client_session_free(SmtpClientSession *cs)
{
    tracker_untag_conn(cs->node->world->tracker, cs->conn_id);
    smtp_client_free(cs->eng);
    g_clear_pointer(&cs->tls, tls_pipe_free);
    g_clear_pointer(&cs->sasl, sasl_client_free);
    g_free(cs->fail_detail);
    g_free(cs->auth_mech);
    g_free(cs->auth_user);
    if (cs->auth_password)
        memset(cs->auth_password, 0, strlen(cs->auth_password));
    g_free(cs->auth_password);
    g_free(cs->peer);
    g_free(cs);
}

/* Ciphertext from the server: the handshake, then plaintext for the engine. */
static void
smtp_client_session_tls_in(SmtpClientSession *cs, const guint8 *p, gsize len)
{
    tls_pipe_feed(cs->tls, p, len);
    session_tls_flush(cs->tls, cs->stream);
    if (tls_pipe_is_failed(cs->tls) && !cs->tls_up) {
        session_tls_trace(cs->node, cs->conn_id, "client", cs->peer, cs->tls, 0);
        /* Postfix: "Server certificate not verified" and the like; retry later. */
        cs->fail_detail = g_strdup_printf("4.7.5 TLS handshake with %s failed: %s", cs->peer,
                                          tls_pipe_get_error(cs->tls));
        smtp_client_abort(cs->eng, cs->fail_detail);
        if (cs->stream) {
            sim_stream_close(cs->stream);
            cs->stream = NULL;
        }
        return;
    }
    if (!cs->tls_up && tls_pipe_is_established(cs->tls)) {
        cs->tls_up = TRUE;
        session_tls_trace(cs->node, cs->conn_id, "client", cs->peer, cs->tls, 0);
        smtp_client_starttls_done(cs->eng);
    }
    g_autoptr(GBytes) plain = tls_pipe_read(cs->tls);
    if (plain) {
        gsize n;
        const guint8 *d = g_bytes_get_data(plain, &n);
        smtp_client_feed(cs->eng, d, n);
    }
}

static void
smtp_client_session_on_data(SimStream *s, GBytes *data, gpointer user_data)
{
    SmtpClientSession *cs = user_data;
    gsize len;
    const guint8 *p = g_bytes_get_data(data, &len);
    if (cs->tls)
        smtp_client_session_tls_in(cs, p, len);
    else
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
    conn_trace_fail(cs->node, cs->conn_id, cs->peer, why);
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
    /* The node's TLS level (Postfix smtp_tls_security_level): may tries
     * STARTTLS when offered, encrypt and above insist on it. */
    SmtpClientConfig c = *cfg;
    if (world_tls_client_context(w, node) != NULL) {
        cs->tls_level = node->spec->tls.client;
        c.want_starttls = cs->tls_level >= SPEC_TLS_MAY;
        c.require_starttls = cs->tls_level >= SPEC_TLS_ENCRYPT;
    }
    cs->auth_mech = g_strdup(cfg->auth_mech);
    cs->eng = smtp_client_new(&c);
    cs->done = done;
    cs->user_data = user_data;
    cs->peer = g_strdup(peer_name ? peer_name : ip);
    cs->stream = sim_net_connect(w->net, node->host, ip, port, &smtp_client_session_handler, cs);
    cs->conn_id = sim_stream_conn_id(cs->stream);
    if (msg_id)
        tracker_tag_conn(w->tracker, cs->conn_id, msg_id);
    conn_trace_open(node, cs->conn_id, cs->peer, ip, port, msg_id);
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
smtp_client_session_send(SmtpClientSession *cs, GBytes *bytes)
{
    if (cs->stream == NULL)
        return;
    if (cs->tls == NULL) {
        sim_stream_write(cs->stream, bytes);
        return;
    }
    gsize len;
    const guint8 *p = g_bytes_get_data(bytes, &len);
    tls_pipe_write(cs->tls, p, len);
    session_tls_flush(cs->tls, cs->stream);
}

/* A TLS policy failure says why in Postfix's words (4.7.5, RFC 3207 4.1). */
static void
smtp_client_session_policy_detail(SmtpClientSession *cs, SmtpClientOutcome *o)
{
    if (cs->fail_detail) {
        /* The handshake failed: decided at the STARTTLS stage. */
        o->stage = SMTP_CLIENT_STAGE_STARTTLS;
        g_free(o->detail);
        o->detail = g_strdup(cs->fail_detail);
        return;
    }
    if (o->stage != SMTP_CLIENT_STAGE_STARTTLS || cs->tls_level < SPEC_TLS_ENCRYPT)
        return;
    g_free(o->detail);
    if (o->reply) {
        /* The queue reports the reply itself; keep the reason beside it. */
        g_autofree char *text = smtp_reply_to_string(o->reply);
        g_strchomp(text);
        o->detail = g_strdup_printf("4.7.5 TLS is required, but host %s refused to start TLS: %s",
                                    cs->peer, text);
    } else {
        o->detail =
            g_strdup_printf("4.7.5 TLS is required, but was not offered by host %s", cs->peer);
    }
}

/* tls.skipped: at level may the dialogue went on in clear text although
 * TLS was wanted (RFC 3207 6: STARTTLS stripped by an attacker looks the
 * same as a server without it). */
static void
smtp_client_session_trace_skipped(SmtpClientSession *cs, const SmtpClientOutcome *o)
{
    if (cs->tls_level != SPEC_TLS_MAY || cs->tls_up || o->stage < SMTP_CLIENT_STAGE_AUTH)
        return;
    SimTraceRec *r = world_trace(cs->node->world, "tls.skipped", cs->node->name);
    if (r == NULL)
        return;
    sim_trace_int(r, "conn", (gint64)cs->conn_id);
    sim_trace_str(r, "peer", cs->peer);
    sim_trace_str(r, "level", spec_tls_level_name(cs->tls_level));
    sim_trace_str(r, "reason",
                  smtp_client_server_has_ext(cs->eng, "STARTTLS") ? "refused" : "not offered");
    sim_trace_end(r);
}

/* QUERY AUTH_STEP: the SASL client answers (RFC 4954 4, RFC 4422 3). */
static void
smtp_client_session_auth_step(SmtpClientSession *cs, const SmtpClientAct *act)
{
    g_autoptr(GBytes) resp = NULL;
    if (cs->auth_mech == NULL || cs->auth_user == NULL || cs->auth_password == NULL) {
        smtp_client_answer_auth(cs->eng, act->query_id, NULL, TRUE);
        return;
    }
    if (act->challenge == NULL && cs->sasl == NULL) {
        cs->sasl = sasl_client_new(sasl_mech_from_name(cs->auth_mech), cs->auth_user,
                                   cs->auth_password, NULL, cs->node->rng);
        if (cs->sasl == NULL) {
            smtp_client_answer_auth(cs->eng, act->query_id, NULL, TRUE);
            return;
        }
        sasl_client_initial_response(cs->sasl, &resp);
        smtp_client_answer_auth(cs->eng, act->query_id, resp, FALSE);
        return;
    }
    gsize n = 0;
    const guint8 *d = act->challenge ? g_bytes_get_data(act->challenge, &n) : NULL;
    SaslClientResult res = cs->sasl
                               ? sasl_client_step(cs->sasl, d ? d : (const guint8 *)"", n, &resp)
                               : SASL_CLIENT_ERROR;
    if (res == SASL_CLIENT_ERROR) {
        smtp_client_answer_auth(cs->eng, act->query_id, NULL, TRUE);
        return;
    }
    if (resp == NULL)
        resp = g_bytes_new(NULL, 0);
    smtp_client_answer_auth(cs->eng, act->query_id, resp, FALSE);
}

void
smtp_client_session_set_login(SmtpClientSession *cs, const char *user, const char *password)
{
    g_free(cs->auth_user);
    cs->auth_user = g_strdup(user);
    if (cs->auth_password)
        memset(cs->auth_password, 0, strlen(cs->auth_password));
    g_free(cs->auth_password);
    cs->auth_password = g_strdup(password);
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
            smtp_client_session_send(cs, act.bytes);
            break;
        case SMTP_CLIENT_ACT_REPLY:
            smtp_client_session_trace_reply(cs, act.reply);
            break;
        case SMTP_CLIENT_ACT_DONE:
            smtp_client_session_policy_detail(cs, act.outcome);
            if (!cs->decided)
                smtp_client_session_trace_skipped(cs, act.outcome);
            if (!cs->decided) {
                cs->decided = TRUE;
                cs->done(cs, act.outcome, cs->user_data);
            }
            break;
        case SMTP_CLIENT_ACT_QUERY:
            smtp_client_session_auth_step(cs, &act);
            break;
        case SMTP_CLIENT_ACT_STARTTLS: {
            TlsContext *ctx = world_tls_client_context(cs->node->world, cs->node);
            if (ctx == NULL) {
                smtp_client_abort(cs->eng, "no TLS layer");
                break;
            }
            /* RFC 6066 3, RFC 6125: SNI and the name to verify are the next hop's. */
            cs->tls = tls_pipe_new_client(ctx, cs->peer);
            session_tls_flush(cs->tls, cs->stream);
            break;
        }
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
            session_tls_close(cs->tls, cs->stream);
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
