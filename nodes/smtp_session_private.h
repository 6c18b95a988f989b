/* SPDX-License-Identifier: MIT
 * smtp_session_private: the session structures shared by smtp_session.c
 * (stream and engine glue) and smtp_session_auth.c (RFC 4954 AUTH with
 * SASL on both sides). Not for other files.
 */
#ifndef NODES_SMTP_SESSION_PRIVATE_H
#define NODES_SMTP_SESSION_PRIVATE_H

#include <glib.h>

#include "nodes/session_stream.h"
#include "nodes/smtp_session.h"
#include "nodes/world_spec.h"
#include "proto/sasl.h"

struct SmtpServerSession {
    SessionStream st; /* first: the ops get it back by a cast */
    SmtpServer *eng;
    SmtpServerPolicy policy;
    gpointer user_data;
    gpointer data;
    GDestroyNotify data_destroy;
    guint32 query_id;
    gboolean esmtp;
    char *helo;
    gboolean sasl_on;    /* AUTH queries are answered here */
    SaslServer *sasl;    /* the AUTH exchange in progress */
    char *sasl_authcid;  /* who is trying (from the mechanism) */
    char *auth_user;     /* authenticated login, or NULL */
    guint auth_failures; /* failed AUTH exchanges in this session */
    guint messages;      /* accepted so far (smtp_server_session_count_message) */
};

struct SmtpClientSession {
    SessionStream st; /* first: the ops get it back by a cast */
    SmtpClient *eng;
    SmtpClientDoneFunc done;
    gpointer user_data;
    GDestroyNotify drop_notify; /* nullable: frees user_data if never decided */
    gboolean decided;
    gboolean finished;      /* CLOSE seen: free after the pump */
    SpecTlsLevel tls_level; /* this node's smtp_tls_security_level */
    char *fail_detail;      /* (nullable) a TLS policy reason for the outcome */
    char *auth_mech;        /* (nullable) AUTH with this mechanism */
    char *auth_user;
    char *auth_password;
    SaslClient *sasl;
};

/* QUERY AUTH / AUTH_CONTINUE (RFC 4954 4): one SASL step, answered now
 * or, after too many failures, later (smtp_session_auth.c). */
void smtp_server_session_auth(SmtpServerSession *ss, const SmtpServerQuery *q);
/* Frees the server's SASL state. */
void smtp_server_session_auth_clear(SmtpServerSession *ss);
/* QUERY AUTH_STEP: the SASL client answers (RFC 4954 4, RFC 4422 3). */
void smtp_client_session_auth_step(SmtpClientSession *cs, const SmtpClientAct *act);
/* Frees the client's SASL state and wipes the password. */
void smtp_client_session_auth_clear(SmtpClientSession *cs);

#endif
