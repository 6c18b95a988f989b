/* SPDX-License-Identifier: MIT
 * smtp_server_cmds: the server's command table, command handlers and query
 * answers (RFC 5321 4.1.1, 4.1.4 sequencing, 4.2.2/4.2.3 codes; RFC 1870
 * SIZE; RFC 6152 BODY; RFC 3207 STARTTLS; RFC 4954 AUTH sequencing; RFC 2034
 * enhanced codes; RFC 3461 DSN parameters). Policy (who may relay, which password is right) is the
 * node's: it answers the queries raised here.
 */
#include <string.h>

#include "proto/ascii_case.h"
#include "proto/smtp_server_private.h"

typedef void (*SmtpServerCmdFn)(SmtpServer *srv, const char *args);

typedef enum {
    SMTP_CMD_F_NONE = 0,
    SMTP_CMD_F_NO_ARGS = 1 << 0,   /* 501 when arguments are given */
    SMTP_CMD_F_NEED_ARGS = 1 << 1, /* 501 when none are given */
} SmtpServerCmdFlags;

typedef struct {
    const char *verb;
    guint flags;
    const char *syntax; /* 501 text */
    SmtpServerCmdFn fn;
} SmtpServerCmd;

gboolean
smtp_server_count_error(SmtpServer *srv)
{
    /* Postfix smtpd_hard_error_limit: stop talking to a confused client. */
    if (++srv->errors < srv->max_errors)
        return FALSE;
    g_autofree char *text = g_strdup_printf("%s Error: too many errors", srv->hostname);
    smtp_server_reply(srv, 421, "4.7.0", text);
    smtp_server_close(srv);
    return TRUE;
}

static void
smtp_server_err(SmtpServer *srv, guint code, const char *enh, const char *text)
{
    if (!smtp_server_count_error(srv))
        smtp_server_reply(srv, code, enh, text);
}

static gboolean
smtp_server_in_txn(const SmtpServer *srv)
{
    return srv->state == SMTP_SERVER_STATE_MAIL || srv->state == SMTP_SERVER_STATE_RCPT;
}

/* RFC 4954 4: strict base64; '=' only as final padding. NULL when invalid. */
static GBytes *
smtp_server_b64_decode(const char *s, gsize len)
{
    if (len % 4 != 0)
        return NULL;
    for (gsize i = 0; i < len; i++) {
        char c = s[i];
        if (g_ascii_isalnum(c) || c == '+' || c == '/')
            continue;
        if (c == '=' && (i == len - 1 || (i == len - 2 && s[len - 1] == '=')))
            continue;
        return NULL;
    }
    if (len == 0)
        return g_bytes_new(NULL, 0);
    g_autofree char *copy = g_strndup(s, len);
    gsize n = 0;
    guchar *d = g_base64_decode(copy, &n);
    return g_bytes_new_take(d, n);
}

/* Decimal digits of v into buf (at least 21 octets), NUL-terminated;
 * returns their count. */
static gsize
smtp_server_format_u64(char *buf, guint64 v)
{
    char tmp[20];
    gsize n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    for (gsize i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return n;
}

/* The EHLO reply (RFC 5321 4.1.1.1), written directly: it is sent on every
 * session, and going through an SmtpReply costs several allocations a line. */
void
smtp_server_ehlo_reply(SmtpServer *srv)
{
    const char *lines[10];
    guint n = 0;
    char size[32] = "SIZE ";
    g_autofree char *auth = NULL;
    lines[n++] = srv->hostname;
    if (smtp_server_has_ext(srv, SMTP_EXT_PIPELINING))
        lines[n++] = "PIPELINING";
    if (smtp_server_has_ext(srv, SMTP_EXT_SIZE)) {
        smtp_server_format_u64(size + 5, srv->max_size);
        lines[n++] = size;
    }
    /* RFC 3207 4.2: never offered again once TLS is active. */
    if (srv->starttls_offered && !srv->is_tls)
        lines[n++] = "STARTTLS";
    if (smtp_server_auth_offered(srv)) {
        g_autofree char *mechs = g_strjoinv(" ", srv->auth_mechs);
        auth = g_strconcat("AUTH ", mechs, NULL);
        lines[n++] = auth;
    }
    if (smtp_server_has_ext(srv, SMTP_EXT_ENHANCEDSTATUSCODES))
        lines[n++] = "ENHANCEDSTATUSCODES";
    if (smtp_server_has_ext(srv, SMTP_EXT_8BITMIME))
        lines[n++] = "8BITMIME";
    if (srv->dsn_offered) /* RFC 3461 4: the DSN keyword, no parameters */
        lines[n++] = "DSN";
    gsize len[G_N_ELEMENTS(lines)], total = 0;
    for (guint i = 0; i < n; i++) {
        len[i] = strlen(lines[i]);
        total += 4 + len[i] + 2;
    }
    char *buf = g_malloc(total), *p = buf;
    for (guint i = 0; i < n; i++) {
        memcpy(p, i + 1 < n ? "250-" : "250 ", 4);
        memcpy(p + 4, lines[i], len[i]);
        memcpy(p + 4 + len[i], "\r\n", 2);
        p += 4 + len[i] + 2;
    }
    SmtpServerAct *a = smtp_server_push(srv, SMTP_SERVER_ACT_SEND);
    a->bytes = g_bytes_new_take(buf, total);
}

static void
smtp_server_cmd_helo_common(SmtpServer *srv, const char *args, gboolean ehlo)
{
    /* RFC 5321 4.1.1.1: the argument is a domain or an address literal. */
    if (!smtp_path_is_domain(args, strlen(args), TRUE)) {
        smtp_server_err(srv, 501, "5.5.4", ehlo ? "Syntax: EHLO hostname" : "Syntax: HELO hostname");
        return;
    }
    SmtpServerQuery *q = smtp_server_query(srv, ehlo ? SMTP_SERVER_QUERY_EHLO : SMTP_SERVER_QUERY_HELO);
    q->name = g_strdup(args);
    g_free(srv->pending_arg);
    srv->pending_arg = g_strdup(args);
}

static void
smtp_server_cmd_helo(SmtpServer *srv, const char *args)
{
    smtp_server_cmd_helo_common(srv, args, FALSE);
}

static void
smtp_server_cmd_ehlo(SmtpServer *srv, const char *args)
{
    smtp_server_cmd_helo_common(srv, args, TRUE);
}

/* Checks the MAIL parameters (RFC 5321 4.1.1.11: 555 for unknown ones). */
static gboolean
smtp_server_mail_params(SmtpServer *srv, SmtpServerQuery *q)
{
    for (guint i = 0; q->params && i < q->params->len; i++) {
        const SmtpParam *p = g_ptr_array_index(q->params, i);
        if (srv->is_esmtp && g_ascii_strcasecmp(p->keyword, "SIZE") == 0 &&
            smtp_server_has_ext(srv, SMTP_EXT_SIZE)) {
            /* RFC 1870 6: size-value = 1*20DIGIT */
            if (p->value == NULL || strlen(p->value) > 20 ||
                strspn(p->value, "0123456789") != strlen(p->value)) {
                smtp_server_err(srv, 501, "5.5.4", "Bad SIZE parameter");
                return FALSE;
            }
            q->size = g_ascii_strtoull(p->value, NULL, 10);
            if (q->size > srv->max_size) {
                smtp_server_reply(srv, 552, "5.3.4", "Message size exceeds fixed limit");
                return FALSE;
            }
        } else if (srv->is_esmtp && g_ascii_strcasecmp(p->keyword, "BODY") == 0 &&
                   smtp_server_has_ext(srv, SMTP_EXT_8BITMIME)) {
            /* RFC 6152 2 */
            if (p->value && g_ascii_strcasecmp(p->value, "7BIT") == 0)
                q->body = SMTP_BODY_7BIT;
            else if (p->value && g_ascii_strcasecmp(p->value, "8BITMIME") == 0)
                q->body = SMTP_BODY_8BITMIME;
            else {
                smtp_server_err(srv, 501, "5.5.4", "Unsupported BODY parameter");
                return FALSE;
            }
        } else if (srv->is_esmtp && g_ascii_strcasecmp(p->keyword, "AUTH") == 0 &&
                   smtp_server_auth_offered(srv)) {
            /* RFC 4954 5: xtext; an untrusted value is for the node to judge.
             * Given twice, the last one counts, as for SIZE and BODY. */
            g_free(q->auth_param);
            q->auth_param = p->value ? smtp_xtext_decode(p->value) : NULL;
            if (q->auth_param == NULL) {
                smtp_server_err(srv, 501, "5.5.4", "Bad AUTH parameter");
                return FALSE;
            }
        } else if (srv->is_esmtp && srv->dsn_offered &&
                   g_ascii_strcasecmp(p->keyword, "RET") == 0) {
            /* RFC 3461 4.3: FULL or HDRS, at most once. */
            if (q->dsn_ret != SMTP_DSN_RET_NONE || !smtp_dsn_ret_parse(p->value, &q->dsn_ret)) {
                smtp_server_err(srv, 501, "5.5.4", "Bad RET parameter");
                return FALSE;
            }
        } else if (srv->is_esmtp && srv->dsn_offered &&
                   g_ascii_strcasecmp(p->keyword, "ENVID") == 0) {
            /* RFC 3461 4.4: xtext, at most 100 characters, once. */
            if (q->dsn_envid != NULL || (q->dsn_envid = smtp_dsn_envid_parse(p->value)) == NULL) {
                smtp_server_err(srv, 501, "5.5.4", "Bad ENVID parameter");
                return FALSE;
            }
        } else {
            g_autofree char *t = g_strdup_printf("Unsupported option: %s", p->keyword);
            smtp_server_err(srv, 555, "5.5.4", t);
            return FALSE;
        }
    }
    return TRUE;
}

/* Checks the RCPT parameters: only DSN's NOTIFY and ORCPT exist (RFC 3461
 * 4.1, 4.2), each at most once; anything else is 555 (RFC 5321 4.1.1.11). */
static gboolean
smtp_server_rcpt_params(SmtpServer *srv, SmtpServerQuery *q)
{
    for (guint i = 0; q->params && i < q->params->len; i++) {
        const SmtpParam *p = g_ptr_array_index(q->params, i);
        gboolean dsn = srv->is_esmtp && srv->dsn_offered;
        if (dsn && g_ascii_strcasecmp(p->keyword, "NOTIFY") == 0) {
            if (q->dsn_notify != 0 || !smtp_dsn_notify_parse(p->value, &q->dsn_notify)) {
                smtp_server_err(srv, 501, "5.5.4", "Bad NOTIFY parameter");
                return FALSE;
            }
        } else if (dsn && g_ascii_strcasecmp(p->keyword, "ORCPT") == 0) {
            g_autofree char *type = NULL, *addr = NULL;
            if (q->dsn_orcpt != NULL || !smtp_dsn_orcpt_parse(p->value, &type, &addr)) {
                smtp_server_err(srv, 501, "5.5.4", "Bad ORCPT parameter");
                return FALSE;
            }
            q->dsn_orcpt = g_strconcat(type, ";", addr, NULL);
        } else {
            g_autofree char *t = g_strdup_printf("Unsupported option: %s", p->keyword);
            smtp_server_err(srv, 555, "5.5.4", t);
            return FALSE;
        }
    }
    return TRUE;
}

/* Parses "FROM:<path> params" / "TO:<path> params" into a query. */
static SmtpServerQuery *
smtp_server_parse_path_cmd(SmtpServer *srv, const char *args, gboolean mail)
{
    const char *kw = mail ? "FROM:" : "TO:";
    gsize kwl = strlen(kw);
    const char *enh = mail ? "5.1.7" : "5.1.3";
    if (!ascii_case_equal_n(args, kw, kwl)) {
        smtp_server_err(srv, 501, "5.5.4", mail ? "Syntax: MAIL FROM:<address>" : "Syntax: RCPT TO:<address>");
        return NULL;
    }
    const char *p = args + kwl;
    while (*p == ' ') /* not in RFC 5321 4.1.2, but widely sent */
        p++;
    SmtpPath path;
    gsize used = 0;
    SmtpPathError e = smtp_path_parse(p, strlen(p), mail, !mail, &path, &used);
    if (e != SMTP_PATH_OK) {
        smtp_server_err(srv, e == SMTP_PATH_ERR_TOO_LONG ? 501 : 501, enh,
                        e == SMTP_PATH_ERR_TOO_LONG ? "Error: address too long"
                        : mail ? "Bad sender address syntax" : "Bad recipient address syntax");
        return NULL;
    }
    if (path.has_source_route && !srv->accept_source_routes) {
        /* RFC 5321 4.1.1.3 / C: source routes are obsolete. */
        smtp_path_clear(&path);
        smtp_server_err(srv, 501, enh, "Error: source routes are not accepted");
        return NULL;
    }
    /* No parameters (every plain RCPT): nothing to parse or allocate. */
    GPtrArray *params = NULL;
    if (p[used] != '\0' && (params = smtp_params_parse(p + used)) == NULL) {
        smtp_path_clear(&path);
        smtp_server_err(srv, 501, "5.5.4", "Syntax error in parameters");
        return NULL;
    }
    /* The query is built only once everything checks out, so nothing is pending on error. */
    SmtpServerQuery tmp = {0};
    tmp.parsed = path;
    tmp.params = params;
    if (mail ? !smtp_server_mail_params(srv, &tmp) : !smtp_server_rcpt_params(srv, &tmp)) {
        smtp_path_clear(&tmp.parsed);
        g_clear_pointer(&params, g_ptr_array_unref);
        g_free(tmp.auth_param);
        g_free(tmp.dsn_envid);
        g_free(tmp.dsn_orcpt);
        return NULL;
    }
    SmtpServerQuery *q = smtp_server_query(srv, mail ? SMTP_SERVER_QUERY_MAIL : SMTP_SERVER_QUERY_RCPT);
    q->parsed = tmp.parsed;
    q->size = tmp.size;
    if (mail)
        srv->mail_size = tmp.size;
    q->body = tmp.body;
    q->auth_param = tmp.auth_param;
    q->dsn_ret = tmp.dsn_ret;
    q->dsn_envid = tmp.dsn_envid;
    q->dsn_notify = tmp.dsn_notify;
    q->dsn_orcpt = tmp.dsn_orcpt;
    srv->pending_ret = tmp.dsn_ret;
    g_free(srv->pending_envid);
    srv->pending_envid = g_strdup(tmp.dsn_envid);
    srv->pending_notify = tmp.dsn_notify;
    g_free(srv->pending_orcpt);
    srv->pending_orcpt = g_strdup(tmp.dsn_orcpt);
    if (params != NULL && params->len > 0)
        q->params = params;
    else
        g_clear_pointer(&params, g_ptr_array_unref);
    /* The path as received and its address in one block: q->addr points
     * into q->path's (smtp_server_act_clear() frees q->path only). */
    char *block = g_malloc(used + 1 + smtp_path_address_size(&q->parsed));
    memcpy(block, p, used);
    block[used] = '\0';
    smtp_path_write_address(&q->parsed, block + used + 1);
    q->path = block;
    q->addr = block + used + 1;
    g_free(srv->pending_arg);
    srv->pending_arg = g_strdup(q->addr);
    return q;
}

static void
smtp_server_cmd_mail(SmtpServer *srv, const char *args)
{
    if (srv->state == SMTP_SERVER_STATE_INIT) {
        smtp_server_err(srv, 503, "5.5.1", "Error: send HELO/EHLO first");
        return;
    }
    if (smtp_server_in_txn(srv)) {
        smtp_server_err(srv, 503, "5.5.1", "Error: nested MAIL command");
        return;
    }
    if (srv->tls_required && !srv->is_tls) {
        /* RFC 3207 4: 530 to any command but NOOP, EHLO, STARTTLS, QUIT. */
        smtp_server_reply(srv, 530, "5.7.0", "Must issue a STARTTLS command first");
        return;
    }
    if (srv->auth_required && !srv->is_authed) {
        smtp_server_reply(srv, 530, "5.7.0", "Authentication required"); /* RFC 4954 6 */
        return;
    }
    smtp_server_parse_path_cmd(srv, args, TRUE);
}

static void
smtp_server_cmd_rcpt(SmtpServer *srv, const char *args)
{
    if (!smtp_server_in_txn(srv)) {
        smtp_server_err(srv, 503, "5.5.1", "Error: need MAIL command");
        return;
    }
    if (srv->rcpts->len >= srv->max_rcpts) {
        /* RFC 5321 4.5.3.1.10 */
        smtp_server_reply(srv, 452, "4.5.3", "Error: too many recipients");
        return;
    }
    if (smtp_server_parse_path_cmd(srv, args, FALSE) != NULL)
        srv->rcpt_attempts++;
}

static void
smtp_server_cmd_data(SmtpServer *srv, const char *args)
{
    (void)args;
    if (!smtp_server_in_txn(srv)) {
        smtp_server_err(srv, 503, "5.5.1", "Error: need MAIL command");
        return;
    }
    if (srv->rcpts->len == 0) {
        /* RFC 2920 3.1: a pipelined DATA after failed RCPTs gets 554. */
        if (srv->rcpt_attempts > 0)
            smtp_server_reply(srv, 554, "5.5.1", "Error: no valid recipients");
        else
            smtp_server_err(srv, 503, "5.5.1", "Error: need RCPT command");
        return;
    }
    smtp_data_decoder_reset(srv->dec);
    smtp_data_decoder_reserve(srv->dec, (gsize)MIN(srv->mail_size, G_MAXSIZE));
    smtp_server_enter_state(srv, SMTP_SERVER_STATE_DATA);
    smtp_server_reply_static(srv, "354 End data with <CR><LF>.<CR><LF>\r\n",
                             "354 End data with <CR><LF>.<CR><LF>\r\n");
}

static void
smtp_server_cmd_rset(SmtpServer *srv, const char *args)
{
    (void)args;
    smtp_server_reset_txn(srv);
    if (smtp_server_in_txn(srv))
        smtp_server_enter_state(srv, SMTP_SERVER_STATE_HELO);
    smtp_server_reply(srv, 250, "2.0.0", "Ok");
}

static void
smtp_server_cmd_noop(SmtpServer *srv, const char *args)
{
    (void)args;
    smtp_server_reply(srv, 250, "2.0.0", "Ok");
}

static void
smtp_server_cmd_quit(SmtpServer *srv, const char *args)
{
    (void)args;
    smtp_server_reply_static(srv, "221 2.0.0 Bye\r\n", "221 Bye\r\n");
    smtp_server_close(srv);
}

static void
smtp_server_cmd_vrfy(SmtpServer *srv, const char *args)
{
    (void)args;
    /* RFC 5321 3.5.3 / 7.3: do not disclose; 252 as the RFC suggests. */
    smtp_server_reply(srv, 252, "2.0.0", "Cannot VRFY user, but will accept message");
}

static void
smtp_server_cmd_expn(SmtpServer *srv, const char *args)
{
    (void)args;
    smtp_server_err(srv, 502, "5.5.1", "Error: command not implemented");
}

static void
smtp_server_cmd_help(SmtpServer *srv, const char *args)
{
    (void)args;
    smtp_server_reply(srv, 214, "2.0.0", "See RFC 5321");
}

static void
smtp_server_cmd_starttls(SmtpServer *srv, const char *args)
{
    (void)args;
    if (srv->is_tls) {
        smtp_server_err(srv, 554, "5.5.1", "Error: TLS already active");
        return;
    }
    if (!srv->starttls_offered) {
        smtp_server_err(srv, 502, "5.5.1", "Error: command not implemented");
        return;
    }
    smtp_server_reply(srv, 220, "2.0.0", "Ready to start TLS");
    /* RFC 3207 4.2, CVE-2011-0411: pipelined plaintext must never be read. */
    SmtpServerAct *a = smtp_server_push(srv, SMTP_SERVER_ACT_STARTTLS);
    a->discarded = line_reader_discard(srv->lr);
    smtp_server_enter_state(srv, SMTP_SERVER_STATE_TLS);
}

static gboolean
smtp_server_has_mech(const SmtpServer *srv, const char *mech)
{
    for (guint i = 0; srv->auth_mechs && srv->auth_mechs[i]; i++)
        if (g_ascii_strcasecmp(srv->auth_mechs[i], mech) == 0)
            return TRUE;
    return FALSE;
}

static void
smtp_server_cmd_auth(SmtpServer *srv, const char *args)
{
    /* RFC 4954 4 sequencing rules. */
    if (srv->tls_required && !srv->is_tls) {
        smtp_server_reply(srv, 530, "5.7.0", "Must issue a STARTTLS command first");
        return;
    }
    if (srv->auth_mechs != NULL && srv->auth_requires_tls && !srv->is_tls) {
        /* RFC 4954 6: the mechanisms may only be used over an encrypted link. */
        smtp_server_reply(srv, 538, "5.7.11",
                          "Encryption required for requested authentication mechanism");
        return;
    }
    if (!smtp_server_auth_offered(srv)) {
        smtp_server_err(srv, 503, "5.5.1", "Error: authentication not enabled");
        return;
    }
    if (srv->state == SMTP_SERVER_STATE_INIT) {
        smtp_server_err(srv, 503, "5.5.1", "Error: send HELO/EHLO first");
        return;
    }
    if (srv->is_authed) {
        smtp_server_err(srv, 503, "5.5.1", "Error: already authenticated");
        return;
    }
    if (smtp_server_in_txn(srv)) {
        smtp_server_err(srv, 503, "5.5.1", "Error: MAIL transaction in progress");
        return;
    }
    const char *sp = strchr(args, ' ');
    g_autofree char *mech = sp ? g_strndup(args, (gsize)(sp - args)) : g_strdup(args);
    if (!smtp_server_has_mech(srv, mech)) {
        smtp_server_err(srv, 504, "5.5.4", "Unrecognized authentication type");
        return;
    }
    GBytes *data = NULL;
    const char *ir = sp ? sp + 1 : NULL;
    if (ir != NULL) {
        /* Server-first mechanisms take no initial response (RFC 4954 4). */
        if (g_ascii_strcasecmp(mech, "CRAM-MD5") == 0 || g_ascii_strcasecmp(mech, "DIGEST-MD5") == 0) {
            smtp_server_err(srv, 501, "5.7.0", "Error: initial response not allowed");
            return;
        }
        data = strcmp(ir, "=") == 0 ? g_bytes_new(NULL, 0) : smtp_server_b64_decode(ir, strlen(ir));
        if (data == NULL) {
            smtp_server_err(srv, 501, "5.5.2", "Error: invalid base64 data");
            return;
        }
    }
    SmtpServerQuery *q = smtp_server_query(srv, SMTP_SERVER_QUERY_AUTH);
    q->mech = g_ascii_strup(mech, -1);
    q->auth_response = g_strdup(ir);
    q->auth_data = data;
}

void
smtp_server_auth_line(SmtpServer *srv, const char *line, gsize len)
{
    if (len == 1 && line[0] == '*') {
        smtp_server_enter_state(srv, SMTP_SERVER_STATE_HELO);
        smtp_server_reply(srv, 501, "5.7.0", "Authentication aborted"); /* RFC 4954 4 */
        return;
    }
    GBytes *data = smtp_server_b64_decode(line, len);
    if (data == NULL) {
        smtp_server_enter_state(srv, SMTP_SERVER_STATE_HELO);
        smtp_server_err(srv, 501, "5.5.2", "Error: invalid base64 data");
        return;
    }
    SmtpServerQuery *q = smtp_server_query(srv, SMTP_SERVER_QUERY_AUTH_CONTINUE);
    q->auth_response = g_strndup(line, len);
    q->auth_data = data;
}

static const SmtpServerCmd smtp_server_cmds[] = {
    {"HELO", SMTP_CMD_F_NEED_ARGS, "Syntax: HELO hostname", smtp_server_cmd_helo},
    {"EHLO", SMTP_CMD_F_NEED_ARGS, "Syntax: EHLO hostname", smtp_server_cmd_ehlo},
    {"MAIL", SMTP_CMD_F_NEED_ARGS, "Syntax: MAIL FROM:<address>", smtp_server_cmd_mail},
    {"RCPT", SMTP_CMD_F_NEED_ARGS, "Syntax: RCPT TO:<address>", smtp_server_cmd_rcpt},
    {"DATA", SMTP_CMD_F_NO_ARGS, "Syntax: DATA", smtp_server_cmd_data},
    {"RSET", SMTP_CMD_F_NO_ARGS, "Syntax: RSET", smtp_server_cmd_rset},
    {"NOOP", SMTP_CMD_F_NONE, NULL, smtp_server_cmd_noop},
    {"QUIT", SMTP_CMD_F_NO_ARGS, "Syntax: QUIT", smtp_server_cmd_quit},
    {"VRFY", SMTP_CMD_F_NEED_ARGS, "Syntax: VRFY address", smtp_server_cmd_vrfy},
    {"EXPN", SMTP_CMD_F_NONE, NULL, smtp_server_cmd_expn},
    {"HELP", SMTP_CMD_F_NONE, NULL, smtp_server_cmd_help},
    {"STARTTLS", SMTP_CMD_F_NO_ARGS, "Syntax: STARTTLS (no parameters allowed)", smtp_server_cmd_starttls},
    {"AUTH", SMTP_CMD_F_NEED_ARGS, "Syntax: AUTH mechanism [initial-response]", smtp_server_cmd_auth},
};

void
smtp_server_dispatch(SmtpServer *srv, const char *line, gsize len)
{
    if (memchr(line, '\0', len) != NULL) {
        smtp_server_err(srv, 500, "5.5.2", "Error: NUL character in command");
        return;
    }
    const char *sp = memchr(line, ' ', len);
    gsize vlen = sp ? (gsize)(sp - line) : len;
    const char *args = sp ? sp + 1 : "";
    const SmtpServerCmd *cmd = NULL;
    char first = g_ascii_toupper(line[0]);
    for (guint i = 0; i < G_N_ELEMENTS(smtp_server_cmds); i++) {
        /* The verbs are upper-case: a first-octet test skips most of them. */
        if (smtp_server_cmds[i].verb[0] == first && strlen(smtp_server_cmds[i].verb) == vlen &&
            ascii_case_equal_n(smtp_server_cmds[i].verb, line, vlen)) {
            cmd = &smtp_server_cmds[i];
            break;
        }
    }
    if (cmd == NULL) {
        smtp_server_err(srv, 500, "5.5.2", "Error: command not recognized");
        return;
    }
    /* RFC 5321 3.1: after a 554 greeting only QUIT gets anything but 503. */
    if (srv->state == SMTP_SERVER_STATE_REJECTED && cmd->fn != smtp_server_cmd_quit) {
        smtp_server_err(srv, 503, "5.5.1", "Error: no service");
        return;
    }
    gboolean has_args = args[0] != '\0';
    if (((cmd->flags & SMTP_CMD_F_NO_ARGS) && has_args) ||
        ((cmd->flags & SMTP_CMD_F_NEED_ARGS) && !has_args)) {
        smtp_server_err(srv, 501, "5.5.4", cmd->syntax);
        return;
    }
    cmd->fn(srv, args);
}

/* A positive (or NULL = default) answer to the pending query. */
static void
smtp_server_answer_ok(SmtpServer *srv, SmtpServerQueryKind kind, const SmtpReply *r)
{
    switch (kind) {
    case SMTP_SERVER_QUERY_CONNECT:
        smtp_server_enter_state(srv, SMTP_SERVER_STATE_INIT);
        if (r == NULL) {
            smtp_server_reply(srv, 220, NULL, srv->greeting);
        } else {
            smtp_server_send_reply(srv, r, FALSE);
        }
        return;
    case SMTP_SERVER_QUERY_HELO:
    case SMTP_SERVER_QUERY_EHLO:
        /* RFC 5321 4.1.4: EHLO/HELO also reset the transaction. */
        smtp_server_reset_txn(srv);
        g_free(srv->helo_name);
        srv->helo_name = g_steal_pointer(&srv->pending_arg);
        srv->is_esmtp = kind == SMTP_SERVER_QUERY_EHLO;
        smtp_server_enter_state(srv, SMTP_SERVER_STATE_HELO);
        if (kind == SMTP_SERVER_QUERY_EHLO)
            smtp_server_ehlo_reply(srv);
        else
            smtp_server_reply(srv, 250, NULL, srv->hostname);
        return;
    case SMTP_SERVER_QUERY_MAIL:
        srv->mail_from = g_steal_pointer(&srv->pending_arg);
        srv->dsn_ret = srv->pending_ret;
        g_free(srv->dsn_envid);
        srv->dsn_envid = g_steal_pointer(&srv->pending_envid);
        smtp_server_enter_state(srv, SMTP_SERVER_STATE_MAIL);
        break;
    case SMTP_SERVER_QUERY_RCPT: {
        g_ptr_array_add(srv->rcpts, g_steal_pointer(&srv->pending_arg));
        char *orcpt = g_steal_pointer(&srv->pending_orcpt);
        if (srv->dsn_offered) {
            guint notify = srv->pending_notify;
            g_array_append_val(srv->rcpt_notify, notify);
            g_ptr_array_add(srv->rcpt_orcpt, orcpt ? orcpt : g_strdup(""));
        } else {
            g_free(orcpt); /* NULL: ORCPT is refused when DSN is not offered */
        }
        smtp_server_enter_state(srv, SMTP_SERVER_STATE_RCPT);
        break;
    }
    case SMTP_SERVER_QUERY_DATA:
        break;
    case SMTP_SERVER_QUERY_AUTH:
    case SMTP_SERVER_QUERY_AUTH_CONTINUE:
        srv->is_authed = TRUE;
        smtp_server_enter_state(srv, SMTP_SERVER_STATE_HELO);
        break;
    }
    if (r != NULL) {
        smtp_server_send_reply(srv, r, TRUE);
        return;
    }
    switch (kind) {
    case SMTP_SERVER_QUERY_MAIL:
        smtp_server_reply_static(srv, "250 2.1.0 Ok\r\n", "250 Ok\r\n");
        break;
    case SMTP_SERVER_QUERY_RCPT:
        smtp_server_reply_static(srv, "250 2.1.5 Ok\r\n", "250 Ok\r\n");
        break;
    case SMTP_SERVER_QUERY_DATA:
        smtp_server_reply_static(srv, "250 2.0.0 Ok: queued\r\n", "250 Ok: queued\r\n");
        break;
    default:
        smtp_server_reply(srv, 235, "2.7.0", "Authentication successful");
        break;
    }
}

void
smtp_server_answer(SmtpServer *srv, guint32 query_id, const SmtpReply *r)
{
    g_return_if_fail(srv != NULL);
    if (srv->state == SMTP_SERVER_STATE_CLOSED)
        return; /* the peer left while the node was deciding */
    g_return_if_fail(srv->query_pending && srv->query_id == query_id);
    srv->query_pending = FALSE;
    SmtpServerQueryKind kind = srv->query_kind;
    if (kind == SMTP_SERVER_QUERY_DATA) {
        /* RFC 5321 4.1.1.4: the transaction ends with the reply, whatever it is. */
        smtp_server_reset_txn(srv);
        smtp_server_enter_state(srv, SMTP_SERVER_STATE_HELO);
    }
    if (r != NULL && r->code == 421) {
        /* RFC 5321 3.8: 421 and close. */
        smtp_server_send_reply(srv, r, TRUE);
        smtp_server_close(srv);
        return;
    }
    if (r == NULL || smtp_reply_is_positive(r)) {
        smtp_server_answer_ok(srv, kind, r);
        return;
    }
    if (kind == SMTP_SERVER_QUERY_CONNECT) {
        smtp_server_enter_state(srv, SMTP_SERVER_STATE_REJECTED);
        smtp_server_send_reply(srv, r, FALSE);
        return;
    }
    if ((kind == SMTP_SERVER_QUERY_AUTH || kind == SMTP_SERVER_QUERY_AUTH_CONTINUE) &&
        r->code == 334) {
        /* RFC 4954 4: "334 " SP base64 challenge, nothing else. */
        smtp_server_enter_state(srv, SMTP_SERVER_STATE_AUTH);
        smtp_server_reply(srv, 334, NULL, smtp_reply_text(r));
        return;
    }
    if (kind == SMTP_SERVER_QUERY_AUTH || kind == SMTP_SERVER_QUERY_AUTH_CONTINUE)
        smtp_server_enter_state(srv, SMTP_SERVER_STATE_HELO);
    g_clear_pointer(&srv->pending_arg, g_free);
    smtp_server_send_reply(srv, r, TRUE);
}
