/* SPDX-License-Identifier: MIT
 * pop3_client: sans-I/O POP3 client engine that fetches a maildrop.
 * RFC 1939 (USER/PASS or APOP, UIDL, LIST, RETR, DELE, QUIT), RFC 2449
 * (CAPA, response codes), RFC 2595 section 4 (STLS, as a seam).
 * One command at a time (no pipelining); no TOP, no SASL AUTH.
 */
#ifndef PROTO_POP3_CLIENT_H
#define PROTO_POP3_CLIENT_H

#include <glib.h>

typedef struct Pop3Client Pop3Client;

typedef enum {
    POP3_CLIENT_STATE_GREETING = 0,
    POP3_CLIENT_STATE_CAPA,
    POP3_CLIENT_STATE_STLS,
    POP3_CLIENT_STATE_TLS_WAIT,
    POP3_CLIENT_STATE_AUTH,
    POP3_CLIENT_STATE_LIST,
    POP3_CLIENT_STATE_FETCH,
    POP3_CLIENT_STATE_QUIT,
    POP3_CLIENT_STATE_DONE,
} Pop3ClientState;

/* Zero-initialised means default; strings are copied. */
typedef struct {
    const char *user;
    const char *password;         /* also the APOP shared secret */
    gboolean use_apop;            /* APOP when the greeting has a timestamp */
    gboolean keep;                /* TRUE: RETR only uids not in seen_uids, no DELE;
                                   * FALSE: RETR and DELE everything */
    const char *const *seen_uids; /* NULL-terminated, nullable (keep only) */
    gboolean want_stls;           /* ask CAPA and use STLS when offered */
    gboolean require_stls;        /* fail (QUIT) when STLS is not offered */
} Pop3ClientConfig;

typedef enum {
    POP3_CLIENT_ACT_NONE = 0, /* zero value only */
    POP3_CLIENT_ACT_SEND,     /* act->bytes (transfer full): write to the server */
    POP3_CLIENT_ACT_REPLY,    /* informational: act->ok, act->text (status line) */
    POP3_CLIENT_ACT_STLS,     /* switch to TLS, then pop3_client_stls_done() */
    POP3_CLIENT_ACT_MESSAGE,  /* act->msg, act->uid, act->bytes: one message, unstuffed */
    POP3_CLIENT_ACT_DONE,     /* act->ok, act->retrieved, act->deleted, act->text
                               * (failure reason, NULL on success) */
    POP3_CLIENT_ACT_CLOSE,    /* close the connection */
} Pop3ClientActKind;

typedef struct {
    Pop3ClientActKind kind;
    GBytes *bytes;   /* SEND, MESSAGE */
    gboolean ok;     /* REPLY: +OK; DONE: success */
    char *text;      /* REPLY: the whole status line; DONE: reason or NULL */
    guint msg;       /* MESSAGE: number in the maildrop */
    char *uid;       /* MESSAGE: unique-id (nullable when UIDL is not supported) */
    guint retrieved; /* DONE */
    guint deleted;   /* DONE: committed by a +OK to QUIT */
} Pop3ClientAct;

Pop3Client *pop3_client_new(const Pop3ClientConfig *cfg);
void pop3_client_free(Pop3Client *cli);

/* Bytes from the server (copied). Discarded and counted while an STLS
 * switch is pending. */
void pop3_client_feed(Pop3Client *cli, const guint8 *buf, gsize len);
/* The server closed: DONE (failure unless already done), CLOSE. */
void pop3_client_feed_eof(Pop3Client *cli);
/* The node gives up (timeout): DONE with the reason, CLOSE. */
void pop3_client_abort(Pop3Client *cli, const char *reason);

gboolean pop3_client_poll(Pop3Client *cli, Pop3ClientAct *act);
void pop3_client_act_clear(Pop3ClientAct *act);
char *pop3_client_act_to_string(const Pop3ClientAct *act);

/* The TLS layer is up after an STLS action: CAPA is asked again, then
 * authentication proceeds. */
void pop3_client_stls_done(Pop3Client *cli);

Pop3ClientState pop3_client_get_state(const Pop3Client *cli);
const char *pop3_client_state_name(Pop3ClientState st);
/* TRUE once DONE has been queued: the node closes after CLOSE. */
gboolean pop3_client_is_done(const Pop3Client *cli);
gboolean pop3_client_is_secure(const Pop3Client *cli);
gsize pop3_client_get_discarded(const Pop3Client *cli);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Pop3Client, pop3_client_free)

#endif
