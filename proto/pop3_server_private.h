/* SPDX-License-Identifier: MIT
 * pop3_server_private: the Pop3Server structure and the helpers shared by
 * the state machine (pop3_server.c) and the command handlers
 * (pop3_server_cmd.c). Not for use outside these two files.
 */
#ifndef PROTO_POP3_SERVER_PRIVATE_H
#define PROTO_POP3_SERVER_PRIVATE_H

#include <glib.h>

#include "proto/line_reader.h"
#include "proto/pop3_server.h"

/* RFC 1939 section 3: each argument may be up to 40 characters long. */
#define POP3_SERVER_ARG_MAX 40
/* Errors in a row before the server hangs up (a careful server's choice). */
#define POP3_SERVER_BAD_DEFAULT 10

typedef struct {
    gsize size;
    char *uid;
    gboolean deleted;
} Pop3ServerMsg;

struct Pop3Server {
    char *hostname, *greeting, *timestamp, *implementation;
    gboolean offer_stls, is_secure, userpass_needs_tls;
    guint max_bad, bad;
    LineReader *lr;
    GQueue acts; /* Pop3ServerAct*, owned */
    Pop3ServerState state;
    gboolean eof, done, stls_pending;
    gsize discarded;
    guint32 next_qid;
    guint32 qid;         /* pending query id, 0: none */
    Pop3QueryKind qkind; /* pending query kind */
    char *qdigest;       /* APOP digest awaiting the secret */
    guint qmsg;
    gint qtop;
    char *user;      /* name given by USER or APOP */
    char *auth_user; /* authenticated (maildrop owner) */
    GArray *msgs;    /* Pop3ServerMsg */
};

/* Queues an action (owned by the queue until poll() hands it out). */
Pop3ServerAct *pop3_server_push(Pop3Server *srv, Pop3ServerActKind kind);
void pop3_server_send_gstring(Pop3Server *srv, GString *s);
/* One status line, "+OK"/"-ERR" then the text (RFC 2449: <= 512 octets). */
void pop3_server_reply(Pop3Server *srv, gboolean ok, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
void pop3_server_enter_state(Pop3Server *srv, Pop3ServerState st);
void pop3_server_close(Pop3Server *srv);
/* Queues a QUERY and makes it the pending one. */
Pop3ServerQuery *pop3_server_query(Pop3Server *srv, Pop3QueryKind kind);
/* -ERR for a syntax or sequence error; closes after too many in a row. */
void pop3_server_bad(Pop3Server *srv, const char *text);
void pop3_server_totals(const Pop3Server *srv, guint *count, guint64 *octets);
const char *pop3_server_plural(guint n);
const char *pop3_server_uid(const Pop3ServerMsg *m, guint num, char buf[16]);
/* Queues the CMD action for a received line, PASS masked (pop3_server_cmd.c). */
void pop3_server_report_cmd(Pop3Server *srv, const char *line, gsize len);
/* Parses and runs one command line (pop3_server_cmd.c). */
void pop3_server_dispatch(Pop3Server *srv, const char *line, gsize len);

#endif
