/* SPDX-License-Identifier: MIT
 * smtp_server: sans-I/O ESMTP server engine (RFC 5321; EHLO extensions
 * PIPELINING RFC 2920, SIZE RFC 1870, 8BITMIME RFC 6152, ENHANCEDSTATUSCODES
 * RFC 2034, STARTTLS RFC 3207, AUTH RFC 4954). The engine owns syntax, state,
 * limits and sequencing; the node owns policy, answering QUERY actions.
 * DSN (RFC 3461) when dsn_offered: RET/ENVID on MAIL, NOTIFY/ORCPT on RCPT,
 * handed to the node with the envelope at DATA.
 * Not implemented: BDAT/CHUNKING, SMTPUTF8.
 */
#ifndef PROTO_SMTP_SERVER_H
#define PROTO_SMTP_SERVER_H

#include <glib.h>

#include "proto/smtp_data.h"
#include "proto/smtp_dsn.h"
#include "proto/smtp_path.h"
#include "proto/smtp_reply.h"

/* RFC 5321 4.5.3.1.4: a command line is at most 512 octets including CRLF. */
#define SMTP_SERVER_CMD_LINE_MAX 512
/* RFC 4954 4: a SASL response line; 12288 octets suffice for common mechanisms. */
#define SMTP_SERVER_AUTH_LINE_MAX 12288
/* RFC 5321 4.5.3.1.8: at least 100 recipients must be accepted. */
#define SMTP_SERVER_RCPT_MAX_DEFAULT 100
#define SMTP_SERVER_SIZE_MAX_DEFAULT (10 * 1024 * 1024)
#define SMTP_SERVER_ERRORS_MAX_DEFAULT 10

/* Extensions the server can advertise; SmtpServerConfig.ext_off lists those
 * NOT to advertise (zero: all of these are on). */
typedef enum {
    SMTP_EXT_PIPELINING = 1 << 0,
    SMTP_EXT_SIZE = 1 << 1,
    SMTP_EXT_8BITMIME = 1 << 2,
    SMTP_EXT_ENHANCEDSTATUSCODES = 1 << 3,
} SmtpExt;

/* Zero-initialisable; zero means the default noted. Strings are copied. */
typedef struct {
    const char *hostname;      /* default "localhost" */
    const char *greeting;      /* text after the hostname in 220, default "ESMTP mhs" */
    guint ext_off;             /* SmtpExt bits not to advertise */
    gboolean starttls_offered; /* advertise STARTTLS before TLS (RFC 3207) */
    gboolean tls_active;       /* the session starts inside TLS (port 465) */
    gboolean tls_required;     /* MAIL and AUTH need TLS first: 530 5.7.0 (RFC 3207 4,
                                  Postfix smtpd_tls_security_level=encrypt) */
    const char *const *auth_mechs; /* (nullable) AUTH mechanisms to advertise */
    gboolean auth_requires_tls;    /* advertise AUTH only once TLS is active; AUTH before
                                      TLS gets 538 5.7.11 (RFC 4954 6) */
    gboolean auth_required;        /* MAIL needs AUTH first: 530 5.7.0 (RFC 4954 6) */
    guint max_rcpts;           /* default SMTP_SERVER_RCPT_MAX_DEFAULT */
    guint64 max_size;          /* message size limit, default SMTP_SERVER_SIZE_MAX_DEFAULT */
    gsize max_line;            /* text line limit incl CRLF, default SMTP_DATA_LINE_MAX */
    guint max_errors;          /* bad commands before 421, default SMTP_SERVER_ERRORS_MAX_DEFAULT */
    SmtpDataEndMode data_end;  /* default SMTP_DATA_END_STRICT */
    gboolean accept_source_routes; /* default: "<@a:u@d>" is 501 5.1.3 */
    gboolean dsn_offered;      /* advertise DSN and take its parameters (RFC 3461);
                                  default: not offered, the parameters get 555 */
} SmtpServerConfig;

typedef enum {
    SMTP_SERVER_QUERY_CONNECT = 1, /* greeting decision: 220 (NULL answer) or 554/421 */
    SMTP_SERVER_QUERY_HELO,        /* name; NULL/2xx answer -> engine's 250 */
    SMTP_SERVER_QUERY_EHLO,        /* name; NULL/2xx answer -> engine's EHLO list */
    SMTP_SERVER_QUERY_MAIL,        /* path, addr, params, size, body, auth_param */
    SMTP_SERVER_QUERY_RCPT,        /* path, addr, params */
    SMTP_SERVER_QUERY_DATA,        /* message + envelope; NULL answer -> "250 2.0.0 Ok" */
    SMTP_SERVER_QUERY_AUTH,        /* mech, auth_response/auth_data (initial response) */
    SMTP_SERVER_QUERY_AUTH_CONTINUE, /* auth_response/auth_data: reply line to a 334 */
} SmtpServerQueryKind;

typedef enum {
    SMTP_BODY_NONE = 0, /* no BODY= parameter */
    SMTP_BODY_7BIT,
    SMTP_BODY_8BITMIME,
} SmtpBody;

typedef struct {
    guint32 id;
    SmtpServerQueryKind kind;
    char *name;          /* HELO/EHLO argument */
    char *path;          /* MAIL/RCPT: the path as received, "<...>" */
    char *addr;          /* MAIL/RCPT: "local@domain" ("" for <>); in path's block */
    SmtpPath parsed;     /* MAIL/RCPT */
    GPtrArray *params;   /* MAIL/RCPT: SmtpParam* (nullable when none) */
    guint64 size;        /* MAIL: SIZE= value, 0 when absent */
    SmtpBody body;       /* MAIL: BODY= */
    char *auth_param;    /* MAIL: AUTH= value xtext-decoded ("<>" kept), or NULL */
    char *mech;          /* AUTH: mechanism, upper-cased */
    char *auth_response; /* AUTH: initial response as sent (base64, "=" for empty) or NULL;
                            AUTH_CONTINUE: the line as sent */
    GBytes *auth_data;   /* AUTH/AUTH_CONTINUE: auth_response base64-decoded (nullable) */
    GBytes *message;     /* DATA: unstuffed message, CRLF (transfer full within the act) */
    char *mail_from;     /* DATA: reverse path address of the transaction */
    GStrv rcpts;         /* DATA: accepted recipient addresses */
    gboolean is_tls;     /* all: TLS active */
    gboolean is_authenticated; /* all: AUTH succeeded in this session */
    /* DSN (RFC 3461 4), only when offered. MAIL and DATA: */
    SmtpDsnRet dsn_ret;  /* RET= (NONE when absent) */
    char *dsn_envid;     /* ENVID= xtext-decoded, or NULL */
    /* RCPT: */
    guint dsn_notify;    /* NOTIFY= SmtpDsnNotify bits, 0 when absent */
    char *dsn_orcpt;     /* ORCPT= "type;address" with the address decoded, or NULL */
    /* DATA: parallel to rcpts (nullable when no recipient had them) */
    guint *rcpt_notify;
    GStrv rcpt_orcpt;    /* "" for none */
} SmtpServerQuery;

typedef enum {
    SMTP_SERVER_ACT_NONE = 0, /* zero value only; poll() returned FALSE */
    SMTP_SERVER_ACT_SEND,     /* bytes (transfer full): write to the peer */
    SMTP_SERVER_ACT_CMD,      /* line: a command line received (trace only) */
    SMTP_SERVER_ACT_QUERY,    /* query: answer with smtp_server_answer() */
    SMTP_SERVER_ACT_STARTTLS, /* the 220 was sent: switch layers, then call
                                 smtp_server_starttls_done(); discarded = plaintext
                                 octets dropped after the STARTTLS line */
    SMTP_SERVER_ACT_CLOSE,    /* close after the last SEND; the engine is done */
} SmtpServerActKind;

typedef struct {
    SmtpServerActKind kind;
    GBytes *bytes;         /* SEND */
    char *line;            /* CMD: the line without CRLF (may hold credentials: AUTH) */
    gboolean has_credentials; /* CMD: an AUTH line or SASL response (RFC 4954 4) */
    SmtpServerQuery query; /* QUERY */
    gsize discarded;       /* STARTTLS */
} SmtpServerAct;

typedef struct SmtpServer SmtpServer;

/* (transfer full) A new engine; it first emits QUERY CONNECT. */
SmtpServer *smtp_server_new(const SmtpServerConfig *cfg);
void smtp_server_free(SmtpServer *srv);
/* Makes srv what smtp_server_new(cfg) returns, keeping the buffers it has
 * grown: for a caller that serves connection after connection. */
void smtp_server_reuse(SmtpServer *srv, const SmtpServerConfig *cfg);
/* Bytes from the peer (copied). Legal in every state; ignored once closed. */
void smtp_server_feed(SmtpServer *srv, const guint8 *buf, gsize len);
/* The peer closed its side: the engine emits CLOSE (no reply). */
void smtp_server_feed_eof(SmtpServer *srv);
/* Next action into *act (caller clears it with smtp_server_act_clear()).
 * FALSE when nothing to do: waiting for input, an answer, or starttls_done. */
gboolean smtp_server_poll(SmtpServer *srv, SmtpServerAct *act);
/* Frees what an act from smtp_server_poll() holds and leaves it zero (an
 * act of another kind than QUERY has a zero query). */
void smtp_server_act_clear(SmtpServerAct *act);
/* Answers the pending query (query_id must match). r (transfer none,
 * nullable): NULL means the engine's default positive reply. A 421 answer
 * closes the session after sending it. For AUTH/AUTH_CONTINUE: 334 continues
 * (its first line is the base64 challenge, "" for none), 235 authenticates,
 * anything else ends the exchange. */
void smtp_server_answer(SmtpServer *srv, guint32 query_id, const SmtpReply *r);
/* The node has switched to TLS. State is reset (EHLO needed again, STARTTLS
 * no longer offered). Returns plaintext octets fed since the STARTTLS action
 * and discarded. */
gsize smtp_server_starttls_done(SmtpServer *srv);
/* Node-side abort (timeout): sends "421 4.4.2 <host> Error: timeout exceeded"
 * and closes. */
void smtp_server_abort(SmtpServer *srv);

gboolean smtp_server_is_done(const SmtpServer *srv);
/* Whether command lines are reported as CMD actions (default TRUE). A
 * caller that logs nothing turns them off: no copy of every line. */
void smtp_server_set_cmd_actions(SmtpServer *srv, gboolean on);
gboolean smtp_server_is_tls(const SmtpServer *srv);
gboolean smtp_server_is_authenticated(const SmtpServer *srv);

typedef enum {
    SMTP_SERVER_STATE_CONNECT = 0, /* waiting for the CONNECT answer */
    SMTP_SERVER_STATE_REJECTED,    /* 554 greeting: only QUIT (RFC 5321 3.1) */
    SMTP_SERVER_STATE_INIT,        /* greeted, no HELO/EHLO yet */
    SMTP_SERVER_STATE_HELO,        /* HELO/EHLO done, no transaction */
    SMTP_SERVER_STATE_MAIL,        /* MAIL accepted */
    SMTP_SERVER_STATE_RCPT,        /* at least one RCPT accepted */
    SMTP_SERVER_STATE_DATA,        /* reading message content */
    SMTP_SERVER_STATE_AUTH,        /* inside an AUTH exchange */
    SMTP_SERVER_STATE_TLS,         /* STARTTLS: waiting for starttls_done() */
    SMTP_SERVER_STATE_CLOSED,
} SmtpServerState;

SmtpServerState smtp_server_get_state(const SmtpServer *srv);
const char *smtp_server_state_name(SmtpServerState st);
const char *smtp_server_query_kind_name(SmtpServerQueryKind k);
/* One-line description for tests and traces, e.g. "QUERY MAIL <a@b> SIZE=10",
 * "STARTTLS discarded=6", "CLOSE". SEND gives "SEND <escaped bytes>". */
char *smtp_server_act_to_string(const SmtpServerAct *act);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SmtpServer, smtp_server_free)

#endif
