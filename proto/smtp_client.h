/* SPDX-License-Identifier: MIT
 * smtp_client: sans-I/O ESMTP client engine delivering one transaction per
 * connection (RFC 5321 3.3, 4.1; PIPELINING RFC 2920; SIZE RFC 1870; STARTTLS
 * RFC 3207; AUTH RFC 4954). It reads replies with the bounded reply parser,
 * pipelines MAIL/RCPT/DATA when offered and works lock-step otherwise, then
 * sends QUIT. SASL mechanisms live elsewhere: the node answers AUTH_STEP.
 * DSN (RFC 3461): RET/ENVID and per-recipient NOTIFY/ORCPT are sent when the
 * server advertises DSN, and the outcome says whether they were.
 * Not implemented: BDAT, several transactions per session.
 */
#ifndef PROTO_SMTP_CLIENT_H
#define PROTO_SMTP_CLIENT_H

#include <glib.h>

#include "proto/smtp_dsn.h"
#include "proto/smtp_reply.h"

/* Zero-initialisable; strings and bytes are copied/referenced by the engine. */
typedef struct {
    const char *helo_name;       /* default "localhost" */
    gboolean use_helo;           /* send HELO instead of EHLO (no extensions) */
    gboolean no_pipelining;      /* never pipeline, even when offered */
    gboolean want_starttls;      /* STARTTLS when offered, before anything else */
    gboolean require_starttls;   /* fail (connection-level) when not offered */
    const char *auth_mech;       /* (nullable) AUTH with this mechanism if offered */
    gboolean require_auth;       /* fail when auth_mech is not offered */
    gboolean force_auth;         /* send AUTH auth_mech even when not advertised (clients
                                    set to always authenticate) */
    gboolean no_size_param;      /* do not send SIZE= even when offered */
    gboolean no_fallback_helo;   /* default: EHLO rejected with 5xx -> try HELO */
    /* The transaction. */
    const char *reverse_path;    /* address without <>; "" for the null path */
    const char *const *recipients; /* NULL-terminated addresses without <> */
    GBytes *message;             /* CRLF message; dot-stuffed by the engine */
    gboolean body_8bitmime;      /* add BODY=8BITMIME when 8BITMIME offered */
    const char *mail_auth_param; /* (nullable) MAIL ... AUTH=<value> (xtext-encoded
                                    by the engine) when AUTH is offered */
    /* DSN (RFC 3461 4), sent only when the server advertises DSN. */
    SmtpDsnRet dsn_ret;          /* RET=; NONE: not sent */
    const char *dsn_envid;       /* (nullable) ENVID=, xtext-encoded by the engine */
    const guint *rcpt_notify;    /* (nullable) parallel to recipients: NOTIFY= bits, 0 none */
    const char *const *rcpt_orcpt; /* (nullable) parallel: "type;address" (address
                                      decoded), NULL or "" for none */
} SmtpClientConfig;

typedef enum {
    SMTP_CLIENT_QUERY_AUTH_STEP = 1, /* challenge (NULL for the initial step):
                                        answer with smtp_client_answer_auth() */
} SmtpClientQueryKind;

/* Where the outcome was decided. */
typedef enum {
    SMTP_CLIENT_STAGE_CONNECT = 0, /* greeting */
    SMTP_CLIENT_STAGE_EHLO,
    SMTP_CLIENT_STAGE_STARTTLS,
    SMTP_CLIENT_STAGE_AUTH,
    SMTP_CLIENT_STAGE_MAIL,
    SMTP_CLIENT_STAGE_RCPT,
    SMTP_CLIENT_STAGE_DATA,    /* reply to DATA */
    SMTP_CLIENT_STAGE_DOT,     /* reply after the message */
} SmtpClientStage;

typedef enum {
    SMTP_CLIENT_RESULT_DELIVERED = 0, /* 2xx */
    SMTP_CLIENT_RESULT_TEMPFAIL,      /* 4xx, connection lost, protocol error: retry later */
    SMTP_CLIENT_RESULT_PERMFAIL,      /* 5xx: bounce */
} SmtpClientResult;

typedef struct {
    SmtpClientResult result; /* overall: DELIVERED if any recipient was delivered */
    SmtpClientStage stage;   /* stage of the deciding reply */
    gboolean connection_failure; /* failed before any recipient was tried (greeting, EHLO,
                                    STARTTLS, AUTH, 421, EOF, bad reply): try another host */
    SmtpReply *reply;        /* (nullable) the deciding reply; NULL for EOF/protocol error */
    char *detail;            /* (nullable) local reason: "connection closed", "bad reply" */
    GStrv recipients;        /* all recipients, in order (one block with its strings) */
    SmtpClientResult *rcpt_results; /* parallel to recipients */
    SmtpReply **rcpt_replies;       /* parallel: the reply deciding each (nullable) */
    gboolean reply_lost; /* the end of data was sent and the connection ended before
                            its reply: the server may have taken the message, and a
                            retry may deliver it twice (RFC 1047, RFC 5321 6.1) */
    gboolean dsn_offered;           /* the server advertised DSN (RFC 3461): the DSN
                                       parameters, if any, were passed on */
} SmtpClientOutcome;

typedef enum {
    SMTP_CLIENT_ACT_NONE = 0,    /* zero value only */
    SMTP_CLIENT_ACT_SEND,        /* bytes (transfer full) */
    SMTP_CLIENT_ACT_REPLY,       /* reply (trace only): every reply received */
    SMTP_CLIENT_ACT_STARTTLS,    /* 220 to STARTTLS: switch layers now, then call
                                    smtp_client_starttls_done(); discarded = octets the
                                    server sent after the 220, dropped */
    SMTP_CLIENT_ACT_QUERY,       /* query_id, query_kind, challenge, mechs */
    SMTP_CLIENT_ACT_RCPT_RESULT, /* rcpt (address), reply */
    SMTP_CLIENT_ACT_DONE,        /* outcome: the transaction is decided */
    SMTP_CLIENT_ACT_CLOSE,       /* close after the last SEND */
} SmtpClientActKind;

/* The replies in acts and outcomes may be one reply shared between them
 * (smtp_reply_ref()): read only. */
typedef struct {
    SmtpClientActKind kind;
    GBytes *bytes;          /* SEND */
    SmtpReply *reply;       /* REPLY, RCPT_RESULT (transfer full within the act) */
    char *rcpt;             /* RCPT_RESULT */
    gsize discarded;        /* STARTTLS */
    guint32 query_id;       /* QUERY */
    SmtpClientQueryKind query_kind;
    GBytes *challenge;      /* QUERY AUTH_STEP: decoded 334 challenge, NULL first */
    SmtpClientOutcome *outcome; /* DONE (transfer full within the act) */
} SmtpClientAct;

typedef struct SmtpClient SmtpClient;

SmtpClient *smtp_client_new(const SmtpClientConfig *cfg);
void smtp_client_free(SmtpClient *c);
/* Makes c what smtp_client_new(cfg) returns, keeping the buffers it has
 * grown: for a caller that opens connection after connection. */
void smtp_client_reuse(SmtpClient *c, const SmtpClientConfig *cfg);
/* Bytes from the server (copied). */
void smtp_client_feed(SmtpClient *c, const guint8 *buf, gsize len);
/* The server closed: an undecided transaction ends TEMPFAIL (connection_failure
 * if no recipient was tried), then CLOSE. */
void smtp_client_feed_eof(SmtpClient *c);
gboolean smtp_client_poll(SmtpClient *c, SmtpClientAct *act);
void smtp_client_act_clear(SmtpClientAct *act);
/* Answers AUTH_STEP: response (nullable, transfer none) is the SASL client's
 * output, base64-encoded by the engine; NULL on the initial step means no
 * initial response. abort TRUE cancels the exchange ("*", RFC 4954 4). */
void smtp_client_answer_auth(SmtpClient *c, guint32 query_id, GBytes *response, gboolean abort);
/* The node switched to TLS: the client forgets the extensions and sends EHLO. */
void smtp_client_starttls_done(SmtpClient *c);
/* Node-side abort (timeout): the transaction ends TEMPFAIL, CLOSE. */
void smtp_client_abort(SmtpClient *c, const char *reason);
/* Whether every reply is reported as a REPLY action (default TRUE). A
 * caller that logs nothing turns them off. */
void smtp_client_set_reply_actions(SmtpClient *c, gboolean on);

gboolean smtp_client_is_done(const SmtpClient *c);
gboolean smtp_client_is_tls(const SmtpClient *c);
/* (transfer none, nullable) The server's AUTH mechanisms from the last EHLO. */
const char *const *smtp_client_server_auth_mechs(const SmtpClient *c);
/* Extension advertised in the last EHLO reply (keyword, case-insensitive). */
gboolean smtp_client_server_has_ext(const SmtpClient *c, const char *keyword);

void smtp_client_outcome_free(SmtpClientOutcome *o);
const char *smtp_client_result_name(SmtpClientResult r);
const char *smtp_client_stage_name(SmtpClientStage s);
/* "SEND ...", "REPLY 250 ...", "RCPT_RESULT bob@x 250", "DONE delivered stage=DOT 250", ... */
char *smtp_client_act_to_string(const SmtpClientAct *act);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SmtpClient, smtp_client_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SmtpClientOutcome, smtp_client_outcome_free)

#endif
