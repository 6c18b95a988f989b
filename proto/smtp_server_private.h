/* SPDX-License-Identifier: MIT
 * smtp_server_private: the SmtpServer structure shared by smtp_server.c (the
 * engine core: input, actions, answers) and smtp_server_cmds.c (the command
 * table and handlers). Not for callers.
 */
#ifndef PROTO_SMTP_SERVER_PRIVATE_H
#define PROTO_SMTP_SERVER_PRIVATE_H

#include <glib.h>

#include "proto/act_queue.h"
#include "proto/line_reader.h"
#include "proto/smtp_server.h"

/* Distinct fixed replies an engine keeps (smtp_server_reply_static()): the
 * command handlers send five, each with and without an enhanced code. */
#define SMTP_SERVER_FIXED_MAX 12

typedef struct {
    const char *wire; /* a string literal: its address identifies it */
    GBytes *bytes;
} SmtpServerFixed;

struct SmtpServer {
    /* configuration (owned copies) */
    char *hostname;
    char *greeting; /* the 220 text: hostname, a space, the configured greeting */
    GStrv auth_mechs;
    guint ext_on; /* SmtpExt bits advertised */
    gboolean starttls_offered;
    gboolean auth_requires_tls;
    gboolean auth_required;
    gboolean tls_required;
    gboolean accept_source_routes;
    gboolean dsn_offered;
    guint max_rcpts;
    guint64 max_size;
    guint max_errors;
    SmtpDataEndMode data_end;
    gboolean cmds_off; /* no CMD actions: smtp_server_set_cmd_actions() */

    SmtpServerState state;
    LineReader *lr;
    SmtpDataDecoder *dec;
    ActQueue acts; /* SmtpServerAct, in order */
    guint32 next_id;
    gboolean query_pending;
    guint32 query_id;
    SmtpServerQueryKind query_kind;

    /* session */
    char *helo_name;
    gboolean is_esmtp;
    gboolean is_tls;
    gboolean is_authed;
    guint errors;
    gsize tls_late_discard;

    /* transaction (RFC 5321 3.3) */
    char *mail_from;
    guint64 mail_size; /* SIZE= of the last MAIL (RFC 1870), 0 when absent */
    GPtrArray *rcpts;  /* char* addresses accepted */
    guint rcpt_attempts;
    char *pending_arg; /* HELO name, MAIL/RCPT address under query */
    /* DSN (RFC 3461): the transaction's, and those of the command under query */
    SmtpDsnRet dsn_ret, pending_ret;
    char *dsn_envid, *pending_envid;
    GArray *rcpt_notify;   /* guint, parallel to rcpts */
    GPtrArray *rcpt_orcpt; /* char*, "" for none, parallel to rcpts */
    guint pending_notify;
    char *pending_orcpt;

    /* Fixed replies' wire bytes, made at their first use and shared by
     * reference from then on (kept by smtp_server_reuse()): each
     * transaction sends several, a new GBytes each time was an allocation. */
    SmtpServerFixed fixed[SMTP_SERVER_FIXED_MAX];
};

/* smtp_server.c */
void smtp_server_enter_state(SmtpServer *srv, SmtpServerState st);
void smtp_server_reply(SmtpServer *srv, guint code, const char *enhanced, const char *text);
/* A reply fixed at compile time, given whole as it goes on the wire with
 * an enhanced code (RFC 2034) and without: sent as is, with no formatting
 * or copy (every transaction sends a few). */
void smtp_server_reply_static(SmtpServer *srv, const char *wire_enhanced, const char *wire_plain);
void smtp_server_send_reply(SmtpServer *srv, const SmtpReply *r, gboolean with_enhanced);
SmtpServerAct *smtp_server_push(SmtpServer *srv, SmtpServerActKind kind);
SmtpServerQuery *smtp_server_query(SmtpServer *srv, SmtpServerQueryKind kind);
void smtp_server_close(SmtpServer *srv);
void smtp_server_reset_txn(SmtpServer *srv);
gboolean smtp_server_has_ext(const SmtpServer *srv, SmtpExt ext);
gboolean smtp_server_auth_offered(const SmtpServer *srv);

/* smtp_server_cmds.c */
void smtp_server_dispatch(SmtpServer *srv, const char *line, gsize len);
void smtp_server_auth_line(SmtpServer *srv, const char *line, gsize len);
void smtp_server_ehlo_reply(SmtpServer *srv);
/* Counts a client error; TRUE when the limit was hit and 421 was sent. */
gboolean smtp_server_count_error(SmtpServer *srv);

#endif
