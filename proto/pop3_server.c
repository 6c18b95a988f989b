/* SPDX-License-Identifier: MIT
 * pop3_server: the POP3 server state machine. RFC 1939 sections 3-7 and
 * 10 (replies as in the example session), RFC 2449 (CAPA, RESP-CODES,
 * PIPELINING, 255/512 octet limits), RFC 2595 section 4 (STLS seam).
 * The mailbox belongs to the node: credentials, the maildrop listing,
 * message bytes and the UPDATE commit are QUERY actions. No SASL AUTH.
 */
#include "proto/pop3_server.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "proto/line_reader.h"
#include "proto/pop3_reply.h"

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

typedef void (*Pop3ServerHandler)(Pop3Server *srv, const char *arg);

#define POP3_S_AUTH (1u << POP3_SERVER_STATE_AUTHORIZATION)
#define POP3_S_TRANS (1u << POP3_SERVER_STATE_TRANSACTION)

static const char *const pop3_server_state_names[] = {
    [POP3_SERVER_STATE_AUTHORIZATION] = "AUTHORIZATION",
    [POP3_SERVER_STATE_TRANSACTION] = "TRANSACTION",
    [POP3_SERVER_STATE_UPDATE] = "UPDATE",
    [POP3_SERVER_STATE_CLOSED] = "CLOSED",
};

const char *
pop3_server_state_name(Pop3ServerState st)
{
    g_return_val_if_fail(st <= POP3_SERVER_STATE_CLOSED, "?");
    return pop3_server_state_names[st];
}

static const char *const pop3_query_kind_names[] = {
    [POP3_QUERY_NONE] = "NONE",
    [POP3_QUERY_AUTH_USERPASS] = "AUTH_USERPASS",
    [POP3_QUERY_AUTH_APOP] = "AUTH_APOP",
    [POP3_QUERY_LOCK_MAILDROP] = "LOCK_MAILDROP",
    [POP3_QUERY_MESSAGE] = "MESSAGE",
    [POP3_QUERY_UPDATE] = "UPDATE",
};

const char *
pop3_server_query_kind_name(Pop3QueryKind k)
{
    g_return_val_if_fail(k <= POP3_QUERY_UPDATE, "?");
    return pop3_query_kind_names[k];
}

static void
pop3_server_msg_clear(gpointer p)
{
    Pop3ServerMsg *m = p;
    g_free(m->uid);
}

static void
pop3_server_wipe_free(char *s)
{
    if (s == NULL)
        return;
    OPENSSL_cleanse(s, strlen(s));
    g_free(s);
}

/* ---- actions ---- */

static Pop3ServerAct *
pop3_server_push(Pop3Server *srv, Pop3ServerActKind kind)
{
    Pop3ServerAct *a = g_new0(Pop3ServerAct, 1);
    a->kind = kind;
    g_queue_push_tail(&srv->acts, a);
    return a;
}

static void
pop3_server_send_gstring(Pop3Server *srv, GString *s)
{
    Pop3ServerAct *a = pop3_server_push(srv, POP3_SERVER_ACT_SEND);
    a->bytes = g_bytes_new(s->str, s->len);
}

/* One status line. RFC 2449 section 4: at most 512 octets with CRLF. */
static void
pop3_server_reply(Pop3Server *srv, gboolean ok, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void
pop3_server_reply(Pop3Server *srv, gboolean ok, const char *fmt, ...)
{
    g_autoptr(GString) s = g_string_new(ok ? "+OK" : "-ERR");
    if (fmt != NULL && fmt[0] != '\0') {
        va_list ap;
        va_start(ap, fmt);
        g_string_append_c(s, ' ');
        g_string_append_vprintf(s, fmt, ap);
        va_end(ap);
    }
    /* XXX: truncation may cut a multi-byte character; texts are ASCII. */
    if (s->len > POP3_RESPONSE_LINE_MAX - 2)
        g_string_truncate(s, POP3_RESPONSE_LINE_MAX - 2);
    g_string_append(s, "\r\n");
    if (ok)
        srv->bad = 0;
    pop3_server_send_gstring(srv, s);
}

static void
pop3_server_enter_state(Pop3Server *srv, Pop3ServerState st)
{
    if (srv->state == st)
        return;
    srv->state = st;
    /* CLOSE itself reports the end of the session. */
    if (st != POP3_SERVER_STATE_CLOSED)
        pop3_server_push(srv, POP3_SERVER_ACT_STATE)->state = st;
}

static void
pop3_server_close(Pop3Server *srv)
{
    if (srv->done)
        return;
    srv->done = TRUE;
    srv->qid = 0;
    srv->qkind = POP3_QUERY_NONE;
    pop3_server_enter_state(srv, POP3_SERVER_STATE_CLOSED);
    pop3_server_push(srv, POP3_SERVER_ACT_CLOSE);
}

static Pop3ServerQuery *
pop3_server_query(Pop3Server *srv, Pop3QueryKind kind)
{
    Pop3ServerAct *a = pop3_server_push(srv, POP3_SERVER_ACT_QUERY);
    srv->qid = ++srv->next_qid;
    srv->qkind = kind;
    a->query.id = srv->qid;
    a->query.kind = kind;
    a->query.top_lines = -1;
    return &a->query;
}

/* A syntax or sequence error: -ERR, and hang up after too many in a row. */
static void
pop3_server_bad(Pop3Server *srv, const char *text)
{
    pop3_server_reply(srv, FALSE, "%s", text);
    if (++srv->bad >= srv->max_bad) {
        pop3_server_reply(srv, FALSE, "too many errors, closing");
        pop3_server_close(srv);
    }
}

/* ---- maildrop helpers ---- */

static void
pop3_server_totals(const Pop3Server *srv, guint *count, guint64 *octets)
{
    *count = 0;
    *octets = 0;
    for (guint i = 0; srv->msgs && i < srv->msgs->len; i++) {
        const Pop3ServerMsg *m = &g_array_index(srv->msgs, Pop3ServerMsg, i);
        if (!m->deleted) {
            (*count)++;
            *octets += m->size;
        }
    }
}

static const char *
pop3_server_plural(guint n)
{
    return n == 1 ? "message" : "messages";
}

/* Parses a message-number argument and checks it names a live message
 * (RFC 1939 section 5: a deleted message may not be referred to). */
static Pop3ServerMsg *
pop3_server_lookup(Pop3Server *srv, const char *arg, guint *num)
{
    char *end = NULL;
    if (arg == NULL || !g_ascii_isdigit(arg[0])) {
        pop3_server_bad(srv, "message number required");
        return NULL;
    }
    guint64 n = g_ascii_strtoull(arg, &end, 10);
    if (*end != '\0') {
        pop3_server_bad(srv, "invalid message number");
        return NULL;
    }
    if (n < 1 || n > srv->msgs->len) {
        pop3_server_reply(srv, FALSE, "no such message, only %u %s in maildrop", srv->msgs->len,
                          pop3_server_plural(srv->msgs->len));
        return NULL;
    }
    Pop3ServerMsg *m = &g_array_index(srv->msgs, Pop3ServerMsg, n - 1);
    if (m->deleted) {
        pop3_server_reply(srv, FALSE, "message %u already deleted", (guint)n);
        return NULL;
    }
    *num = (guint)n;
    return m;
}

static const char *
pop3_server_uid(const Pop3ServerMsg *m, guint num, char buf[16])
{
    if (m->uid != NULL)
        return m->uid;
    /* XXX: without a node-given uid the number is used; not stable across
     * sessions as RFC 1939 section 7 wants. */
    g_snprintf(buf, 16, "%u", num);
    return buf;
}

/* ---- AUTHORIZATION commands (RFC 1939 sections 4 and 7) ---- */

static gboolean
pop3_server_userpass_allowed(const Pop3Server *srv)
{
    return !srv->userpass_needs_tls || srv->is_secure;
}

static void
pop3_server_cmd_user(Pop3Server *srv, const char *arg)
{
    if (!pop3_server_userpass_allowed(srv)) {
        pop3_server_bad(srv, "USER not allowed before STLS");
        return;
    }
    if (arg == NULL || arg[0] == '\0' || strchr(arg, ' ') != NULL) {
        pop3_server_bad(srv, "USER needs one argument");
        return;
    }
    g_free(srv->user);
    srv->user = g_strdup(arg);
    pop3_server_reply(srv, TRUE, "send PASS");
}

static void
pop3_server_cmd_pass(Pop3Server *srv, const char *arg)
{
    if (srv->user == NULL) {
        pop3_server_bad(srv, "send USER first");
        return;
    }
    /* RFC 1939 section 7: the server may treat spaces in the argument as
     * part of the password; we do. */
    if (arg == NULL || arg[0] == '\0') {
        pop3_server_bad(srv, "PASS needs an argument");
        return;
    }
    Pop3ServerQuery *q = pop3_server_query(srv, POP3_QUERY_AUTH_USERPASS);
    q->user = g_strdup(srv->user);
    q->password = g_strdup(arg);
}

static void
pop3_server_cmd_apop(Pop3Server *srv, const char *arg)
{
    if (srv->timestamp == NULL) {
        pop3_server_bad(srv, "APOP not supported");
        return;
    }
    if (!pop3_server_userpass_allowed(srv)) {
        pop3_server_bad(srv, "APOP not allowed before STLS");
        return;
    }
    const char *sp = arg ? strchr(arg, ' ') : NULL;
    if (sp == NULL || sp == arg || strlen(sp + 1) != POP3_APOP_DIGEST_LEN ||
        strchr(sp + 1, ' ') != NULL) {
        pop3_server_bad(srv, "APOP needs a name and a digest");
        return;
    }
    g_free(srv->user);
    srv->user = g_strndup(arg, (gsize)(sp - arg));
    g_free(srv->qdigest);
    srv->qdigest = g_ascii_strdown(sp + 1, -1);
    Pop3ServerQuery *q = pop3_server_query(srv, POP3_QUERY_AUTH_APOP);
    q->user = g_strdup(srv->user);
    q->digest = g_strdup(sp + 1);
}

static void
pop3_server_cmd_stls(Pop3Server *srv, const char *arg)
{
    if (arg != NULL) {
        pop3_server_bad(srv, "STLS takes no argument");
        return;
    }
    /* RFC 2595 section 4: -ERR when TLS is already active. */
    if (!srv->offer_stls || srv->is_secure) {
        pop3_server_bad(srv, srv->is_secure ? "command not permitted when TLS active"
                                            : "STLS not available");
        return;
    }
    pop3_server_reply(srv, TRUE, "Begin TLS negotiation");
    /* RFC 2595 section 4 (and the CVE-2011-0411 lesson): whatever plaintext
     * followed STLS is dropped, never read after the handshake. */
    gsize n = line_reader_discard(srv->lr);
    srv->discarded += n;
    srv->stls_pending = TRUE;
    pop3_server_push(srv, POP3_SERVER_ACT_STLS)->discarded = n;
}

static void
pop3_server_cmd_capa(Pop3Server *srv, const char *arg)
{
    if (arg != NULL) {
        pop3_server_bad(srv, "CAPA takes no argument");
        return;
    }
    /* RFC 2449 section 5 and 6. */
    g_autoptr(GString) s = g_string_new("+OK Capability list follows\r\n");
    g_string_append(s, "TOP\r\nUIDL\r\n");
    if (pop3_server_userpass_allowed(srv))
        g_string_append(s, "USER\r\n");
    g_string_append(s, "PIPELINING\r\nRESP-CODES\r\n");
    if (srv->offer_stls && !srv->is_secure && srv->state == POP3_SERVER_STATE_AUTHORIZATION)
        g_string_append(s, "STLS\r\n");
    if (srv->implementation != NULL)
        g_string_append_printf(s, "IMPLEMENTATION %s\r\n", srv->implementation);
    g_string_append(s, ".\r\n");
    srv->bad = 0;
    pop3_server_send_gstring(srv, s);
}

static void
pop3_server_cmd_quit(Pop3Server *srv, const char *arg)
{
    (void)arg;
    if (srv->state == POP3_SERVER_STATE_AUTHORIZATION) {
        /* RFC 1939 section 4: QUIT in AUTHORIZATION skips UPDATE. */
        pop3_server_reply(srv, TRUE, "%s POP3 server signing off", srv->hostname);
        pop3_server_close(srv);
        return;
    }
    /* RFC 1939 section 6: QUIT in TRANSACTION enters UPDATE. */
    pop3_server_enter_state(srv, POP3_SERVER_STATE_UPDATE);
    Pop3ServerQuery *q = pop3_server_query(srv, POP3_QUERY_UPDATE);
    q->user = g_strdup(srv->auth_user);
    q->deleted = g_array_new(FALSE, FALSE, sizeof(guint));
    q->deleted_uids = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < srv->msgs->len; i++) {
        Pop3ServerMsg *m = &g_array_index(srv->msgs, Pop3ServerMsg, i);
        if (!m->deleted)
            continue;
        guint num = i + 1;
        char buf[16];
        g_array_append_val(q->deleted, num);
        g_ptr_array_add(q->deleted_uids, g_strdup(pop3_server_uid(m, num, buf)));
    }
}

/* ---- TRANSACTION commands (RFC 1939 section 5 and 7) ---- */

static void
pop3_server_cmd_noop(Pop3Server *srv, const char *arg)
{
    (void)arg;
    pop3_server_reply(srv, TRUE, NULL);
}

static void
pop3_server_cmd_stat(Pop3Server *srv, const char *arg)
{
    (void)arg;
    guint count;
    guint64 octets;
    pop3_server_totals(srv, &count, &octets);
    pop3_server_reply(srv, TRUE, "%u %" G_GUINT64_FORMAT, count, octets);
}

static void
pop3_server_cmd_list_uidl(Pop3Server *srv, const char *arg, gboolean uidl)
{
    char buf[16];
    if (arg != NULL) {
        guint num;
        Pop3ServerMsg *m = pop3_server_lookup(srv, arg, &num);
        if (m == NULL)
            return;
        if (uidl)
            pop3_server_reply(srv, TRUE, "%u %s", num, pop3_server_uid(m, num, buf));
        else
            pop3_server_reply(srv, TRUE, "%u %" G_GSIZE_FORMAT, num, m->size);
        return;
    }
    guint count;
    guint64 octets;
    pop3_server_totals(srv, &count, &octets);
    g_autoptr(GString) s = g_string_new(NULL);
    if (uidl)
        g_string_append(s, "+OK\r\n");
    else
        g_string_append_printf(s, "+OK %u %s (%" G_GUINT64_FORMAT " octets)\r\n", count,
                               pop3_server_plural(count), octets);
    for (guint i = 0; i < srv->msgs->len; i++) {
        Pop3ServerMsg *m = &g_array_index(srv->msgs, Pop3ServerMsg, i);
        if (m->deleted)
            continue;
        if (uidl)
            g_string_append_printf(s, "%u %s\r\n", i + 1, pop3_server_uid(m, i + 1, buf));
        else
            g_string_append_printf(s, "%u %" G_GSIZE_FORMAT "\r\n", i + 1, m->size);
    }
    g_string_append(s, ".\r\n");
    srv->bad = 0;
    pop3_server_send_gstring(srv, s);
}

static void
pop3_server_cmd_list(Pop3Server *srv, const char *arg)
{
    pop3_server_cmd_list_uidl(srv, arg, FALSE);
}

static void
pop3_server_cmd_uidl(Pop3Server *srv, const char *arg)
{
    pop3_server_cmd_list_uidl(srv, arg, TRUE);
}

static void
pop3_server_ask_message(Pop3Server *srv, guint num, const Pop3ServerMsg *m, gint top)
{
    Pop3ServerQuery *q = pop3_server_query(srv, POP3_QUERY_MESSAGE);
    q->user = g_strdup(srv->auth_user);
    q->msg = num;
    q->uid = g_strdup(m->uid);
    q->top_lines = top;
    srv->qmsg = num;
    srv->qtop = top;
}

static void
pop3_server_cmd_retr(Pop3Server *srv, const char *arg)
{
    guint num;
    Pop3ServerMsg *m = pop3_server_lookup(srv, arg, &num);
    if (m != NULL)
        pop3_server_ask_message(srv, num, m, -1);
}

static void
pop3_server_cmd_top(Pop3Server *srv, const char *arg)
{
    /* RFC 1939 section 7: TOP msg n, n non-negative. */
    const char *sp = arg ? strchr(arg, ' ') : NULL;
    if (sp == NULL || !g_ascii_isdigit(sp[1])) {
        pop3_server_bad(srv, "TOP needs a message number and a line count");
        return;
    }
    char *end = NULL;
    guint64 lines = g_ascii_strtoull(sp + 1, &end, 10);
    if (*end != '\0' || lines > G_MAXINT) {
        pop3_server_bad(srv, "invalid line count");
        return;
    }
    g_autofree char *num_s = g_strndup(arg, (gsize)(sp - arg));
    guint num;
    Pop3ServerMsg *m = pop3_server_lookup(srv, num_s, &num);
    if (m != NULL)
        pop3_server_ask_message(srv, num, m, (gint)lines);
}

static void
pop3_server_cmd_dele(Pop3Server *srv, const char *arg)
{
    guint num;
    Pop3ServerMsg *m = pop3_server_lookup(srv, arg, &num);
    if (m == NULL)
        return;
    m->deleted = TRUE;
    pop3_server_reply(srv, TRUE, "message %u deleted", num);
}

static void
pop3_server_cmd_rset(Pop3Server *srv, const char *arg)
{
    (void)arg;
    for (guint i = 0; i < srv->msgs->len; i++)
        g_array_index(srv->msgs, Pop3ServerMsg, i).deleted = FALSE;
    guint count;
    guint64 octets;
    pop3_server_totals(srv, &count, &octets);
    pop3_server_reply(srv, TRUE, "maildrop has %u %s (%" G_GUINT64_FORMAT " octets)", count,
                      pop3_server_plural(count), octets);
}

/* ---- dispatch ---- */

enum {
    POP3_ARG_NONE = 0, /* no argument allowed */
    POP3_ARG_OPT,      /* zero or one argument */
    POP3_ARG_ANY,      /* handler checks */
};

static const struct {
    const char *verb;
    guint states;
    int args;
    Pop3ServerHandler fn;
} pop3_server_commands[] = {
    {"USER", POP3_S_AUTH, POP3_ARG_ANY, pop3_server_cmd_user},
    {"PASS", POP3_S_AUTH, POP3_ARG_ANY, pop3_server_cmd_pass},
    {"APOP", POP3_S_AUTH, POP3_ARG_ANY, pop3_server_cmd_apop},
    {"STLS", POP3_S_AUTH, POP3_ARG_ANY, pop3_server_cmd_stls},
    {"CAPA", POP3_S_AUTH | POP3_S_TRANS, POP3_ARG_ANY, pop3_server_cmd_capa},
    {"QUIT", POP3_S_AUTH | POP3_S_TRANS, POP3_ARG_NONE, pop3_server_cmd_quit},
    {"NOOP", POP3_S_TRANS, POP3_ARG_NONE, pop3_server_cmd_noop},
    {"STAT", POP3_S_TRANS, POP3_ARG_NONE, pop3_server_cmd_stat},
    {"LIST", POP3_S_TRANS, POP3_ARG_OPT, pop3_server_cmd_list},
    {"UIDL", POP3_S_TRANS, POP3_ARG_OPT, pop3_server_cmd_uidl},
    {"RETR", POP3_S_TRANS, POP3_ARG_OPT, pop3_server_cmd_retr},
    {"TOP", POP3_S_TRANS, POP3_ARG_ANY, pop3_server_cmd_top},
    {"DELE", POP3_S_TRANS, POP3_ARG_OPT, pop3_server_cmd_dele},
    {"RSET", POP3_S_TRANS, POP3_ARG_NONE, pop3_server_cmd_rset},
};

static void
pop3_server_report_cmd(Pop3Server *srv, const char *line, gsize len)
{
    Pop3ServerAct *a = pop3_server_push(srv, POP3_SERVER_ACT_CMD);
    a->line = g_strndup(line, len);
    /* The raw line keeps the password; safe_line is for logs. */
    if (len >= 5 && g_ascii_strncasecmp(line, "PASS ", 5) == 0)
        a->safe_line = g_strdup_printf("%.4s ****", line);
    else
        a->safe_line = g_strdup(a->line);
}

static void
pop3_server_dispatch(Pop3Server *srv, const char *line, gsize len)
{
    pop3_server_report_cmd(srv, line, len);
    if (memchr(line, '\0', len) != NULL) {
        pop3_server_bad(srv, "NUL in command");
        return;
    }
    /* RFC 1939 section 3: keyword, then arguments separated by single spaces. */
    const char *sp = strchr(line, ' ');
    gsize vlen = sp ? (gsize)(sp - line) : len;
    const char *arg = sp ? sp + 1 : NULL;
    for (gsize i = 0; i < G_N_ELEMENTS(pop3_server_commands); i++) {
        const char *verb = pop3_server_commands[i].verb;
        if (strlen(verb) != vlen || g_ascii_strncasecmp(verb, line, vlen) != 0)
            continue;
        if (!(pop3_server_commands[i].states & (1u << srv->state))) {
            pop3_server_bad(srv, "command not valid in this state");
            return;
        }
        int args = pop3_server_commands[i].args;
        if (arg != NULL && args == POP3_ARG_NONE) {
            pop3_server_bad(srv, "no argument expected");
            return;
        }
        if (arg != NULL && args == POP3_ARG_OPT &&
            (strchr(arg, ' ') != NULL || strlen(arg) > POP3_SERVER_ARG_MAX || arg[0] == '\0')) {
            pop3_server_bad(srv, "invalid argument");
            return;
        }
        pop3_server_commands[i].fn(srv, arg);
        return;
    }
    pop3_server_bad(srv, "unknown command");
}

/* Processes input until an action is queued or nothing more can be done. */
static void
pop3_server_step(Pop3Server *srv)
{
    while (g_queue_is_empty(&srv->acts) && !srv->done && srv->qid == 0 && !srv->stls_pending) {
        const char *text;
        gsize len;
        LineEnd end = LINE_END_CRLF;
        LineReaderResult r = line_reader_next(srv->lr, &text, &len, &end);
        if (r == LINE_READER_TOO_LONG || (r == LINE_READER_LINE && len + 2 > POP3_COMMAND_LINE_MAX)) {
            /* RFC 2449 section 4: commands are at most 255 octets. */
            pop3_server_bad(srv, "line too long");
        } else if (r == LINE_READER_LINE && end != LINE_END_CRLF) {
            pop3_server_report_cmd(srv, text, len);
            pop3_server_bad(srv, "command line must end with CRLF");
        } else if (r == LINE_READER_LINE) {
            pop3_server_dispatch(srv, text, len);
        } else if (srv->eof) {
            /* RFC 1939 section 6: no QUIT, no UPDATE. */
            pop3_server_close(srv);
        } else {
            return;
        }
    }
}

/* ---- answers ---- */

static void
pop3_server_answer_fail(Pop3Server *srv, const Pop3ServerAnswer *ans, const char *code,
                        const char *deftext)
{
    const char *c = code;
    if (ans->verdict == POP3_ANSWER_SYS_TEMP)
        c = "SYS/TEMP";
    else if (ans->verdict == POP3_ANSWER_SYS_PERM)
        c = "SYS/PERM";
    else if (ans->verdict == POP3_ANSWER_IN_USE)
        c = "IN-USE";
    pop3_server_reply(srv, FALSE, "[%s] %s", c, ans->text ? ans->text : deftext);
}

static void
pop3_server_ask_lock(Pop3Server *srv)
{
    Pop3ServerQuery *q = pop3_server_query(srv, POP3_QUERY_LOCK_MAILDROP);
    q->user = g_strdup(srv->user);
}

static void
pop3_server_answer_auth(Pop3Server *srv, Pop3QueryKind kind, const Pop3ServerAnswer *ans)
{
    gboolean ok = ans->verdict == POP3_ANSWER_OK;
    if (ok && kind == POP3_QUERY_AUTH_APOP && ans->secret != NULL) {
        /* RFC 1939 section 7: MD5(timestamp || secret), compared here. */
        char want[POP3_APOP_DIGEST_LEN + 1];
        pop3_reply_apop_digest(srv->timestamp, ans->secret, want);
        ok = CRYPTO_memcmp(want, srv->qdigest, POP3_APOP_DIGEST_LEN) == 0;
        OPENSSL_cleanse(want, sizeof want);
    }
    g_clear_pointer(&srv->qdigest, g_free);
    if (ok) {
        pop3_server_ask_lock(srv);
        return;
    }
    g_clear_pointer(&srv->user, g_free);
    Pop3ServerAnswer deny = *ans;
    if (deny.verdict == POP3_ANSWER_OK)
        deny.verdict = POP3_ANSWER_DENY;
    pop3_server_answer_fail(srv, &deny, "AUTH", "authentication failed");
    if (++srv->bad >= srv->max_bad)
        pop3_server_close(srv);
}

static void
pop3_server_answer_lock(Pop3Server *srv, const Pop3ServerAnswer *ans)
{
    if (ans->verdict != POP3_ANSWER_OK) {
        /* RFC 1939 section 4: stay in AUTHORIZATION after -ERR. */
        g_clear_pointer(&srv->user, g_free);
        pop3_server_answer_fail(srv, ans, "IN-USE", "unable to lock maildrop");
        return;
    }
    g_array_set_size(srv->msgs, 0);
    for (guint i = 0; i < ans->n_msgs; i++) {
        Pop3ServerMsg m = {ans->msgs[i].size, g_strdup(ans->msgs[i].uid), FALSE};
        g_array_append_val(srv->msgs, m);
    }
    srv->auth_user = g_strdup(srv->user);
    guint count;
    guint64 octets;
    pop3_server_totals(srv, &count, &octets);
    pop3_server_enter_state(srv, POP3_SERVER_STATE_TRANSACTION);
    pop3_server_reply(srv, TRUE, "%s's maildrop has %u %s (%" G_GUINT64_FORMAT " octets)",
                      srv->auth_user, count, pop3_server_plural(count), octets);
}

static void
pop3_server_answer_message(Pop3Server *srv, const Pop3ServerAnswer *ans)
{
    if (ans->verdict != POP3_ANSWER_OK || ans->message == NULL) {
        pop3_server_answer_fail(srv, ans, "SYS/TEMP", "message unavailable");
        return;
    }
    const Pop3ServerMsg *m = &g_array_index(srv->msgs, Pop3ServerMsg, srv->qmsg - 1);
    g_autoptr(GString) s = g_string_new(NULL);
    if (srv->qtop < 0)
        g_string_append_printf(s, "+OK %" G_GSIZE_FORMAT " octets\r\n", m->size);
    else
        g_string_append(s, "+OK top of message follows\r\n");
    gsize len = 0;
    const guint8 *data = g_bytes_get_data(ans->message, &len);
    pop3_reply_append_stuffed(s, data, len, srv->qtop);
    srv->bad = 0;
    pop3_server_send_gstring(srv, s);
}

static void
pop3_server_answer_update(Pop3Server *srv, const Pop3ServerAnswer *ans)
{
    if (ans->verdict != POP3_ANSWER_OK) {
        /* RFC 1939 section 6: -ERR when some messages were not removed. */
        pop3_server_answer_fail(srv, ans, "SYS/TEMP", "some deleted messages not removed");
    } else {
        guint count;
        guint64 octets;
        pop3_server_totals(srv, &count, &octets);
        if (count == 0)
            pop3_server_reply(srv, TRUE, "%s POP3 server signing off (maildrop empty)",
                              srv->hostname);
        else
            pop3_server_reply(srv, TRUE, "%s POP3 server signing off (%u %s left)",
                              srv->hostname, count, pop3_server_plural(count));
    }
    pop3_server_close(srv);
}

void
pop3_server_answer(Pop3Server *srv, guint32 query_id, const Pop3ServerAnswer *ans)
{
    g_return_if_fail(srv != NULL && ans != NULL);
    g_return_if_fail(ans->verdict != POP3_ANSWER_NONE);
    if (srv->done || query_id != srv->qid || srv->qid == 0)
        return; /* stale: the session ended meanwhile */
    Pop3QueryKind kind = srv->qkind;
    srv->qid = 0;
    srv->qkind = POP3_QUERY_NONE;
    switch (kind) {
    case POP3_QUERY_AUTH_USERPASS:
    case POP3_QUERY_AUTH_APOP:
        pop3_server_answer_auth(srv, kind, ans);
        break;
    case POP3_QUERY_LOCK_MAILDROP:
        pop3_server_answer_lock(srv, ans);
        break;
    case POP3_QUERY_MESSAGE:
        pop3_server_answer_message(srv, ans);
        break;
    case POP3_QUERY_UPDATE:
        pop3_server_answer_update(srv, ans);
        break;
    case POP3_QUERY_NONE:
    default:
        g_assert_not_reached();
    }
}

/* ---- life cycle ---- */

Pop3Server *
pop3_server_new(const Pop3ServerConfig *cfg)
{
    g_return_val_if_fail(cfg != NULL, NULL);
    Pop3Server *srv = g_new0(Pop3Server, 1);
    srv->hostname = g_strdup(cfg->hostname ? cfg->hostname : "localhost");
    srv->greeting = g_strdup(cfg->greeting ? cfg->greeting : "POP3 server ready");
    srv->timestamp = g_strdup(cfg->apop_timestamp);
    srv->implementation = g_strdup(cfg->implementation);
    srv->offer_stls = cfg->offer_stls;
    srv->is_secure = cfg->is_secure;
    srv->userpass_needs_tls = cfg->userpass_needs_tls;
    srv->max_bad = cfg->max_bad_commands ? cfg->max_bad_commands : POP3_SERVER_BAD_DEFAULT;
    /* XXX: line_reader counts a CR that arrives without its LF yet as line
     * text, so a maximal line fed byte by byte is refused while the same
     * line in one chunk passes. Read with one octet of slack and apply the
     * exact limit here (pop3_server_step). */
    srv->lr = line_reader_new(POP3_COMMAND_LINE_MAX + 1);
    g_queue_init(&srv->acts);
    srv->msgs = g_array_new(FALSE, TRUE, sizeof(Pop3ServerMsg));
    g_array_set_clear_func(srv->msgs, pop3_server_msg_clear);
    srv->state = POP3_SERVER_STATE_AUTHORIZATION;
    if (srv->timestamp != NULL)
        pop3_server_reply(srv, TRUE, "%s %s", srv->greeting, srv->timestamp);
    else
        pop3_server_reply(srv, TRUE, "%s", srv->greeting);
    return srv;
}

void
pop3_server_act_clear(Pop3ServerAct *act)
{
    if (act == NULL)
        return;
    g_clear_pointer(&act->bytes, g_bytes_unref);
    g_clear_pointer(&act->line, pop3_server_wipe_free);
    g_clear_pointer(&act->safe_line, g_free);
    g_clear_pointer(&act->query.user, g_free);
    g_clear_pointer(&act->query.password, pop3_server_wipe_free);
    g_clear_pointer(&act->query.digest, g_free);
    g_clear_pointer(&act->query.uid, g_free);
    g_clear_pointer(&act->query.deleted, g_array_unref);
    g_clear_pointer(&act->query.deleted_uids, g_ptr_array_unref);
    memset(act, 0, sizeof *act);
}

static void
pop3_server_act_free(gpointer p)
{
    pop3_server_act_clear(p);
    g_free(p);
}

void
pop3_server_free(Pop3Server *srv)
{
    if (srv == NULL)
        return;
    g_free(srv->hostname);
    g_free(srv->greeting);
    g_free(srv->timestamp);
    g_free(srv->implementation);
    line_reader_free(srv->lr);
    g_queue_clear_full(&srv->acts, pop3_server_act_free);
    g_free(srv->qdigest);
    g_free(srv->user);
    g_free(srv->auth_user);
    g_array_unref(srv->msgs);
    g_free(srv);
}

void
pop3_server_feed(Pop3Server *srv, const guint8 *buf, gsize len)
{
    g_return_if_fail(srv != NULL && (buf != NULL || len == 0));
    if (srv->done || srv->eof)
        return;
    if (srv->stls_pending) {
        /* RFC 2595 section 4: plaintext after STLS is never interpreted. */
        srv->discarded += len;
        return;
    }
    line_reader_feed(srv->lr, buf, len);
}

void
pop3_server_feed_eof(Pop3Server *srv)
{
    g_return_if_fail(srv != NULL);
    srv->eof = TRUE;
    /* Pending commands still run (a pipelined QUIT must commit). While a
     * switch to TLS is pending nothing more can come: close now. */
    if (srv->stls_pending)
        pop3_server_close(srv);
}

void
pop3_server_abort(Pop3Server *srv)
{
    g_return_if_fail(srv != NULL);
    pop3_server_close(srv);
}

gboolean
pop3_server_poll(Pop3Server *srv, Pop3ServerAct *act)
{
    g_return_val_if_fail(srv != NULL && act != NULL, FALSE);
    memset(act, 0, sizeof *act);
    pop3_server_step(srv);
    Pop3ServerAct *a = g_queue_pop_head(&srv->acts);
    if (a == NULL)
        return FALSE;
    *act = *a;
    g_free(a);
    return TRUE;
}

void
pop3_server_stls_done(Pop3Server *srv)
{
    g_return_if_fail(srv != NULL && srv->stls_pending);
    srv->stls_pending = FALSE;
    srv->is_secure = TRUE;
    /* RFC 2595 section 4: forget what the client said before TLS. */
    g_clear_pointer(&srv->user, g_free);
    srv->discarded += line_reader_discard(srv->lr);
}

char *
pop3_server_act_to_string(const Pop3ServerAct *act)
{
    g_return_val_if_fail(act != NULL, NULL);
    switch (act->kind) {
    case POP3_SERVER_ACT_NONE:
        return g_strdup("NONE");
    case POP3_SERVER_ACT_SEND:
        return g_strdup_printf("SEND %" G_GSIZE_FORMAT " octets",
                               act->bytes ? g_bytes_get_size(act->bytes) : 0);
    case POP3_SERVER_ACT_CMD:
        return g_strdup_printf("CMD %s", act->safe_line);
    case POP3_SERVER_ACT_STATE:
        return g_strdup_printf("STATE %s", pop3_server_state_name(act->state));
    case POP3_SERVER_ACT_QUERY: {
        const Pop3ServerQuery *q = &act->query;
        GString *s = g_string_new("QUERY ");
        g_string_append(s, pop3_server_query_kind_name(q->kind));
        if (q->user)
            g_string_append_printf(s, " user=%s", q->user);
        if (q->password)
            g_string_append(s, " password=****");
        if (q->digest)
            g_string_append_printf(s, " digest=%s", q->digest);
        if (q->kind == POP3_QUERY_MESSAGE)
            g_string_append_printf(s, " msg=%u uid=%s top=%d", q->msg, q->uid ? q->uid : "-",
                                   q->top_lines);
        if (q->deleted) {
            g_string_append(s, " deleted=");
            for (guint i = 0; i < q->deleted->len; i++)
                g_string_append_printf(s, "%s%u:%s", i ? "," : "",
                                       g_array_index(q->deleted, guint, i),
                                       (char *)q->deleted_uids->pdata[i]);
        }
        return g_string_free(s, FALSE);
    }
    case POP3_SERVER_ACT_STLS:
        return g_strdup("STLS");
    case POP3_SERVER_ACT_CLOSE:
        return g_strdup("CLOSE");
    }
    g_assert_not_reached();
}

Pop3ServerState
pop3_server_get_state(const Pop3Server *srv)
{
    g_return_val_if_fail(srv != NULL, POP3_SERVER_STATE_CLOSED);
    return srv->state;
}

const char *
pop3_server_get_user(const Pop3Server *srv)
{
    g_return_val_if_fail(srv != NULL, NULL);
    return srv->auth_user;
}

gboolean
pop3_server_is_secure(const Pop3Server *srv)
{
    g_return_val_if_fail(srv != NULL, FALSE);
    return srv->is_secure;
}

gsize
pop3_server_get_discarded(const Pop3Server *srv)
{
    g_return_val_if_fail(srv != NULL, 0);
    return srv->discarded;
}

gboolean
pop3_server_is_done(const Pop3Server *srv)
{
    g_return_val_if_fail(srv != NULL, TRUE);
    return srv->done;
}

gboolean
pop3_server_wants_input(const Pop3Server *srv)
{
    g_return_val_if_fail(srv != NULL, FALSE);
    return !srv->done && !srv->eof && !srv->stls_pending;
}
