/* SPDX-License-Identifier: MIT
 * smtp_session: the one place where a simulated stream meets an SMTP engine
 * (DESIGN 4 "sessions"). The server side pumps SmtpServer actions and hands
 * queries to the node's policy; the client side connects, pumps SmtpClient
 * actions and reports the outcome. Both trace the dialogue (smtp.cmd on the
 * server, smtp.reply on the client, conn.open/close). Sessions free
 * themselves once the stream is closed. After STARTTLS a TlsPipe sits
 * between the stream and the engine (contexts from tls_setup.h, by the
 * node's tls levels); a server with cfg->auth_mechs answers AUTH itself
 * with a SaslServer and the scenario's users; a client answers AUTH_STEP
 * with a SaslClient and the login given by smtp_client_session_set_login().
 */
#ifndef NODES_SMTP_SESSION_H
#define NODES_SMTP_SESSION_H

#include <glib.h>

#include "nodes/node.h"
#include "proto/smtp_client.h"
#include "proto/smtp_server.h"
#include "proto/tls_pipe.h"
#include "sim/net.h"

/* --- server --- */
typedef struct SmtpServerSession SmtpServerSession;

typedef struct {
    /* Every query goes here; the policy answers now or later with
     * smtp_server_session_answer(). */
    void (*on_query)(SmtpServerSession *ss, const SmtpServerQuery *q, gpointer user_data);
    /* The session ended (stream closed or reset); ss is freed after this. */
    void (*on_end)(SmtpServerSession *ss, gpointer user_data);
} SmtpServerPolicy;

/* Takes over an accepted stream (transfer full). cfg is copied by the engine. */
SmtpServerSession *smtp_server_session_new(Node *node, SimStream *stream,
                                           const SmtpServerConfig *cfg,
                                           const SmtpServerPolicy *policy, gpointer user_data);
/* Answers the pending query (r: transfer none, nullable = engine default). */
void smtp_server_session_answer(SmtpServerSession *ss, const SmtpReply *r);
Node *smtp_server_session_node(const SmtpServerSession *ss);
guint64 smtp_server_session_conn_id(const SmtpServerSession *ss);
/* Client's address as text and its host name (nullable if unknown). */
const char *smtp_server_session_client_ip(const SmtpServerSession *ss);
const char *smtp_server_session_client_node(const SmtpServerSession *ss);
/* The HELO/EHLO name given and whether EHLO was used. */
const char *smtp_server_session_helo(const SmtpServerSession *ss);
gboolean smtp_server_session_is_esmtp(const SmtpServerSession *ss);
gboolean smtp_server_session_is_tls(const SmtpServerSession *ss);
gboolean smtp_server_session_is_auth(const SmtpServerSession *ss);
/* (transfer none, nullable) The SASL login of an authenticated session. */
const char *smtp_server_session_auth_user(const SmtpServerSession *ss);
/* TRUE once the connection is gone (reset, closed, or the node crashed);
 * the session lives on only until its pending query is answered. */
gboolean smtp_server_session_is_closed(const SmtpServerSession *ss);
void smtp_server_session_set_data(SmtpServerSession *ss, gpointer data, GDestroyNotify destroy);
gpointer smtp_server_session_get_data(const SmtpServerSession *ss);
/* Counts a message accepted in this session; returns how many were before
 * it (a second transaction on one connection is its own message). */
guint smtp_server_session_count_message(SmtpServerSession *ss);

/* --- client --- */
typedef struct SmtpClientSession SmtpClientSession;
/* The transaction is decided (outcome: transfer none, valid during the call). */
typedef void (*SmtpClientDoneFunc)(SmtpClientSession *cs, const SmtpClientOutcome *outcome,
                                   gpointer user_data);

/* Connects from node to ip:port and runs one transaction. msg_id (nullable)
 * tags the connection for the tracker. done is called exactly once, unless
 * the run ends first (see smtp_client_session_set_drop_notify()). */
SmtpClientSession *smtp_client_session_start(Node *node, const char *ip, guint16 port,
                                             const char *peer_name, const SmtpClientConfig *cfg,
                                             const char *msg_id, SmtpClientDoneFunc done,
                                             gpointer user_data);
/* Frees the done callback's user_data (destroy) if the run ends while
 * the session is still undecided: done is then never called. */
void smtp_client_session_set_drop_notify(SmtpClientSession *cs, GDestroyNotify destroy);
/* Credentials for AUTH with cfg->auth_mech (copied; the password is wiped
 * on free). Call right after start: the exchange comes later. */
void smtp_client_session_set_login(SmtpClientSession *cs, const char *user, const char *password);
guint64 smtp_client_session_conn_id(const SmtpClientSession *cs);
const char *smtp_client_session_peer(const SmtpClientSession *cs);

/* A reply as smtp.reply's text shows it (transfer full): the enhanced code
 * before each line, lines joined with " | ". */
char *smtp_session_reply_text(const SmtpReply *reply);

#endif
