/* SPDX-License-Identifier: MIT
 * pop3_server: sans-I/O POP3 server engine. RFC 1939 (states AUTHORIZATION,
 * TRANSACTION, UPDATE; USER/PASS, APOP, STAT, LIST, UIDL, RETR, TOP, DELE,
 * RSET, NOOP, QUIT), RFC 2449 (CAPA, RESP-CODES, PIPELINING, line limits),
 * RFC 2595 section 4 (STLS, as a seam: the node switches layers).
 * The engine owns no mailbox: it asks the node (QUERY) for credentials,
 * the maildrop listing, message bytes and the final commit. No SASL AUTH.
 */
#ifndef PROTO_POP3_SERVER_H
#define PROTO_POP3_SERVER_H

#include <glib.h>

typedef struct Pop3Server Pop3Server;

typedef enum {
    POP3_SERVER_STATE_AUTHORIZATION = 0,
    POP3_SERVER_STATE_TRANSACTION,
    POP3_SERVER_STATE_UPDATE,
    POP3_SERVER_STATE_CLOSED,
} Pop3ServerState;

/* Zero-initialised means default everywhere. */
typedef struct {
    const char *hostname;        /* in greeting and sign-off; NULL: "localhost" */
    const char *greeting;        /* text after "+OK "; NULL: "POP3 server ready" */
    const char *apop_timestamp;  /* "<pid.clock@host>" appended to the greeting and
                                  * used for APOP; NULL: APOP not offered. The node
                                  * makes it unique per session (the engine has no clock) */
    const char *implementation;  /* CAPA IMPLEMENTATION text; NULL: not listed */
    gboolean offer_stls;         /* RFC 2595: list STLS in CAPA and accept it */
    gboolean is_secure;          /* the session already runs over TLS (port 995) */
    gboolean userpass_needs_tls; /* refuse USER/PASS (and APOP) until TLS */
    guint max_bad_commands;      /* close after this many errors in a row; 0: 10 */
} Pop3ServerConfig;

typedef enum {
    POP3_SERVER_ACT_NONE = 0, /* zero value only; poll() returned FALSE */
    POP3_SERVER_ACT_SEND,     /* act->bytes (transfer full): write to the peer */
    POP3_SERVER_ACT_CMD,      /* informational: act->line (raw) and act->safe_line
                               * (PASS argument masked) of a command received */
    POP3_SERVER_ACT_STATE,    /* informational: entered act->state */
    POP3_SERVER_ACT_QUERY,    /* act->query: reply with pop3_server_answer() */
    POP3_SERVER_ACT_STLS,     /* switch to TLS now, then pop3_server_stls_done();
                               * act->discarded plaintext octets were dropped */
    POP3_SERVER_ACT_CLOSE,    /* close after the last SEND */
} Pop3ServerActKind;

typedef enum {
    POP3_QUERY_NONE = 0,
    POP3_QUERY_AUTH_USERPASS, /* user, password: answer OK or DENY */
    POP3_QUERY_AUTH_APOP,     /* user, digest: answer OK with secret (the engine
                               * checks the MD5) or a verdict (OK/DENY) alone */
    POP3_QUERY_LOCK_MAILDROP, /* user: answer OK with the message list, or IN_USE */
    POP3_QUERY_MESSAGE,       /* msg (1-based), uid, top_lines (-1: RETR): answer
                               * OK with the message bytes */
    POP3_QUERY_UPDATE,        /* deleted (1-based numbers), deleted_uids: commit */
} Pop3QueryKind;

typedef struct {
    guint32 id;
    Pop3QueryKind kind;
    char *user;              /* AUTH_*, LOCK_MAILDROP, UPDATE */
    char *password;          /* AUTH_USERPASS (wiped on clear) */
    char *digest;            /* AUTH_APOP: as sent by the client */
    guint msg;               /* MESSAGE */
    char *uid;               /* MESSAGE (nullable) */
    gint top_lines;          /* MESSAGE: -1 RETR, otherwise TOP's line count */
    GArray *deleted;         /* UPDATE: guint message numbers, ascending */
    GPtrArray *deleted_uids; /* UPDATE: char* uids in the same order */
} Pop3ServerQuery;

typedef struct {
    Pop3ServerActKind kind;
    GBytes *bytes;         /* SEND */
    char *line;            /* CMD: the line as received, without CRLF */
    char *safe_line;       /* CMD: same, with secrets masked: "PASS ****" */
    Pop3ServerState state; /* STATE */
    Pop3ServerQuery query; /* QUERY */
    gsize discarded;       /* STLS */
} Pop3ServerAct;

typedef enum {
    POP3_ANSWER_NONE = 0, /* invalid: an answer must say something */
    POP3_ANSWER_OK,
    POP3_ANSWER_DENY,     /* bad credentials: -ERR [AUTH] */
    POP3_ANSWER_IN_USE,   /* maildrop locked: -ERR [IN-USE] */
    POP3_ANSWER_SYS_TEMP, /* transient failure: -ERR [SYS/TEMP] */
    POP3_ANSWER_SYS_PERM, /* permanent failure: -ERR [SYS/PERM] */
} Pop3AnswerVerdict;

typedef struct {
    gsize size;      /* octets, as the node counts them (RFC 1939 section 5) */
    const char *uid; /* unique-id, 1-70 chars 0x21-0x7E (nullable: UIDL then uses
                      * the message number) */
} Pop3MsgInfo;

/* Everything is borrowed (transfer none) and copied as needed. */
typedef struct {
    Pop3AnswerVerdict verdict;
    const char *text;        /* optional -ERR/+OK text replacing the default */
    const char *secret;      /* AUTH_APOP with OK: the shared secret */
    const Pop3MsgInfo *msgs; /* LOCK_MAILDROP with OK */
    guint n_msgs;
    GBytes *message; /* MESSAGE with OK: the whole message, CRLF lines */
    gboolean close;  /* AUTH_* refused: close after the -ERR (the node's limit
                      * on failed logins, a password guesser) */
} Pop3ServerAnswer;

/* Creates a server; the greeting is queued as the first SEND. cfg strings
 * are copied. */
Pop3Server *pop3_server_new(const Pop3ServerConfig *cfg);
void pop3_server_free(Pop3Server *srv);

/* Bytes from the peer (copied). Ignored once closed; while an STLS switch
 * is pending they are discarded and counted (RFC 2595 section 4). */
void pop3_server_feed(Pop3Server *srv, const guint8 *buf, gsize len);
/* The peer closed: no UPDATE (RFC 1939 section 6), CLOSE follows. */
void pop3_server_feed_eof(Pop3Server *srv);
/* The node gives up (timeout, RFC 1939 section 3 autologout): CLOSE. */
void pop3_server_abort(Pop3Server *srv);
/* The node's idle timer expired: "-ERR Disconnected for inactivity", then
 * CLOSE (no UPDATE: nothing is deleted, RFC 1939 section 3). A no-op once
 * closed. */
void pop3_server_timeout(Pop3Server *srv);

/* Next action into *act (clear it with pop3_server_act_clear()). FALSE when
 * nothing is ready: more input or an answer is needed. */
gboolean pop3_server_poll(Pop3Server *srv, Pop3ServerAct *act);
void pop3_server_act_clear(Pop3ServerAct *act);
/* One-line description for tests and traces (transfer full). */
char *pop3_server_act_to_string(const Pop3ServerAct *act);

/* Answers the pending query query_id. */
void pop3_server_answer(Pop3Server *srv, guint32 query_id, const Pop3ServerAnswer *ans);
/* The TLS layer is up after an STLS action: the session restarts in
 * AUTHORIZATION with is_secure set; CAPA no longer lists STLS. */
void pop3_server_stls_done(Pop3Server *srv);

Pop3ServerState pop3_server_get_state(const Pop3Server *srv);
const char *pop3_server_state_name(Pop3ServerState st);
const char *pop3_server_query_kind_name(Pop3QueryKind k);
/* The authenticated user, or NULL (transfer none). */
const char *pop3_server_get_user(const Pop3Server *srv);
gboolean pop3_server_is_secure(const Pop3Server *srv);
/* Plaintext octets dropped around STLS, cumulative. */
gsize pop3_server_get_discarded(const Pop3Server *srv);
/* TRUE once the engine wants no more input (the node may close after CLOSE). */
gboolean pop3_server_is_done(const Pop3Server *srv);
/* FALSE while an STLS switch is pending, after EOF and once done: bytes
 * read then must not be fed as POP3 (a pending query does not matter:
 * pipelined input is buffered, RFC 2449 section 6.6). */
gboolean pop3_server_wants_input(const Pop3Server *srv);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Pop3Server, pop3_server_free)

#endif
