/* SPDX-License-Identifier: MIT
 * smtp_session_auth: SMTP AUTH (RFC 4954) in the sessions. The server side
 * answers AUTH queries with a SaslServer and the scenario's users, traces
 * auth.attempt (never the password) and locks a password guesser out; the
 * client side answers AUTH_STEP with a SaslClient (RFC 4422 3).
 */
#include "nodes/smtp_session_private.h"

#include <string.h>

#include "nodes/world_private.h"

/* ------------------------------------------------------------------ */
/* server                                                             */

void
smtp_server_session_auth_clear(SmtpServerSession *ss)
{
    g_clear_pointer(&ss->sasl, sasl_server_free);
    g_free(ss->sasl_authcid);
    g_free(ss->auth_user);
}

/* auth.attempt: who, how and the outcome; never the password. */
static void
smtp_server_session_auth_trace(SmtpServerSession *ss, SaslMech mech, const char *result,
                               const char *reason)
{
    SimTraceRec *r = world_trace(ss->st.node->world, "auth.attempt", ss->st.node->name);
    if (r == NULL)
        return;
    sim_trace_int(r, "conn", (gint64)ss->st.conn_id);
    sim_trace_str(r, "peer", ss->st.peer);
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
    const WorldSpec *spec = ss->st.node->world->spec;
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
    guint max = ss->st.node->spec->auth.max_failures;
    return max > 0 ? max : 3;
}

static void
smtp_server_session_lockout_fire(SimWorld *sim, gpointer data)
{
    SmtpServerSession *ss = data;
    g_autoptr(SmtpReply) r = smtp_reply_new(421, "4.7.0",
                                            "%s Error: too many authentication "
                                            "failures",
                                            ss->st.node->hostname);
    smtp_server_session_answer(ss, r);
}

/* Too many failed AUTH exchanges (a password guesser): answer the last one
 * with 421 after a delay, which closes the session (RFC 5321 4.2.2,
 * Postfix smtpd_hard_error_limit with smtpd_error_sleep_time). */
static void
smtp_server_session_auth_lockout(SmtpServerSession *ss)
{
    SimTraceRec *r = world_trace(ss->st.node->world, "auth.limit", ss->st.node->name);
    sim_trace_int(r, "conn", (gint64)ss->st.conn_id);
    sim_trace_str(r, "peer", ss->st.peer);
    sim_trace_int(r, "failures", ss->auth_failures);
    sim_trace_end(r);
    gint64 delay = ss->st.node->spec->auth.failure_delay;
    sim_world_schedule_in(ss->st.node->world->sim, delay > 0 ? delay : 0,
                          smtp_server_session_lockout_fire, ss, NULL);
}

/* QUERY AUTH / AUTH_CONTINUE (RFC 4954 4): one SASL step, answered now. */
void
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
            .hostname = ss->st.node->hostname,
            .rand = node_rng(ss->st.node),
            .timestamp = world_unix_now(ss->st.node->world),
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

/* ------------------------------------------------------------------ */
/* client                                                             */

void
smtp_client_session_auth_clear(SmtpClientSession *cs)
{
    g_clear_pointer(&cs->sasl, sasl_client_free);
    g_free(cs->auth_mech);
    g_free(cs->auth_user);
    if (cs->auth_password)
        memset(cs->auth_password, 0, strlen(cs->auth_password));
    g_free(cs->auth_password);
}

/* QUERY AUTH_STEP: the SASL client answers (RFC 4954 4, RFC 4422 3). */
void
smtp_client_session_auth_step(SmtpClientSession *cs, const SmtpClientAct *act)
{
    g_autoptr(GBytes) resp = NULL;
    if (cs->auth_mech == NULL || cs->auth_user == NULL || cs->auth_password == NULL) {
        smtp_client_answer_auth(cs->eng, act->query_id, NULL, TRUE);
        return;
    }
    if (act->challenge == NULL && cs->sasl == NULL) {
        cs->sasl = sasl_client_new(sasl_mech_from_name(cs->auth_mech), cs->auth_user,
                                   cs->auth_password, NULL, node_rng(cs->st.node));
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
