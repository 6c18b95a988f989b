/* SPDX-License-Identifier: MIT
 * pop3_server_cmd: the POP3 server's command table and handlers.
 * RFC 1939 sections 3-7 (USER, PASS, APOP, QUIT, STAT, LIST, UIDL, RETR,
 * TOP, DELE, RSET, NOOP), RFC 2449 section 5 (CAPA), RFC 2595 section 4
 * (STLS). The state machine and the answers live in pop3_server.c.
 */
#include "proto/pop3_server_private.h"

#include <string.h>

#include "proto/pop3_reply.h"

typedef void (*Pop3ServerHandler)(Pop3Server *srv, const char *arg);

#define POP3_S_AUTH (1u << POP3_SERVER_STATE_AUTHORIZATION)
#define POP3_S_TRANS (1u << POP3_SERVER_STATE_TRANSACTION)

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

void
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

void
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
