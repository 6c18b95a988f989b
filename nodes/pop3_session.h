/* SPDX-License-Identifier: MIT
 * pop3_session: where a simulated stream meets a POP3 engine (DESIGN 4
 * "sessions"), server and client side, as smtp_session does for SMTP.
 * The server side pumps Pop3Server actions and hands queries (RFC 1939
 * USER/PASS and APOP checks, maildrop lock, RETR, UPDATE) to the store's
 * policy; the client side connects, pumps Pop3Client actions and reports
 * each retrieved message and the outcome. Both trace the dialogue:
 * pop3.cmd on the server as the wire shows it (passwords in clear, marked
 * secret), pop3.reply on the client, conn.open/accept/close. Sessions free
 * themselves once the stream is closed. STLS (RFC 2595 section 4) puts a
 * TlsPipe between the stream and the engine: the store's server context
 * (tls_setup.h) and the client's POP3 context; tls.handshake is traced.
 */
#ifndef NODES_POP3_SESSION_H
#define NODES_POP3_SESSION_H

#include <glib.h>

#include "nodes/node.h"
#include "proto/pop3_client.h"
#include "proto/pop3_server.h"

/* --- server --- */
typedef struct Pop3ServerSession Pop3ServerSession;

typedef struct {
    /* Every query goes here; the policy answers now or later with
     * pop3_server_session_answer(). q is valid during the call only. */
    void (*on_query)(Pop3ServerSession *ps, const Pop3ServerQuery *q, gpointer user_data);
    /* The session ended (stream closed or reset); ps is freed after this
     * and after the pending answer, if any. */
    void (*on_end)(Pop3ServerSession *ps, gpointer user_data);
} Pop3ServerPolicy;

/* Takes over an accepted stream (transfer full). cfg is copied by the
 * engine; policy is copied. */
Pop3ServerSession *pop3_server_session_new(Node *node, SimStream *stream,
                                           const Pop3ServerConfig *cfg,
                                           const Pop3ServerPolicy *policy, gpointer user_data);
/* Answers the pending query (ans: transfer none). Legal once per query. */
void pop3_server_session_answer(Pop3ServerSession *ps, const Pop3ServerAnswer *ans);
/* Answers the pending query after delay virtual µs (a failed-login limit:
 * the guesser waits, then reads -ERR and the session closes when
 * ans->close). ans is copied: verdict, text and close only. If the run
 * ends first the session is freed with the world's events. */
void pop3_server_session_answer_later(Pop3ServerSession *ps, const Pop3ServerAnswer *ans,
                                      SimTime delay);
Node *pop3_server_session_node(const Pop3ServerSession *ps);
/* The connection number, the same at both ends of the stream. */
guint64 pop3_server_session_conn_id(const Pop3ServerSession *ps);
/* The client's node name, or its address when unknown (transfer none). */
const char *pop3_server_session_peer(const Pop3ServerSession *ps);
/* Role data, freed with destroy when replaced or when the session ends. */
void pop3_server_session_set_data(Pop3ServerSession *ps, gpointer data, GDestroyNotify destroy);
gpointer pop3_server_session_get_data(const Pop3ServerSession *ps);

/* --- which message a RETR carried --- */
/* The store tells the world which tracked message it sends as uid on
 * connection conn_id; the client reads it back when the copy arrives
 * (the simulator knows, a header would be forgeable). Strings are copied. */
void pop3_session_tag_uid(World *w, guint64 conn_id, const char *uid, const char *msg_id);
/* The tracked message of uid on conn_id, or NULL (transfer none). */
const char *pop3_session_uid_tag(World *w, guint64 conn_id, const char *uid);

/* --- client --- */
typedef struct Pop3ClientSession Pop3ClientSession;

typedef struct {
    /* One message retrieved (RETR): number, unique-id (nullable), the
     * unstuffed bytes (transfer none) and the tracked message (nullable). */
    void (*on_message)(Pop3ClientSession *cs, guint msg, const char *uid, GBytes *bytes,
                       const char *msg_id, gpointer user_data);
    /* The session is decided, exactly once: ok, counts, reason (nullable,
     * failures only). cs is freed soon after. */
    void (*on_done)(Pop3ClientSession *cs, gboolean ok, guint retrieved, guint deleted,
                    const char *reason, gpointer user_data);
    /* (optional) The run ended before on_done: free user_data; nothing
     * else is called any more. */
    void (*on_drop)(gpointer user_data);
} Pop3ClientCallbacks;

/* Connects from node to ip:port and fetches the maildrop as cfg says
 * (cfg copied by the engine, callbacks copied). */
Pop3ClientSession *pop3_client_session_start(Node *node, const char *ip, guint16 port,
                                             const char *peer_name, const Pop3ClientConfig *cfg,
                                             const Pop3ClientCallbacks *cb, gpointer user_data);
/* The client's STLS level (the engine's want_stls/require_stls come from
 * cfg): at verify and secure the fetch ends unless the store's certificate
 * chains to the scenario CA and names the store (RFC 2595 2.4). Call right
 * after start. */
void pop3_client_session_set_tls_level(Pop3ClientSession *cs, SpecTlsLevel level);
/* TRUE once the TLS handshake is done. */
gboolean pop3_client_session_is_tls(const Pop3ClientSession *cs);
guint64 pop3_client_session_conn_id(const Pop3ClientSession *cs);
const char *pop3_client_session_peer(const Pop3ClientSession *cs);

#endif
